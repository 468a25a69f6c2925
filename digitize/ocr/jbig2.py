"""JBIG2 images decoded within a time and a memory limit. pikepdf hands JBIG2 streams to
`jbig2dec`, with no limit: on a damaged stream jbig2dec can loop for ever, taking memory as it
goes (a fuzzed scanner PDF — a stretch of its JBIG2 data repeated — held a worker for over five
minutes at 600 MB and growing, and the batch with it). Here the command runs under a deadline
and, where util-linux's `prlimit` is at hand, an address-space cap; past either, the image
counts as one pikepdf cannot decode, and images.load_page draws the page with poppler instead
(its own JBIG2 decoder, under limits of its own)."""

from __future__ import annotations

import signal
import subprocess
from typing import Any

from pikepdf import jbig2

from digitize.procs import run_limited

DECODE_TIMEOUT_S = 30.0  # a real page decodes in well under a second
MEMORY_BYTES = 2 << 30  # address space: an A3 page at 600 dpi, a few times over


def _bounded_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """subprocess.run for pikepdf's decoder: killed after DECODE_TIMEOUT_S (reported as a
    failed decode), capped at MEMORY_BYTES."""
    try:
        return run_limited(args, DECODE_TIMEOUT_S, MEMORY_BYTES, **kwargs)
    except subprocess.TimeoutExpired as exc:
        raise subprocess.CalledProcessError(
            -signal.SIGKILL, args,
            stderr=f"stopped after {DECODE_TIMEOUT_S:g} s".encode()) from exc


def install() -> None:
    """Make pikepdf decode JBIG2 through the bounded command (once a process: it replaces
    pikepdf's process-wide decoder)."""
    jbig2.set_decoder(jbig2.JBIG2Decoder(subprocess_run=_bounded_run))
