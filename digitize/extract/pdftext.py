"""Layout segments from a PDF's text layer (pdftotext -bbox-layout), for `digitize extract`."""

from __future__ import annotations

from pathlib import Path

from digitize.extract.layout import Segment, segments_from_words
from digitize.ocr.textlayer import pdf_words


def segments_from_pdf(path: Path) -> tuple[list[Segment], int]:
    pages = pdf_words(path)
    return segments_from_words(pages), len(pages)
