"""Where pages are OCR'd: a local process pool (`--jobs N`), a Dask LocalCluster on this
machine (`dask-local`), or a running Dask cluster (`dask://HOST:PORT`). Each is used through the
concurrent.futures interface, so the pipeline does not care which.

A cluster of several machines needs the inputs and the output folder on storage every worker
mounts at the same path (NFS, SMB): workers read the scans and write their page files there."""

from __future__ import annotations

import os
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

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._executor.shutdown(wait=wait and not cancel_futures)
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
