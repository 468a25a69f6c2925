"""One run per output folder: an exclusive flock on OUT/.digitize.lock. The kernel drops the lock
when its process dies, so a crash never leaves a stale lock behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from digitize.clock import now_vn
from digitize.errors import EnvironmentProblem
from digitize.i18n import _

LOCK_NAME = ".digitize.lock"


@contextlib.contextmanager
def hold_lock(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    path = out / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() or "an unknown time"
            raise EnvironmentProblem(_("Another run holds {out} since {holder}; wait for it to "
                                       "finish or use another --out folder.").format(
                                         out=out, holder=holder)) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{now_vn()} (process {os.getpid()})\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock
