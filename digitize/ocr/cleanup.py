"""Page geometry and clean-up decisions, from the OCR result and cheap pixel statistics:
orientation (from Tesseract's line angles), skew (from the slope of words along their lines),
blank pages, and the compact profile's colour reduction."""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageOps

from digitize.model import Box, Word
from digitize.ocr.inkgrid import strip_columns

_TEXTANGLE = re.compile(r"textangle (\d+)")
MAX_SKEW = 10.0


def orientation_from_hocr(hocr: Path | str) -> int:
    """Clockwise degrees that make the page upright: the angle most lines report. `hocr` is a
    file, or the markup of one page."""
    markup = hocr if isinstance(hocr, str) else hocr.read_text(encoding="utf-8")
    angles = Counter(int(a) % 360 for a in _TEXTANGLE.findall(markup))
    lines = len(re.findall(r"class=['\"]ocr_(?:line|header|caption|textfloat)['\"]", markup))
    angles[0] += max(0, lines - sum(angles.values()))
    angle, _ = angles.most_common(1)[0] if angles else (0, 0)
    return angle if angle in (0, 90, 180, 270) else 0


def to_upright(words: Sequence[Word], rotation: int, w: int, h: int) -> tuple[Word, ...]:
    """Word boxes from the scan's pixel frame into the upright page's frame."""
    def point(x: float, y: float) -> tuple[float, float]:
        return {0: (x, y), 90: (h - y, x), 180: (w - x, h - y), 270: (y, w - x)}[rotation]

    out = []
    for wd in words:
        (ax, ay), (bx, by) = point(wd.left, wd.top), point(wd.left + wd.width, wd.top + wd.height)
        out.append(wd.model_copy(update={"left": round(min(ax, bx)), "top": round(min(ay, by)),
                                         "width": round(abs(bx - ax)),
                                         "height": round(abs(by - ay))}))
    return tuple(out)


def skew_from_words(words: Sequence[Word]) -> float:
    """Degrees counter-clockwise (as PIL's rotate) that level the text, from the median slope
    of word centres along each line of at least three words; 0 when there is too little text."""
    slopes = []
    for _, group in groupby(words, key=lambda wd: (wd.block, wd.par, wd.line)):
        line = list(group)
        if len(line) < 3:
            continue
        xs = [wd.left + wd.width / 2 for wd in line]
        ys = [wd.top + wd.height / 2 for wd in line]
        mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mx) ** 2 for x in xs)
        if sxx > 0:
            slopes.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx)
    if len(slopes) < 3:
        return 0.0
    angle = math.degrees(math.atan(statistics.median(slopes)))
    return round(angle, 2) if 0.1 <= abs(angle) <= MAX_SKEW else 0.0


def level_words(words: Sequence[Word], skew: float, w: int, h: int) -> tuple[Word, ...]:
    """Rotate word boxes by `skew` (counter-clockwise, about the page centre), as the page is."""
    if not skew:
        return tuple(words)
    a = math.radians(skew)
    cx, cy = w / 2, h / 2
    out = []
    for wd in words:
        dx, dy = wd.left + wd.width / 2 - cx, wd.top + wd.height / 2 - cy
        nx = cx + dx * math.cos(a) + dy * math.sin(a)
        ny = cy - dx * math.sin(a) + dy * math.cos(a)
        out.append(wd.model_copy(update={"left": round(nx - wd.width / 2),
                                         "top": round(ny - wd.height / 2)}))
    return tuple(out)


def upright_words(words: Sequence[Word], rotation: int, w: int, h: int
                  ) -> tuple[tuple[Word, ...], int, int, float]:
    """Words of a w x h scan turned `rotation` degrees: their boxes on the upright, levelled
    page, that page's size, and the residual skew that levelled them."""
    upright = to_upright(words, rotation, w, h)
    uw, uh = (h, w) if rotation in (90, 270) else (w, h)
    skew = skew_from_words(upright)
    return level_words(upright, skew, uw, uh), uw, uh, skew


def _row_profile_score(ink: Image.Image, angle: float) -> float:
    turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
    rows = turned.resize((1, turned.height), Image.Resampling.BOX).tobytes()
    mean = sum(rows) / len(rows)
    return sum((v - mean) ** 2 for v in rows)


def estimate_skew(img: Image.Image, max_angle: float = 5.0) -> float:
    """Skew of horizontal text lines by projection profile: degrees counter-clockwise (as PIL's
    rotate) that make the rows of ink sharpest, searched coarse to fine (1°, 0.25°, 0.05°).
    0 when no angle is clearly better than none (little text, or lines that run vertically on
    a sideways page)."""
    ink = ImageOps.invert(_grey_thumbnail(img, 320))
    base = _row_profile_score(ink, 0.0)
    best, best_score = 0.0, base
    candidates = [float(a) for a in range(-round(max_angle), round(max_angle) + 1) if a]
    for step in (0.25, 0.05, None):
        for a in candidates:
            score = _row_profile_score(ink, a)
            if score > best_score:
                best, best_score = a, score
        if step is None:
            break
        candidates = [best + k * step for k in (-2, -1, 1, 2)]
    if abs(best) < 0.3 or best_score < 1.05 * base:
        return 0.0
    return round(best, 2)


def deskew(img: Image.Image, angle: float) -> Image.Image:
    if not angle:
        return img
    src = img.convert("L") if img.mode == "1" else img
    fill = 255 if src.mode == "L" else (255, 255, 255)
    return src.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=fill)


def as_grey(img: Image.Image) -> Image.Image:
    """`img` in grey: itself where it is grey already (never copied for nothing)."""
    return img if img.mode == "L" else img.convert("L")


def _grey_thumbnail(img: Image.Image, width: int = 400) -> Image.Image:
    grey = as_grey(img)
    scale = width / grey.width
    return grey.resize((width, max(1, round(grey.height * scale))), Image.Resampling.BOX)


def ink_ratio(img: Image.Image) -> float:
    """Share of dark pixels inside the page, margins (5%) excluded, on a small thumbnail."""
    thumb = _grey_thumbnail(img)
    mx, my = thumb.width // 20, thumb.height // 20
    core = thumb.crop((mx, my, thumb.width - mx, thumb.height - my))
    hist = core.histogram()
    return sum(hist[:128]) / max(1, sum(hist))


def is_blank(img: Image.Image, words: Sequence[Word]) -> bool:
    real_words = [w for w in words if w.conf >= 60 and len(w.text) > 1]
    return len(real_words) < 3 and ink_ratio(img) < 0.003


def compact_image(img: Image.Image) -> Image.Image:
    """The compact profile's desk copy: greyscale when the colour carries nothing, bilevel when
    the page is text on paper (few mid-tones)."""
    if img.mode == "1":
        return img
    if img.mode == "RGB":
        r, g, b = (_grey_thumbnail(c) for c in img.split())
        spread = [max(x, y, z) - min(x, y, z) for x, y, z in
                  zip(r.tobytes(), g.tobytes(), b.tobytes(), strict=True)]
        if sum(1 for s in spread if s > 40) > 0.01 * len(spread):
            return img  # a colour page (a seal, a photo): keep it
        img = img.convert("L")
    hist = _grey_thumbnail(img).histogram()
    mid = sum(hist[64:192]) / max(1, sum(hist))
    if mid < 0.04:
        return img.point(lambda v: 255 if v > 150 else 0).convert("1")
    return img


RED, BLUE = 0, 2  # bands of an RGB image
BLUE_MARGIN = 40  # how much bluer than red and green a pixel must be to be a pen's ink
INK_LEVEL = 170  # darker than this (grey level) is ink, of any colour
HAND_SHARE = 0.2  # a word at least this much of whose ink is blue was written by hand


def _tint(img: Image.Image, band: int, margin: int) -> Image.Image:
    """Where a colour band of an RGB image (0 red, 2 blue) exceeds both others by more than
    `margin`: 255 there, 0 elsewhere."""
    bands = img.split()
    ours, a, b = bands[band], *(bands[i] for i in range(3) if i != band)
    return ImageChops.darker(ImageChops.subtract(ours, a), ImageChops.subtract(ours, b)).point(
        lambda v: 255 if v > margin else 0)


def _may_show(img: Image.Image, band: int, margin: int) -> bool:
    """Whether an RGB image may hold pixels of that tint: looked for at half size with a third
    of the margin, which a pen's or a seal's stroke a pixel wide still passes (half of each
    2x2 block it crosses at least, over paper). False lets a page skip the full-size mask."""
    return _tint(img.reduce(2), band, margin // 3).getbbox() is not None


def _inks(img: Image.Image, grey: Image.Image | None) -> tuple[Image.Image, Image.Image]:
    """Masks of an RGB image (`grey`: the same in grey, where it is at hand): the pen's ink
    (blue and dark), and all ink."""
    ink = ink_mask(img if grey is None else grey)
    if not _may_show(img, BLUE, BLUE_MARGIN):
        return Image.new("L", img.size, 0), ink
    return ImageChops.darker(_tint(img, BLUE, BLUE_MARGIN), ink), ink


def ink_mask(img: Image.Image) -> Image.Image:
    """Where `img` is inked, of any colour: 255 there, 0 on the paper."""
    return as_grey(img).point(lambda v: 255 if v < INK_LEVEL else 0)


@dataclass(frozen=True)
class InkMasks:
    """A colour page's inks, each a mask (255 where inked) in the page's pixels: the pen's
    (blue and dark) and all ink. Made once a page (page_inks); every reading of handwriting
    crops them."""

    pen: Image.Image
    ink: Image.Image

    @property
    def width(self) -> int:
        return self.ink.width

    @property
    def height(self) -> int:
        return self.ink.height


def page_inks(img: Image.Image, grey: Image.Image | None = None) -> InkMasks | None:
    """The inks of a colour page (`grey`: the page in grey, where the caller made it already);
    None for a grey or bitonal one, which says nothing of a pen (desks scan in colour)."""
    return InkMasks(*_inks(img, grey)) if img.mode == "RGB" else None


def box_of(word: Word) -> Box:
    return word.left, word.top, word.left + word.width, word.top + word.height


def span(words: Sequence[Word]) -> Box:
    """The box around `words`."""
    return (min(w.left for w in words), min(w.top for w in words),
            max(w.left + w.width for w in words), max(w.top + w.height for w in words))


def typical_height(words: Sequence[Word], letters: int) -> int:
    """The median height of the words with at least `letters` letters or digits (0: none)."""
    heights = sorted(w.height for w in words if sum(c.isalnum() for c in w.text) >= letters)
    return heights[len(heights) // 2] if heights else 0


def pen_share(masks: InkMasks, word: Word) -> float:
    """How much of the ink in `word`'s box is the pen's."""
    box = box_of(word)
    inked = masks.ink.crop(box).histogram()[255]
    return masks.pen.crop(box).histogram()[255] / inked if inked else 0.0


def mark_handwriting(masks: InkMasks | None, words: Sequence[Word]) -> tuple[Word, ...]:
    """`words` (boxes in the page's pixels) with `hand` set where at least HAND_SHARE of a
    word's ink is blue: desks scan in colour, and ND 30 leaves the number and the day blank
    for the signer's office to write in. A grey or bitonal scan (no masks) says nothing."""
    if masks is None:
        return tuple(words)
    return tuple(w.model_copy(update={"hand": True}) if pen_share(masks, w) >= HAND_SHARE
                 else w for w in words)


@dataclass(frozen=True)
class Inks:
    """A word's box split by ink: what the pen wrote and what was printed, each black on
    white, and whether the pen's part comes first (left of the print)."""

    hand: Image.Image
    printed: Image.Image | None  # None: the word is all handwriting
    hand_first: bool


def _drawn(mask: Image.Image, pad: int = 0) -> Image.Image:
    """`mask`'s ink black on white, with `pad` of white around it."""
    out = Image.new("L", (mask.width + 2 * pad, mask.height + 2 * pad), 255)
    out.paste(0, (pad, pad), mask)
    return out


def split_inks(masks: InkMasks, word: Word, pad: int = 4) -> Inks:
    box = (max(0, word.left - pad), max(0, word.top - pad),
           min(masks.width, word.left + word.width + pad),
           min(masks.height, word.top + word.height + pad))
    hand, ink = masks.pen.crop(box), masks.ink.crop(box)
    printed = ImageChops.subtract(ink, hand)

    def centre(mask: Image.Image) -> float:
        cols = mask.resize((mask.width, 1), Image.Resampling.BOX).tobytes()
        total = sum(cols)
        return sum(i * v for i, v in enumerate(cols)) / total if total else 0.0

    has_print = printed.histogram()[255] >= 0.15 * max(1, ink.histogram()[255])
    return Inks(_drawn(hand), _drawn(printed) if has_print else None,
                centre(hand) <= centre(printed) if has_print else True)


PEN_GAP = 0.6  # a blank this many word-heights wide ends a run of the pen's ink
PEN_PAD = 20  # white around the pen's ink read alone: Tesseract misses a digit at the edge


def inked_columns(mask: Image.Image) -> list[bool]:
    """Per column of `mask`, whether any of its pixels is inked."""
    return [v > 0 for v in mask.resize((mask.width, 1), Image.Resampling.BOX).tobytes()]


def column_runs(cols: Sequence[bool], gap: int) -> list[tuple[int, int]]:
    """(first, last) inked column of each run, runs apart where more than `gap` columns
    lie between one's last ink and the next's first."""
    runs: list[tuple[int, int]] = []
    for x, on in enumerate(cols):
        if not on:
            continue
        if runs and x - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], x)
        else:
            runs.append((x, x))
    return runs


def glyph_columns(drawn: Image.Image, least: int = 3) -> list[tuple[int, int]]:
    """(first, last) column of each run of ink in a black-on-white image that blank columns
    part, at least `least` wide: a hand's digits, where they do not touch."""
    runs = column_runs(inked_columns(ImageOps.invert(drawn.convert("L"))), 1)
    return [(a, b) for a, b in runs if b - a + 1 >= least]


def pen_extent(masks: InkMasks, word: Word) -> Box | None:
    """The box of the whole run of pen's ink that `word` (a box in the page's pixels) holds
    part of: Tesseract's word boxes cut a handwritten number where it runs into the print or
    leans out of the line ("„5" and "sg/GM" for 4538/GM), so its digits are read from
    here. None where the word holds no pen's ink."""
    h = max(1, word.height)
    band = (max(0, word.left - 4 * h), max(0, word.top - h),
            min(masks.width, word.left + word.width + 4 * h), min(masks.height, word.top + 2 * h))
    pen = masks.pen.crop(band)
    cols = inked_columns(pen)
    own = [i for i in range(word.left - band[0], word.left + word.width - band[0]) if cols[i]]
    if not own:
        return None
    held = [r for r in column_runs(cols, round(PEN_GAP * h)) if r[1] >= own[0] and
            r[0] <= own[-1]]
    start, end = held[0][0], held[-1][1]
    rows = [v > 0 for v in pen.crop((start, 0, end + 1, pen.height)).resize(
        (1, pen.height), Image.Resampling.BOX).tobytes()]
    top = rows.index(True)
    bottom = len(rows) - rows[::-1].index(True)
    return band[0] + start, band[1] + top, band[0] + end + 1, band[1] + bottom


def pen_ink(masks: InkMasks, box: Box) -> Image.Image:
    """The pen's ink in `box`, black on white with PEN_PAD of white around it."""
    return _drawn(masks.pen.crop(box), PEN_PAD)


STRAY_STRIP = 4  # rows looked at together when finding pen's ink that no word holds


def stray_pen(masks: InkMasks, held: Sequence[Box], least: int) -> list[Box]:
    """Boxes of the pen's ink that none of the `held` boxes covers, at least `least` pixels
    high: Tesseract reads no word at all for some lone handwritten digits ("tháng 7 năm"
    comes out "tháng năm"). Runs on one line are apart where a blank PEN_GAP of their height
    wide separates them."""
    if masks.pen.getbbox() is None:
        return []
    pen = masks.pen.copy()
    draw = ImageDraw.Draw(pen)
    for x0, y0, x1, y1 in held:
        draw.rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), fill=0)
    inked = strip_columns(pen, STRAY_STRIP).any(axis=1).tolist()
    boxes: list[Box] = []
    for key, group in groupby(enumerate(inked), key=lambda t: t[1]):
        strips = [i for i, _ in group]
        if not key:
            continue
        top, bottom = strips[0] * STRAY_STRIP, min(pen.height, (strips[-1] + 1) * STRAY_STRIP)
        if bottom - top < least:
            continue
        band = pen.crop((0, top, pen.width, bottom))
        for start, last in column_runs(inked_columns(band), round(PEN_GAP * (bottom - top))):
            found = band.crop((start, 0, last + 1, band.height)).getbbox()
            if found is not None:
                boxes.append((start, top + found[1], last + 1, top + found[3]))
    return [b for b in boxes if b[3] - b[1] >= least]


RED_MARGIN = 70  # how much redder than green and blue a pixel must be to be seal ink
RED_SHARE = 0.002  # pages with less red than this (a red underline) are left alone


def drop_red(img: Image.Image) -> Image.Image | None:
    """A copy for Tesseract with red ink (seals, received-stamps) turned white, as desks scan
    in colour and a seal over the signature block makes Tesseract skip the block; None when
    the page is not colour or shows no red. The stored scan keeps its seal: only what is
    read changes. Blue (handwritten numbers and dates) is content and stays."""
    if img.mode != "RGB" or not _may_show(img, RED, RED_MARGIN):
        return None
    mask = _tint(img, RED, RED_MARGIN)
    hist = mask.histogram()
    if hist[255] < RED_SHARE * img.width * img.height:
        return None
    cleaned = img.copy()
    cleaned.paste((255, 255, 255), (0, 0), mask)
    return cleaned
