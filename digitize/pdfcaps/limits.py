"""How large an input PDF may be, for the whole process: the configuration's `[pdf]` section
sets it once when it is loaded (forked workers inherit it; any other process keeps the
defaults). Each limit is far above what a real dossier's document needs and well below what
makes a reader run out of memory or time; see docs/design/ocr.md, "Limits on input PDFs"."""

from __future__ import annotations

from dataclasses import dataclass

MB = 2**20


@dataclass(frozen=True)
class PdfLimits:
    max_pages: int = 2_000  # OCR at about 1 s a page: half an hour for one file
    max_objects: int = 1_000_000  # qpdf: ~85 bytes each on opening, ~400 once all are read
    max_stream: int = 512 * MB  # decoded bytes of one stream: a 150-megapixel RGB page is 450


_limits = PdfLimits()


def set_limits(limits: PdfLimits) -> None:
    global _limits
    _limits = limits


def current_limits() -> PdfLimits:
    return _limits
