"""Text normalisation for Vietnamese: NFC, single spaces, accent folding for tolerant matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# OCR reads Đ as the Icelandic Eth, which looks the same and is never Vietnamese, and the
# "/" of a number as a fraction or division slash ("4457 ⁄BC-…").
_LOOKALIKES = str.maketrans({"Ð": "Đ", "ð": "đ", "⁄": "/", "∕": "/"})
# What specks and rules become at the edges of a value: never part of it.
EDGE_JUNK = " _-.,:;'\"`ˆ^~—–|!*•·‘’“”=+<>"


def clean(s: str) -> str:
    """NFC with single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", s).translate(_LOOKALIKES)).strip()


_JUNK_TOKEN = re.compile(r"^[-_|~ˆ^*•·=+<>`'\"‘’“”.:;,—–]+$")
_QUOTE = "['‘’`\"“”]"
_QUOTE_INSIDE = re.compile(rf"(?<=\w){_QUOTE}(?=\w)")
_QUOTE_EDGE = re.compile(rf"(?<!\w){_QUOTE}+|{_QUOTE}+(?!\w)")


def tidy(s: str) -> str:
    """A value as a clerk would write it: clean, without stray marks at either end or standing
    alone between words ("VÀ _ MÔI", "MÔI -_ TRƯỜNG"); a single "-" between words stays.
    Vietnamese has no apostrophes or quotes in words: "THƯ'VÀ" is two words and a speck."""
    text = _QUOTE_EDGE.sub("", _QUOTE_INSIDE.sub(" ", clean(s)))
    words = [w for w in text.split() if w in ("-", "–") or not _JUNK_TOKEN.match(w)]
    return " ".join(words).strip(EDGE_JUNK)


class _FoldTable(dict[int, str]):
    """Each character's skeleton, worked out the first time it is met: folding is per character
    (NFD decomposes each on its own, and the marks it reorders are all dropped), and a table
    lookup is several times quicker than decomposing every string (the index folds every
    document's text)."""

    def __missing__(self, code: int) -> str:
        c = chr(code).translate(_LOOKALIKES).replace("đ", "d").replace("Đ", "D")
        folded = "".join(ch for ch in unicodedata.normalize("NFD", c)
                         if not unicodedata.combining(ch))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(s: str) -> str:
    """Upper-case ASCII skeleton: 'Quyết định' -> 'QUYET DINH'. NFC text keeps its length."""
    return s.translate(_FOLD).upper()


# Vietnamese syllables, on folded text: optional initial consonant, one vowel group, optional
# final. Two words read as one ("TRỮNHÀ") or a wrong letter ("SỞYTẾ") break this shape, and
# such a value should go to review even when Tesseract is confident.
# K, R, KR and EA are for place names of the Central Highlands (Đắk Lắk, Ea Kar, Krông Pắc).
_INITIAL = "(?:NGH|NG|NH|CH|GH|GI|KH|KR|PH|QU|TH|TR|[BCDGHKLMNPRSTVX])?"
_VOWELS = ("A|E|I|O|U|Y|AI|AO|AU|AY|EA|EO|EU|IA|IE|IU|OA|OE|OI|OO|UA|UE|UI|UO|UU|UY|YE|IEU|"
           "OAI|OAY|OEO|UAY|UOI|UOU|UYA|UYE|UYU|YEU|UYEU")
_FINAL = "(?:NG|NH|CH|[CKMNPRT])?"
_SYLLABLE = re.compile(f"^{_INITIAL}(?:{_VOWELS}){_FINAL}$")
_VOWEL = re.compile("[AEIOUY]")


def implausible_words(s: str) -> list[str]:
    """Words of `s` that cannot be Vietnamese syllables. Acronyms (UBND, THPT), numbers and
    words with punctuation inside (QĐ-UBND) are not judged."""
    bad = []
    for word in clean(s).split():
        core = word.strip(EDGE_JUNK + "()")
        folded = fold(core)
        if not folded.isalpha() or not folded.isascii():
            continue
        vowels = len(_VOWEL.findall(folded))
        if len(folded) <= 6 and vowels * 3 < len(folded) and core.isupper():
            continue  # an acronym
        if not _SYLLABLE.match(folded):
            bad.append(word)
    return bad


def sentence_case(s: str) -> str:
    s = clean(s).lower()
    return s[:1].upper() + s[1:]


def is_upper(s: str) -> bool:
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
