"""The desk under load (issue 37): 20 simulated clerks on the real `digitize serve` for 20 s
(benchmarks/load_test.py, whose 5-minute run docs/benchmarks reports) with no failed request and no
lost correction; and the faults found while building it, each made to happen at will: answers
saved at the same moment into one dossier (some were lost), a page read while a re-run swaps
the dossier's new outputs in (missing for a moment: a 404), a run starting while a save writes
(its temporary file removed), and a re-run per save (a queue without end)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from digitize import fsutil
from digitize.config import Config
from digitize.extract.overrides import OVERRIDES_DIR, load_overrides, writing_overrides
from digitize.extract.review import record_answers
from digitize.pipeline.run import _clean_after_crash
from digitize.web.jobs import JobBoard
from tests.conftest import ROOT, Env

sys.path.insert(0, str(ROOT / "benchmarks"))
import load_test

FIELDS = ("subject", "issuer", "signer", "place")


@pytest.mark.slow
def test_twenty_clerks_for_twenty_seconds_lose_nothing(cli_env: Env, tmp_path: Path) -> None:
    run = load_test.load_test(cli_env, tmp_path / "desk", clerks=20, seconds=20)
    report = load_test.report(run, 20, 2.0)
    print(report)
    kinds = ("dossiers", "document", "page image", "review", "review save", "find", "verify",
             "intake")
    assert all(run.load.times.get(kind) for kind in kinds), report  # each was done
    assert run.saves >= 10 and run.load.intakes, report
    assert not run.load.failures, report
    assert not run.lost, report
    assert run.jobs["done"] == len(run.load.jobs), report


def test_answers_saved_at_once_into_one_dossier_are_all_kept(tmp_path: Path) -> None:
    def clerk(k: int) -> None:
        for i in range(12):
            record_answers(tmp_path, "D", {f"{k}.png": {FIELDS[i % 4]: f"{k}-{i}"}}, "Hà")

    threads = [threading.Thread(target=clerk, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = load_overrides(tmp_path / OVERRIDES_DIR / "D.toml").documents
    assert kept == {f"{k}.png": {f: f"{k}-{8 + j}" for j, f in enumerate(FIELDS)}
                    for k in range(8)}


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


def test_saves_while_a_run_waits_join_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every review save asks for a run of its dossier; with twenty clerks saving, one run each
    made a queue that grew without end. Saves made while a run of the dossier waits its turn
    now join that run; one made after it started gets a run of its own (the running one may
    have read the override file already)."""
    started: list[tuple[Path, ...]] = []
    hold = threading.Event()

    def run_batch(inputs: list[Path], *args: Any) -> Any:
        started.append(tuple(inputs))
        hold.wait(30)
        return SimpleNamespace(dossiers=[], any_failed=False)

    monkeypatch.setattr("digitize.pipeline.run.run_batch", run_batch)
    monkeypatch.setattr("digitize.signing.sources.open_identity", lambda *a, **k: None)
    board = JobBoard(Config())
    out, one, two = tmp_path / "out", tmp_path / "in" / "D1", tmp_path / "in" / "D2"
    try:
        first = board.run("Run again: D1", out, [one], "D1")
        for _ in range(100):  # until the first run is under way
            if started:
                break
            time.sleep(0.05)
        after_start = [board.run("Run again: D1", out, [one], "D1") for _ in range(5)]
        other = board.run("Run again: D2", out, [two], "D2")
        assert first.state == "running"
        assert len({j.id for j in after_start}) == 1 and after_start[0].id != first.id
        assert other.id not in (first.id, after_start[0].id)
    finally:
        hold.set()
        board.shutdown()
    assert started == [(one,), (one,), (two,)]
    assert {j.state for j in (first, *after_start, other)} == {"done"}


def test_a_failed_run_says_why_even_when_only_a_document_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dossier whose document failed is incomplete and has no error of its own: the job
    page said "failed" and nothing more. It now gives the document's reason."""
    from digitize.model import DocumentResult, DossierResult, Status

    def run_batch(inputs: list[Path], *args: Any) -> Any:
        dossier = DossierResult(id="D1", status=Status.incomplete, documents=[
            DocumentResult(source=str(tmp_path / "in" / "D1" / "p1.png"), status=Status.ok),
            DocumentResult(source=str(tmp_path / "in" / "D1" / "p2.png"), status=Status.failed,
                           error="p2.png is damaged or truncated; scan it again.")])
        return SimpleNamespace(dossiers=[dossier], any_failed=True)

    monkeypatch.setattr("digitize.pipeline.run.run_batch", run_batch)
    monkeypatch.setattr("digitize.signing.sources.open_identity", lambda *a, **k: None)
    board = JobBoard(Config())
    try:
        job = board.run("Run again: D1", tmp_path / "out", [tmp_path / "in" / "D1"], "D1")
        for _ in range(200):
            if job.state in ("done", "failed"):
                break
            time.sleep(0.05)
    finally:
        board.shutdown()
    assert job.state == "failed"
    assert job.message == "p2.png: p2.png is damaged or truncated; scan it again."


def test_the_job_board_forgets_old_finished_jobs_and_never_a_live_one(tmp_path: Path) -> None:
    board = JobBoard(Config(), keep_finished=2)
    hold = threading.Event()
    try:
        live = board.submit("held", tmp_path / "a", lambda job: hold.wait(30) and None)
        done = [board.submit(f"quick {k}", tmp_path / "b", lambda job: None) for k in range(4)]
        for _ in range(100):  # until the quick ones (another folder's queue) have finished
            if all(j.state == "done" for j in done):
                break
            time.sleep(0.05)
        last = board.submit("one more", tmp_path / "b", lambda job: None)
        # The two latest finished jobs stay for their pages, the held one and the new one too.
        assert set(board.jobs) == {live.id, done[2].id, done[3].id, last.id}
        assert live.state == "running"
    finally:
        hold.set()
        board.shutdown()


def test_a_run_starting_leaves_a_save_under_way_alone(tmp_path: Path) -> None:
    """A run starts by removing what a crashed run left, temporary files included; it also
    removed the one a clerk's save was writing at that moment in OUT/.overrides, and the save
    failed ('Cannot write …toml: No such file or directory', seen under load)."""
    out = tmp_path / "out"
    left = out / "D" / ".D.1.pdf.x1.part"  # a crashed run's
    left.parent.mkdir(parents=True)
    left.write_bytes(b"%PDF")
    with writing_overrides(out) as folder:  # a clerk's save under way
        writing = folder / ".D.toml.x2.part"
        writing.write_text("operator = 'Hà'\n")
        cleaning = threading.Thread(target=_clean_after_crash, args=(out,))
        cleaning.start()
        cleaning.join(1)
        assert writing.exists() and not left.exists()
        assert cleaning.is_alive()  # waiting for the save to finish
    cleaning.join(10)
    assert not writing.exists()  # a save's leftover goes once no save is under way
