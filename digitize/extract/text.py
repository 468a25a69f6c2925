"""Text normalisation for Vietnamese: NFC, single spaces, accent folding for tolerant matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean(s: str) -> str:
    """NFC with single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", s)).strip()


def fold(s: str) -> str:
    """Upper-case ASCII skeleton: 'Quyết định' -> 'QUYET DINH'. Lengths may differ from `s`."""
    decomposed = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def sentence_case(s: str) -> str:
    s = clean(s).lower()
    return s[:1].upper() + s[1:]


def is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
