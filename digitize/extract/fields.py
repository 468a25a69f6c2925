"""Read the DESIGN.md metadata keys from a document's layout segments, as a clerk would: the
agency in the left header column, "Số: 15/QĐ-UBND", the date line, the type name and trích yếu,
the signature block at the bottom right; for forms, the labelled fields.

Matching is done on accent-folded text so that lost or wrong diacritics still match; values are
returned as printed (NFC, single spaces), dates in ISO 8601.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from digitize.extract.calibration import calibrated
from digitize.extract.found import Found, iso, read_date
from digitize.extract.found import digits as _digits
from digitize.extract.layout import Segment
from digitize.extract.reviewmodel import ReviewModel, shipped
from digitize.extract.text import clean, fold, is_upper, sentence_case, tidy
from digitize.extract.twice import MEASURED, Agreement, read_twice
from digitize.extract.vanban import doc_type, number_line, read_van_ban, symbol_type
from digitize.extract.vocab import places
from digitize.model import DocKind, Extraction
from digitize.schemas.codes import DocType

_FORM_TITLE = re.compile(r"^(DON|TO KHAI|PHIEU DE NGHI|GIAY DE NGHI)\b")
_FORM_PREFIX = re.compile(r"^(DON DE NGHI|DON XIN|DON|TO KHAI|PHIEU DE NGHI|GIAY DE NGHI)\s+")
_DMY = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")

REVIEW_THRESHOLD = 0.95  # a value at or above it is not reviewed: right >= 99.5 % of the time
REQUIRED = {
    # ND 30 gives every văn bản its place-and-date line: a place not read is asked for.
    DocKind.van_ban: ("doc_type_name", "number", "symbol", "issued_date", "place", "issuer",
                      "subject"),
    DocKind.don: ("doc_type_name", "applicant_name", "procedure_name"),
}


# Types whose number always carries its year (Luật ban hành VBQPPL: "21/2026/TT-BCT"); a
# Nghị quyết or Quyết định carries it only when it is a legal one.
YEAR_IN_NUMBER = frozenset({"NĐ", "TT", "TTLT", "PL"})


def named_type(text: str) -> DocType | None:
    """The type a person names by its ND 30 abbreviation (QĐ, QD, TTr, CV) or by its name
    ("Quyết định"), if any."""
    return symbol_type(text) or doc_type(text)


def _labelled(segs: Sequence[Segment], label: re.Pattern[str]
              ) -> tuple[str, float, Segment] | None:
    for s in segs:
        folded = fold(s.text)
        m = label.search(folded)
        if m and ":" in s.text:
            colon = s.text.index(":") + 1
            return clean(s.text[colon:]), s.conf_of(colon, len(s.text)), s
    return None


_NAME_LABEL = re.compile(r"^HO (VA )?TEN\b")
_BIRTH_LABEL = re.compile(r"^(NGAY,? THANG,? NAM SINH|NGAY SINH|SINH NGAY)\b")
_ID_LABEL = re.compile(r"(CCCD|CAN CUOC|DINH DANH|CMND)")
_PHONE_LABEL = re.compile(r"DIEN THOAI")
_ADDRESS_LABEL = re.compile(r"^(NOI CU TRU|DIA CHI|NOI THUONG TRU|HO KHAU THUONG TRU)\b")


def _don(segs: Sequence[Segment], found: Found, title: Segment) -> None:
    found.put("doc_type_name", title.text, title.conf, title)
    rest = _FORM_PREFIX.sub("", fold(title.text))
    if rest != fold(title.text):
        # Keep the printed words (with their accents) after the prefix.
        words = title.text.split()
        procedure = " ".join(words[len(words) - len(rest.split()):])
        found.put("procedure_name", sentence_case(procedure), title.conf, title)
    if (v := _labelled(segs, _NAME_LABEL)) is not None:
        found.put("applicant_name", *v)
    if (v := _labelled(segs, _BIRTH_LABEL)) is not None and (m := _DMY.search(v[0])):
        found.put("birth_date", iso(*m.groups()), v[1], v[2])
    if (v := _labelled(segs, _ID_LABEL)) is not None:
        digits = _digits(v[0])
        found.put("id_number", digits, v[1] if len(digits) == 12 else v[1] * 0.5, v[2])
    if (v := _labelled(segs, _PHONE_LABEL)) is not None:
        found.put("phone", _digits(v[0]), v[1], v[2])
    if (v := _labelled(segs, _ADDRESS_LABEL)) is not None:
        # "tỉnh Thái Nguyễn": a province's tone marks misread, restored as in agency names.
        found.put("address", places().restore(v[0]), v[1], v[2])
    tail = [s for s in segs if s.page == max(x.page for x in segs)]
    read_date(tail[::-1], found)


def _form_title(segs: Sequence[Segment]) -> Segment | None:
    for s in segs[:12]:
        if _FORM_TITLE.match(fold(tidy(s.text))) and is_upper(s.text):
            return replace(s, text=tidy(s.text))
    return None


def extract(segs: Sequence[Segment], page_count: int, min_conf: float = REVIEW_THRESHOLD,
            calibrate: bool = True, model: ReviewModel | None = None,
            signers: frozenset[str] = frozenset(), agreement: Agreement = MEASURED
            ) -> Extraction:
    """Classify and read one document. Never raises on odd text: missing fields go to review.
    Confidences are probabilities learned from labelled documents (`model`, the shipped
    reviewmodel by default; calibration for what it does not cover); `calibrate=False` gives
    the raw scores the model is fitted on. `signers`: names the desk has confirmed (a name
    read with their letters and other marks is offered as theirs, for review). A pen's
    number or day that two readers read alike is weighed by `agreement` (twice.py)."""
    found = Found({}, {}, {}, signers)
    segs = [s for s in segs if sum(c.isalnum() for c in s.text) >= 2]  # specks, rules
    title = _form_title(segs)
    line = number_line(segs)
    kind = DocKind.don if title is not None and line is None else DocKind.van_ban
    if segs:
        if kind is DocKind.don and title is not None:
            _don(segs, found, title)
        else:
            read_van_ban(segs, found, line)
    found.put("page_count", page_count, 1.0)
    found.put("language", "vi", 1.0)
    if calibrate:
        learned = model or shipped()
        found.conf = {k: round(learned.probability(k, v, found.values.get(k)) if learned
                               else calibrated(k, v), 3) for k, v in found.conf.items()}
    # Required fields not read, and every field read with less confidence than the desk's
    # threshold: what is not sent to review must be right.
    required = REQUIRED[kind]
    if found.values.get("doc_type_code") in YEAR_IN_NUMBER:
        required = (*required, "number_year")
    if kind is DocKind.van_ban and "signer" in found.values:
        required = (*required, "signer_title")  # ND 30: the name signs under a title
    review = tuple(k for k in dict.fromkeys((*required, *found.values))
                   if k not in found.values or found.conf.get(k, 0.0) < min_conf)
    read = Extraction(doc_kind=kind, metadata=found.values, confidence=found.conf,
                      review=review, evidence=found.seen)
    return read_twice(read, segs, min_conf, agreement) if calibrate else read
