"""Layout segments: runs of words on one line that belong together. Tesseract joins the two
header columns of an ND 30 document into one line, so lines are split at wide gaps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from statistics import median

from digitize.extract.calibration import FLAGGED
from digitize.extract.text import clean
from digitize.model import Word

NO_PEN = -1.0  # Segment.pen of a printed word


@dataclass(frozen=True)
class Segment:
    text: str
    page: int
    x0: float  # fractions of the page width / height; -1 when there is no geometry (plain text)
    y0: float
    x1: float
    y1: float
    conf: float  # 0..1
    word_conf: tuple[float, ...] = ()  # 0..1, one per word of `text` (empty: only `conf`)
    # One per word of `text`: the handwriting model's own score (0..1) for what a pen wrote,
    # NO_PEN for print; empty where the segment holds no handwriting.
    pen: tuple[float, ...] = ()
    # One per word of `text` where `pen` is: whether a second reader read the pen's digits
    # alike (ocr.blanks).
    agreed: tuple[bool, ...] = ()

    @property
    def has_geometry(self) -> bool:
        return self.x0 >= 0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def low(self) -> float:
        """The confidence of the least sure word: one garbled word makes a value doubtful
        however well the rest of its line reads."""
        return min(self.word_conf) if self.word_conf else self.conf

    def conf_of(self, start: int, end: int) -> float:
        """The lowest confidence of the words that text[start:end] touches (a handwritten
        number in a printed line is read with less confidence than the line around it)."""
        if not self.word_conf:
            return self.conf
        found, pos = [], 0
        for word, conf in zip(self.text.split(" "), self.word_conf, strict=False):
            if pos < end and pos + len(word) > start:
                found.append(conf)
            pos += len(word) + 1
        return min(found, default=self.conf)

    @property
    def pen_low(self) -> float | None:
        """The lowest handwriting-model score of the pen's words; None where there are none."""
        return min((score for word, score in zip(self.text.split(" "), self.pen, strict=False)
                    if word and score != NO_PEN), default=None)


    @property
    def pen_agreed(self) -> bool:
        """Whether a pen wrote some of the words and a second reader read each of them alike."""
        pens = [i for i, score in enumerate(self.pen) if score != NO_PEN]
        return bool(pens) and len(self.agreed) == len(self.pen) and all(
            self.agreed[i] for i in pens)


def joined_pen(a: Segment, b: Segment) -> dict[str, tuple[float, ...] | tuple[bool, ...]]:
    """Segment.pen and Segment.agreed of `a` and `b` read as one run, `a` first."""
    if not a.pen and not b.pen:
        return {"pen": (), "agreed": ()}
    na, nb = len(a.text.split(" ")), len(b.text.split(" "))
    return {"pen": (a.pen or (NO_PEN,) * na) + (b.pen or (NO_PEN,) * nb),
            "agreed": (a.agreed or (False,) * na) + (b.agreed or (False,) * nb)}


def same_line(a: Segment, b: Segment) -> bool:
    """Whether `b` lies to the right of `a` on the same line of the same page."""
    return a.has_geometry and b.has_geometry and a.page == b.page and b.x0 > a.x0 and \
        abs(a.y0 - b.y0) < max(a.height, b.height) * 0.6


def _split(words: Sequence[Word]) -> list[list[Word]]:
    # Letters set the scale: dashes and rules read as "-" or "¬" are a few pixels high.
    height = median([w.height for w in words if any(c.isalnum() for c in w.text)]
                    or [w.height for w in words])
    runs: list[list[Word]] = [[words[0]]]
    for prev, word in pairwise(words):
        if word.left - (prev.left + prev.width) > 2.5 * height:
            runs.append([word])
        else:
            runs[-1].append(word)
    return runs


def _trusted(word: Word) -> float:
    """Tesseract's confidence, but no more than a rule's doubt for what a pen wrote: its score
    on handwriting says little ("802" for 892 at 98), so a value that holds it is checked."""
    return min(word.conf, FLAGGED * 100) if word.hand else word.conf


def segments_from_words(pages: Iterable[tuple[int, int, int, Sequence[Word]]]) -> list[Segment]:
    """`pages` yields (page index, width px, height px, words) in reading order."""
    out: list[tuple[tuple[int, float, float], Segment]] = []
    for page, width, height, words in pages:
        keyed = groupby(words, key=lambda w: (w.block, w.par, w.line))
        for _, group in keyed:
            line = sorted(group, key=lambda w: w.left)
            # The runs of one line stay in its order, whichever word rides higher.
            top = round(min(w.top for w in line) / height, 3)
            for run in _split(line):
                # One cleaned word per confidence, so that text.split(" ") lines up with them.
                pieces = [(part, _trusted(w), w) for w in run for part in clean(w.text).split()]
                if not pieces:
                    continue
                seg = Segment(
                    text=" ".join(p for p, _, _ in pieces), page=page,
                    x0=min(w.left for w in run) / width, y0=min(w.top for w in run) / height,
                    x1=max(w.left + w.width for w in run) / width,
                    y1=max(w.top + w.height for w in run) / height,
                    conf=max(0.0, min(1.0, sum(_trusted(w) for w in run) / len(run) / 100)),
                    word_conf=tuple(max(0.0, min(1.0, c / 100)) for _, c, _ in pieces),
                    pen=tuple(max(0.0, min(1.0, w.conf / 100)) if w.hand else NO_PEN
                              for _, _, w in pieces) if any(w.hand for w in run) else (),
                    agreed=tuple(w.agreed for _, _, w in pieces) if any(
                        w.hand for w in run) else (),
                )
                out.append(((page, top, seg.x0), seg))
    out.sort(key=lambda keyed: keyed[0])
    return [seg for _, seg in out]


def segments_from_text(text: str, conf: float = 1.0) -> list[Segment]:
    """Plain text has no geometry: one segment per non-empty line; form feeds separate pages."""
    out: list[Segment] = []
    for page, chunk in enumerate(text.split("\f")):
        for line in chunk.splitlines():
            if clean(line):
                out.append(Segment(clean(line), page, -1, -1, -1, -1, conf))
    return out
