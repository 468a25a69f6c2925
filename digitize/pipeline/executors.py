"""Where pages are OCR'd: a local process pool (`--jobs N`), a Dask LocalCluster on this
machine (`dask-local`), or a running Dask cluster (`dask://HOST:PORT`). Each is used through the
concurrent.futures interface, so the pipeline does not care which.

A cluster of several machines needs the inputs and the output folder on storage every worker
mounts at the same path (NFS, SMB): workers read the scans and write their page files there.

On a cluster, a worker that dies is replaced (its nanny restarts it) and its pages go to
another: the run goes on. A run stops with EnvironmentProblem (exit 4, one sentence; running the
same command again resumes) when the scheduler is lost, or when no worker has been there for
`[ocr] scheduler_timeout_s`: Dask itself would wait for a worker for ever."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from typing import Any

from digitize.errors import EnvironmentProblem, UsageProblem
from digitize.i18n import _

EXECUTORS = "local, dask-local or dask://HOST:PORT"


class DaskExecutor(Executor):
    """A Dask client seen as a concurrent.futures executor; closes what it started."""

    def __init__(self, address: str | None, workers: int, timeout_s: float = 20.0) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise EnvironmentProblem(_("Dask is not installed; install it with: .venv/bin/pip "
                                       "install 'dask[distributed]'")) from exc
        self._cluster = None
        try:
            if address is None:
                self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             host="127.0.0.1")
                self._client = Client(self._cluster)
            else:
                self._client = Client(address, timeout=timeout_s)
        except OSError as exc:
            raise EnvironmentProblem(_("Cannot reach the Dask scheduler at {address} ({exc}); "
                                       "check that it runs and the address.").format(
                                         address=address, exc=exc)) from exc
        self._executor = self._client.get_executor(pure=False)
        self._address = address or self._client.scheduler.address
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._lost: EnvironmentProblem | None = None
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._watch_workers, name="dask-watch",
                                       daemon=True)
        self._watch.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """A future of our own, settled from Dask's: so that a lost cluster can fail it."""
        outer: Future[Any] = Future()
        with self._lock:
            if self._lost is not None:
                outer.set_exception(self._lost)
                return outer
            self._pending.add(outer)
        try:
            inner = self._executor.submit(fn, *args, **kwargs)
        except OSError as exc:  # distributed's CommClosedError: the scheduler went away
            self._fail(self._scheduler_lost(exc))
            return outer
        inner.add_done_callback(functools.partial(self._settle, outer))
        return outer

    def _settle(self, outer: Future[Any], inner: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(outer)
            if outer.done():
                return
            if inner.cancelled():  # Dask cancels every future of a client that lost its scheduler
                outer.set_exception(self._lost or self._scheduler_lost(None))
            elif (exc := inner.exception()) is not None:
                outer.set_exception(exc)
            else:
                outer.set_result(inner.result())

    def _scheduler_lost(self, exc: BaseException | None) -> EnvironmentProblem:
        return EnvironmentProblem(_("Lost the Dask scheduler at {address}{reason}; check that it "
                                    "runs, then run the same command again to resume.").format(
                                      address=self._address,
                                      reason=f" ({exc})" if exc else ""))

    def _fail(self, problem: EnvironmentProblem) -> None:
        with self._lock:  # as _settle does: a future is settled once
            self._lost = self._lost or problem
            for fut in self._pending:
                if not fut.done():
                    fut.set_exception(self._lost)
            self._pending = set()

    def _watch_workers(self) -> None:
        """Fails the pending pages when no worker has been there for `timeout_s`, or when the
        scheduler does not answer."""
        alone_since: float | None = None
        while not self._stop.wait(1.0):
            with self._lock:
                idle = not self._pending
            if idle:
                alone_since = None
                continue
            try:
                workers = len(self._client.nthreads())
            except Exception as exc:  # OSError, TimeoutError; anything else: it is gone too
                if not self._stop.is_set():  # not the client being closed under us
                    self._fail(self._scheduler_lost(exc))
                return
            if workers:
                alone_since = None
                continue
            now = time.monotonic()
            alone_since = alone_since if alone_since is not None else now
            if now - alone_since >= self._timeout_s:
                self._fail(EnvironmentProblem(_(
                    "No Dask worker has been connected to {address} for {seconds} s; start "
                    "workers (dask worker {address}), then run the same command again to "
                    "resume.").format(address=self._address, seconds=f"{self._timeout_s:g}")))
                return

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._stop.set()
        self._executor.shutdown(wait=wait and not cancel_futures and self._lost is None)
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(spec: str, workers: int, local_init: Callable[[], None],
                  timeout_s: float = 20.0) -> Callable[[int], Executor]:
    """The factory the pipeline calls with the number of jobs."""
    if spec == "local":
        return lambda n: ProcessPoolExecutor(max_workers=n, initializer=local_init)
    if spec == "dask-local":
        return lambda n: DaskExecutor(None, n)
    if spec.startswith("dask://") or spec.startswith("tcp://"):
        address = "tcp://" + spec.split("://", 1)[1]
        return lambda n: DaskExecutor(address, n, timeout_s)
    raise UsageProblem(_("Unknown executor {spec}; use {EXECUTORS}.").format(
                           spec=spec, EXECUTORS=EXECUTORS))


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)
