"""The desk under load (issue 37): a page read while a re-run swaps the dossier's new outputs
in (the dossier was missing for a moment: a 404), made to happen at will."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from digitize import fsutil


def test_outputs_being_replaced_are_never_missing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    rename = os.replace

    def slow(*args: Any, **kwargs: Any) -> None:  # a busy machine: the thread waits its turn
        rename(*args, **kwargs)
        time.sleep(0.002)

    monkeypatch.setattr(fsutil.os, "replace", slow)
    target = tmp_path / "000.00.31.H49-261120-0002"
    target.mkdir()
    (target / "dossier.json").write_text("0")
    missing: list[int] = []
    stop = threading.Event()

    def reader() -> None:  # a page of the desk, reading the record while the re-runs finish
        while not stop.is_set():
            if not (target / "dossier.json").is_file():
                missing.append(1)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for i in range(1, 201):
            staging = tmp_path / f".staging-{i}"
            staging.mkdir()
            (staging / "dossier.json").write_text(str(i))
            fsutil.replace_dir(staging, target)
    finally:
        stop.set()
        thread.join()
    assert not missing
    assert (target / "dossier.json").read_text() == "200"
    assert list(tmp_path.iterdir()) == [target]  # the old outputs are gone
