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
