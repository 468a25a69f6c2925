"""Which values a clerk must check, learned from documents whose truth is known.

Per kind of field (calibration.GROUPS), a logistic regression gives the probability that a
value is right from what the reader knows of it: its raw score on a log scale (the least sure
OCR word, lowered by the rules that catch written-in or garbled values), whether it came from
a text layer (a score of exactly 1: the issuing office's own text) and the share of its words
that are no Vietnamese syllable (Viet74K's syllables: "Nøãi", "phỗ" are none; names and tone
slips that make another real syllable are not caught this way). The coefficients live in
review_model.json beside this module, fitted by `benchmarks/train_review.py` (scikit-learn)
on the labelled observations kept in `benchmarks/data/review_observations.jsonl`, with the
seed and sources it names; groups the model does not cover keep the isotonic calibration
(calibration.py)."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from digitize.extract import calibration
from digitize.extract.wordpairs import word_list
from digitize.shipped import load

FEATURES = ("sureness", "text_layer", "odd_words")
_LETTERS = re.compile(r"[^\W\d_]+")


@functools.cache
def syllables() -> frozenset[str]:
    """Every syllable of Viet74K, lower case, NFC."""
    text = unicodedata.normalize("NFC", word_list().read_text(encoding="utf-8").lower())
    return frozenset(text.replace("-", " ").split())


def odd_words(value: str) -> float:
    """The share of a text's words that are no Vietnamese syllable; an abbreviation in capitals
    inside mixed-case text ("UBND", "TNHH") is not a word."""
    text = unicodedata.normalize("NFC", value)
    upper = text.upper() == text
    words = [w for w in _LETTERS.findall(text) if upper or not (w.isupper() and len(w) >= 2)]
    if not words:
        return 0.0
    known = syllables()
    return sum(w.lower() not in known for w in words) / len(words)


def features(field: str, raw: float, value: object) -> tuple[float, float, float]:
    words = odd_words(value) if isinstance(value, str) and calibration.group(field) in (
        "text", "person", "agency", "title", "place", "type") else 0.0
    # Doubt on a log scale: 0.9 and 0.99 are as far apart as 0.99 and 0.999.
    return (-math.log10(1.001 - min(1.0, raw)), 1.0 if raw >= 0.999 else 0.0, words)


@dataclass(frozen=True)
class GroupFit:
    coef: tuple[float, ...]
    intercept: float

    def probability(self, x: Sequence[float]) -> float:
        z = self.intercept + sum(c * v for c, v in zip(self.coef, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


@dataclass(frozen=True)
class ReviewModel:
    groups: Mapping[str, GroupFit]
    about: Mapping[str, object]

    def probability(self, field: str, raw: float, value: object) -> float:
        """The probability that `value` (raw score `raw`) is right. A rule's doubt (a score at
        or under calibration.FLAGGED) and counted fields keep their score; a group the model
        does not cover is calibrated as before."""
        if field in calibration.EXACT or raw <= calibration.FLAGGED:
            return raw
        fit = self.groups.get(calibration.group(field))
        if fit is None:
            return calibration.calibrated(field, raw)
        return fit.probability(features(field, raw, value))

    def to_json(self) -> dict[str, object]:
        return {"about": dict(self.about), "features": list(FEATURES),
                "groups": {g: {"coef": [round(c, 6) for c in f.coef],
                               "intercept": round(f.intercept, 6)}
                           for g, f in sorted(self.groups.items())}}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ReviewModel:
        groups = data.get("groups", {})
        assert isinstance(groups, dict)
        return cls({g: GroupFit(tuple(v["coef"]), float(v["intercept"]))
                    for g, v in groups.items()}, dict(data.get("about", {})))  # type: ignore[arg-type]


@functools.cache
def shipped() -> ReviewModel | None:
    return load(__package__, "review_model.json", ReviewModel.from_json)
