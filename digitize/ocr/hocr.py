"""One hOCR file per document from Tesseract's per-page hOCR: word boxes (in the stored scan's
pixel frame, with `textangle` giving the orientation) and word confidences (`x_wconf`)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from digitize.model import Box, Word
from digitize.ocr.cleanup import box_of, span
from digitize.ocr.tesseract import vietnamese

XHTML = "{http://www.w3.org/1999/xhtml}"
_ID = re.compile(r"^([a-z]+)_\d+(_|$)")
_PPAGENO = re.compile(r"ppageno \d+")
_IMAGE = re.compile(r'image "[^"]*"')
_WORD = re.compile(r"(<span class='ocrx_word'[^>]*title='bbox (\d+) (\d+) (\d+) (\d+)[^']*)"
                   r"('[^>]*>)([^<]*)(</span>)")
HAND = "x_ink blue"  # a word written by hand (cleanup.mark_handwriting); hOCR's x_ for our own
AGREED = "x_agreed"  # a pen's digits a second reader read alike (ocr.blanks)
STAMP = "x_stamp"  # a stamp's or margin mark's word (order.stamp_words), kept out of the text


_WCONF = re.compile(r"x_wconf \d+")


def mark_hand(page_hocr: Path, words: dict[Box, str],
              after: dict[Box, Word] | None = None,
              printed: dict[Box, tuple[str, float]] | None = None) -> None:
    """Add HAND to the title of Tesseract's words with these boxes (x0, y0, x1, y1), with the
    text they were read again as, in place: the page's hOCR, in the document's work folder,
    before pages are merged. `after` adds a handwritten word (its box, text, score, and
    AGREED where a second reader read the same digits) after the word with the given box:
    digits Tesseract read no word for. `printed` gives printed words read again their new
    text and score."""
    after, printed = after or {}, printed or {}
    if not words and not after and not printed:
        return
    added = 0

    def mark(m: re.Match[str]) -> str:
        nonlocal added
        box = (int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        out = m.group(0)
        if box in words:
            out = f"{m.group(1)}; {HAND}{m.group(6)}{html.escape(words[box], quote=False)}" \
                  f"{m.group(8)}"
        elif box in printed:
            text, score = printed[box]
            out = f"{_WCONF.sub(f'x_wconf {round(score)}', m.group(1))}{m.group(6)}" \
                  f"{html.escape(text, quote=False)}{m.group(8)}"
        if box in after:
            w = after[box]
            added += 1
            agreed = f"; {AGREED}" if w.agreed else ""
            x0, y0, x1, y1 = box_of(w)
            out += (f" <span class='ocrx_word' id='word_hand_{added}' title='bbox {x0} {y0} {x1}"
                    f" {y1}; x_wconf {round(w.conf)}; {HAND}{agreed}'>"
                    f"{html.escape(w.text, quote=False)}</span>")
        return out

    text = page_hocr.read_text(encoding="utf-8")
    page_hocr.write_text(_WORD.sub(mark, text), encoding="utf-8")


def mark_stamps(page_hocr: Path, kinds: dict[Box, str]) -> None:
    """Add `STAMP kind` to the title of the words with these boxes (x0, y0, x1, y1), in place:
    words of a received stamp or a mark in the margin, which the page's reading text leaves
    out. The words stay as they were read, as evidence."""
    if not kinds:
        return

    def mark(m: re.Match[str]) -> str:
        box = (int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        if box not in kinds:
            return m.group(0)
        return f"{m.group(1)}; {STAMP} {kinds[box]}{m.group(6)}{m.group(7)}{m.group(8)}"

    text = page_hocr.read_text(encoding="utf-8")
    page_hocr.write_text(_WORD.sub(mark, text), encoding="utf-8")


_PAGE = re.compile(r"<div class='ocr_page'[^>]*>")


def _bbox(words: Sequence[Word]) -> str:
    return "bbox {} {} {} {}".format(*span(words))


def replace_words(page_hocr: Path, gone: set[Box], lines: Sequence[Sequence[Word]]) -> None:
    """Take the words with the boxes in `gone` out of the page's hOCR (Tesseract's, in the
    document's work folder) and put `lines` (each one line's words, boxes in the page's
    pixels) in as a block of their own, first on the page: a zone read again
    (columns.reread_left_column)."""
    if not gone and not lines:
        return
    text = page_hocr.read_text(encoding="utf-8")

    def drop(m: re.Match[str]) -> str:
        box = (int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)))
        return "" if box in gone else m.group(0)

    text = _WORD.sub(drop, text)
    if lines:
        every = [w for line in lines for w in line]
        parts = [f"<div class='ocr_carea' id='block_1_again' title='{_bbox(every)}'>",
                 f"<p class='ocr_par' id='par_1_again' title='{_bbox(every)}'>"]
        n = 0
        for i, line in enumerate(lines, start=1):
            parts.append(f"<span class='ocr_line' id='line_1_again{i}' title='{_bbox(line)}'>")
            for w in line:
                n += 1
                parts.append(f"<span class='ocrx_word' id='word_1_again{n}' title='bbox {w.left}"
                             f" {w.top} {w.left + w.width} {w.top + w.height}; x_wconf"
                             f" {round(w.conf)}'>{html.escape(w.text, quote=False)}</span>")
            parts.append("</span>")
        parts.append("</p></div>")
        page = _PAGE.search(text)
        if page is not None:
            text = text[:page.end()] + "\n" + "\n".join(parts) + text[page.end():]
    page_hocr.write_text(text, encoding="utf-8")


def merge_hocr(pages: Sequence[Path], target_tmp: Path, source: Path) -> None:
    """Write the pages' hOCR as one document; ids are made unique per page, text is NFC. Each
    page names the document's source file (by name) as its image, not the run's temporary copy
    Tesseract read, so the same scan gives the same hOCR in every run."""
    image = 'image "{}"'.format(source.name.replace('"', "'"))
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
                    title = _PPAGENO.sub(f"ppageno {number - 1}", node.get("title"))
                    node.set("title", _IMAGE.sub(lambda _m: image, title))
                if node.text:
                    node.text = vietnamese(node.text)
            body.append(el)
    first.write(str(target_tmp), encoding="utf-8", xml_declaration=True)
