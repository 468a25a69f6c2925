"""Words read a second time, after the page's one Tesseract pass: printed words it was
unsure of, as a line cut out on its own (relook); on a colour scan, what a pen wrote into the
blanks ND 30 leaves (the number, the day and month), apart from the print it touches and from
all of its ink (read_hand), and digits written where Tesseract read no word at all
(read_strays). Each returns the words and what the page's hOCR must take (hocr.mark_hand)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from PIL import Image, ImageOps

from digitize.extract.text import fold
from digitize.model import Box, Word
from digitize.ocr import tesseract
from digitize.ocr.cleanup import (
    InkMasks,
    Inks,
    box_of,
    glyph_columns,
    pen_extent,
    pen_ink,
    pen_share,
    span,
    split_inks,
    stray_pen,
    typical_height,
)

HAND_CONF = 50.0  # Tesseract's score for digits it read no word for: none; a clerk checks them
HAND_DIGITS = "0123456789"  # what a pen writes into the blanks of ND 30: the number and the day
GLYPH_PAD = 20  # white around one digit read alone


RELOOK_BELOW = 50  # Tesseract's score under which a word is read again on its own
RELOOK_GAIN = 20  # how much surer the second reading must be to replace the first
RELOOK_PEN = 0.02  # share of a word's ink that is a pen's, at which it is left to read_hand
RELOOK_MOST = 8  # runs read again per page, the longest first: a page of specks stays quick


def _same_line(a: Word, b: Word) -> bool:
    return (a.block, a.par, a.line) == (b.block, b.par, b.line)


def relook(seen: Image.Image, masks: InkMasks | None, words: tuple[Word, ...], stem: Path,
           lang: str, dpi: int, timeout: int, shown: str
           ) -> tuple[tuple[Word, ...], dict[Box, tuple[str, float]]]:
    """Printed words Tesseract was unsure of, read again as one line cut out with room above
    and below: where two lines' baselines nearly meet (a header column beside the quốc
    hiệu), its page layout cuts the letters and reads "NHuuớng" for CHÍNH PHỦ at 0, while the
    line alone reads at 96. A run of unsure words on one line is read together. Returns the
    words (a run read again as one) and, per hOCR word box, its new text and score. `seen`
    is the image Tesseract read, `masks` its inks (cleanup.page_inks)."""
    picked: set[int] = set()  # the unsure words
    runs: list[list[Word]] = []
    for word in words:
        # A pen's stroke in the box keeps the word as read: handwriting is read apart.
        unsure = not word.hand and word.conf < RELOOK_BELOW and \
            sum(c.isalnum() for c in word.text) >= 2 and \
            (masks is None or pen_share(masks, word) < RELOOK_PEN)
        last = runs[-1][-1] if runs else None
        if unsure and last is not None and id(last) in picked and _same_line(last, word):
            runs[-1].append(word)
        else:
            runs.append([word])
        if unsure:
            picked.add(id(word))
    chosen = sorted((r for r in runs if id(r[0]) in picked and
                     sum(c.isalnum() for w in r for c in w.text) >= 3),
                    key=lambda r: -sum(len(w.text) for w in r))[:RELOOK_MOST]
    again: dict[int, Word] = {}
    texts: dict[Box, tuple[str, float]] = {}
    # Room of a line's height around the run: the boxes of a cut line are too low or too high.
    h = typical_height(words, 2)
    index = {id(w): i for i, w in enumerate(words)}
    for n, run in enumerate(chosen):
        x0, y0, x1, y1 = span(run)
        # Not into the words beside it: a slice of one reads as a letter of its own.
        left, right = max(0, x0 - h), min(seen.width, x1 + h)
        for at, step in ((index[id(run[0])] - 1, -1), (index[id(run[-1])] + 1, 1)):
            if 0 <= at < len(words) and _same_line(words[at], run[0]):
                if step < 0:
                    left = max(left, words[at].left + words[at].width + 1)
                else:
                    right = min(right, words[at].left - 1)
        # Nor into a line read with confidence above or below: it would be read twice.
        top, bottom = max(0, y0 - h), min(seen.height, y1 + h)
        inside = {id(w) for w in run}
        for w in words:
            if id(w) in inside or w.conf < RELOOK_BELOW or w.left >= right or \
                    w.left + w.width <= left or w.top >= bottom or w.top + w.height <= top:
                continue
            if w.top + w.height / 2 < (y0 + y1) / 2:
                top = max(top, w.top + w.height + 1)
            else:
                bottom = min(bottom, w.top - 1)
        if top > y0 or bottom < y1:
            continue  # a sure word overlaps the run itself: what is unsure there is a speck
        seen_again = tesseract.read_words(seen.crop((left, top, max(left + 1, right), bottom)),
                                          Path(f"{stem}-relook{n}.png"), lang, dpi, timeout,
                                          shown)
        read = [(w.text, w.conf) for w in seen_again if any(ch.isalnum() for ch in w.text)]
        while read and len(read[0][0]) == 1 and len(read) > 1:
            read = read[1:]  # a speck of the line above or beside, at the edge of the cut
        while read and len(read[-1][0]) == 1 and len(read) > 1:
            read = read[:-1]
        before = sum(w.conf for w in run) / len(run)
        score = sum(c for _, c in read) / len(read) if read else 0.0
        if not read or score < before + RELOOK_GAIN:
            continue
        text = " ".join(t for t, _ in read)
        again[id(run[0])] = run[0].model_copy(update={
            "text": text, "conf": score, "left": x0, "top": y0, "width": x1 - x0,
            "height": y1 - y0})
        texts.update({box_of(w): (text if i == 0 else "", score) for i, w in enumerate(run)})
    out = [again.get(id(run[0]), w) for run in runs for w in
           (run[:1] if id(run[0]) in again else run)]
    return tuple(out), texts


def _hand_runs(words: tuple[Word, ...], inks: dict[Box, Inks]) -> list[list[Word]]:
    """Runs of words, each a word alone or neighbours on one line that Tesseract cut apart
    where the pen's ink runs on ("„5 sg/GM-UBND" for 4538/GM-UBND): the second starts with
    the pen's ink, the first ends with it. `inks`: each handwritten word's, by its box."""
    runs: list[list[Word]] = []
    for word in words:
        last = runs[-1][-1] if runs else None
        if (last is not None and word.hand and last.hand
                and (inks[box_of(last)].printed is None or not inks[box_of(last)].hand_first)
                and (inks[box_of(word)].printed is None or inks[box_of(word)].hand_first)
                and _same_line(word, last)
                and word.left - (last.left + last.width) < 1.5 * max(word.height, last.height)):
            runs[-1].append(word)
        else:
            runs.append([word])
    return runs


def read_hand(masks: InkMasks | None, words: tuple[Word, ...], stem: Path, lang: str,
              dpi: int, timeout: int, shown: str
              ) -> tuple[tuple[Word, ...], dict[Box, str], dict[Box, Word]]:
    """Words written by hand, read again apart from the print they touch: ND 30 leaves the
    number and the day blank to be written in, and Tesseract reads a pen's digits glued to
    the print poorly ("14870Đ-STC" for 1482 and /QĐ-STC). The pen's ink alone is read as
    digits (unless, with no print beside it, it reads as words), the print alone as text.
    Returns the words (a run read as one), per hOCR word box the text it now holds, and the
    words read where Tesseract saw none (read_strays), by the box of the word before. A grey
    or bitonal page (no masks) has none."""
    if masks is None:
        return words, {}, {}
    out: list[Word] = []
    texts: dict[Box, str] = {}
    inks = {box_of(w): split_inks(masks, w) for w in words if w.hand}
    read: list[Box] = []  # runs of pen's ink already read
    last: dict[Box, Box] = {}  # a run read as one word: the box of its last hOCR word
    for n, run in enumerate(_hand_runs(words, inks)):
        if not run[0].hand:
            out.extend(run)
            continue
        x0, y0, x1, y1 = span(run)
        whole = run[0].model_copy(update={"left": x0, "top": y0, "width": x1 - x0,
                                          "height": y1 - y0})
        split = inks[box_of(run[0])] if len(run) == 1 else split_inks(masks, whole)
        # The pen's digits are read whole, once, from all of their ink (pen_extent).
        pen = pen_extent(masks, whole)
        again = pen is not None and pen in read
        if pen is not None and not again:
            split = replace(split, hand=pen_ink(masks, pen))
            read.append(pen)
        text = _hand_text(split, Path(f"{stem}-hand{n}.png"), lang, dpi, timeout, shown,
                          pen=not again)
        if again and not text:
            texts.update({box_of(w): "" for w in run})  # its digits went with the run before
            continue
        if not text and len(run) == 1:
            out.append(run[0])
            texts[box_of(run[0])] = run[0].text
            continue
        text = text or " ".join(w.text for w in run)
        out.append(whole.model_copy(update={"text": text}))
        texts.update({box_of(w): text if i == 0 else "" for i, w in enumerate(run)})
        last[box_of(out[-1])] = box_of(run[-1])
    added = read_strays(masks, out, [*map(box_of, words), *read], stem, lang, dpi, timeout,
                        shown)
    return tuple(out), texts, {last.get(box, box): word for box, word in added.items()}


# Words after which ND 30 leaves a blank to be written in: "Số:", "ngày", "tháng".
_BLANK_BEFORE = frozenset({"so:", "so", "ngay", "thang"})


def read_strays(masks: InkMasks, out: list[Word], held: list[Box], stem: Path, lang: str,
                dpi: int, timeout: int, shown: str) -> dict[Box, Word]:
    """Digits a pen wrote into a blank that Tesseract read no word for (cleanup.stray_pen),
    put into `out` after the word before the blank; returns them by that word's box. Pen's
    ink anywhere else (a signature in blue) is left alone."""
    h = typical_height(out, 1)
    if not h:
        return {}
    added: dict[Box, Word] = {}
    for n, (x0, y0, x1, y1) in enumerate(stray_pen(masks, held, h // 2)):
        before = [w for w in out if w.left + w.width <= x0 + 2
                  and min(y1, w.top + w.height) - max(y0, w.top) > 0.3 * (y1 - y0)
                  and x0 - (w.left + w.width) < 3 * w.height]
        if not before:
            continue
        word = max(before, key=lambda w: w.left + w.width)
        last = fold(word.text).lower().split()[-1:]  # "18 tháng": a day read with its word
        if not last or last[0] not in _BLANK_BEFORE or box_of(word) in added:
            continue
        inks = Inks(pen_ink(masks, (x0, y0, x1, y1)), None, True)
        text = _hand_text(inks, Path(f"{stem}-stray{n}.png"), lang, dpi, timeout, shown)
        if not text.isdigit():
            continue
        new = word.model_copy(update={"text": text, "left": x0, "top": y0, "width": x1 - x0,
                                      "height": y1 - y0, "conf": HAND_CONF, "hand": True})
        out.insert(out.index(word) + 1, new)
        added[box_of(word)] = new
    return added


def _solid(ch: str) -> bool:
    """A letter or digit; not a modifier letter ("ˆ") that is a speck."""
    return unicodedata.category(ch) in ("Lu", "Ll", "Nd")


DIGITS_LANG = "eng"  # the model that reads a hand's digits best: 96% of them, against vie's 87%


def read_digits(hand: Image.Image, path: Path, lang: str, dpi: int, timeout: int,
            shown: str) -> str:
    """The digits in `hand` (a pen's ink, black on white; `path` where a copy goes for the
    `tesseract` command, where it runs), read with
    DIGITS_LANG where it is installed (digits are the same in any script, and its model reads
    them better than vie's: a slanted 1 as 4, 8 as 6), as a line, else as one word (a lone
    "8" a line's reading misses); digits standing apart that the reading ran together ("11"
    read as 1) are read one by one."""
    model = DIGITS_LANG if DIGITS_LANG in tesseract.installed_languages() else lang
    text = (tesseract.read_line(hand, path, model, dpi, timeout, shown, HAND_DIGITS) or
            tesseract.read_line(hand, path, model, dpi, timeout, shown, HAND_DIGITS, psm=8))
    text = text.replace(" ", "")
    glyphs = glyph_columns(hand)
    if not text or len(text) >= len(glyphs):
        return text
    one = path.with_name(f"{path.stem}-glyph.png")
    alone = [tesseract.read_line(ImageOps.expand(hand.crop((first, 0, last + 1, hand.height)),
                                                 GLYPH_PAD, fill=255),
                                 one, model, dpi, timeout, shown, HAND_DIGITS, psm=10)
             for first, last in glyphs]
    return "".join(alone) if all(len(d) == 1 for d in alone) else text


def _hand_text(inks: Inks, path: Path, lang: str, dpi: int, timeout: int, shown: str,
               pen: bool = True) -> str:
    """What a handwritten word reads as, its pen's ink and its print apart ("" where the
    pen's ink reads as words, or as nothing); with `pen` False, its print alone (its pen's
    ink was read with a word before it)."""
    text = ""
    if pen:
        if inks.printed is None:
            free = tesseract.read_line(inks.hand, path, lang, dpi, timeout, shown)
            if sum(c.isalpha() for c in free) >= 3 and not any(c.isdigit() for c in free):
                return ""  # a note in the margin, not a number: as Tesseract read it
        text = read_digits(inks.hand, path, lang, dpi, timeout, shown)
    if (pen and not text) or inks.printed is None:
        return text
    rest = tesseract.read_line(inks.printed, path, lang, dpi, timeout, shown).replace(" ", "")
    # Where the pen crossed the print, what is left of it reads as specks ("_", "¬", "ˆ").
    first = next((i for i, c in enumerate(rest) if _solid(c) or c == "/"), len(rest))
    last = next((i for i in range(len(rest), first, -1) if _solid(rest[i - 1])), first)
    rest = rest[first:last]
    if not rest:
        return text
    if inks.hand_first and text and "-" in rest:
        # The number's slash comes next; before it, or in its place, a speck of the print
        # the pen crossed ("J/QĐ-CP", "9Đ-UBND" for /QĐ-UBND, "72025/TT-BCT" for
        # /2025/TT-BCT once the pen's ink is gone).
        slash = rest.find("/")
        if 0 < slash <= 2:
            rest = rest[slash:]
        elif (slash != 0 and re.match(r"^[^\W\d]{1,4}-", rest[1:]) and not rest[0].isalpha()) \
                or re.match(r"^[^/](?:19|20)\d\d/", rest):
            rest = "/" + rest[1:]
    # "22 tháng", but "1482QĐ-STC": a symbol is read with its number.
    if inks.hand_first:
        return (text + (" " if rest[0].islower() else "") + rest).strip()
    return (rest + (" " if rest[-1].isalpha() else "") + text).strip()
