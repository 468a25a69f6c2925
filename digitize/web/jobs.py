"""Work the browser starts (a new dossier's run, a re-run after review, sending a package to the
archive): in the background, one
job at a time per output folder (and under the same lock file as the CLI's runs), with its
progress kept in memory so that every browser tab sees the same state."""

from __future__ import annotations

import contextvars
import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digitize.config import Config
from digitize.errors import DigitizeError
from digitize.i18n import _
from digitize.pipeline.options import Progress

log = logging.getLogger("digitize")


@dataclass
class Job:
    id: int
    label: str  # what the clerk sees: "Hồ sơ 000.00.31.H49-261123-0007"
    out: Path
    out_index: int = 0  # its number among the server's output folders (for links)
    dossier: str = ""
    state: str = "waiting"  # waiting, running, done, failed
    done: int = 0
    total: int = 0
    message: str = ""
    statuses: dict[str, str] = field(default_factory=dict)  # dossier id -> status

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class _JobProgress(Progress):
    def __init__(self, job: Job) -> None:
        self.job = job

    def start(self, total_pages: int) -> None:
        self.job.total = total_pages

    def advance(self, pages: int = 1) -> None:
        self.job.done += pages


KEEP_FINISHED = 500  # finished jobs whose pages stay; a desk server runs for months


class JobBoard:
    """The jobs of this server. `run_dossiers` is what runs the pipeline (the app passes the
    library call; the tests may pass their own). Of the finished jobs, the `keep_finished`
    latest are kept for their pages; older ones are forgotten as new ones come (their
    dossiers' records hold what they did)."""

    def __init__(self, cfg: Config, keep_finished: int = KEEP_FINISHED) -> None:
        self.cfg = cfg
        self.keep_finished = keep_finished
        self.jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._pools: dict[Path, ThreadPoolExecutor] = {}
        self._lock = threading.RLock()  # run() submits while it holds it
        self._waiting_runs: dict[tuple[Path, tuple[Path, ...]], Job] = {}

    def _pool(self, out: Path) -> ThreadPoolExecutor:
        with self._lock:
            key = out.resolve()
            if key not in self._pools:
                self._pools[key] = ThreadPoolExecutor(1, thread_name_prefix=f"job-{key.name}")
            return self._pools[key]

    def submit(self, label: str, out: Path, work: Callable[[Job], None], dossier: str = "",
               out_index: int = 0) -> Job:
        """Do `work` in the background, after the jobs already waiting for that output
        folder; whatever it raises ends the job as failed, with the reason shown."""
        job = Job(next(self._ids), label, out, out_index, dossier)
        with self._lock:
            self._forget_finished()
            self.jobs[job.id] = job
        # In the language of the page that asked (its message is that clerk's to read).
        self._pool(out).submit(contextvars.copy_context().run, self._work, job, work)
        return job

    def run(self, label: str, out: Path, inputs: list[Path], dossier: str = "",
            out_index: int = 0) -> Job:
        """Run `run`'s pipeline over `inputs` into `out`. When the same run is already waiting
        its turn, that job is the answer: it reads the scans and the override files only once
        it starts, so it takes in whatever was saved before (twenty clerks correcting one
        dossier make one run after the one under way, not twenty)."""
        key = (out.resolve(), tuple(p.resolve() for p in inputs))
        with self._lock:
            waiting = self._waiting_runs.get(key)
            if waiting is not None:
                return waiting
            job = self.submit(label, out, lambda job: self._run(job, inputs, key), dossier,
                              out_index)
            self._waiting_runs[key] = job
            return job

    def identity(self) -> Any:
        """The desk's signing identity ([signer]; no prompt: the server has no terminal)."""
        from digitize.signing.sources import KeyChoice, open_identity

        warn: Callable[[str], None] = log.warning
        return open_identity(self.cfg.signer, KeyChoice(), None, warn=warn)

    def _run(self, job: Job, inputs: list[Path], key: tuple[Path, tuple[Path, ...]]) -> None:
        from digitize.pipeline.options import run_options
        from digitize.pipeline.run import run_batch

        with self._lock:  # from here on, what is saved needs a run of its own
            self._waiting_runs.pop(key, None)
        summary = run_batch(inputs, run_options(self.cfg, job.out), self.identity(),
                            _JobProgress(job))
        job.statuses = {d.id: d.status.value for d in summary.dossiers}
        job.state = "failed" if summary.any_failed else "done"
        # A dossier's own error, else its failed documents' (an incomplete dossier has none of
        # its own): a failed job always says why.
        job.message = "; ".join(filter(None, (d.error or "; ".join(
            f"{Path(doc.source).name}: {doc.error}" for doc in d.documents if doc.error)
            for d in summary.dossiers)))

    def result(self, label: str, out: Path, source: Path, dossier: str, code: str,
               out_index: int = 0) -> Job:
        """Digitize `source` as the result of `dossier` in `out` (`digitize result add`)."""
        def work(job: Job) -> None:
            from digitize.pipeline.options import run_options
            from digitize.pipeline.results import add_result

            done = add_result(source, dossier, run_options(self.cfg, job.out), self.identity(),
                              code, _JobProgress(job))
            job.statuses = {done.dossier.id: done.result.status.value}
            job.message = _("result {code}: {status}").format(
                code=done.result.code or "?", status=_(done.result.status.value))
        return self.submit(label, out, work, dossier, out_index)

    def _work(self, job: Job, work: Callable[[Job], None]) -> None:
        job.state = "running"
        try:
            work(job)
            if job.state == "running":
                job.state = "done"
        except DigitizeError as exc:
            job.state, job.message = "failed", exc.message
        except Exception as exc:  # a job must end with a state the page can show
            log.exception("web job %s failed", job.id)
            job.state = "failed"
            job.message = _("Unexpected error ({error}); please report it.").format(
                error=f"{type(exc).__name__}: {exc}")

    def _forget_finished(self) -> None:
        finished = [i for i, j in self.jobs.items() if j.state in ("done", "failed")]
        for i in finished[:max(0, len(finished) - self.keep_finished)]:
            del self.jobs[i]  # ids grow with time: the first are the oldest

    def for_dossier(self, dossier: str) -> list[Job]:
        # A snapshot: other threads add and forget jobs while a page is drawn.
        return [j for j in list(self.jobs.values()) if j.dossier == dossier]

    def shutdown(self) -> None:
        for pool in self._pools.values():
            pool.shutdown(wait=True, cancel_futures=False)
