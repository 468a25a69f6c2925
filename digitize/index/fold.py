"""Accent-free search text for Vietnamese: "Quyết định" and "quyet dinh" fold to the same
words, as many as the original has, so FTS5 snippets taken from the original text line up."""

from __future__ import annotations

import re
import unicodedata

from digitize.extract.text import fold as skeleton


def fold(text: str) -> str:
    """Lower case without tone or vowel marks (the extraction's skeleton, lower-cased)."""
    return skeleton(unicodedata.normalize("NFC", text)).lower()


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
