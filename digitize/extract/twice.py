"""A pen's digits read twice. The handwriting model (ocr.handdigits) reads the number and the
day a văn thư wrote into ND 30's blanks; second readers that share neither its cut into
glyphs nor its training (a network learned from MNIST's writers, and Tesseract's network,
digits only, on the same ink) read them again, and the OCR stage marks the word `agreed` where
one of them reads the same digits (ocr.blanks); below, "the second reader" is the two
together.

Two readers can agree on a wrong reading (both lose a faint first digit), but seldom. Of the
model's sure readings (PEN_SURE) a share e is wrong; the second reader agrees with a right
reading with probability a and with a wrong one with probability c; so a sure reading both
agree on is right with probability (1 - e)·a / ((1 - e)·a + e·c) (Bayes' rule). e, a and c
are counted on real pages (benchmarks/extraction_eval.py --real counts them per fold from the
other folds, each count smoothed as (k + 1) / (n + 2)): e on the sure readings, a and c on
all the model's readings, sure or not, as the second reader never sees the model's score (and
a wrong reading is rare among the sure ones: counted there alone, c would be the smoothing's).
Where that probability reaches the desk's review threshold, the value is not sent to the
clerk; a value some other rule doubted (a printed word of its line read badly) is left as it
is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from digitize.extract.calibration import FLAGGED
from digitize.extract.layout import Segment
from digitize.model import Extraction

PEN_SURE = 0.85  # the handwriting model's score from which its reading counts as sure
PEN_FIELDS = ("number", "issued_date")  # what a văn thư writes into ND 30's blanks


@dataclass(frozen=True)
class Reading:
    """One of the handwriting model's readings on a page whose truth is known."""

    right: bool
    sure: bool  # its score reached PEN_SURE
    agreed: bool  # the second reader read the same digits


@dataclass(frozen=True)
class Agreement:
    """How the two readers of a pen's sure reading behave, measured on real pages."""

    wrong: float  # e: the share of the model's sure readings that are wrong
    agreed_right: float  # a: how often the second reader agrees with a right reading
    agreed_wrong: float  # c: how often it agrees with a wrong one

    @classmethod
    def counted(cls, readings: Sequence[Reading]) -> Agreement:
        """From the model's readings, each share smoothed (k + 1) / (n + 2) (see the module)."""
        sure = [r.right for r in readings if r.sure]
        right = [r.agreed for r in readings if r.right]
        wrong = [r.agreed for r in readings if not r.right]
        return cls((sure.count(False) + 1) / (len(sure) + 2),
                   (sum(right) + 1) / (len(right) + 2), (sum(wrong) + 1) / (len(wrong) + 2))

    def probability(self) -> float:
        """The probability that a sure reading both readers agree on is right."""
        right = (1 - self.wrong) * self.agreed_right
        return right / (right + self.wrong * self.agreed_wrong) if right > 0 else 0.0


# Counted on ../shared/real/qng's 32 scans on 2026-12-05 (all folds; extraction_eval.py
# --real prints the counts and each fold's figures): 2 of the 30 sure readings wrong; the
# second readers (one or the other) agreed with 25 of the 38 right readings and with none of
# the 5 wrong ones (Tesseract alone: 15 of 38; the MNIST network alone: 18 of 38).
MEASURED = Agreement((2 + 1) / (30 + 2), (25 + 1) / (38 + 2), (0 + 1) / (5 + 2))
NEVER = Agreement(1.0, 0.0, 1.0)  # no agreement lifts a value (to measure without it)


def pen_lines(ex: Extraction, field: str, segs: Sequence[Segment]) -> list[Segment]:
    """The segments with a pen's words on the line(s) `field` was read from (its evidence)."""
    ev = ex.evidence.get(field)
    if ev is None:
        return []
    x0, y0, x1, y1 = ev.box
    eps = 1e-6
    return [s for s in segs if s.pen and s.page == ev.page and s.x0 >= x0 - eps and
            s.y0 >= y0 - eps and s.x1 <= x1 + eps and s.y1 <= y1 + eps]


def _lowest(lines: Sequence[Segment]) -> float | None:
    return min((v for s in lines if (v := s.pen_low) is not None), default=None)


def _all_agreed(lines: Sequence[Segment]) -> bool:
    return bool(lines) and all(s.pen_agreed for s in lines if s.pen_low is not None)


def pen_score(ex: Extraction, field: str, segs: Sequence[Segment]) -> float | None:
    """The handwriting model's lowest score for the pen's words on the line(s) `field` was
    read from; None where a pen wrote none of it."""
    return _lowest(pen_lines(ex, field, segs))


def agreed(ex: Extraction, field: str, segs: Sequence[Segment]) -> bool:
    """Whether every pen's word `field` was read from was read alike by the second reader."""
    return _all_agreed(pen_lines(ex, field, segs))


def read_twice(ex: Extraction, segs: Sequence[Segment], min_conf: float,
               agreement: Agreement = MEASURED) -> Extraction:
    """`ex` with each pen's sure number or day that both readers read alike at the probability
    of such readings (see the module), out of review where that reaches `min_conf`; only where
    the pen is all that held the value back (its score is the pen's cap, FLAGGED)."""
    sure = round(agreement.probability(), 3)
    conf, review = dict(ex.confidence), ex.review
    for field in PEN_FIELDS:
        lines = pen_lines(ex, field, segs)
        score = _lowest(lines)
        if field not in ex.metadata or score is None or score < PEN_SURE or \
                conf.get(field, 0.0) < FLAGGED or sure <= conf.get(field, 0.0) or \
                not _all_agreed(lines):
            continue
        conf[field] = sure
        if sure >= min_conf:
            review = tuple(k for k in review if k != field)
    if conf == ex.confidence:
        return ex
    return ex.model_copy(update={"confidence": conf, "review": review})
