"""The watch folder: a dossier is processed once its files stop changing, never half-written;
bad input does not stop the watch; SIGTERM stops it cleanly."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import DIGITIZE, SAMPLES, Env

pytestmark = pytest.mark.slow


def _wait_for(predicate, timeout: float = 120) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_watch_folder(cli_env: Env, tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    proc = subprocess.Popen([DIGITIZE, "watch", str(inbox), "--out", str(out), "--settle", "1.5",
                             "--interval", "0.2", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env.vars)
    try:
        # A scanner writing a file slowly: half now, the rest later. It must not be read early.
        scan = next(SAMPLES.glob("*/thong_bao.png")).read_bytes()
        (inbox / "HS-01").mkdir()
        with open(inbox / "HS-01" / "thong_bao.png", "wb") as fh:
            fh.write(scan[: len(scan) // 2])
            fh.flush()
            time.sleep(1.0)
            fh.write(scan[len(scan) // 2:])
        (inbox / "HS-02").mkdir()
        (inbox / "HS-02" / "note.jpg").write_text("không phải ảnh")
        assert _wait_for(lambda: list(out.glob("HS-01/uuid-*"))), proc.stderr
        assert _wait_for(lambda: (out / "HS-02" / "dossier.json").exists())
        hs01 = json.loads((out / "HS-01" / "dossier.json").read_text(encoding="utf-8"))
        assert hs01["status"] == "ok", hs01
        hs02 = json.loads((out / "HS-02" / "dossier.json").read_text(encoding="utf-8"))
        assert hs02["status"] == "failed" and "note.jpg" in hs02["documents"][0]["error"]
        # Still watching after bad input: a new dossier is picked up.
        (inbox / "HS-03").mkdir()
        (inbox / "HS-03" / "scan.jpg").write_bytes(
            next(SAMPLES.glob("*/scan_0001.jpg")).read_bytes())
        assert _wait_for(lambda: list(out.glob("HS-03/uuid-*")))
    finally:
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "Stopped." in stderr and "Traceback" not in stderr
    batches = [json.loads(line) for line in stdout.splitlines()]
    processed = [d["id"] for b in batches for d in b["dossiers"]]
    assert sorted(processed) == ["HS-01", "HS-02", "HS-03"]  # each once
