"""Accent-free search text for Vietnamese: "Quyết định" and "quyet dinh" fold to the same
letters, one character for one, so a match in the folded text is a match in the original at
the same offsets."""

from __future__ import annotations

import re
import unicodedata

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d"}


def _fold_char(ch: str) -> str:
    if ch in _SPECIAL:
        return _SPECIAL[ch]
    base = unicodedata.normalize("NFD", ch)[0]
    low = base.lower()
    return low if len(low) == 1 else base


def fold(text: str) -> str:
    """Lower case without tone or vowel marks, the same length as the NFC text."""
    return "".join(_fold_char(ch) for ch in unicodedata.normalize("NFC", text))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


_TOKEN = re.compile(r"\w+")


def match_query(text: str) -> str | None:
    """An FTS5 query for what a clerk typed: "quoted parts" are phrases, other words must all
    appear; accents and case do not matter. None when nothing searchable was typed."""
    parts: list[str] = []
    for quoted, loose in re.findall(r'"([^"]*)"|(\S+)', fold(text)):
        words = _TOKEN.findall(quoted or loose)
        if words:
            parts.append('"' + " ".join(words) + '"')
    return " AND ".join(parts) or None
