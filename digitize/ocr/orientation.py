"""Whether a page is plainly upright, told cheaply before Tesseract reads it.

Tesseract's orientation detection (`--psm 1`) costs about a third of its page pass (0.19 of
0.61 CPU s a page on the benchmark's upright pages), and on an upright page the pass without
it (`--psm 3`) writes the same hOCR byte for byte. So a page whose own ink says it is upright
is read without it, and that reading is kept where it reads like an upright page's text
(`read_well`). Anything else (a sideways or upside-down page, a page with too little ink to
tell, a reading that is no upright text) is read with Tesseract's detection, as before. A
wrong guess costs a page pass, never the text.

The ink tells two things on a small levelled copy of the page (about 100 dpi):
- lines of text run across it: the profile of ink per row rises and falls with the lines far
  more than the profile per column does (the ratio of their squared coefficients of
  variation is about 7 or more on every upright or upside-down page of the benchmark, under
  0.3 on every sideways one);
- the page is not upside down: in each line of Latin script the densest band (the letters'
  x-height) sits low, with more ink above it (ascenders, capitals, and in Vietnamese the
  tone and vowel marks) than below it (descenders, the dot below). Over the benchmark's
  pages, above/below is 2.37 or more when upright and 0.5 or less upside down; most
  lines must lean the same way too (a seal or a table, one "line" with much ink, can tip the
  sum but not the count).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

import numpy as np
from PIL import Image

from digitize.model import Word

LOOK_DPI = 100  # enough for a body line's x-height to be several pixels high
INK_DEPTH = 0.3  # of the way from the paper's shade to the darkest ink's
LINES_ACROSS = 2.0  # row profile against column profile (squared coefficients of variation)
INK_ABOVE = 1.3  # ink above the lines' x-height band against ink below it
# What a reading of an upright page looks like: Tesseract's words of two letters or more,
# enough of them, half of them read at least this sure (a page read upside down or turned
# clockwise comes out as noise with a median of 20-50; the right way up, 96-97), and words of
# three letters or more lying across the page: without orientation detection Tesseract reads
# a page turned counter-clockwise as vertical lines, as sure as an upright one, with every
# word's box taller than wide (99-100 % of them wider than tall on upright pages, 0-2 % there).
TEXT_WORDS = 3
TEXT_MEDIAN_CONF = 80.0
TEXT_ACROSS = 0.8


def looks_upright(grey: Image.Image, dpi: int, skew: float) -> bool:
    """Whether the grey page `grey` (at `dpi`, levelled by turning it `skew` degrees
    counter-clockwise) plainly has lines of text the right way up."""
    small = grey.reduce(max(1, round(dpi / LOOK_DPI)))  # box averages, 4x quicker than resize
    if skew:
        small = small.rotate(skew, resample=Image.Resampling.BILINEAR, fillcolor=255)
    shades = np.cumsum(small.histogram()) / (small.width * small.height)
    paper, darkest = int(np.searchsorted(shades, 0.9)), int(np.searchsorted(shades, 0.001))
    if paper - darkest < 32:
        return False  # no ink to speak of: a blank page
    pixels = np.asarray(small, dtype=np.uint8)
    # Ink: the light grey of thin strokes at this size too (a tone mark is one pixel wide).
    ink = pixels < paper - INK_DEPTH * (paper - darkest)
    rows, cols = ink.sum(axis=1), ink.sum(axis=0)
    if _variation(rows) < LINES_ACROSS * _variation(cols):
        return False
    above, below, lines_up, lines_down = _ink_around_lines(rows)
    # Most of the ink and most of the lines: a seal or a table counts as one line, not more.
    return above > 0 and above >= INK_ABOVE * below and lines_up > lines_down


def _variation(profile: np.ndarray) -> float:
    mean = float(profile.mean())
    return float(profile.var()) / (mean * mean) if mean else 0.0


def _ink_around_lines(rows: np.ndarray, threshold: float = 0.08, min_rows: int = 4
                      ) -> tuple[float, float, int, int]:
    """Ink above and below the densest band (the x-height) of each line of the row profile,
    summed over the lines, and how many lines have more above and how many more below: a
    line is a run of at least `min_rows` rows with more than `threshold` of the fullest
    row's ink."""
    on = rows > threshold * rows.max()
    # Starts and ends of the runs of rows with ink.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], on.astype(np.int8), [0]))))
    above = below = 0.0
    lines_up = lines_down = 0
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if end - start < min_rows:
            continue
        line = rows[start:end].astype(float)
        band = np.flatnonzero(line >= 0.5 * line.max())
        over, under = float(line[:band[0]].sum()), float(line[band[-1] + 1:].sum())
        above, below = above + over, below + under
        lines_up, lines_down = lines_up + (over > under), lines_down + (under > over)
    return above, below, lines_up, lines_down


def read_well(words: Sequence[Word]) -> bool:
    """Whether Tesseract's words read like an upright page's text rather than like a page
    turned another way."""
    lettered = [(w, sum(c.isalpha() for c in w.text)) for w in words]
    confs = [w.conf for w, letters in lettered if letters >= 2]
    if len(confs) < TEXT_WORDS or statistics.median(confs) < TEXT_MEDIAN_CONF:
        return False
    long = [w for w, letters in lettered if letters >= 3]
    return sum(w.width > w.height for w in long) >= TEXT_ACROSS * len(long)
