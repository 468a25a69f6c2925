"""The trích yếu as ND 30 writes it under a tên loại: its first words, and its lines told from
what a stamp in the margin puts beside or between them."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digitize.extract.found import SUSPECT_CONF
from digitize.extract.layout import Segment
from digitize.extract.text import fold
from digitize.extract.vocab import distance
from digitize.extract.wordpairs import paired_low

_VE_VIEC = re.compile(r"^(\S{1,3})\s+(vi[eệê]c)\b", re.IGNORECASE)


def sentence_head(text: str, conf: float) -> tuple[str, float]:
    """A trích yếu under a tên loại as ND 30 writes it: a sentence, its first letter a
    capital; "Về việc" whose first word OCR garbled ("và việc", "N việc") is put right, and
    the clerk checks it (not where only its case or marks were read otherwise: "về việc",
    "Vé việc" can only be Về việc)."""
    m = _VE_VIEC.match(text)
    if m and m.group(1) != "Về" and (len(m.group(1)) == 1 or
                                      distance(fold(m.group(1)), "VE", 1) <= 1):
        sure = conf if fold(m.group(1)).upper() == "VE" else min(conf, SUSPECT_CONF)
        return "Về việc" + text[m.end():], sure
    if text[:1].islower():
        return text[:1].upper() + text[1:], conf
    return text, conf


def prose_low(parts: Sequence[Segment]) -> float:
    """The raw score of prose read from these lines (a trích yếu): its least sure word, the
    words of the word list's pairs vouching for each other across the lines as within them
    (wordpairs.paired_low)."""
    words: list[str] = []
    confs: list[float] = []
    for s in parts:
        said = s.text.split(" ")
        words += said
        confs += list(s.word_conf) if len(s.word_conf) == len(said) else [s.conf] * len(said)
    return paired_low(words, confs)


def in_margin(s: Segment) -> bool:
    """Wholly in the page's left or right fifth: no line of a centred trích yếu is."""
    return s.has_geometry and (s.x1 < 0.3 or s.x0 > 0.7)


def after_rule(text: str) -> str:
    """A line's text after a vertical rule read as "|": what stands before it is a stamp's
    (a received stamp's frame beside "Về việc …"); a trích yếu has no "|"."""
    _head, bar, tail = text.rpartition(" | ")
    return tail if bar and len(tail.split()) >= 2 else text
