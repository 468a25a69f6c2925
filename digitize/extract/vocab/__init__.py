"""Vocabularies as data (one UTF-8 text file per list, `#` comments): provinces before and after
the 2025 merger, other place names, signer titles, how agency names begin, surnames. The
extractor uses them to restore tone marks OCR lost, to correct near-misses and to judge how
far a value can be trusted."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from importlib import resources

from digitize.extract.text import clean, fold


@functools.cache
def entries(name: str) -> tuple[str, ...]:
    """The lines of `name`.txt, NFC, without comments and blank lines."""
    text = resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return tuple(clean(unicodedata.normalize("NFC", line)) for line in text.splitlines()
                 if line.strip() and not line.lstrip().startswith("#"))


def distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance, cut short above `limit` (returns limit + 1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


_BASE_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}


def _vowel_and_tone(ch: str) -> tuple[str, str] | None:
    parts = unicodedata.normalize("NFD", ch)
    tone = "".join(c for c in parts if c in _TONE_MARKS)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
    return (base, tone) if base in _BASE_VOWELS else None


def _marks(s: str) -> list[tuple[str, str]]:
    """Per word: its letters without tone marks, and its tone marks, wherever they sit."""
    out = []
    for word in s.split():
        parts = unicodedata.normalize("NFD", word)
        out.append(("".join(c for c in parts if c not in _TONE_MARKS).upper(),
                    "".join(sorted(c for c in parts if c in _TONE_MARKS))))
    return out


def _one_vowel_off(a: str, b: str) -> bool:
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(diff) != 1:
        return False
    x, y = (_vowel_and_tone(c) for c in diff[0])
    return x is not None and y is not None and x[1] == y[1] != "" and x[0] != y[0]


def _other_marks(text: str, entry: str) -> bool:
    """A word read with marks that the entry spells with other marks ("THỨ" against "THỦ"):
    with a letter off elsewhere as well, "PHÓ THỨ TRƯỞNG" is another title than "PHÓ THỦ
    TƯỚNG", not a misreading of it. Words read without marks say nothing."""
    return any(fold(a) == fold(b) and a.upper() != b.upper() and not a.isascii()
               for a, b in zip(text.split(), entry.split(), strict=False))


@dataclass(frozen=True)
class Match:
    value: str  # the vocabulary's spelling
    edits: int  # letters OCR got wrong, on the accent-folded text (0: only tone marks)


class Vocabulary:
    """Entries of one or more lists, matched on accent-folded text ignoring spaces."""

    def __init__(self, *names: str) -> None:
        self.by_fold: dict[str, str] = {}
        for name in names:
            for entry in entries(name):
                self.by_fold.setdefault(self._key(entry), entry)

    @staticmethod
    def _key(s: str) -> str:
        return "".join(ch for ch in fold(s) if ch.isalnum())

    def match(self, value: str) -> Match | None:
        """The one entry `value` reads as: equal when folded, else the only entry within one
        edit (two for long names); None when there is none or more than one."""
        key = self._key(value)
        if not key:
            return None
        if key in self.by_fold:
            return Match(self.by_fold[key], 0)
        limit = 2 if len(key) >= 12 else 1 if len(key) >= 4 else 0
        if limit == 0:
            return None
        near = [(d, v) for k, v in self.by_fold.items()
                if (d := distance(key, k, limit)) <= limit]
        best = min((d for d, _ in near), default=None)
        found = {v for d, v in near if d == best}
        if best is None or len(found) != 1:
            return None
        entry = found.pop()
        if best and _other_marks(clean(value), entry):
            return None
        return Match(entry, best)

    def misread(self, value: str, tones: bool = True) -> Match | None:
        """The one entry `value` reads as: equal when folded (tone marks lost or wrong; with
        `tones` False a word with other marks is taken as printed), or one vowel misread under a
        tone mark that was read right ("Quảng Ngõi" for Quảng Ngãi,
        "Đà Lụt" for Đà Lạt: OCR sees the mark but not the letter under it). A different
        consonant or tone is another name ("Bình Minh", "Hòa An"), not a misreading."""
        key = self._key(value)
        text = clean(value)
        if key in self.by_fold:
            entry = self.by_fold[key]
            if _marks(text) == _marks(entry):
                return Match(text, 0)  # the same word, its mark placed the old way ("Hoà")
            return Match(entry if tones else text, 0)
        found = {entry for entry in self.by_fold.values()
                 if len(entry) == len(text) and _one_vowel_off(text, entry)}
        return Match(found.pop(), 1) if len(found) == 1 else None

    def restore(self, text: str) -> str:
        """`text` with every run of words that misreads an entry (see misread) spelled as the
        entry, in the case of the text."""
        words = text.split()
        out: list[str] = []
        i = 0
        lengths = sorted({len(e.split()) for e in self.by_fold.values()}, reverse=True)
        while i < len(words):
            for k in lengths:
                window = " ".join(words[i:i + k])
                if k > len(words) - i:
                    continue
                # A single word with other tone marks may be another word ("QUẢN" is not a
                # misread "QUẬN"): corrected only where it begins the name or a place follows.
                tones = k > 1 or i == 0 or places().misread(" ".join(words[i + 1:i + 3])) \
                    is not None or places().misread(" ".join(words[i + 1:i + 4])) is not None
                hit = self.misread(window, tones) if window.strip(",.;") == window else None
                # "Thạch Hà, tỉnh" is not "Hà Tĩnh": a comma inside only where the entry has it.
                if hit is not None and len(hit.value.split()) == k and \
                        ("," in window) == ("," in hit.value):
                    out.append(hit.value.upper() if window.isupper() else hit.value)
                    i += k
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(out)


@functools.cache
def places() -> Vocabulary:
    return Vocabulary("provinces_2025", "provinces_1976-2025", "places")


@functools.cache
def signer_titles() -> Vocabulary:
    return Vocabulary("signer_titles")


@functools.cache
def _surnames() -> dict[str, str]:
    by_fold: dict[str, str] = {}
    for name in entries("surnames"):
        # Folds shared by two surnames (Lã/La) are left alone.
        by_fold[fold(name)] = "" if fold(name) in by_fold else name
    return by_fold


def known_surname(name: str) -> str:
    """`name` with its first word spelled as the surname it can only be (OCR often gets their
    tone marks wrong: "Đỉnh" for Đinh)."""
    first, _, rest = name.partition(" ")
    canon = _surnames().get(fold(first))
    if not canon or not rest:
        return name
    return f"{canon.upper() if first.isupper() else canon} {rest}"


@functools.cache
def agency_heads() -> tuple[str, ...]:
    """Folded beginnings of agency names, each with a trailing space."""
    return tuple(fold(h) + " " for h in entries("agency_heads"))


@functools.cache
def agency_words() -> Vocabulary:
    return Vocabulary("agency_phrases", "provinces_2025", "provinces_1976-2025")


# The lists whose entries make up agency names: how they begin, then the rest.
_AGENCY_LISTS = ("agency_heads", "agency_phrases", "provinces_2025", "provinces_1976-2025",
                 "places")


@functools.cache
def _agency_parts() -> tuple[frozenset[tuple[str, ...]], frozenset[tuple[str, ...]], int]:
    heads = frozenset(tuple(clean(e).upper().split()) for e in entries("agency_heads"))
    parts = frozenset(tuple(clean(e).upper().replace(",", "").split()) for name in
                      _AGENCY_LISTS for e in entries(name))
    return heads, parts, max(len(p) for p in parts)


def known_agency(name: str) -> bool:
    """`name` as the vocabularies spell an agency, word for word: a head ("SỞ", "ỦY BAN NHÂN
    DÂN") and at least one more known part ("TÀI CHÍNH", "TỈNH", a province). OCR that
    garbled or cut a word fails it; a head alone ("ỦY BAN NHÂN DÂN") may be a cut name."""
    heads, parts, longest = _agency_parts()
    words = clean(name).upper().replace(",", "").split()
    most: list[int | None] = [0] + [None] * len(words)  # most parts covering words[:i]
    for i in range(len(words)):
        done = most[i]
        if done is None:
            continue
        for n in range(1, min(longest, len(words) - i) + 1):
            part = tuple(words[i:i + n])
            if (part in heads if i == 0 else part in parts) and (
                    most[i + n] is None or most[i + n] < done + 1):  # type: ignore[operator]
                most[i + n] = done + 1
    return (most[-1] or 0) >= 2


@functools.cache
def _agency_keys() -> tuple[dict[str, str], dict[str, str]]:
    """Heads and all parts of agency names, by their accent-folded letters."""
    def keyed(names: tuple[str, ...]) -> dict[str, str]:
        out: dict[str, str] = {}
        for name in names:
            for entry in entries(name):
                out.setdefault(Vocabulary._key(entry), clean(entry).upper().replace(",", ""))
        return out
    return keyed(("agency_heads",)), keyed(_AGENCY_LISTS)


def _part_limit(key: str) -> int:
    return 0 if len(key) < 5 else 1 if len(key) < 10 else 2


AGENCY_EDITS = 2  # letters OCR may get wrong in a whole agency name that is still corrected


@dataclass(frozen=True)
class AgencyMatch:
    value: str  # the name as the vocabularies spell it
    edits: int  # letters OCR got wrong, on the accent-folded text (0: only marks)


@functools.lru_cache(maxsize=4096)  # a desk's batch names the same few agencies again and again
def nearest_agency(name: str) -> AgencyMatch | None:
    """The agency name `name` misreads: its words, taken a few at a time, read as a head and
    known parts ("HÍNH PHỦ" as CHÍNH PHỦ, "BỘ GIÁO DỤC VÀ ĐÀOTẠO"), each within a letter or
    two on the accent-folded text and at most AGENCY_EDITS in all; a head alone only where it
    is a name of its own words (CHÍNH PHỦ, not SỞ). None when no such reading covers it."""
    heads, parts = _agency_keys()
    words = [w for w in clean(name).upper().replace(",", "").split()
             if any(c.isalnum() for c in w)]
    if not words:
        return None
    span = max(len(v.split()) for v in parts.values()) + 1
    # best[i]: (edits, parts, spelling) of the cheapest reading of words[:i]
    best: list[tuple[int, int, tuple[str, ...]] | None] = [(0, 0, ())] + [None] * len(words)
    for i in range(len(words)):
        done = best[i]
        if done is None:
            continue
        for n in range(1, min(span, len(words) - i) + 1):
            key = Vocabulary._key(" ".join(words[i:i + n]))
            table = heads if i == 0 else parts
            for part_key, spelled in table.items():
                # "BI CÔNG THƯƠNG": a short head a letter off, where known parts follow.
                own = 1 if i == 0 and len(part_key) == 2 and len(key) == 2 else \
                    _part_limit(part_key)
                limit = min(own, AGENCY_EDITS - done[0])
                if limit < 0:
                    continue
                d = distance(key, part_key, limit) if key != part_key else 0
                if d > limit:
                    continue
                cand = (done[0] + d, done[1] + 1, done[2] + (spelled,))
                old = best[i + n]
                if old is None or (cand[0], -cand[1]) < (old[0], -old[1]):
                    best[i + n] = cand
    got = best[-1]
    if got is None or (got[1] < 2 and " " not in got[2][0]):
        return None
    if Vocabulary._key(words[0]) not in heads and len(Vocabulary._key(words[0])) == 2 and \
            got[0] > 1:
        return None  # a short head guessed, and more guessed after it
    return AgencyMatch(" ".join(got[2]), got[0])


@functools.cache
def mixed_case_parts() -> dict[str, str]:
    """Ký hiệu parts ND 30 writes in mixed case, by their upper-case form (TTG -> TTg)."""
    return {p.upper(): p for p in entries("symbol_parts")}
