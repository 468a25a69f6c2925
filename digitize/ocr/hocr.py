"""One hOCR file per document from Tesseract's per-page hOCR: word boxes (in the stored scan's
pixel frame, with `textangle` giving the orientation) and word confidences (`x_wconf`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
_ID = re.compile(r"^([a-z]+)_\d+(_|$)")
_PPAGENO = re.compile(r"ppageno \d+")
_WORD_TITLE = re.compile(r"(class='ocrx_word'[^>]*title=')bbox (\d+) (\d+) (\d+) (\d+)([^']*)'")
HAND = "x_ink blue"  # a word written by hand (cleanup.mark_handwriting); hOCR's x_ for our own


def mark_hand(page_hocr: Path, boxes: set[tuple[int, int, int, int]]) -> None:
    """Add HAND to the title of Tesseract's words with these boxes (x0, y0, x1, y1), in place:
    the page's hOCR, in the document's work folder, before pages are merged."""
    if not boxes:
        return
    def mark(m: re.Match[str]) -> str:
        box = tuple(int(m.group(i)) for i in range(2, 6))
        return m.group(0)[:-1] + f"; {HAND}'" if box in boxes else m.group(0)
    text = page_hocr.read_text(encoding="utf-8")
    page_hocr.write_text(_WORD_TITLE.sub(mark, text), encoding="utf-8")


def merge_hocr(pages: Sequence[Path], target_tmp: Path) -> None:
    """Write the pages' hOCR as one document; ids are made unique per page, text is NFC."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    first = etree.parse(str(pages[0]), parser)
    body = first.getroot().find(f"{XHTML}body")
    assert body is not None
    for el in list(body):
        body.remove(el)
    for number, path in enumerate(pages, start=1):
        page_body = etree.parse(str(path), parser).getroot().find(f"{XHTML}body")
        if page_body is None:
            continue
        for el in page_body:
            for node in el.iter():
                if node.get("id"):
                    node.set("id", _ID.sub(lambda m, n=number: f"{m.group(1)}_{n}{m.group(2)}",
                                           node.get("id")))
                if node.get("class") == "ocr_page" and node.get("title"):
                    node.set("title", _PPAGENO.sub(f"ppageno {number - 1}", node.get("title")))
                if node.text:
                    node.text = unicodedata.normalize("NFC", node.text)
            body.append(el)
    first.write(str(target_tmp), encoding="utf-8", xml_declaration=True)
