"""A hand's digits read by a model learned from handwriting, not by Tesseract: its networks
read print, and on the numbers and days the văn thư writes into ND 30's blanks they read
"46" as 4 and "24" as 4. The ink of a blank is cut into glyphs (blank columns part them;
two digits that touch are cut where the least ink crosses), each glyph is scaled into a
16×16 grid as the optdigits data set was made, and a multinomial logistic regression names
the digit. The model is data: hand_digits.json beside this module, fitted by
`benchmarks/train_digits.py` (scikit-learn) on the handwritten digits scikit-learn ships
(UCI optdigits, 43 writers) and the labelled digits of real pages kept in
`benchmarks/data/hand_digits.json`, with its seed. DIGITIZE_HAND_DIGITS names another model
file (the benchmark reads each real page with a model that never saw it)."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
from PIL import Image

from digitize.ocr.inkgrid import true_runs
from digitize.shipped import load

GRID = 16
SIDE = 32  # a glyph is scaled into SIDE×SIDE, then averaged down to GRID×GRID
MIN_INK = 20  # pixels: less is a speck
TOUCHING = 0.9  # a run of ink wider than this many of its heights holds two digits


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) of each run of True, end exclusive."""
    starts, ends = true_runs(flags)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _main_band(ink: np.ndarray) -> np.ndarray:
    """The rows of the digits: a rule printed above or below (an agency's underline) and
    specks are other runs of inked rows."""
    runs = [(a, b) for a, b in _runs(ink.any(axis=1))
            if not (b - a <= max(3, ink.shape[0] // 20)
                    and ink[a:b].sum(axis=1).max() > 0.5 * ink.shape[1])]
    if not runs:
        return ink
    a, b = max(runs, key=lambda r: int(ink[r[0]:r[1]].sum()))
    return ink[a:b]


def glyphs(ink: np.ndarray) -> list[np.ndarray]:
    """The digits of a blank's ink (True where inked), left to right."""
    band = _main_band(ink)
    h = band.shape[0]
    out: list[np.ndarray] = []
    for a, b in (r for r in _runs(band.any(axis=0)) if r[1] - r[0] >= 3):
        width = b - a
        if width <= TOUCHING * h:
            cuts = [a, b]
        else:
            n = max(2, round(width / (0.6 * h)))
            profile = band[:, a:b].sum(axis=0)
            cuts = [a]
            for k in range(1, n):
                lo, hi = int(width * (k / n - 0.15)), int(width * (k / n + 0.15))
                cuts.append(a + lo + int(np.argmin(profile[lo:hi])))
            cuts.append(b)
        out += [band[:, x0:x1] for x0, x1 in pairwise(cuts)]
    return [g for g in out if int(g.sum()) > MIN_INK]


def features(glyph: np.ndarray) -> np.ndarray:
    """The glyph's ink in its box, centred in a square, as GRID×GRID shares of ink."""
    ys, xs = np.nonzero(glyph)
    g = glyph[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = g.shape
    side = max(h, w)
    square = np.zeros((side, side), dtype=np.uint8)
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = g * 255
    scaled = np.asarray(Image.fromarray(square).resize((SIDE, SIDE), Image.BILINEAR),
                        dtype=np.float64)
    step = SIDE // GRID
    return scaled.reshape(GRID, step, GRID, step).mean(axis=(1, 3)).reshape(-1) / 255.0


@dataclass(frozen=True)
class DigitModel:
    coef: np.ndarray  # 10 × GRID²
    intercept: np.ndarray  # 10
    about: dict[str, object]

    def probabilities(self, glyph: np.ndarray) -> np.ndarray:
        z = self.coef @ features(glyph) + self.intercept
        e = np.exp(z - z.max())
        return e / e.sum()

    def read(self, ink: np.ndarray) -> tuple[str, float]:
        """The digits in a blank's ink and the probability that all of them are right as
        the model sees it; ("", 0) where there is no glyph."""
        found = glyphs(ink)
        if not found:
            return "", 0.0
        probs = [self.probabilities(g) for g in found]
        return "".join(str(int(p.argmax())) for p in probs), float(np.prod([p.max()
                                                                            for p in probs]))

    def to_json(self) -> dict[str, object]:
        return {"about": self.about, "grid": GRID,
                "coef": [[round(float(v), 6) for v in row] for row in self.coef],
                "intercept": [round(float(v), 6) for v in self.intercept]}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DigitModel:
        coef = data["coef"]
        intercept = data["intercept"]
        assert isinstance(coef, Sequence) and isinstance(intercept, Sequence)
        return cls(np.array(coef, dtype=np.float64), np.array(intercept, dtype=np.float64),
                   dict(data.get("about", {})))  # type: ignore[arg-type]


@functools.cache
def _load(path: str) -> DigitModel | None:
    return load(__package__, "hand_digits.json", DigitModel.from_json,
                Path(path) if path else None)


def model() -> DigitModel | None:
    """The model in use: DIGITIZE_HAND_DIGITS's file, else the shipped one (None if none)."""
    return _load(os.environ.get("DIGITIZE_HAND_DIGITS", ""))
