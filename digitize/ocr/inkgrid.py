"""An ink mask (255 where inked) looked at in bulk with numpy: which columns of each strip of
rows hold ink, the runs of a row of flags, and straight rules. The page's layout readers
(columns.left_column, order.column_bands, order.frames) walk a page strip by strip; asking
the pixels once here, rather than cropping and scaling the image for every strip, keeps them
a few milliseconds a page beside Tesseract's pass."""

from __future__ import annotations

import numpy as np
from PIL import Image


def strip_columns(mask: Image.Image, strip: int, above: int | None = None) -> np.ndarray:
    """Per strip of `strip` rows (the strips that start above row `above`, else all), per
    column: whether any of its pixels is inked. Shape (strips, width), bool."""
    arr = np.asarray(mask.convert("L") if mask.mode != "L" else mask)
    h, w = arr.shape
    n = -(-(h if above is None else min(h, above)) // strip)
    h = min(h, n * strip)
    grid = np.zeros((n * strip, w), dtype=bool)
    grid[:h] = arr[:h] > 0
    return grid.reshape(n, strip, w).any(axis=1)


def true_runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends (exclusive) of the runs of True in a row of flags."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def widest_run(flags: np.ndarray, least: int) -> tuple[int, int] | None:
    """The widest run of True (start, end exclusive), where it is at least `least` long."""
    starts, ends = true_runs(flags)
    if not len(starts):
        return None
    best = int(np.argmax(ends - starts))  # the first of equally wide runs, as max() keeps
    a, b = int(starts[best]), int(ends[best])
    return (a, b) if b - a >= least else None


def _runs_along_rows(ink: np.ndarray, length: int) -> np.ndarray:
    """The pixels of each run of ink along a row at least `length` long, from the runs' ends.
    Only rows that can hold one are walked: a run of `length` covers at least (length - 7) // 8
    whole bytes of the row packed 8 pixels to a byte, and rows of print seldom have that many
    in a row (a page's rules are on few of its rows)."""
    h, w = ink.shape
    out = np.zeros((h, w), dtype=bool)
    whole = (length - 7) // 8
    rows = np.arange(h)
    if whole >= 1:
        sums = np.cumsum(np.packbits(ink, axis=1) == 255, axis=1, dtype=np.int32)
        windows = sums[:, whole - 1:].copy()
        windows[:, 1:] -= sums[:, :-whole]
        rows = np.flatnonzero((windows >= whole).any(axis=1))
        if not len(rows):
            return out
    flat = np.zeros((len(rows), w + 1), dtype=np.int8)  # a blank column ends every row's run
    flat[:, :w] = ink[rows]
    edges = np.diff(flat.ravel(), prepend=np.int8(0))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    keep = ends - starts >= length
    hit = np.zeros(flat.size, dtype=bool)
    for start, end in zip(starts[keep].tolist(), ends[keep].tolist(), strict=True):
        hit[start:end] = True  # rules are few: a frame's sides, a table's lines
    out[rows] = hit.reshape(len(rows), w + 1)[:, :w]
    return out


def _shifted(rows: np.ndarray, by: int, back: bool) -> np.ndarray:
    """`rows` moved `by` rows up (down, `back`), blank rows coming in at the edge."""
    out = np.zeros_like(rows)
    h = rows.shape[0]
    if by < h:
        if back:
            out[by:] = rows[:h - by]
        else:
            out[:h - by] = rows[by:]
    return out


def _window(bits: np.ndarray, length: int, op: np.ufunc, back: bool) -> np.ndarray:
    """`op` (and, or) over `length` rows of `bits`, each row with the `length` - 1 after it
    (before it, `back`), rows past the edge blank: by doubling, log2(length) passes."""
    span, acc = 1, bits
    while 2 * span <= length:
        acc = op(acc, _shifted(acc, span, back))
        span *= 2
    rest = length - span  # two windows of `span` rows that overlap cover `length`
    return op(acc, _shifted(acc, rest, back)) if rest else acc


def _runs_down_columns(ink: np.ndarray, length: int) -> np.ndarray:
    """The pixels of each run of ink down a column at least `length` long: the opening by a
    vertical line, computed on the mask packed 8 columns to a byte (every bit a column of its
    own), where transposing the page to walk its columns costs more than the rest."""
    w = ink.shape[1]
    packed = np.packbits(ink, axis=1)
    eroded = _window(packed, length, np.bitwise_and, back=False)
    opened = _window(eroded, length, np.bitwise_or, back=True)
    return np.unpackbits(opened, axis=1, count=w).view(bool)


def rules(ink: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Where `ink` (bool) runs straight for at least `length` pixels along `axis` (1: rows):
    the pixels of each run of ink at least that long (a morphological opening by a line
    `length` long), at a cost that does not grow with `length` as a running minimum's does."""
    if axis == 1:
        return _runs_along_rows(ink, length)
    return _runs_down_columns(ink, length)
