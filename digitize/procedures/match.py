"""Which component of its procedure a document is, from the words of its title: the form's
title, the tên loại and trích yếu, and the first lines of its first page (where a copied ID
card says "CĂN CƯỚC CÔNG DÂN"). No model, nothing learned: each title and each component name is
folded to its syllables (marks, case and punctuation aside; the catalogue's qualifiers such as
"Bản sao", "(Mẫu số 01)" and "của người đề nghị" left out), and the score of a component is
the share of syllables the two have in common (Dice: 2·common / (|title| + |name|)), the best
over the document's titles. The confidence is that score, lowered when a second component fits
almost as well, so that a close call goes to review."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

from digitize.extract.text import clean, fold
from digitize.procedures.model import Component, Procedure, ResultSpec

Named = Component | ResultSpec  # what a document may be matched to: a component, a result

MIN_SCORE = 0.5  # below it a document is no component of the procedure (an extra one)
MARGIN = 0.2  # a second component closer than this to the best lowers the confidence
TOP_LINES = 20  # lines of the first page looked at for a title
# Qualifiers of a component's name that a document's own title does not carry.
_COPY = re.compile(r"^(BAN (SAO|CHINH|CHUP|GOC)( (CO )?CHUNG THUC| HOP LE)?)\b\s*")
_QUALIFIER = re.compile(r"\b(CUA|DO|THEO|DOI VOI|TRONG TRUONG HOP|NEU|KEM THEO|DUOC|CAP CHO|DA CAP)"
                        r"\b.*$")
_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_WORD = re.compile(r"[A-Z0-9]+")


def syllables(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(clean(text))))


def name_variants(name: str) -> list[frozenset[str]]:
    """The syllables a document's title would share with a component's name: each alternative
    ("… hoặc …") without its qualifiers."""
    folded = fold(clean(_PARENS.sub(" ", name)))
    found = []
    for part in re.split(r"\bHOAC\b|;", folded):
        part = _QUALIFIER.sub("", _COPY.sub("", part.strip(" ,.:-"))).strip(" ,.:-")
        words = syllables(part)
        if words:
            found.append(words)
    return found or [syllables(name)]


def titles(metadata: Mapping[str, object], text: str) -> list[str]:
    """What may be the document's title: its tên loại (a form's title), with its trích yếu,
    and each of the first lines of its first page, alone and joined with the next (titles
    wrap)."""
    kind, subject = str(metadata.get("doc_type_name") or ""), str(metadata.get("subject") or "")
    found = [t for t in (kind, f"{kind} {subject}", subject) if t.strip()]
    lines = [clean(line) for line in text.split("\f", 1)[0].splitlines() if line.strip()]
    lines = [_PARENS.sub(" ", line) for line in lines[:TOP_LINES]]
    found += lines + [f"{a} {b}" for a, b in pairwise(lines)]
    return found


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


@dataclass(frozen=True)
class Match:
    """The component a document fits best (None: none fits), how sure that is, and why."""

    component: Named | None
    confidence: float
    score: float
    title: str = ""  # the title that fitted it best
    runner_up: Named | None = None
    runner_up_score: float = 0.0


def _score(component: Named, candidates: Sequence[tuple[str, frozenset[str]]]
           ) -> tuple[float, str]:
    best, title = 0.0, ""
    for variant in name_variants(component.name):
        for text, words in candidates:
            s = dice(variant, words)
            if s > best:
                best, title = s, text
    return best, title


def match_document(procedure: Procedure, metadata: Mapping[str, object], text: str) -> Match:
    """The component of `procedure` the document is, from its titles."""
    return match_named(procedure.components, metadata, text)


def match_result(procedure: Procedure, metadata: Mapping[str, object], text: str) -> Match:
    """The result of `procedure` a result's file is (a certificate, a decision), the same way."""
    return match_named(procedure.results, metadata, text)


def match_named(specs: Sequence[Named], metadata: Mapping[str, object], text: str) -> Match:
    """The one of `specs` the document fits best, from its titles and their names."""
    candidates = [(t, syllables(t)) for t in titles(metadata, text)]
    scored = sorted(((*_score(c, candidates), c) for c in specs), key=lambda s: -s[0])
    if not scored or scored[0][0] < MIN_SCORE:
        top = scored[0] if scored else (0.0, "", None)
        return Match(None, 0.0, round(top[0], 3), top[1], top[2], round(top[0], 3))
    best, title, component = scored[0]
    second, _t, other = scored[1] if len(scored) > 1 else (0.0, "", None)
    confidence = best if best - second >= MARGIN else best * (best - second) / MARGIN
    return Match(component, round(confidence, 3), round(best, 3), title, other,
                 round(second, 3))
