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
from collections.abc import Sequence
from pathlib import Path

from digitize.errors import EnvironmentProblem
from digitize.i18n import _

# Tone marks that sit where an i's dot is; a dot below (ị) is not a misread dot.
_MARKED_I = str.maketrans({"ỉ": "i", "í": "i", "ì": "i", "ĩ": "i",
                           "Ỉ": "I", "Í": "I", "Ì": "I", "Ĩ": "I"})
_EDGES = ",.;:!?()[]\"'“”‘’«»…-–"


COMMON = "Viet11K.txt"  # the shortest of underthesea's lists beside Viet74K: everyday words


def word_list(name: str = "Viet74K.txt") -> Path:
    spec = importlib.util.find_spec("underthesea")  # found, not imported: only its data is used
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentProblem(_("The Vietnamese word list (the underthesea package) is not "
                                   "installed; run `make deps`, or pip install underthesea."))
    return Path(next(iter(spec.submodule_search_locations))) / "corpus" / "data" / name


@functools.cache
def entries(name: str = "Viet74K.txt") -> tuple[tuple[str, ...], ...]:
    """The syllables of each entry of a word list, lower case, NFC."""
    try:
        text = word_list(name).read_text(encoding="utf-8")
    except OSError as exc:
        raise EnvironmentProblem(_("The Vietnamese word list {PATH} cannot be read ({ERROR}); "
                                   "reinstall underthesea.").format(PATH=word_list(name),
                                                                    ERROR=exc)) from exc
    text = unicodedata.normalize("NFC", text.lower()).replace("-", " ")
    return tuple(tuple(line.split()) for line in text.splitlines())


@functools.cache
def pairs(name: str = "Viet74K.txt") -> frozenset[tuple[str, str]]:
    """Adjacent syllables of every multi-syllable entry of a word list, by `spelling`."""
    found: set[tuple[str, str]] = set()
    for entry in entries(name):
        if len(entry) > 1:
            found.update(itertools.pairwise(map(spelling, entry)))
    return frozenset(found)


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # grave, acute, tilde, hook, dot


# A language's syllables are a few thousand; the bound is for OCR's noise in a long `watch`.
@functools.lru_cache(maxsize=1 << 16)
def spelling(syllable: str) -> str:
    """One key for the two places a tone mark may sit ("ủy"/"uỷ", "hòa"/"hoà"): the letters
    with their vowel marks, the tone after them."""
    nfd = unicodedata.normalize("NFD", syllable)
    tone = "".join(c for c in nfd if c in _TONES)
    return unicodedata.normalize("NFC", "".join(c for c in nfd if c not in _TONES)) + tone


def _tone(syllable: str) -> str:
    return spelling(syllable)[len(_untoned(syllable)):]


def _untoned(syllable: str) -> str:
    return spelling(syllable).rstrip("".join(_TONES))


def _paired(a: str, b: str) -> bool:
    return (spelling(a), spelling(b)) in pairs()


def _common(a: str, b: str) -> bool:
    """Whether `a` `b` is an everyday word (COMMON)."""
    return (spelling(a), spelling(b)) in pairs(COMMON)


def _key(word: str) -> str:
    return unicodedata.normalize("NFC", word.strip(_EDGES).lower())


def paired_low(words: Sequence[str], confs: Sequence[float]) -> float:
    """The least sure of a run of prose's words (1.0 for none), where a word that makes a word
    of the word list with a neighbour counts as sure as that neighbour, if surer: a misread
    syllable seldom still makes a Vietnamese word with the next one, so the pair vouches for
    it ("chuyển" read at 0.46 before "hóa" at 0.96); two unsure words make a pair only as sure
    as the surer of them."""
    keys = [_key(w) for w in words]
    low = 1.0
    for i, conf in enumerate(confs):
        for j in (i - 1, i + 1):
            if 0 <= j < len(keys) and keys[i].isalpha() and keys[j].isalpha() and \
                    _paired(*((keys[j], keys[i]) if j < i else (keys[i], keys[j]))):
                conf = max(conf, confs[j])
        low = min(low, conf)
    return low


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
        before = keys[i - 1] if i else ""
        after = keys[i + 1] if i + 1 < len(keys) else ""
        if _paired(before, key) or _paired(key, after):
            continue
        if _paired(before, plain) or _paired(plain, after):
            words[i] = words[i].translate(_MARKED_I)
            keys[i] = plain
            changed = True
    return " ".join(words) if changed else None


@functools.cache
def _variants() -> dict[str, frozenset[str]]:
    """Syllables of the word list by their letters without marks ("bo" -> bổ, bồ, bỗ …)."""
    from digitize.extract.text import fold

    found: dict[str, set[str]] = {}
    # One-syllable entries are left out: abbreviations.
    for syllable in {s for entry in entries() if len(entry) > 1 for s in entry}:
        if syllable.isalpha():
            found.setdefault(fold(syllable).lower(), set()).add(syllable)
    return {k: frozenset(v) for k, v in found.items()}


@functools.cache
def _letters() -> frozenset[str]:
    """Every letter the word list writes: what is outside it ("ø", "§") is a misreading."""
    return frozenset(c for s in {s for entry in entries() for s in entry} for c in s
                     if c.isalpha())


def _cased(like: str, word: str) -> str:
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


RARE = 3.0  # Zipf under which a syllable is rare enough to be a misreading ("bỗ" 0, "bô" 3.9)
PAIR_BONUS = 1.5  # a syllable that makes a word with a neighbour: that much likelier
CHANGE_COST = 2.0  # what it takes to prefer another reading to Tesseract's
# How much commoner (Zipf) a toned reading of a common syllable must be: "bổ" over "bô" 1.6,
# "tổng" over "tông" 0.75; under it, "những" for "nhưng" (0.26), which the word list's pairs
# would pick in "nhưng người".
LOST_TONE_MARGIN = 0.5


@functools.lru_cache(maxsize=1 << 16)  # wordfreq tokenises every word it is asked about
def _frequency(syllable: str) -> float:
    """How common a Vietnamese syllable is (wordfreq's Zipf scale: 0 unknown, 7 "được")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(syllable, "vi")


def _readings(key: str) -> list[str]:
    """Syllables of the word list that OCR may have read as `key`: the same letters with other
    marks, or, where `key` holds a letter Vietnamese does not write, that letter dropped or
    put right ("nøgãi", "nøãi" -> ngãi)."""
    from digitize.extract.text import fold

    strange = [i for i, c in enumerate(key) if c not in _letters()]
    if not strange:
        return [c for c in _variants().get(fold(key).lower(), ())
                if spelling(c) != spelling(key)]
    i = strange[0]
    tries = {key[:i] + key[i + 1:]} | {key[:i] + c + key[i + 1:] for c in _letters()}
    return [t for t in tries if t in _variants().get(fold(t).lower(), ())]


def marks(text: str) -> str | None:
    """`text` with syllables whose marks OCR misread put right; None where nothing changes.

    A rare syllable ("bỗ", Zipf under RARE) becomes the likeliest of the readings with the
    same letters, by how common it is (wordfreq) and whether it makes a word with a neighbour
    (Viet74K's pairs), where that beats the syllable as read by CHANGE_COST ("bỗ nhiệm" ->
    bổ nhiệm). A common syllable that makes a word with neither neighbour gives way only to a
    reading that does: without its tone mark, to a much commoner toned one ("bô sung" -> bổ
    sung); with another mark, to one at least as common that makes an everyday word (COMMON)
    with a neighbour no other word has taken ("Tổ chúc" -> Tổ chức, "tống kết" -> tổng kết;
    "trên địa bàn tỉnh" stays, "bàn" being taken by "địa bàn")."""
    words = text.split()
    keys = [_key(w) for w in words]
    changed = False

    def score(c: str, before: str, after: str) -> float:
        return _frequency(c) + PAIR_BONUS * (_paired(before, c) + _paired(c, after))

    for i, key in enumerate(keys):
        if not key.isalpha():
            continue
        before = keys[i - 1] if i else ""
        after = keys[i + 1] if i + 1 < len(keys) else ""
        others = _readings(key)
        if not others:
            continue
        if _frequency(key) >= RARE:
            # A word Vietnamese uses gives way only where the syllable as read makes no word
            # with either neighbour.
            if _paired(before, key) or _paired(key, after):
                continue
            if _tone(key):
                # Another mark misread: only for an everyday word. A neighbour that already
                # makes a word on its other side ("địa bàn") is taken: "bàn tính" would cut
                # it in two.
                free_before = not (i >= 2 and _paired(keys[i - 2], before))
                free_after = not (i + 2 < len(keys) and _paired(after, keys[i + 2]))
                others = [c for c in others if _frequency(c) >= _frequency(key)
                          and ((free_before and _common(before, c))
                               or (free_after and _common(c, after)))]
            else:  # the tone mark lost (the usual slip: "bô sung", "Uy ban")
                others = [c for c in others if _untoned(c) == spelling(key)
                          and _frequency(c) >= _frequency(key) + LOST_TONE_MARGIN
                          and (_paired(before, c) or _paired(c, after))]
            if not others:
                continue
            best = max(others, key=lambda c: score(c, before, after))
        else:
            best = max(others, key=lambda c: score(c, before, after))
            if score(best, before, after) < score(key, before, after) + CHANGE_COST:
                continue
        start = len(words[i]) - len(words[i].lstrip(_EDGES))
        core = words[i].strip(_EDGES)
        words[i] = words[i][:start] + _cased(core, best) + words[i][start + len(core):]
        keys[i] = best
        changed = True
    return " ".join(words) if changed else None
