"""Nightly-run safety: one run per output folder, re-runs resume, failed documents stay in
quarantine until fixed or retried, and a run killed at any moment (SIGKILL, Ctrl-C) followed by
a re-run gives the same outputs as an uninterrupted run, with nothing left half-written."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from digitize.bundle.check import check_package
from digitize.pipeline.run import WORK_NAME

from .conftest import DIGITIZE, Env, copy_sample, counting_tesseract, ocr_calls

pytestmark = pytest.mark.slow


def _inbox(root: Path) -> Path:
    for i, name in enumerate(["01_to_khai.png", "thong_bao.png", "scan_0001.jpg"], start=1):
        copy_sample(name, root / f"HS-{i:02d}" / name)
    return root


def _start(cli_env: Env, inbox: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([DIGITIZE, "run", str(inbox), "--out", str(out), "--json", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=cli_env.vars)


def _comparable(out: Path) -> dict[str, object]:
    """What must not depend on interruptions: per dossier, its documents' text and metadata
    and the package's data file names (signing times and package ids differ by nature)."""
    result = {}
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        packages = list(folder.glob("uuid-*"))
        assert len(packages) == 1, folder
        assert check_package(packages[0]).ok, check_package(packages[0]).problems
        docs = {}
        for meta in sorted(folder.glob("*.json")):
            if meta.name == "dossier.json":
                continue
            record = json.loads(meta.read_text(encoding="utf-8"))
            docs[meta.name] = (record["metadata"], meta.with_suffix(".txt").read_text("utf-8"))
        data = sorted(p.name for p in (packages[0] / "representations/rep1/data").iterdir())
        result[folder.name] = (docs, data)
    return result


def _leftovers(out: Path) -> list[str]:
    return [str(p) for p in out.rglob("*") if ".part" in p.name
            or p.name.startswith((".staging", ".old-", ".work"))]


def test_a_second_run_on_the_same_folder_exits_4_at_once(cli_env: Env, tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path / "in"), tmp_path / "out"
    first = _start(cli_env, inbox, out)
    lock = out / ".digitize.lock"
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    second = cli_env.run("run", str(inbox), "--out", str(out), "--json")
    assert time.monotonic() - started < 10
    assert second.returncode == 4
    assert f"Another run holds {out} since" in second.stderr
    first.communicate(timeout=300)
    assert first.returncode == 0


def test_running_again_skips_finished_dossiers(cli_env: Env, tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path / "in"), tmp_path / "out"
    first = json.loads(cli_env.run("run", str(inbox), "--out", str(out), "--json").stdout)
    again = cli_env.run("run", str(inbox), "--out", str(out), "--json")
    assert again.returncode == 0
    second = json.loads(again.stdout)
    assert second["totals"]["resumed"] == 3
    assert [d["bundle"] for d in second["dossiers"]] == [d["bundle"] for d in first["dossiers"]]
    assert second["totals"]["seconds"] < first["totals"]["seconds"] / 3
    # A changed scan makes its dossier new work again; the others stay finished.
    copy_sample("02_quyet_dinh.jpg", inbox / "HS-02" / "extra.jpg")
    third = json.loads(cli_env.run("run", str(inbox), "--out", str(out), "--json").stdout)
    assert third["totals"]["resumed"] == 2
    hs02 = next(d for d in third["dossiers"] if d["id"] == "HS-02")
    assert not hs02["resumed"] and len(hs02["documents"]) == 2


def test_failed_documents_stay_quarantined_until_fixed_or_retried(cli_env: Env,
                                                                  tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    copy_sample("thong_bao.png", inbox / "HS-01" / "a.png")
    bad = inbox / "HS-01" / "b.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    first = json.loads(cli_env.run("run", str(inbox), "--out", str(out), "--json").stdout)
    error = next(d for d in first["dossiers"][0]["documents"] if d["source"].endswith("b.png"))
    assert error["status"] == "failed" and "b.png" in error["error"]
    again = cli_env.run("run", str(inbox), "--out", str(out), "--json")
    assert again.returncode == 1
    doc = next(d for d in json.loads(again.stdout)["dossiers"][0]["documents"]
               if d["source"].endswith("b.png"))
    assert doc["error"].startswith("Quarantined by an earlier run")
    assert "--retry-failed" in doc["error"]
    retried = cli_env.run("run", str(inbox), "--out", str(out), "--json", "--retry-failed")
    doc = next(d for d in json.loads(retried.stdout)["dossiers"][0]["documents"]
               if d["source"].endswith("b.png"))
    assert doc["status"] == "failed" and not doc["error"].startswith("Quarantined")
    copy_sample("01_to_khai.png", bad)  # the clerk rescans the page
    fixed = cli_env.run("run", str(inbox), "--out", str(out), "--json")
    assert fixed.returncode == 0, fixed.stdout
    assert json.loads(fixed.stdout)["dossiers"][0]["bundle"]


def _interrupted(cli_env: Env, inbox: Path, out: Path, delay: float, sig: int) -> int:
    proc = _start(cli_env, inbox, out)
    time.sleep(delay)
    proc.send_signal(sig)
    proc.communicate(timeout=300)
    return proc.returncode


def test_kill_9_at_random_moments_then_rerun_gives_the_same_outputs(cli_env: Env,
                                                                      tmp_path: Path) -> None:
    _kill_and_rerun(cli_env, tmp_path, kills=5)


@pytest.mark.stress
def test_kill_9_twenty_times(cli_env: Env, tmp_path: Path) -> None:
    """The long variant (about 4 minutes): pytest -m stress."""
    _kill_and_rerun(cli_env, tmp_path, kills=20)


def _kill_and_rerun(cli_env: Env, tmp_path: Path, kills: int) -> None:
    inbox = _inbox(tmp_path / "in")
    ref_out = tmp_path / "reference"
    started = time.monotonic()
    assert cli_env.run("run", str(inbox), "--out", str(ref_out), "--json").returncode == 0
    full = time.monotonic() - started
    reference = _comparable(ref_out)
    rnd = random.Random(20261123 + kills)
    for k in range(kills):
        out = tmp_path / f"killed-{k}"
        delay = rnd.uniform(0.2, full)
        code = _interrupted(cli_env, inbox, out, delay, signal.SIGKILL)
        assert code in (-signal.SIGKILL, 0), code
        rerun = cli_env.run("run", str(inbox), "--out", str(out), "--json")
        assert rerun.returncode == 0, (delay, rerun.stderr)
        assert _comparable(out) == reference, delay
        assert _leftovers(out) == [], delay


def test_ctrl_c_exits_130_and_the_same_command_resumes(cli_env: Env, tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path / "in"), tmp_path / "out"
    # Ctrl-C once the run is working (its work folder exists), not after a fixed delay: on a
    # busy machine a fixed delay lands in interpreter start-up or after the run has finished.
    proc = _start(cli_env, inbox, out)
    deadline = time.monotonic() + 120
    while not (out / WORK_NAME).is_dir() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=300)
    assert proc.returncode == 130
    rerun = cli_env.run("run", str(inbox), "--out", str(out), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert len(json.loads(rerun.stdout)["dossiers"]) == 3
    assert _leftovers(out) == []


def test_disk_full_stops_cleanly_and_the_rerun_completes(cli_env: Env, tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes every write past 150 kB fail as a full disk would (EFBIG)."""
    inbox, out = _inbox(tmp_path / "in"), tmp_path / "out"
    full = cli_env.run("run", str(inbox), "--out", str(out), "--json",
                       prefix=("prlimit", "--fsize=150000", "--"))
    assert full.returncode == 4, full.stderr
    assert "free some disk space" in full.stderr and "Traceback" not in full.stderr
    assert _leftovers(out) == []
    finished = list(out.glob("*/uuid-*"))
    assert len(finished) < 3  # the large scan could not be written
    assert all(check_package(p).ok for p in finished)  # what is there is whole
    rerun = cli_env.run("run", str(inbox), "--out", str(out), "--json")
    assert rerun.returncode == 0, rerun.stderr
    assert len(list(out.glob("*/uuid-*"))) == 3


def test_dask_local_cluster_gives_the_same_results_as_the_process_pool(cli_env: Env,
                                                                       tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "in")
    local = cli_env.run("run", str(inbox), "--out", str(tmp_path / "local"), "--json",
                        "--jobs", "2")
    dask = cli_env.run("run", str(inbox), "--out", str(tmp_path / "dask"), "--json",
                       "--jobs", "2", "--executor", "dask-local")
    assert local.returncode == dask.returncode == 0, dask.stderr[-2000:]
    assert _comparable(tmp_path / "dask") == _comparable(tmp_path / "local")


def test_unreachable_dask_scheduler_exits_4(cli_env: Env, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "in")
    config = tmp_path / "impatient.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "\n[ocr]\nscheduler_timeout_s = 3\n", encoding="utf-8")
    res = cli_env.run("run", str(inbox), "--out", str(tmp_path / "o"), "--json",
                      "--executor", "dask://127.0.0.1:1", "--config", str(config))
    assert res.returncode == 4, res.stderr[-2000:]
    assert "Cannot reach the Dask scheduler" in res.stderr and "Traceback" not in res.stderr


def test_ctrl_c_is_not_lost_inside_asyncio_run() -> None:
    """pyHanko signs and validates through asyncio.run, which swaps Python's default SIGINT
    handler for one that only cancels its task; a coroutine that swallows the cancellation
    would swallow the clerk's Ctrl-C. digitize's own handler keeps it (seen once in CI: a run
    interrupted while signing finished with exit 0)."""
    import asyncio
    import contextlib
    import os
    import threading

    from digitize.cli.app import _interrupt

    async def swallows_cancellation() -> str:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(2)
        return "finished"

    previous = signal.signal(signal.SIGINT, _interrupt)
    try:
        threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        with pytest.raises(KeyboardInterrupt):
            asyncio.run(swallows_cancellation())
    finally:
        signal.signal(signal.SIGINT, previous)


def test_one_bad_page_never_loses_the_dossier(cli_env: Env, tmp_path: Path) -> None:
    inbox, out = tmp_path / "in", tmp_path / "out"
    copy_sample("thong_bao.png", inbox / "HS-01" / "a.png")
    good = copy_sample("01_to_khai.png", tmp_path / "rescan.png")
    bad = inbox / "HS-01" / "b.png"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 3])  # a truncated page
    path, log = counting_tesseract(tmp_path)
    first = cli_env.run("run", str(inbox), "--out", str(out), "--json", extra=path)
    assert first.returncode == 1, first.stderr
    dossier = json.loads(first.stdout)["dossiers"][0]
    assert dossier["status"] == "incomplete" and dossier["bundle"] is None
    assert "No package yet" in dossier["error"]
    kept = next(d for d in dossier["documents"] if d["source"].endswith("a.png"))
    assert kept["signature"] and Path(kept["pdf"]).is_file()
    checked = cli_env.run("verify", kept["pdf"], "--trust", str(cli_env.ca_cert), "--json")
    assert checked.returncode == 0, checked.stdout
    assert json.loads(checked.stdout)[0]["status"] == "valid"
    sig = subprocess.run(["pdfsig", kept["pdf"]], capture_output=True, text=True, check=False)
    assert "Signature is Valid" in sig.stdout
    per_document = ocr_calls(log)  # one page OCR'd: the good document's
    assert per_document >= 1
    kept_bytes = Path(kept["pdf"]).read_bytes()
    bad.write_bytes(good.read_bytes())  # the clerk rescans the page
    second = cli_env.run("run", str(inbox), "--out", str(out), "--json", extra=path)
    assert second.returncode == 0, second.stdout + second.stderr
    dossier = json.loads(second.stdout)["dossiers"][0]
    assert dossier["status"] in ("ok", "needs_review") and dossier["bundle"]
    assert ocr_calls(log) == 2 * per_document  # only the replaced document was OCR'd again
    assert "unchanged since the last run" in second.stderr
    again = next(d for d in dossier["documents"] if d["source"].endswith("a.png"))
    assert Path(again["pdf"]).read_bytes() == kept_bytes  # the same signed PDF, in the package
    assert check_package(Path(dossier["bundle"])).ok
    report = cli_env.run("report", str(out), "--json")
    assert json.loads(report.stdout)["total"]["dossiers_incomplete"] == 0
