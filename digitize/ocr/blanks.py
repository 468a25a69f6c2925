"""The blanks ND 30 leaves on page 1 for the văn thư to write in at issuance, read where they
stand, whatever the pen's colour: the number between "Số:" and the symbol's slash, the day
between "ngày" and "tháng". On real scans they are written in black or blue, often glued to
the print ("Số:22", "ngày06"); the page pass reads them as garbage ("Số:4@`"). The print's own
letters are found with Tesseract's character boxes (the blank starts after the colon of
"Số:" or the y of "ngày"), and the ink after them, up to the next printed word, is read by a
model of handwritten digits (handdigits). What a pen wrote stays a handwritten word: the clerk
confirms it, unless a second reader that shares nothing with the model reads the same
digits: a network learned from other writers (ocr.handcheck: its own cut of the same ink into
digits, its own training), or else Tesseract's English network (digits only, on the same ink:
its own cut into characters, its own training). The word is then marked `agreed`, and
extract.twice weighs that by how often such readers agree on a wrong reading (counted on real
pages for the two together: either one agreeing counts). They fail in different places (the
network gives up on digits that touch, Tesseract reads few pens' digits at all), so one
agrees where the other does not."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from digitize.extract.text import fold
from digitize.model import Box, Word
from digitize.ocr import handcheck, handdigits, tesseract
from digitize.ocr.cleanup import INK_LEVEL, box_of

HEADER = 0.45  # the số and date lines stand in the top part of page 1
PRINTED_CONF = 85.0  # digits the page pass read this surely in a blank were typed there
HAND_TALLER = 1.1  # a pen's digits stand taller than the print's "Số:" (typed ones do not)
TESSERACT_READER = "eng"  # Tesseract's language for its reading: its network reads digits
DIGITS = "0123456789"


@dataclass(frozen=True)
class Blank:
    head: int  # index of the word the blank follows ("Số:", "ngày"), maybe with ink glued on
    stop: int  # index of the printed word after the blank ("/QĐ-UBND", "tháng")
    letters: str  # the head's printed letters, folded ("SO", "NGAY")


def _line(words: Sequence[Word], i: int) -> list[int]:
    """Indexes of the words after words[i] on its line, left to right."""
    w = words[i]
    return sorted((j for j, v in enumerate(words) if j != i and v.left > w.left and
                   abs((v.top + v.height / 2) - (w.top + w.height / 2)) < 0.7 * max(
                       w.height, v.height)), key=lambda j: words[j].left)


def find_blanks(words: Sequence[Word], height: int, width: int) -> list[Blank]:
    """The number's blank (left half) and the day's (right half): the topmost of each on the
    top of the page. The page pass may have read the blank and the print after it as one
    word with its head ("ngày4†tháng", "ngàytháng"): then the blank lies inside that word."""
    number: Blank | None = None
    day: Blank | None = None
    for i, w in enumerate(words):
        if w.top > HEADER * height:
            continue
        folded = fold(w.text).upper()
        if number is None and re.match(r"^[S§$5][O0](?![A-Z]{2})", folded) and \
                w.left < 0.45 * width:
            stop = next((j for j in _line(words, i) if "/" in words[j].text), None)
            if stop is not None and not any(c.isdigit() for c in words[stop].text.split("/")[0]):
                number = Blank(i, stop, "SO")
        elif day is None and re.match(r"^NGAY", folded) and w.left > 0.35 * width:
            stop = i if "THANG" in folded[4:] else next(
                (j for j in _line(words, i) if fold(words[j].text).upper().startswith("THANG")),
                None)
            if stop is not None:
                day = Blank(i, stop, "NGAY")
    return [b for b in (number, day) if b is not None]


def _printed_edges(crop: Image.Image, path: Path, letters: str, glued: bool, dpi: int,
                   timeout: int, shown: str) -> tuple[int, int | None] | None:
    """Where the head's printed letters end in `crop` (x, pixels), from Tesseract's
    character boxes: after the colon of "Số:" (or its ố where the colon is lost to the pen),
    after the y of "ngày"; and, where the print after the blank was read into the same word
    (`glued`), where the "th" of "tháng" begins. None where it does not read them."""
    chars = [(fold(c).upper(), x0, x1) for c, x0, x1 in tesseract.char_boxes(
        crop, path, "vie", dpi, timeout, shown) if c.strip()]
    end: int | None = None
    if letters == "NGAY":
        end = next((x1 for c, _x0, x1 in chars[2:5] if c == "Y"), None)
    elif len(chars) >= 2 and chars[0][0] in "S§$5":
        end = chars[2][2] if len(chars) > 2 and chars[2][0] in ":;." else chars[1][2]
    if end is None or not glued:
        return (end, None) if end is not None else None
    text = "".join(c for c, _x0, _x1 in chars)
    at = text.rfind("TH")
    return (end, chars[at][1]) if at > 0 and chars[at][1] > end else None


def blank_ink(seen: Image.Image, words: Sequence[Word], blank: Blank, stem: Path, dpi: int,
              timeout: int, shown: str) -> tuple[np.ndarray, Box] | None:
    """The ink written into `blank` (True where inked) and its box on the page; None where the
    print's letters are not found or nothing is written there."""
    head, stop = words[blank.head], words[blank.stop]
    glued = blank.stop == blank.head
    h = max(v.height for v in (head, stop))
    top = max(0, min(head.top, stop.top) - h // 2)
    bottom = min(seen.height, max(head.top + head.height, stop.top + stop.height) + h // 2)
    right = head.left + head.width if glued else stop.left - 1
    if right - head.left < h:
        return None
    edges = _printed_edges(seen.crop((head.left, head.top, right, head.top + head.height)),
                           Path(f"{stem}-blank{blank.head}.png"), blank.letters, glued, dpi,
                           timeout, shown)
    if edges is None:
        return None
    x0 = head.left + edges[0] + 1
    if edges[1] is not None:
        right = head.left + edges[1] - 1
    if right - x0 < 3:
        return None
    ink = np.asarray(seen.crop((x0, top, right, bottom)).convert("L")) < INK_LEVEL
    inked = np.nonzero(ink.any(axis=0))[0]
    if inked.size == 0:
        return None
    a, b = int(inked[0]), int(inked[-1]) + 1
    rows = np.nonzero(ink[:, a:b].any(axis=1))[0]
    return ink[:, a:b], (x0 + a, top + int(rows[0]), x0 + b, top + int(rows[-1]) + 1)


def network_reading(ink: np.ndarray) -> str:
    """The digits the network of ocr.handcheck reads in a blank's ink; "" where it reads none
    (digits that touch, or its file is not shipped)."""
    checker = handcheck.model()
    return checker.read(ink) if checker is not None else ""


def tesseract_reading(ink: np.ndarray, stem: Path, dpi: int, timeout: int, shown: str) -> str:
    """The digits Tesseract reads in a blank's ink (black on white with a margin, one line,
    digits only); "" where it reads none or its TESSERACT_READER language is not installed."""
    if TESSERACT_READER not in tesseract.installed_languages():
        return ""
    pad = max(8, ink.shape[0] // 2)
    image = Image.new("L", (ink.shape[1] + 2 * pad, ink.shape[0] + 2 * pad), 255)
    image.paste(Image.fromarray(np.where(ink, 0, 255).astype(np.uint8)), (pad, pad))
    read = tesseract.read_line(image, Path(f"{stem}-second.png"), TESSERACT_READER, dpi,
                               timeout, shown, allowed=DIGITS)
    return "".join(read.split())


def read_blank(seen: Image.Image, words: Sequence[Word], blank: Blank, stem: Path, dpi: int,
               timeout: int, shown: str) -> tuple[str, float, Box, bool] | None:
    """The digits written into `blank`, the model's score for them, their box, and whether
    a second reader read the same digits."""
    learned = handdigits.model()
    found = blank_ink(seen, words, blank, stem, dpi, timeout, shown)
    if learned is None or found is None:
        return None
    ink, box = found
    text, prob = learned.read(ink)
    if not text or len(text) > 5:
        return None
    agreed = network_reading(ink) == text or \
        tesseract_reading(ink, stem, dpi, timeout, shown) == text
    return text, round(100 * prob, 1), box, agreed


def read_blanks(seen: Image.Image, words: tuple[Word, ...], stem: Path, dpi: int, timeout: int,
                shown: str) -> tuple[tuple[Word, ...], dict[Box, tuple[str, float]],
                                     dict[Box, Word]]:
    """Page 1's blanks read (see the module): the words with each blank's garbage replaced by
    its digits (a handwritten word), and what the hOCR must take: the words whose text changes
    (the head keeps its print, what lay in the blank goes) and the digits added after the
    head. A blank a pen's blue ink already gave (read_hand) is left as it is."""
    changed: dict[Box, tuple[str, float]] = {}
    added: dict[Box, Word] = {}
    heads: dict[int, Word] = {}  # the head as printed
    inserted: dict[int, Word] = {}  # the digits, after the head
    drop: set[int] = set()
    for blank in find_blanks(words, seen.height, seen.width):
        between = [j for j in _line(words, blank.head) if words[j].left < words[blank.stop].left]
        if any(words[j].hand for j in (blank.head, *between)):
            continue
        typed = bool(between) and all(words[j].text.isdigit() for j in between)
        if typed and all(words[j].conf >= PRINTED_CONF for j in between):
            continue  # typed in: the page pass reads print better than the hand's model
        read = read_blank(seen, words, blank, stem, dpi, timeout, shown)
        if read is None or (typed and read[2][3] - read[2][1] <= HAND_TALLER *
                            words[blank.head].height):
            continue  # digits no taller than the print: typed, as the page pass read them
        text, conf, box, agreed = read
        head = words[blank.head]
        printed = "Số:" if blank.letters == "SO" else "ngày"
        if head.text != printed:
            changed[box_of(head)] = (printed, head.conf)
        heads[blank.head] = head.model_copy(update={"text": printed})
        if blank.stop == blank.head:
            text = f"{text} tháng"  # "ngày4†tháng": read into one word, tháng goes after
        for j in between:
            changed[box_of(words[j])] = ("", words[j].conf)
            drop.add(j)
        inserted[blank.head] = added[box_of(head)] = head.model_copy(update={
            "text": text, "conf": conf, "hand": True, "agreed": agreed, "left": box[0],
            "top": box[1], "width": box[2] - box[0], "height": box[3] - box[1]})
    out: list[Word] = []
    for j, w in enumerate(words):
        if j not in drop:
            out.append(heads.get(j, w))
        if j in inserted:
            out.append(inserted[j])
    return tuple(out), changed, added
