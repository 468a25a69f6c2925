"""The trích yếu's first words as ND 30 writes them under a tên loại."""

from __future__ import annotations

import re

from digitize.extract.found import SUSPECT_CONF
from digitize.extract.text import fold
from digitize.extract.vocab import distance

_VE_VIEC = re.compile(r"^(\S{1,3})\s+(vi[eệê]c)\b", re.IGNORECASE)


def sentence_head(text: str, conf: float) -> tuple[str, float]:
    """A trích yếu under a tên loại as ND 30 writes it: a sentence, its first letter a
    capital; "Về việc" whose first word OCR garbled ("và việc", "N việc") is put right, and
    the clerk checks it."""
    m = _VE_VIEC.match(text)
    if m and m.group(1) != "Về" and (len(m.group(1)) == 1 or
                                      distance(fold(m.group(1)), "VE", 1) <= 1):
        return "Về việc" + text[m.end():], min(conf, SUSPECT_CONF)
    if text[:1].islower():
        return text[:1].upper() + text[1:], conf
    return text, conf
