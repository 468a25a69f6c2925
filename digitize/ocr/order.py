"""A page's reading text from its words, in the order a reader takes them, with stamps apart.

ND 30 heads a document with two columns side by side (columns.left_column finds the gutter):
Tesseract reads their lines across the gutter ("VĂN PHÒNG CHÍNH PHỦ CỘNG HOÀ XÃ HỘI …"), so the
header's left column (agency, Số line, a công văn's V/v) is written first as one block, then the
right column (quốc hiệu, motto, place and date), then the rest of the page in Tesseract's order.
Stamps are not the document's text: a received stamp ("ĐẾN", a ruled box set on the page when
it comes in) and a mark written in the top margin are read into the page's lines by Tesseract;
their words stay in the hOCR, marked (hocr.mark_stamps), and out of the reading text. Red seals
and stamps on a colour scan are never read (cleanup.drop_red)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from digitize.model import Box, Word
from digitize.ocr.cleanup import box_of, typical_height
from digitize.ocr.columns import GUTTER_SPAN, LEAST_DEPTH, STRIP
from digitize.ocr.inkgrid import rules, strip_columns, widest_run

FRAME_RULE = 0.04  # a ruled box's top and bottom are lines at least this share of the width long
FRAME_SIDE = 0.02  # and its sides at least this share of the page's height
FRAME_FILL = 0.6  # share of the box's width (its height, for a side) a rule covers
FRAME_MAX = (0.45, 0.2)  # a box larger than this (width, height share) is a table, not a stamp
MARGIN_CONF = 60  # a word above the page's first sure line, read less surely, is a mark
SURE_LINE = 80  # a line with two words at least this sure (two letters and more) is text
BAND_GUTTER = 0.02  # a gutter between columns is at least this share of the page wide
BAND_LINES = 2  # and has at least this many lines of ink on each side
BAND_APART = 1.5  # a line's words either side of it are this many word heights apart, at least
STAMP = "frame"  # kinds of stamp words, as hOCR's x_stamp property gives them
MARGIN = "margin"


def frames(ink: Image.Image) -> list[Box]:
    """Boxes ruled on all four sides, no larger than a stamp (FRAME_MAX), in an ink mask (255
    where inked): a received stamp's frame. An underline or a rule under the agency's name has
    no sides; a table is larger."""
    arr = np.asarray(ink.convert("L")) > 0
    h, w = arr.shape
    across = rules(arr, max(20, round(FRAME_RULE * w)), 1)
    down = rules(arr, max(20, round(FRAME_SIDE * h)), 0)
    if not across.any() or not down.any():
        return []
    from scipy import ndimage  # most pages hold no rules both ways: they never load it

    # Only where rules are: joining and labelling them there, not over the whole page.
    ruled = across | down
    ry, rx = np.nonzero(ruled)
    y0, x0 = max(0, int(ry.min()) - 2), max(0, int(rx.min()) - 2)
    near = (slice(y0, min(h, int(ry.max()) + 3)), slice(x0, min(w, int(rx.max()) + 3)))
    joined = ndimage.binary_dilation(ruled[near], iterations=2)
    labels, _count = ndimage.label(joined)
    found: list[Box] = []
    for part in ndimage.find_objects(labels):
        if part is None:
            continue
        ys = slice(part[0].start + y0, part[0].stop + y0)
        xs = slice(part[1].start + x0, part[1].stop + x0)
        sl = (ys, xs)
        bw, bh = xs.stop - xs.start, ys.stop - ys.start
        if bw > FRAME_MAX[0] * w or bh > FRAME_MAX[1] * h or bw < 2 * FRAME_RULE * w:
            continue
        # Each edge as seen from its side: a stamp set on a little askew draws its rules in
        # steps, pieces a few rows apart.
        ey, ex = max(3, bh // 6), max(3, bw // 8)
        top, bottom = across[sl][:ey].any(axis=0), across[sl][-ey:].any(axis=0)
        left, right = down[sl][:, :ex].any(axis=1), down[sl][:, -ex:].any(axis=1)
        if min(top.sum(), bottom.sum()) >= FRAME_FILL * bw and \
                min(left.sum(), right.sum()) >= FRAME_FILL * bh:
            found.append((xs.start, ys.start, xs.stop, ys.stop))
    return found


def _inside(word: Word, box: Box) -> bool:
    """Whether at least half of the word's box lies in `box`."""
    dx = min(box[2], word.left + word.width) - max(box[0], word.left)
    dy = min(box[3], word.top + word.height) - max(box[1], word.top)
    return dx > 0 and dy > 0 and 2 * dx * dy >= word.width * word.height


def _letters(word: Word) -> int:
    return sum(c.isalpha() for c in word.text)


def _line_key(word: Word) -> tuple[int, int, int]:
    return word.block, word.par, word.line


def stamp_words(ink: Image.Image, words: Sequence[Word]) -> dict[Box, str]:
    """The boxes of the words that are stamps' or marks' (with their kind): inside a ruled
    stamp frame, or above the page's first sure line of print and read less surely (a mark
    written in the top margin, specks). A pen's words (a number written in) are content."""
    marked: dict[Box, str] = {}
    boxes = frames(ink)
    for w in words:
        if not w.hand and any(_inside(w, b) for b in boxes):
            marked[box_of(w)] = STAMP
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault(_line_key(w), []).append(w)
    sure = [min(x.top for x in line) for line in lines.values()
            if sum(x.conf >= SURE_LINE and _letters(x) >= 2 for x in line) >= 2]
    if sure:
        first = min(sure)
        for w in words:
            if w.top + w.height <= first and w.conf < MARGIN_CONF and not w.hand:
                marked.setdefault(box_of(w), MARGIN)
    return marked


def column_bands(ink: Image.Image) -> list[tuple[int, int, int]]:
    """Bands of the page set in two columns, top to bottom, as (top, bottom, gutter): rows
    where a blank gutter (GUTTER_SPAN across, at least BAND_GUTTER wide) runs down between
    lines of ink on its left and on its right (BAND_LINES each), at least LEAST_DEPTH of the
    page high; `gutter` is
    its middle. ND 30's header (agency and number left, quốc hiệu and date right) and its
    foot (Nơi nhận left, the signature block right) are such bands; a line set across the
    gutter (the title, a paragraph) ends one."""
    w, h = ink.size
    lo, hi = round(GUTTER_SPAN[0] * w), round(GUTTER_SPAN[1] * w)
    least = max(4, round(BAND_GUTTER * w))
    bands: list[tuple[int, int, int]] = []
    free: np.ndarray | None = None
    top = end = 0
    run: tuple[int, int] | None = None
    lines = [0, 0]  # lines of ink left of the gutter, and right of it
    last = [-1, -1]  # the last strip inked on each side

    def close() -> None:
        if run is not None and min(lines) >= BAND_LINES and end - top >= LEAST_DEPTH * h:
            bands.append((top, end, lo + (run[0] + run[1]) // 2))

    for i, cols in enumerate(strip_columns(ink, STRIP)):
        if not cols.any():
            continue
        y = i * STRIP
        still = ~cols[lo:hi] if free is None else free & ~cols[lo:hi]
        found = widest_run(still, least)
        if found is None and free is not None:
            close()
            free, run = None, None
            still = ~cols[lo:hi]
            found = widest_run(still, least)
        if found is None:
            continue
        if free is None:
            top, lines, last = y, [0, 0], [-1, -1]
        free, run, end = still, found, min(h, y + STRIP)
        for side, inked in enumerate((cols[:lo + found[0]].any(), cols[lo + found[1]:].any())):
            if inked:
                lines[side] += last[side] != y - STRIP
                last[side] = y
    if free is not None:
        close()
    return bands


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """`words` grouped by Tesseract's line, each line's words left to right."""
    lines: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        lines.setdefault(_line_key(w), []).append(w)
    return [sorted(line, key=lambda x: x.left) for line in lines.values()]


def _middle(line: Sequence[Word]) -> float:
    return sum(w.top + w.height / 2 for w in line) / len(line)


def _rule(word: Word, height: int) -> bool:
    """A rule or a dotted leader read as a word ("———" under the agency's name)."""
    return bool(word.text) and all(c in "-_—–=~.…·" for c in word.text) and \
        word.width >= 3 * max(1, height)


def _apart(band: tuple[int, int, int], lines: Sequence[Sequence[Word]], height: int) -> bool:
    """Whether the band's columns are apart in its words: a line read across the gutter keeps
    at least BAND_APART word heights between its words either side (the header's two
    columns), where a paragraph or a title whose word gaps happen to line up does not. Only
    words read surely count: a rule or a stamp's specks read as letters sit anywhere."""
    top, bottom, gutter = band
    for line in lines:
        if not top <= _middle(line) < bottom:
            continue
        sure = [w for w in line if w.conf >= MARGIN_CONF and _letters(w) >= 2]
        left = [w.left + w.width for w in sure if w.left + w.width / 2 < gutter]
        right = [w.left for w in sure if w.left + w.width / 2 >= gutter]
        if left and right and min(right) - max(left) < BAND_APART * max(1, height):
            return False
    return True


def reading_order(words: Sequence[Word], bands: Sequence[tuple[int, int, int]],
                  left_out: set[Box] | frozenset[Box] = frozenset()) -> list[list[Word]]:
    """The page's lines in reading order, the words with boxes in `left_out` (stamps) and
    rules left out: top to bottom, where a band of two columns (column_bands) holds a line
    it is split at the gutter, and the band's left column is read first, then its right."""
    height = typical_height(words, 2)
    kept = [w for w in words if box_of(w) not in left_out and not _rule(w, height)]
    lines = _lines(kept)
    bands = [b for b in bands if _apart(b, lines, height)]
    parts: list[tuple[float, int, float, list[Word]]] = []  # (where, column, middle, words)
    for line in lines:
        mid = _middle(line)
        band = next((b for b in bands if b[0] <= mid < b[1]), None)
        if band is None:
            parts.append((mid, 0, mid, line))
            continue
        left = [w for w in line if w.left + w.width / 2 < band[2]]
        right = [w for w in line if w.left + w.width / 2 >= band[2]]
        for column, side in enumerate((left, right)):
            if side:
                parts.append((band[0], column, _middle(side), side))
    return [p[3] for p in sorted(parts, key=lambda p: p[:3])]


def reading_text(lines: Sequence[Sequence[Word]]) -> str:
    """One line of text per line of words."""
    return "".join(" ".join(w.text for w in line) + "\n" for line in lines)
