"""Layout segments from a PDF's text layer (pdftotext -bbox-layout), for `digitize extract`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from lxml import etree

from digitize.errors import EnvironmentProblem, InputFileError
from digitize.extract.layout import Segment, segments_from_words
from digitize.i18n import _
from digitize.model import Word

_XHTML = "{http://www.w3.org/1999/xhtml}"
SCALE = 4.0  # points -> finer integer units for Word boxes


def segments_from_pdf(path: Path) -> tuple[list[Segment], int]:
    try:
        res = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True,
                             check=False, timeout=300)
    except FileNotFoundError as exc:
        raise EnvironmentProblem(_("pdftotext is not installed; install it with: sudo apt-get "
                                   "install poppler-utils")) from exc
    if res.returncode != 0:
        raise InputFileError(_("{path} is not a readable PDF; check the file.").format(path=path))
    root = etree.fromstring(res.stdout, etree.XMLParser(recover=True, no_network=True))
    pages = []
    for p_idx, page in enumerate(root.iter(f"{_XHTML}page")):
        width, height = float(page.get("width", "0")), float(page.get("height", "0"))
        words: list[Word] = []
        for b_idx, block in enumerate(page.iter(f"{_XHTML}block")):
            for l_idx, line in enumerate(block.iter(f"{_XHTML}line")):
                for w in line.iter(f"{_XHTML}word"):
                    x0, y0 = float(w.get("xMin", 0)), float(w.get("yMin", 0))
                    x1, y1 = float(w.get("xMax", 0)), float(w.get("yMax", 0))
                    words.append(Word(text=w.text or "", left=round(x0 * SCALE),
                                      top=round(y0 * SCALE), width=round((x1 - x0) * SCALE),
                                      height=round((y1 - y0) * SCALE), conf=100.0,
                                      block=b_idx, par=0, line=l_idx))
        pages.append((p_idx, round(width * SCALE) or 1, round(height * SCALE) or 1, words))
    segs = segments_from_words(pages)
    return segs, len(pages)
