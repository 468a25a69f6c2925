"""Born-digital PDFs (an export from a word processor, with real text): telling them from
scans, reading their words with poppler's pdftotext, and making the archival PDF/A-2b copy from
the file itself instead of from pictures of its pages. A scanner's invisible OCR layer never
counts as text here: only text a reader sees on a page with no scan under it."""

from __future__ import annotations

import string
import subprocess
import unicodedata
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

import pikepdf
from lxml import etree

from digitize.errors import EnvironmentProblem, InputFileError
from digitize.i18n import _
from digitize.model import OcrPage, Word

_XHTML = "{http://www.w3.org/1999/xhtml}"
SCALE = 4.0  # points -> finer integer units for word boxes (288 units per inch)
_VOWELS = "aăâeêioôơuưy"
_TONES = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
VIETNAMESE_LETTERS = frozenset(
    {unicodedata.normalize("NFC", v + t) for v in _VOWELS + _VOWELS.upper() for t in _TONES}
    | set(string.ascii_letters) | {"đ", "Đ"})
MIN_LETTERS = 40  # less than this is a cover sheet or a stamp: read the pages instead
MAX_FOREIGN = 0.03  # legacy TCVN3/VNI fonts come out as "Céng hoµ x· héi": far more than this
PageWords = tuple[int, int, int, list[Word]]  # page index, width, height, words


def readable(text: str) -> bool:
    """Whether extracted text is real Vietnamese text (Unicode fonts with a ToUnicode map), not
    the mojibake of pre-Unicode Vietnamese fonts or glyph ids."""
    letters = [c for c in unicodedata.normalize("NFC", text) if c.isalpha()]
    if len(letters) < MIN_LETTERS or "\ufffd" in text or "(cid:" in text:
        return False
    foreign = sum(c not in VIETNAMESE_LETTERS for c in letters)
    return foreign <= MAX_FOREIGN * len(letters)


def _pdftotext(args: list[str], path: Path) -> bytes:
    try:
        res = subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True,
                             check=False, timeout=300)
    except FileNotFoundError as exc:
        raise EnvironmentProblem(_("pdftotext is not installed; install it with: sudo apt-get "
                                   "install poppler-utils")) from exc
    if res.returncode != 0:
        raise InputFileError(_("{path} is not a readable PDF; check the file.").format(path=path))
    return res.stdout


def plain_text(path: Path) -> str:
    return unicodedata.normalize("NFC", _pdftotext(["-enc", "UTF-8"], path).decode(
        "utf-8", "replace"))


def page_plain_text(path: Path, index: int) -> str:
    """The text of page `index` (0-based) alone."""
    return unicodedata.normalize("NFC", _pdftotext(
        ["-enc", "UTF-8", "-f", str(index + 1), "-l", str(index + 1)], path).decode(
        "utf-8", "replace"))


def pdf_words(path: Path, first: int | None = None, last: int | None = None) -> list[PageWords]:
    """The words of pages first..last (0-based, inclusive; all when None) with their boxes in
    SCALE units and their block and line numbers."""
    args = ["-bbox-layout"]
    if first is not None:
        args += ["-f", str(first + 1), "-l", str((last if last is not None else first) + 1)]
    root = etree.fromstring(_pdftotext(args, path),
                            etree.XMLParser(recover=True, no_network=True))
    pages: list[PageWords] = []
    for p_idx, page in enumerate(root.iter(f"{_XHTML}page"), start=first or 0):
        width, height = float(page.get("width", "0")), float(page.get("height", "0"))
        words: list[Word] = []
        for b_idx, block in enumerate(page.iter(f"{_XHTML}block")):
            for l_idx, line in enumerate(block.iter(f"{_XHTML}line")):
                for w in line.iter(f"{_XHTML}word"):
                    x0, y0 = float(w.get("xMin", 0)), float(w.get("yMin", 0))
                    x1, y1 = float(w.get("xMax", 0)), float(w.get("yMax", 0))
                    words.append(Word(text=unicodedata.normalize("NFC", w.text or ""),
                                      left=round(x0 * SCALE), top=round(y0 * SCALE),
                                      width=round((x1 - x0) * SCALE),
                                      height=round((y1 - y0) * SCALE), conf=100.0,
                                      block=b_idx, par=0, line=l_idx))
        pages.append((p_idx, round(width * SCALE) or 1, round(height * SCALE) or 1, words))
    return pages


def _lines(words: list[Word]) -> Iterator[tuple[tuple[int, int], list[Word]]]:
    """The words grouped by (block, line), as pdftotext gave them."""
    for key, line in groupby(words, key=lambda w: (w.block, w.line)):
        yield key, list(line)


def page_text(words: list[Word]) -> str:
    """Lines of the page as pdftotext grouped them; a blank line between blocks."""
    out: list[str] = []
    block = None
    for (b, _line), line in _lines(words):
        if block is not None and b != block:
            out.append("")
        block = b
        out.append(" ".join(w.text for w in line))
    return "\n".join(out) + ("\n" if out else "")


def _bbox(words: list[Word]) -> str:
    x0 = min(w.left for w in words)
    y0 = min(w.top for w in words)
    return (f"bbox {x0} {y0} {max(w.left + w.width for w in words)} "
            f"{max(w.top + w.height for w in words)}")


def write_hocr(page: PageWords, target: Path) -> None:
    """An hOCR page of the text layer's words, as Tesseract would write it (confidence 100)."""
    index, width, height, words = page
    html = etree.Element(f"{_XHTML}html", nsmap={None: _XHTML[1:-1]})
    head = etree.SubElement(html, f"{_XHTML}head")
    etree.SubElement(head, f"{_XHTML}meta", name="ocr-system", content="pdftotext (text layer)")
    body = etree.SubElement(html, f"{_XHTML}body")
    div = etree.SubElement(body, f"{_XHTML}div", {"class": "ocr_page", "id": "page_1",
                                                  "title": f"bbox 0 0 {width} {height}; "
                                                           f"ppageno {index}"})
    for n, (_key, line) in enumerate(_lines(words), start=1):
        span = etree.SubElement(div, f"{_XHTML}span", {"class": "ocr_line", "id": f"line_1_{n}",
                                                       "title": _bbox(line)})
        for m, w in enumerate(line, start=1):
            word = etree.SubElement(span, f"{_XHTML}span", {
                "class": "ocrx_word", "id": f"word_1_{n}_{m}",
                "title": f"{_bbox([w])}; x_wconf 100"})
            word.text = w.text
    etree.ElementTree(html).write(str(target), encoding="utf-8", xml_declaration=True)


def ocr_page(page: PageWords) -> OcrPage:
    index, width, height, words = page
    return OcrPage(index=index, width=width, height=height, dpi=72 * SCALE, rotation=0,
                   text=page_text(words), words=tuple(words), mean_conf=100.0 if words else 0.0,
                   blank=not words)


def _fonts(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.Font:
            yield obj


def _embedded(font: pikepdf.Dictionary) -> bool:
    if font.get("/Subtype") == pikepdf.Name.Type3:
        return True  # its glyphs are content streams in the file
    if font.get("/Subtype") == pikepdf.Name.Type0:
        descendants = font.get("/DescendantFonts", pikepdf.Array())
        return all(_embedded(d) for d in descendants) and len(descendants) > 0
    descriptor = font.get("/FontDescriptor")
    return isinstance(descriptor, pikepdf.Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def not_archivable(pdf: pikepdf.Pdf, active: tuple[str, ...] = ()) -> str | None:
    """Why the file itself cannot become a PDF/A-2b copy (then its pages are rendered and read
    as a scan would be), or None. `active`: the kinds activecontent.scan found (an action on
    any annotation or page, a launch action or an XFA form is as unwelcome as a document-level
    script: the copy would carry it)."""
    names = pdf.Root.get("/Names", pikepdf.Dictionary())
    if "/JavaScript" in names or "/AA" in pdf.Root or "javascript" in active:
        return "it runs JavaScript"
    if "/EmbeddedFiles" in names or "embedded_files" in active:
        return "it carries attached files"
    if active:
        return f"it carries active content ({', '.join(active)})"
    for font in _fonts(pdf):
        if not _embedded(font):
            return f"the font {font.get('/BaseFont', '?')} is not embedded"
    return None
