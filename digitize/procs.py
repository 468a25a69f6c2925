"""Setting up pool worker processes (OCR pages, signing): they die with the main process; and
running an external tool under limits, as decoders that a damaged file sets looping must hold
neither a worker nor its memory."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import subprocess
import threading
import time
from typing import Any

PR_SET_PDEATHSIG = 1
# Poppler drawing a file from outside: a real page takes seconds at most; a damaged JBIG2 or
# CCITT stream can set it looping, taking memory as it goes (1.3 GB in 14 s on a fuzzed
# scanner PDF).
RENDER_TIMEOUT_S = 60
RENDER_MEMORY = 3 << 30  # address space: the megapixel limit's page in colour, a few times over


def worker_init() -> None:
    """Workers die with the main process (a kill -9 of it must not leave them behind holding
    its files and pipes), and leave Ctrl-C, which reaches the whole process group, to it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: the watch below still ends the worker
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def run_limited(args: list[str], timeout: float, memory_bytes: int,
                **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """subprocess.run of a tool killed after `timeout` seconds (subprocess.TimeoutExpired) and,
    where util-linux's `prlimit` is on PATH, capped at `memory_bytes` of address space (the
    tool fails past it, as out of memory)."""
    limiter = shutil.which("prlimit")
    command = [limiter, f"--as={memory_bytes}", "--", *args] if limiter else list(args)
    return subprocess.run(command, timeout=timeout, **kwargs)
