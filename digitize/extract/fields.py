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
from digitize.extract.text import (
    EDGE_JUNK,
    clean,
    fold,
    implausible_words,
    is_upper,
    known_surname,
    sentence_case,
    tidy,
)
from digitize.model import DocKind, Evidence, Extraction
from digitize.schemas.codes import CONG_VAN, DOC_TYPES, DocType

_FORM_TITLE = re.compile(r"^(DON|TO KHAI|PHIEU DE NGHI|GIAY DE NGHI)\b")
_FORM_PREFIX = re.compile(r"^(DON DE NGHI|DON XIN|DON|TO KHAI|PHIEU DE NGHI|GIAY DE NGHI)\s+")
# Matched on folded text (same length as NFC text), values sliced from the printed text.
# "Số: 15/QĐ-UBND"; OCR may lose the slash ("3NQ-VTLTNN") when the symbol follows at once.
_NUMBER = re.compile(r"^S[O0]\s*[:;.,]*\s*([0-9OIL|]{1,6})\s*(?:/\s*|(?=[A-Z]+\s*-))"
                     r"(\S+(?:\s*-\s*\S+)*)")
_DATE_LINE = re.compile(
    r"(?:^|,)\s*NGAY\s+([0-9OIl]{1,2})\s+THANG\s+([0-9OIl]{1,2})\s+NAM\s+([0-9OIl]{4})")
_DMY = re.compile(r"\b(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})\b")
# Parts of the quốc hiệu, also as OCR leaves them ("ộc lập" without its Đ, "HÒA.XÃ").
_QUOC_HIEU = re.compile(r"CONG\W*HOA\W*XA|CHU\W*NGHIA\W*VIET|D?OC\W*LAP\W|TU\W*DO\W*-|"
                        r"HANH\W*PHUC")
_SUBJECT_STOP = re.compile(r"^(KINH GUI|CAN CU|XET |THEO |NOI NHAN)")
# "V/v" and how OCR reads it: V/V, V.v, Vlv, VW, V/y.
_VV = re.compile(r"^V\s*(?:[/.|\\lI1]?\s*[VWY]\b|/)\.?\s*", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(KT|TM|TL|TUQ|Q)\s*\.\s*")
# Common titles (chức vụ), to restore diacritics OCR lost: "CHỦ TICH" -> "CHỦ TỊCH".
TITLES = ("CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "TRƯỞNG PHÒNG",
          "PHÓ TRƯỞNG PHÒNG", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "BỘ TRƯỞNG", "THỨ TRƯỞNG",
          "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "PHÓ VỤ TRƯỞNG", "TỔNG CỤC TRƯỞNG",
          "BÍ THƯ", "PHÓ BÍ THƯ", "CHỦ NHIỆM", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "HIỆU TRƯỞNG")
_TITLE_BY_FOLD = {fold(t): t for t in TITLES}

# Text fields made of Vietnamese words, where a word that cannot be a syllable means OCR merged
# or garbled it: such a value goes to review whatever Tesseract's confidence.
_WORDY = {"issuer", "parent_issuer", "subject", "signer", "signer_title", "applicant_name",
          "address", "place", "procedure_name", "doc_type_name"}
SUSPECT_CONF = 0.5
_UPPER = {"issuer", "parent_issuer", "signer_title", "doc_type_name"}
_AGENCY = {"issuer", "parent_issuer"}
_PERSON = {"signer", "applicant_name"}

REQUIRED = {
    DocKind.van_ban: ("doc_type_name", "number", "symbol", "issued_date", "issuer", "subject"),
    DocKind.don: ("doc_type_name", "applicant_name", "procedure_name"),
}


@dataclass
class _Found:
    values: dict[str, object]
    conf: dict[str, float]
    seen: dict[str, Evidence]

    def put(self, key: str, value: object, conf: float, *where: Segment) -> None:
        if isinstance(value, str):
            value = tidy(value)
            if sum(c.isalnum() for c in value) < (1 if key == "number" else 2):
                return  # a speck or a rule, not a value ("Số: 5/…" is a number)
            if key in _UPPER and is_upper(value):
                value = value.upper()  # "ĐỒNG THÁp": one letter read in the wrong case
                if key in _AGENCY:  # agency names have no " - " in them: a rule or a speck
                    value = " ".join(w for w in value.split() if w != "-")
            if key in _PERSON:
                value = known_surname(value)
            if key in _WORDY and implausible_words(value):
                conf = min(conf, SUSPECT_CONF)
        if value in (None, ""):
            return
        self.values[key] = value
        self.conf[key] = round(max(0.0, min(1.0, conf)), 3)
        located = [s for s in where if s.has_geometry]
        if located:
            self.seen[key] = Evidence(
                page=located[0].page,
                box=(min(s.x0 for s in located), min(s.y0 for s in located),
                     max(s.x1 for s in located), max(s.y1 for s in located)),
                text=" / ".join(s.text for s in where))


def _digits(s: str) -> str:
    return re.sub(r"\D", "", s.translate(str.maketrans("OoIl|", "00111")))


def _iso(d: str, m: str, y: str) -> str | None:
    try:
        return date(int(_digits(y)), int(_digits(m)), int(_digits(d))).isoformat()
    except ValueError:
        return None


_TYPE_BY_SKELETON = {fold(t.name).replace(" ", ""): t for t in DOC_TYPES}


def _doc_type(text: str) -> DocType | None:
    """The type a title line names; spaces OCR lost or added ("ĐÊÁN") do not matter."""
    return _TYPE_BY_SKELETON.get(fold(tidy(text)).replace(" ", ""))


def _near(a: str, b: str) -> bool:
    """Equal, or one letter added, dropped or changed (OCR's usual slips on short codes)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < 2:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


_ABBR_EXACT = {t.abbr: t for t in DOC_TYPES if t.abbr}
_ABBR_FOLDED = {fold(t.abbr): t for t in reversed(DOC_TYPES) if t.abbr}  # first one wins


def _symbol_type(raw: str) -> DocType | None:
    """The document type a symbol's first part names ("QĐ-UBND" -> Quyết định), if any."""
    head = re.split(r"\s*-\s*", raw.strip(" .,;"))[0].replace(" ", "").translate(
        str.maketrans({"Ð": "Đ"}))
    return _ABBR_EXACT.get(head) or _ABBR_FOLDED.get(fold(head))


def named_type(text: str) -> DocType | None:
    """The type a person names by its ND 30 abbreviation (QĐ, QD, TTr, CV) or by its name
    ("Quyết định"), if any."""
    return _symbol_type(text) or _doc_type(text)


def _canonical_symbol(raw: str, doc_type: DocType | None) -> str:
    """The symbol as ND 30 writes it: the type's abbreviation in its own case (QyĐ, TTr), then
    the issuer's parts in upper case. Abbreviations that fold alike (ĐA/DA, HĐ/HD) are told
    apart by the type named in the title."""
    parts = [p for p in re.split(r"\s*-\s*", tidy(raw)) if p]
    if not parts:
        return ""
    parts = [p.replace(" ", "") for p in parts]
    head = fold(parts[0])
    if head == "TTT":  # "TTr" is often read as "TTT"
        head = "TTR"
    if doc_type is not None and doc_type.abbr and len(parts) > 1 and _near(
            head, fold(doc_type.abbr)):
        first = doc_type.abbr
    elif parts[0] in _ABBR_EXACT:
        first = parts[0]
    else:
        found = _ABBR_FOLDED.get(head)
        first = found.abbr if found else parts[0].upper()
    return "-".join([first] + [p.upper() for p in parts[1:]])


def _in_left_column(s: Segment) -> bool:
    return s.has_geometry and s.cx < 0.45


def _in_right_column(s: Segment) -> bool:
    return s.has_geometry and s.cx > 0.5


def _centred(s: Segment) -> bool:
    return not s.has_geometry or abs(s.cx - 0.55) < 0.12


def _number(seg: Segment) -> tuple[str, str] | None:
    start = len(seg.text) - len(seg.text.lstrip(EDGE_JUNK))  # specks before "Số"
    m = _NUMBER.match(fold(seg.text[start:]))
    if not m:
        return None
    return seg.text[start + m.start(1):start + m.end(1)], seg.text[start + m.start(2):
                                                                  start + m.end(2)]


def _date(segs: Sequence[Segment], found: _Found) -> int | None:
    """issued_date and place from the 'Place, ngày dd tháng mm năm yyyy' line; a line split in
    two is tried only when no single line matches."""
    singles = [(i, s.text, s.conf, (s,)) for i, s in enumerate(segs)]
    pairs = [(i, f"{a.text} {b.text}", min(a.conf, b.conf), (a, b))
             for i, (a, b) in enumerate(pairwise(segs))]
    for i, text, conf, used in singles + pairs:
        m = _DATE_LINE.search(fold(text))
        iso = _iso(*m.groups()) if m else None
        if m is None or iso is None:
            continue
        found.put("issued_date", iso, conf, *used)
        comma = text.find(",")
        if 0 < comma < m.start() + 2:
            place = text[:comma]
            # "Số: 45/UBND-KT Hòa An, ngày …" when the two header columns share a line
            if (num := _NUMBER.match(fold(place))) is not None:
                place = place[num.end():]
            found.put("place", clean(place), conf, *used)
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
    text = tidy(name.text)
    words = text.split()
    if is_upper(text) or not 2 <= len(words) <= 6 or not all(w[:1].isupper() for w in words):
        return
    found.put("signer", text, name.conf, name)
    for s in reversed(right[:-1]):
        text = tidy(s.text)
        if is_upper(text) and sum(c.isalpha() for c in text) >= 2:
            authority = _AUTHORITY.match(fold(text))
            title = tidy(text[authority.end():]) if authority else text
            conf = s.conf
            if authority and authority.group(1) != "Q":
                # "KT. GIÁM ĐỐC" names the head; the signer's own title is the line below,
                # which was not read.
                conf = min(conf, 0.3)
            found.put("signer_title", _TITLE_BY_FOLD.get(fold(title), title), conf, s)
            break


# How Vietnamese agency names begin. A header line that does not begin so continues the name
# above it ("ỦY BAN NHÂN DÂN" / "TỈNH ĐẮK LẮK"), since long names are broken over two lines.
_AGENCY_HEADS = tuple(fold(h) + " " for h in (
    "ỦY BAN", "UBND", "HĐND", "HỘI ĐỒNG", "SỞ", "BỘ", "CỤC", "TỔNG CỤC", "CHI CỤC", "VỤ", "BAN",
    "PHÒNG", "VĂN PHÒNG", "TRƯỜNG", "TRUNG TÂM", "CÔNG AN", "BỘ CHỈ HUY", "VIỆN", "HỌC VIỆN",
    "BỆNH VIỆN", "ĐẠI HỌC", "TÒA ÁN", "KHO BẠC", "CHI NHÁNH", "BẢO HIỂM", "CÔNG TY", "TỔNG CÔNG TY",
    "ĐẢNG ỦY", "ĐOÀN", "LIÊN ĐOÀN", "MẶT TRẬN", "THANH TRA", "CỤC THUẾ", "ĐÀI", "BÁO", "TẠP CHÍ",
    "QUỸ", "NGÂN HÀNG", "TỔNG LIÊN ĐOÀN", "HỘI", "THÀNH ỦY", "TỈNH ỦY", "HUYỆN ỦY", "ĐẢNG BỘ",
    "CHÍNH PHỦ", "THỦ TƯỚNG", "QUỐC HỘI", "ỦY BAN NHÂN DÂN"))


def _agencies(lines: Sequence[Segment]) -> list[list[Segment]]:
    """Header lines grouped into agency names, top to bottom (cơ quan chủ quản, then the
    issuing agency)."""
    groups: list[list[Segment]] = []
    for s in lines:
        folded = fold(tidy(s.text)) + " "
        head = next((h for h in _AGENCY_HEADS if folded.startswith(h)), None)
        # "MÔI" / "TRƯỜNG": a head word alone, or after "VÀ", continues the name above.
        starts = head is not None and len(folded) > len(head) + 1 and not (
            groups and fold(groups[-1][-1].text).rstrip(EDGE_JUNK).endswith((" VA", " CUA")))
        if groups and not starts:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _left_header(header: Sequence[Segment]) -> list[Segment]:
    """Agency lines of the left header column. A long agency name can sit so close to the
    quốc hiệu that both form one segment: cut it where the quốc hiệu starts."""
    left: list[Segment] = []
    for s in header:
        hit = _QUOC_HIEU.search(fold(s.text))
        cut = hit.start() if hit else -1
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
    for i in range(start, min(len(segs), start + 8)):
        doc_type = _doc_type(segs[i].text)
        if doc_type and is_upper(segs[i].text):
            title_idx = i
            break
        doc_type = None
    printed = _number(segs[num_idx]) if num_idx is not None else None
    named = _symbol_type(printed[1]) if printed else None
    if doc_type is not None and title_idx is not None:
        # A title the symbol contradicts ("THÔNG CÁO" over "Số: 5/TB-…") is a misread one.
        agree = named is None or named is doc_type or not named.abbr
        found.put("doc_type_name", doc_type.name, segs[title_idx].conf * (1 if agree else 0.5),
                  segs[title_idx])
    elif named is not None:
        # No title line was read, but the symbol names the type (ND 30 puts it there).
        doc_type = named
        found.put("doc_type_name", doc_type.name, 0.75, *segs[num_idx: num_idx + 1])
    else:
        doc_type = CONG_VAN
        found.put("doc_type_name", CONG_VAN.name, 0.8)
    found.put("doc_type_code", doc_type.abbr, found.conf["doc_type_name"])
    found.put("tt05_type_code", doc_type.tt05, found.conf["doc_type_name"])

    if num_idx is not None:
        seg = segs[num_idx]
        number, symbol = _number(seg) or ("", "")
        found.put("number", _digits(number), seg.conf, seg)
        found.put("symbol", _canonical_symbol(symbol, doc_type), seg.conf, seg)
        left = _left_header([s for s in segs[:num_idx] if s.page == seg.page])
        agencies = _agencies(left)
        if len(agencies) >= 2:
            parent = agencies[-2]
            found.put("parent_issuer", clean(" ".join(s.text for s in parent)),
                      min(s.conf for s in parent), *parent)
        if agencies:
            issuer = agencies[-1]
            found.put("issuer", clean(" ".join(s.text for s in issuer)),
                      min(s.conf for s in issuer), *issuer)

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
                found.put("subject", clean(" ".join(parts)), conf, *below[j: j + len(parts)])
                break
    elif title_idx is not None:
        parts: list[Segment] = []
        prev = segs[title_idx]
        for s in segs[title_idx + 1: title_idx + 5]:
            gap_ok = not s.has_geometry or s.y0 - prev.y1 < 1.2 * prev.height
            if _SUBJECT_STOP.match(fold(tidy(s.text))) or not gap_ok or not _centred(s):
                break
            if parts and is_upper(s.text):
                break
            parts.append(s)
            prev = s
        if parts:
            found.put("subject", clean(" ".join(p.text for p in parts)),
                      min(p.conf for p in parts), *parts)
    _signature_block(segs, found)


def _labelled(segs: Sequence[Segment], label: re.Pattern[str]
              ) -> tuple[str, float, Segment] | None:
    for s in segs:
        folded = fold(s.text)
        m = label.search(folded)
        if m and ":" in s.text:
            value = s.text.split(":", 1)[1]
            return clean(value), s.conf, s
    return None


_NAME_LABEL = re.compile(r"^HO (VA )?TEN\b")
_BIRTH_LABEL = re.compile(r"^(NGAY,? THANG,? NAM SINH|NGAY SINH|SINH NGAY)\b")
_ID_LABEL = re.compile(r"(CCCD|CAN CUOC|DINH DANH|CMND)")
_PHONE_LABEL = re.compile(r"DIEN THOAI")
_ADDRESS_LABEL = re.compile(r"^(NOI CU TRU|DIA CHI|NOI THUONG TRU|HO KHAU THUONG TRU)\b")


def _don(segs: Sequence[Segment], found: _Found, title: Segment) -> None:
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
        found.put("birth_date", _iso(*m.groups()), v[1], v[2])
    if (v := _labelled(segs, _ID_LABEL)) is not None:
        digits = _digits(v[0])
        found.put("id_number", digits, v[1] if len(digits) == 12 else v[1] * 0.5, v[2])
    if (v := _labelled(segs, _PHONE_LABEL)) is not None:
        found.put("phone", _digits(v[0]), v[1], v[2])
    if (v := _labelled(segs, _ADDRESS_LABEL)) is not None:
        found.put("address", *v)
    tail = [s for s in segs if s.page == max(x.page for x in segs)]
    _date(tail[::-1], found)


def _form_title(segs: Sequence[Segment]) -> Segment | None:
    for s in segs[:12]:
        if _FORM_TITLE.match(fold(tidy(s.text))) and is_upper(s.text):
            return replace(s, text=tidy(s.text))
    return None


def extract(segs: Sequence[Segment], page_count: int, min_conf: float = 0.6) -> Extraction:
    """Classify and read one document. Never raises on odd text: missing fields go to review."""
    found = _Found({}, {}, {})
    segs = [s for s in segs if sum(c.isalnum() for c in s.text) >= 2]  # specks, rules
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
    return Extraction(doc_kind=kind, metadata=found.values, confidence=found.conf, review=review,
                      evidence=found.seen)
