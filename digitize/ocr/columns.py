"""The header's left column read again on its own. ND 30 heads a document with two columns
side by side: the issuing body (tên cơ quan) with the number under it on the left, the quốc
hiệu and the place and date on the right. Where their lines nearly share a baseline (a page
a little skewed, a column set lower than the other), Tesseract's page layout reads across
both and garbles the body's name ("BỘ GIÁO) DẶG, MÀ DAO (HẠ" for BỘ GIÁO DỤC VÀ ĐÀO TẠO) or
reads no word at all for a line of it (CHÍNH PHỦ). The left column is cut out along the
blank gutter between the columns and read as a block of lines; its words replace the page
pass's there when they are surer and miss no line."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PIL import Image

from digitize.model import Box, Word
from digitize.ocr import tesseract
from digitize.ocr.cleanup import box_of, typical_height
from digitize.ocr.inkgrid import strip_columns, widest_run

GUTTER_SPAN = (0.3, 0.7)  # where across the page the gutter between the columns may lie
GUTTER_LEAST = 0.012  # the narrowest gutter, as a share of the page's width
STRIP = 8  # rows looked at together going down the header
HEADER_DEPTH = 0.45  # the header ends above this share of the page's height
SURE = 85  # a column whose words all score at least this, with no line missed, is kept
GAIN = 3  # how much surer the second reading must be (letters' mean score) to be taken
LOSS = 10  # how much less sure it may be where the page pass read no word for a line
LEAST_MEAN = 70  # and never less sure than this: specks and rules read as letters are not
LEAST_DEPTH = 0.05  # the column is at least this share of the page high (two lines and more)
OVERLAP = 0.3  # share of a word's height inside a line read again that makes it that line's
BLOCK = 900  # block numbers of the words read again: apart from the page pass's
_NUMBER_WORD = re.compile(r"số[:;.]?|so[:;]")  # "Số:"; "SỞ" heads a department's name


def left_column(ink: Image.Image) -> Box | None:
    """The box of the header's left column in a page's ink mask (255 where inked): from the
    first inked row down to the first line that crosses the blank gutter between the two
    columns (the title, tên loại, set across the page), and from the page's left edge to the
    middle of the gutter. None where no gutter with ink on both sides heads the page (a form,
    a page of a letter that is not its first)."""
    w, h = ink.size
    lo, hi = round(GUTTER_SPAN[0] * w), round(GUTTER_SPAN[1] * w)
    least = max(4, round(GUTTER_LEAST * w))
    free = np.ones(hi - lo, dtype=bool)
    top: int | None = None
    gutter: tuple[int, int] | None = None
    both = [False, False]  # ink left of the gutter, and right of it
    for i, cols in enumerate(strip_columns(ink, STRIP, round(HEADER_DEPTH * h))):
        if not cols.any():
            continue
        y = i * STRIP
        top = y if top is None else top
        still = free & ~cols[lo:hi]
        run = widest_run(still, least)
        if run is None:
            if gutter is None or not all(both) or y - top < LEAST_DEPTH * h:
                return None
            return 0, max(0, top - STRIP), lo + (gutter[0] + gutter[1]) // 2, y
        free, gutter = still, run
        both[0] = both[0] or bool(cols[:lo + run[0]].any())
        both[1] = both[1] or bool(cols[lo + run[1]:].any())
    return None


def _alnum(word: Word) -> int:
    return sum(c.isalnum() for c in word.text)


def _mean(words: list[Word]) -> float:
    """The mean score of the letters and digits read (0 for none)."""
    letters = sum(map(_alnum, words))
    return sum(_alnum(w) * w.conf for w in words) / letters if letters else 0.0


def _missed_line(ink: Image.Image, box: Box, words: list[Word]) -> bool:
    """Whether a line in `box` holds ink no word's rows cover, at least half a word high (a
    line Tesseract read no word for; an underline is thinner)."""
    _, y0, _, y1 = box
    least = max(STRIP, typical_height(words, 2) // 2)
    rows = ink.crop(box).resize((1, y1 - y0), Image.Resampling.BOX).tobytes()
    covered = [False] * (y1 - y0)
    for w in words:
        for y in range(max(0, w.top - y0), min(y1 - y0, w.top + w.height - y0)):
            covered[y] = True
    run = 0
    for v, c in zip(rows, covered, strict=True):
        run = run + 1 if v and not c else 0
        if run >= least:
            return True
    return False


def reread_left_column(seen: Image.Image, ink: Image.Image, words: tuple[Word, ...],
                       stem: Path, lang: str, dpi: int, timeout: int, shown: str
                       ) -> tuple[tuple[Word, ...], set[Box], list[list[Word]]]:
    """The page pass's words with the header's left column read again where that reads it
    better: returns the words, the boxes of the page pass's words taken out, and the new
    words by line (for hocr.replace_words). `seen` is the image Tesseract read, `ink` its
    ink mask; boxes are in its pixels."""
    box = left_column(ink)
    if box is None:
        return words, set(), []
    x0, y0, x1, y1 = box
    inside = [w for w in words
              if x0 <= w.left + w.width / 2 < x1 and y0 <= w.top + w.height / 2 < y1]
    missed = _missed_line(ink, box, inside)
    if inside and not missed and all(w.conf >= SURE for w in inside if _alnum(w)):
        return words, set(), []
    read = tesseract.read_words(seen.crop(box), Path(f"{stem}-column.png"), lang, dpi, timeout,
                                shown, psm=6)
    new = [w.model_copy(update={"left": w.left + x0, "top": w.top + y0, "block": BLOCK + w.block})
           for w in read if _alnum(w)]
    # The number's line and what follows stay as the page pass read them: a pen's digits
    # there are read apart from the print from its word boxes (reread.read_hand).
    number = next((w for w in new if _NUMBER_WORD.fullmatch(w.text.lower())), None)
    if number is not None:
        new = [w for w in new if w.top + w.height / 2 < number.top]
    # A line the block's reading missed keeps the page pass's words; a word of the page pass
    # that reaches into a line read again goes (one read across two lines, "Giok").
    rows = [(w.top, w.top + w.height) for w in new]
    replaced, kept = [], []
    for w in inside:
        into = any(min(b, w.top + w.height) - max(a, w.top) > OVERLAP * w.height for a, b in rows)
        (replaced if into else kept).append(w)
    if not new or _mean(new) < LEAST_MEAN or _missed_line(ink, box, new + kept):
        return words, set(), []
    # Where the page pass read no word for a line, about as sure a reading of the column is
    # better; where it read every line, only a surer one is.
    if _mean(new) < _mean(replaced) + (-LOSS if missed else GAIN):
        return words, set(), []
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in new:
        lines.setdefault((w.block, w.par, w.line), []).append(w)
    gone = {box_of(w) for w in replaced}
    return (*new, *(w for w in words if box_of(w) not in gone)), gone, list(lines.values())

