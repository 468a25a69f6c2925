"""`run --executor dask://HOST:PORT` on a real cluster: a `dask scheduler` and `dask worker`
processes started apart from the run, on 127.0.0.1. The same batch gives the same outputs as
the local process pool, byte for byte once dates and identifiers are masked (tests/sameruns.py);
a cluster that goes away, and a local worker that is killed, stop the run with one sentence and
exit 4, and the same command then resumes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from digitize.pipeline.run import WORK_NAME

from .conftest import DIGITIZE, Env, copy_sample
from .sameruns import differences
from .servers import DaskCluster, running_dask

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _inbox(root: Path) -> Path:
    """Two dossiers, three documents: a PNG, a JPEG Tesseract reads from a temporary copy, and
    a scanned PDF."""
    copy_sample("01_to_khai.png", root / "HS-01" / "01_to_khai.png")
    copy_sample("02_quyet_dinh.jpg", root / "HS-01" / "02_quyet_dinh.jpg")
    copy_sample("scan_0002.pdf", root / "HS-02" / "scan_0002.pdf")
    return root


def _impatient(cli_env: Env, tmp_path: Path) -> Path:
    """The test config, giving up on a scheduler or a worker after 3 s (20 s by default)."""
    config = tmp_path / "impatient.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "\n[ocr]\nscheduler_timeout_s = 3\n", encoding="utf-8")
    return config


@pytest.fixture(scope="module")
def cluster(cli_env: Env) -> Iterator[DaskCluster]:
    with running_dask(2, BIN, cli_env.vars) as running:
        yield running


def _start(cli_env: Env, inbox: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([DIGITIZE, "run", str(inbox), "--out", str(out), "--json",
                             "--no-sign", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=cli_env.vars)


def _when_working(proc: subprocess.Popen[str], out: Path) -> None:
    """Until the run has page files in its work folder (so it is OCR'ing, connected)."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if (out / WORK_NAME).is_dir() and any((out / WORK_NAME).rglob("p0000*")):
            return
        time.sleep(0.05)
    raise AssertionError(f"the run never started OCR: {proc.poll()}")


def test_a_dask_cluster_gives_the_same_outputs_as_the_local_pool(
        cli_env: Env, cluster: DaskCluster, tmp_path: Path) -> None:
    inbox = _inbox(tmp_path / "in")
    local = cli_env.run("run", str(inbox), "--out", str(tmp_path / "local"), "--json",
                        "--no-sign", "--jobs", "1")
    dask = cli_env.run("run", str(inbox), "--out", str(tmp_path / "dask"), "--json",
                       "--no-sign", "--jobs", "2", "--executor", cluster.spec)
    assert local.returncode == dask.returncode == 0, dask.stderr[-2000:]
    assert len(json.loads(dask.stdout)["dossiers"]) == 2
    assert differences(tmp_path / "local", tmp_path / "dask") == []
    # The comparison sees a real difference: one letter more in one text file.
    text = next((tmp_path / "dask" / "HS-02").glob("*.txt"))
    text.write_text(text.read_text(encoding="utf-8") + "x", encoding="utf-8")
    assert differences(tmp_path / "local", tmp_path / "dask") == [
        f"differs: HS-02/{text.name}"]


def test_a_scheduler_without_workers_stops_the_run_with_exit_4(cli_env: Env,
                                                              tmp_path: Path) -> None:
    with running_dask(0, BIN, cli_env.vars) as alone:
        res = cli_env.run("run", str(_inbox(tmp_path / "in")), "--out", str(tmp_path / "o"),
                          "--json", "--no-sign", "--executor", alone.spec,
                          "--config", str(_impatient(cli_env, tmp_path)), timeout=120)
    assert res.returncode == 4, res.stderr[-2000:]
    assert "No Dask worker has been connected" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr


def test_a_scheduler_lost_mid_run_stops_it_with_exit_4_and_the_run_resumes(
        cli_env: Env, tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path / "in"), tmp_path / "out"
    with running_dask(1, BIN, cli_env.vars) as doomed:
        proc = _start(cli_env, inbox, out, "--executor", doomed.spec, "--config",
                      str(_impatient(cli_env, tmp_path)))
        _when_working(proc, out)
        os.killpg(doomed.scheduler.pid, signal.SIGKILL)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err[-2000:]
    assert "Lost the Dask scheduler" in err and "Traceback" not in err, err
    rerun = cli_env.run("run", str(inbox), "--out", str(out), "--json", "--no-sign")
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert len(list(out.glob("*/uuid-*"))) == 2


def test_a_killed_local_worker_stops_the_run_with_exit_4(cli_env: Env,
                                                         tmp_path: Path) -> None:
    inbox, out = _inbox(tmp_path / "in"), tmp_path / "out"
    proc = _start(cli_env, inbox, out, "--jobs", "2")
    _when_working(proc, out)
    run = psutil.Process(proc.pid)
    workers = [p for p in run.children() if p.name() == run.name()]  # forked from it
    assert workers, [p.name() for p in run.children()]
    workers[0].kill()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 4, err[-2000:]
    assert "A worker process died while reading" in err and "Traceback" not in err, err
    shutil.rmtree(out)
