"""Layout segments from an hOCR file (the OCR stage keeps one per document), so that metadata can
be read again, with Tesseract's word confidences, without running OCR again. Boxes are turned
and levelled as the OCR stage does, since hOCR keeps them in the scan's own frame."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from digitize.errors import InputFileError
from digitize.extract.layout import Segment, segments_from_words
from digitize.extract.text import clean
from digitize.i18n import _
from digitize.model import Word
from digitize.ocr.cleanup import orientation_from_hocr, upright_words
from digitize.ocr.hocr import AGREED, HAND

_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_CONF = re.compile(r"x_wconf (\d+)")


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def segments_from_hocr(path: Path) -> tuple[list[Segment], int]:
    try:
        root = etree.parse(str(path), etree.XMLParser(recover=True, no_network=True,
                                                      resolve_entities=False))
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InputFileError(_("{path} is not a readable hOCR file; check the file.").format(
                                 path=path)) from exc
    pages = []
    for page in root.iter("{*}div"):
        if "ocr_page" not in _classes(page):
            continue
        box = _BBOX.search(page.get("title") or "")
        width, height = (int(box.group(3)), int(box.group(4))) if box else (1, 1)
        words: list[Word] = []
        # A text layer's hOCR (ocr.textlayer.write_hocr) has lines right under the page.
        blocks = [e for e in page.iter("{*}div") if "ocr_carea" in _classes(e)] or [page]
        for b_idx, block in enumerate(blocks):
            for l_idx, line in enumerate(e for e in block.iter("{*}span") if "ocr_line" in
                                         _classes(e) or "ocr_caption" in _classes(e)
                                         or "ocr_header" in _classes(e)
                                         or "ocr_textfloat" in _classes(e)):
                for w in line.iter("{*}span"):
                    if "ocrx_word" not in _classes(w):
                        continue
                    title = w.get("title") or ""
                    b, c = _BBOX.search(title), _CONF.search(title)
                    text = clean("".join(w.itertext()))
                    if not b or not text:
                        continue
                    x0, y0, x1, y1 = (int(g) for g in b.groups())
                    words.append(Word(text=text, left=x0, top=y0, width=x1 - x0,
                                      height=y1 - y0, conf=float(c.group(1)) if c else 0.0,
                                      block=b_idx, par=0, line=l_idx, hand=HAND in title,
                                      agreed=AGREED in title))
        rotation = orientation_from_hocr(etree.tostring(page, encoding="unicode"))
        upright, uw, uh, _turned = upright_words(words, rotation, width, height)
        pages.append((len(pages), uw, uh, upright))
    return segments_from_words(pages), len(pages)
