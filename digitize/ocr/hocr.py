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
