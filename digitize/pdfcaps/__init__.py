"""Limits on the input PDFs every command opens (`ocr`, `run`, `extract`, `verify`, `sign`,
`renew`, `split` and the web desk's intake and verify): page count, object count and the decoded
size of each stream, checked before any reader builds the file in memory. This package and
`limits` stay light (the config sets the limits for the process); `check` holds the check and
imports pikepdf, only when a file is checked."""

from __future__ import annotations

from pathlib import Path


def refusal(path: Path) -> str | None:
    """Why `path` is refused by the limits (one sentence naming it), or None."""
    from digitize.pdfcaps.check import UnsafePdf, check_pdf

    try:
        check_pdf(path)
    except UnsafePdf as exc:
        return exc.message
    return None
