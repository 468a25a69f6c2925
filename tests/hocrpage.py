"""A page's hOCR as Tesseract writes it (single quotes, one block holding one line), for
tests of what is written into it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

Box = tuple[int, int, int, int]


def one_line_page(path: Path, words: Sequence[tuple[Box, int, str]]) -> Path:
    """Write a page whose one line holds `words` (box, score, text) to `path`."""
    spans = " ".join(f"<span class='ocrx_word' id='word_1_{n}' title='bbox {x0} {y0} {x1} {y1};"
                     f" x_wconf {conf}'>{text}</span>"
                     for n, ((x0, y0, x1, y1), conf, text) in enumerate(words, start=1))
    path.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<html xmlns='http://www.w3.org/1999/xhtml'>"
        "<body><div class='ocr_page' id='page_1' title='bbox 0 0 1000 1000; ppageno 0'>"
        "<div class='ocr_carea' id='block_1_1' title='bbox 10 10 900 40'>"
        f"<span class='ocr_line' id='line_1_1' title='bbox 10 10 900 40'>{spans}"
        "</span></div></div></body></html>", encoding="utf-8")
    return path
