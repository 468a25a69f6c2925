"""Read the DESIGN.md metadata keys from a document's layout segments, as a clerk would: the
agency in the left header column, "Số: 15/QĐ-UBND", the date line, the type name and trích yếu,
the signature block at the bottom right; for forms, the labelled fields.

Matching is done on accent-folded text so that lost or wrong diacritics still match; values are
returned as printed (NFC, single spaces), dates in ISO 8601.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import pairwise

from digitize.extract.layout import Segment
from digitize.extract.text import clean, fold, is_upper, sentence_case
from digitize.model import DocKind, Extraction
from digitize.schemas.codes import CONG_VAN, DOC_TYPES, DocType

_FORM_TITLE = re.compile(r"^(DON|TO KHAI|PHIEU DE NGHI|GIAY DE NGHI)\b")
_FORM_PREFIX = re.compile(r"^(DON DE NGHI|DON XIN|DON|TO KHAI|PHIEU DE NGHI|GIAY DE NGHI)\s+")
# Matched on folded text (same length as NFC text), values sliced from the printed text.
_NUMBER = re.compile(r"^S[O0]\s*[:;.,]?\s*([0-9OIL|]{1,6})\s*/\s*(\S+(?:\s*-\s*\S+)*)")
_DATE_LINE = re.compile(
    r"(?:^|,)\s*NGAY\s+([0-9OIl]{1,2})\s+THANG\s+([0-9OIl]{1,2})\s+NAM\s+([0-9OIl]{4})")
_DMY = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")
_QUOC_HIEU = ("CONG HOA XA HOI", "DOC LAP", "TU DO")
_SUBJECT_STOP = re.compile(r"^(KINH GUI|CAN CU|XET |THEO |NOI NHAN)")
_VV = re.compile(r"^V\s*[/.]?\s*V\b\.?\s*", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(KT|TM|TL|TUQ|Q)\s*\.\s*")
# Common titles (chức vụ), to restore diacritics OCR lost: "CHỦ TICH" -> "CHỦ TỊCH".
TITLES = ("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TRƯỞNG PHÒNG",
          "PHÓ TRƯỞNG PHÒNG", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG",
          "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG", "TỔNG CỤC TRƯỞNG",
          "BÍ THƯ", "PHÓ BÍ THƯ", "CHỦ NHIỆM", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "HIỆU TRƯỞNG")
_TITLE_BY_FOLD = {fold(t): t for t in TITLES}

REQUIRED = {
    DocKind.van_ban: ("doc_type_name", "number", "symbol", "issued_date", "issuer", "subject"),
    DocKind.don: ("doc_type_name", "applicant_name", "procedure_name"),
}


@dataclass
class _Found:
    values: dict[str, object]
    conf: dict[str, float]

    def put(self, key: str, value: object, conf: float) -> None:
        if value in (None, ""):
            return
        self.values[key] = value
        self.conf[key] = round(max(0.0, min(1.0, conf)), 3)


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s.translate(str.maketrans("OoIl|", "00111")))


def _iso(d: str, m: str, y: str) -> str | None:
    try:
        return date(int(_digits(y)), int(_digits(m)), int(_digits(d))).isoformat()
    except ValueError:
        return None


def _doc_type(folded: str) -> DocType | None:
    for t in sorted(DOC_TYPES, key=lambda t: -len(t.name)):
        if folded.strip(" .:") == fold(t.name):
            return t
    return None


def _canonical_symbol(raw: str, doc_type: DocType | None) -> str:
    parts = [p for p in re.split(r"\s*-\s*", raw.strip(" .,;")) if p]
    if not parts:
        return ""
    parts = [p.replace(" ", "") for p in parts]
    abbrs = {fold(t.abbr): t.abbr for t in DOC_TYPES}
    head = fold(parts[0])
    if head == "TTT":  # "TTr" is often read as "TTT"
        head = "TTR"
    first = abbrs.get(head, parts[0].upper())
    return "-".join([first] + [p.upper() for p in parts[1:]])


def _in_left_column(s: Segment) -> bool:
    return s.has_geometry and s.cx < 0.45


def _in_right_column(s: Segment) -> bool:
    return s.has_geometry and s.cx > 0.5


def _centred(s: Segment) -> bool:
    return not s.has_geometry or abs(s.cx - 0.55) < 0.12


def _number(seg: Segment) -> tuple[str, str] | None:
    m = _NUMBER.match(fold(seg.text))
    if not m:
        return None
    return seg.text[m.start(1):m.end(1)], seg.text[m.start(2):m.end(2)]


def _date(segs: Sequence[Segment], found: _Found) -> int | None:
    """issued_date and place from the 'Place, ngày dd tháng mm năm yyyy' line; a line split in
    two is tried only when no single line matches."""
    singles = [(i, s.text, s.conf) for i, s in enumerate(segs)]
    pairs = [(i, f"{a.text} {b.text}", min(a.conf, b.conf))
             for i, (a, b) in enumerate(pairwise(segs))]
    for i, text, conf in singles + pairs:
        m = _DATE_LINE.search(fold(text))
        iso = _iso(*m.groups()) if m else None
        if m is None or iso is None:
            continue
        found.put("issued_date", iso, conf)
        comma = text.find(",")
        if 0 < comma < m.start() + 2:
            place = text[:comma]
            # "Số: 45/UBND-KT Hòa An, ngày …" when the two header columns share a line
            if (num := _NUMBER.match(fold(place))) is not None:
                place = place[num.end():]
            found.put("place", clean(place), conf)
        return i
    return None


def _signature_block(segs: Sequence[Segment], found: _Found) -> None:
    """The signer's name is the last right-column line of the last page; the title the last
    upper-case right-column line above it, without KT./TM./TL."""
    last_page = max(s.page for s in segs)
    right = [s for s in segs if s.page == last_page and _in_right_column(s)]
    if not right:
        return
    name = right[-1]
    words = name.text.split()
    if is_upper(name.text) or not 2 <= len(words) <= 6 or not all(w[:1].isupper() for w in words):
        return
    found.put("signer", name.text, name.conf)
    for s in reversed(right[:-1]):
        if is_upper(s.text):
            title = clean(s.text[_m.end():] if (_m := _AUTHORITY.match(fold(s.text))) else s.text)
            found.put("signer_title", _TITLE_BY_FOLD.get(fold(title), title), s.conf)
            break


def _left_header(header: Sequence[Segment]) -> list[Segment]:
    """Agency lines of the left header column. A long agency name can sit so close to the
    quốc hiệu that both form one segment: cut it where the quốc hiệu starts."""
    left: list[Segment] = []
    for s in header:
        folded = fold(s.text)
        hits = [i for i in (folded.find(q) for q in _QUOC_HIEU) if i >= 0]
        cut = min(hits, default=-1)
        if cut == 0:
            continue
        if cut > 0:
            left.append(replace(s, text=clean(s.text[:cut]), x1=s.x0 + (s.x1 - s.x0) * cut /
                                len(s.text)))
        elif _in_left_column(s) or not s.has_geometry:
            left.append(s)
    return left


def _van_ban(segs: Sequence[Segment], found: _Found) -> None:
    num_idx = next((i for i, s in enumerate(segs) if _number(s)), None)
    title_idx = None
    doc_type: DocType | None = None
    start = num_idx + 1 if num_idx is not None else 0
    for i in range(start, len(segs)):
        doc_type = _doc_type(fold(segs[i].text))
        if doc_type and _centred(segs[i]):
            title_idx = i
            break
        doc_type = None
    if doc_type is None or title_idx is None:
        doc_type = CONG_VAN
        found.put("doc_type_name", CONG_VAN.name, 0.8)
    else:
        found.put("doc_type_name", doc_type.name, segs[title_idx].conf)
    found.put("doc_type_code", doc_type.abbr, found.conf["doc_type_name"])
    found.put("tt05_type_code", doc_type.tt05, found.conf["doc_type_name"])

    if num_idx is not None:
        seg = segs[num_idx]
        number, symbol = _number(seg) or ("", "")
        found.put("number", _digits(number), seg.conf)
        found.put("symbol", _canonical_symbol(symbol, doc_type), seg.conf)
        left = _left_header([s for s in segs[:num_idx] if s.page == seg.page])
        if len(left) >= 2:
            found.put("parent_issuer", left[0].text, left[0].conf)
            rest = left[1:]
            found.put("issuer", clean(" ".join(s.text for s in rest)), min(s.conf for s in rest))
        elif left:
            found.put("issuer", left[0].text, left[0].conf)

    _date(segs[: (title_idx or num_idx or 12) + 3], found)

    if doc_type is CONG_VAN and num_idx is not None:
        below = [s for s in segs[num_idx + 1: num_idx + 8] if _in_left_column(s) or
                 not s.has_geometry]
        for j, s in enumerate(below):
            if _VV.match(s.text):
                parts = [_VV.sub("", s.text)]
                for nxt in below[j + 1:]:
                    if (_SUBJECT_STOP.match(fold(nxt.text)) or is_upper(nxt.text)
                            or nxt.y0 - s.y1 > 2 * s.height):
                        break
                    parts.append(nxt.text)
                    s = nxt
                conf = min(x.conf for x in below[j: j + len(parts)])
                found.put("subject", clean(" ".join(parts)), conf)
                break
    elif title_idx is not None:
        parts: list[Segment] = []
        prev = segs[title_idx]
        for s in segs[title_idx + 1: title_idx + 5]:
            folded = fold(s.text)
            gap_ok = not s.has_geometry or s.y0 - prev.y1 < 1.2 * prev.height
            if _SUBJECT_STOP.match(folded) or not gap_ok or not _centred(s):
                break
            if parts and is_upper(s.text):
                break
            parts.append(s)
            prev = s
        if parts:
            found.put("subject", clean(" ".join(p.text for p in parts)),
                      min(p.conf for p in parts))
    _signature_block(segs, found)


def _labelled(segs: Sequence[Segment], label: re.Pattern[str]) -> tuple[str, float] | None:
    for s in segs:
        folded = fold(s.text)
        m = label.search(folded)
        if m and ":" in s.text:
            value = s.text.split(":", 1)[1]
            return clean(value), s.conf
    return None


_NAME_LABEL = re.compile(r"^HO (VA )?TEN\b")
_BIRTH_LABEL = re.compile(r"^(NGAY,? THANG,? NAM SINH|NGAY SINH|SINH NGAY)\b")
_ID_LABEL = re.compile(r"(CCCD|CAN CUOC|DINH DANH|CMND)")
_PHONE_LABEL = re.compile(r"DIEN THOAI")
_ADDRESS_LABEL = re.compile(r"^(NOI CU TRU|DIA CHI|NOI THUONG TRU|HO KHAU THUONG TRU)\b")


def _don(segs: Sequence[Segment], found: _Found, title: Segment) -> None:
    found.put("doc_type_name", title.text, title.conf)
    rest = _FORM_PREFIX.sub("", fold(title.text))
    if rest != fold(title.text):
        # Keep the printed words (with their accents) after the prefix.
        words = title.text.split()
        procedure = " ".join(words[len(words) - len(rest.split()):])
        found.put("procedure_name", sentence_case(procedure), title.conf)
    if (v := _labelled(segs, _NAME_LABEL)) is not None:
        found.put("applicant_name", v[0], v[1])
    if (v := _labelled(segs, _BIRTH_LABEL)) is not None and (m := _DMY.search(v[0])):
        found.put("birth_date", _iso(*m.groups()), v[1])
    if (v := _labelled(segs, _ID_LABEL)) is not None:
        digits = _digits(v[0])
        found.put("id_number", digits, v[1] if len(digits) == 12 else v[1] * 0.5)
    if (v := _labelled(segs, _PHONE_LABEL)) is not None:
        found.put("phone", _digits(v[0]), v[1])
    if (v := _labelled(segs, _ADDRESS_LABEL)) is not None:
        found.put("address", v[0], v[1])
    tail = [s for s in segs if s.page == max(x.page for x in segs)]
    _date(tail[::-1], found)


def _form_title(segs: Sequence[Segment]) -> Segment | None:
    for s in segs[:12]:
        if _FORM_TITLE.match(fold(s.text)) and is_upper(s.text):
            return s
    return None


def extract(segs: Sequence[Segment], page_count: int, min_conf: float = 0.6) -> Extraction:
    """Classify and read one document. Never raises on odd text: missing fields go to review."""
    found = _Found({}, {})
    title = _form_title(segs)
    has_number = any(_number(s) for s in segs[:15])
    kind = DocKind.don if title is not None and not has_number else DocKind.van_ban
    if segs:
        if kind is DocKind.don and title is not None:
            _don(segs, found, title)
        else:
            _van_ban(segs, found)
    found.put("page_count", page_count, 1.0)
    found.put("language", "vi", 1.0)
    review = tuple(k for k in REQUIRED[kind]
                   if k not in found.values or found.conf.get(k, 0.0) < min_conf)
    return Extraction(doc_kind=kind, metadata=found.values, confidence=found.conf, review=review)
