"""Vietnamese words of two syllables, to catch one misreading that Tesseract makes with
confidence: the dot of an i read as a tone mark ("chỉ tiết" for "chi tiết"), as it does on bold
faces and on faces with a square dot. Both syllables are real words, so no syllable check sees
it, and the LSTM gives the plain i no weight at all; what gives it away is that the syllable
then forms no word with either neighbour, while the dotted i does.

The word list is Viet74K (Hồ Ngọc Đức's list of about 74,000 Vietnamese words and phrases) as
the underthesea toolkit ships it; its multi-syllable entries give the pairs.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import unicodedata
from pathlib import Path

from digitize.errors import EnvironmentProblem
from digitize.i18n import _

# Tone marks that sit where an i's dot is; a dot below (ị) is not a misread dot.
_MARKED_I = str.maketrans({"ỉ": "i", "í": "i", "ì": "i", "ĩ": "i",
                           "Ỉ": "I", "Í": "I", "Ì": "I", "Ĩ": "I"})
_EDGES = ",.;:!?()[]\"'“”‘’«»…-–"


def word_list() -> Path:
    spec = importlib.util.find_spec("underthesea")  # found, not imported: only its data is used
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentProblem(_("The Vietnamese word list (the underthesea package) is not "
                                   "installed; run `make deps`, or pip install underthesea."))
    return Path(next(iter(spec.submodule_search_locations))) / "corpus" / "data" / "Viet74K.txt"


@functools.cache
def pairs() -> frozenset[tuple[str, str]]:
    """Adjacent syllables of every multi-syllable entry, lower case, NFC."""
    found: set[tuple[str, str]] = set()
    try:
        text = word_list().read_text(encoding="utf-8")
    except OSError as exc:
        raise EnvironmentProblem(_("The Vietnamese word list {PATH} cannot be read ({ERROR}); "
                                   "reinstall underthesea.").format(PATH=word_list(),
                                                                    ERROR=exc)) from exc
    for line in unicodedata.normalize("NFC", text.lower()).splitlines():
        syllables = line.replace("-", " ").split()
        found.update(itertools.pairwise(syllables))
    return frozenset(found)


def _key(word: str) -> str:
    return unicodedata.normalize("NFC", word.strip(_EDGES).lower())


def dotted_i(text: str) -> str | None:
    """`text` with each marked i put back as a dotted i where only that makes a word with a
    neighbour (the syllable as read forms none with either); None where nothing changes."""
    words = text.split()
    keys = [_key(w) for w in words]
    changed = False
    for i, key in enumerate(keys):
        plain = key.translate(_MARKED_I)
        if plain == key or not key.isalpha():
            continue
        known = pairs()  # read on the first marked i: most values have none
        before = keys[i - 1] if i else ""
        after = keys[i + 1] if i + 1 < len(keys) else ""
        if (before, key) in known or (key, after) in known:
            continue
        if (before, plain) in known or (plain, after) in known:
            words[i] = words[i].translate(_MARKED_I)
            keys[i] = plain
            changed = True
    return " ".join(words) if changed else None


@functools.cache
def _variants() -> dict[str, frozenset[str]]:
    """Syllables of the word list by their letters without marks ("bo" -> bổ, bồ, bỗ …)."""
    from digitize.extract.text import fold

    found: dict[str, set[str]] = {}
    for a, b in pairs():
        for syllable in (a, b):
            if syllable.isalpha():
                found.setdefault(fold(syllable).lower(), set()).add(syllable)
    return {k: frozenset(v) for k, v in found.items()}


def _cased(like: str, word: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


RARE = 3.0  # Zipf under which a syllable is rare enough to be a misreading ("bỗ" 0, "bô" 3.9)
PAIR_BONUS = 1.5  # a syllable that makes a word with a neighbour: that much likelier
CHANGE_COST = 2.0  # what it takes to prefer another reading to Tesseract's


def _marks_of(syllable: str) -> str:
    """The marks of a syllable, wherever they sit ("hoà" and "hòa" have the same)."""
    return "".join(sorted(c for c in unicodedata.normalize("NFD", syllable)
                          if unicodedata.combining(c)))


def _frequency(syllable: str) -> float:
    """How common a Vietnamese syllable is (wordfreq's Zipf scale: 0 unknown, 7 "được")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(syllable, "vi")


def marks(text: str) -> str | None:
    """`text` with syllables whose marks OCR misread put right: of the readings with the same
    letters ("bo": bổ, bồ, bỗ …), the likeliest by how common it is in Vietnamese (wordfreq)
    and whether it makes a word with a neighbour (Viet74K's pairs), where it beats the
    syllable as read by CHANGE_COST ("bỗ nhiệm" -> bổ nhiệm, "buỗi" -> buổi); None where
    nothing changes."""
    from digitize.extract.text import fold

    words = text.split()
    keys = [_key(w) for w in words]
    known = pairs()
    variants = _variants()
    changed = False

    def score(c: str, before: str, after: str) -> float:
        return _frequency(c) + PAIR_BONUS * (((before, c) in known) + ((c, after) in known))

    for i, key in enumerate(keys):
        if not key.isalpha():
            continue
        before = keys[i - 1] if i else ""
        after = keys[i + 1] if i + 1 < len(keys) else ""
        if _frequency(key) >= RARE:
            continue  # a word Vietnamese uses: the neighbours alone do not overrule it
        others = [c for c in variants.get(fold(key).lower(), ()) if c != key
                  and _marks_of(c) != _marks_of(key)]  # "hoà"/"hòa": one spelling
        if not others:
            continue
        best = max(others, key=lambda c: score(c, before, after))
        if score(best, before, after) < score(key, before, after) + CHANGE_COST:
            continue
        start = len(words[i]) - len(words[i].lstrip(_EDGES))
        core = words[i].strip(_EDGES)
        words[i] = words[i][:start] + _cased(core, best) + words[i][start + len(core):]
        keys[i] = best
        changed = True
    return " ".join(words) if changed else None
