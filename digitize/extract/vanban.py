"""An administrative or legal document (văn bản, ND 30/2020 Phụ lục I) read by its zones, from
cues every conformant document has rather than from one template: the header (agency names in
the left column, the quốc hiệu on the right), the số and ký hiệu line under the agency, the
place-and-date line, the tên loại and trích yếu, the body, and the signature block at the
bottom right (KT./TM./TL./Q.). Each field is taken only from its zone: a number cited in the
body ("Căn cứ … Tờ trình số 52/TTr-…") is never the document's number."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from digitize.extract.found import (
    DIGIT_LIKE,
    NUMBER_BROKEN,
    NUMBER_BY_HAND,
    NUMBER_GLUED,
    NUMBER_HEAD,
    NUMBER_SLASH,
    SLASH_MISREAD,
    SUSPECT_CONF,
    YEAR,
    Found,
    digits,
    read_date,
)
from digitize.extract.layout import Segment, joined_pen, same_line
from digitize.extract.signaturepage import QUOC_HIEU as _QUOC_HIEU
from digitize.extract.signaturepage import signature_page
from digitize.extract.text import EDGE_JUNK, clean, fold, is_upper, tidy
from digitize.extract.trichyeu import after_rule, in_margin, prose_low, sentence_head
from digitize.extract.vocab import (
    agency_heads,
    agency_words,
    distance,
    entries,
    known_agency,
    mixed_case_parts,
    nearest_agency,
    signer_titles,
)
from digitize.schemas.codes import CONG_VAN, DOC_TYPES, DocType

HEADER_ZONE = 0.45  # the số line sits in the top part of the first page
TITLE_ZONE = 0.6
_QUOC_HIEU_HEAD = re.compile(r"\sC?ONG(?:\s+H[OU]A)?$")  # its first words, at a line's end
_QUOC_HIEU_REST = re.compile(r"^(?:H[OU]A\W*)?XA\W*H[OU]I|^H[OU]A\W+XA")
_SUBJECT_STOP = re.compile(r"^(KINH GUI|CAN CU|XET |THEO |NOI NHAN)")
_KINH_GUI = re.compile(r"^KINH\s*GUI")
# "V/v" and how OCR reads it: V/V, V.v, Vlv, VW, V/y.
_VV = re.compile(r"^V\s*(?:[/.|\\lI1]?\s*[VWY]\b|/)\.?\s*", re.IGNORECASE)
_AUTHORITY = re.compile(r"^(KT|TM|TL|TUQ|Q)\s*\.\s*")
_NOT_TITLES = re.compile(r"^(NOI NHAN|CONG HOA|DOC LAP|[A-Z]+ *:)")
UNSURE_TYPE_CONF = 0.4  # no tên loại line and nothing that says công văn


# -- document types ------------------------------------------------------------------------

_TYPE_BY_SKELETON = {fold(t.name).replace(" ", ""): t for t in DOC_TYPES}
_ABBR_EXACT = {t.abbr: t for t in DOC_TYPES if t.abbr}
_ABBR_FOLDED = {fold(t.abbr): t for t in reversed(DOC_TYPES) if t.abbr}  # first one wins


def doc_type(text: str) -> DocType | None:
    """The type a title line names; spaces OCR lost or added ("ĐÊÁN") do not matter, and one
    wrong letter in a long name ("QUYÉT ĐINH") is forgiven where only one type is that near."""
    key = fold(tidy(text)).replace(" ", "")
    if key in _TYPE_BY_SKELETON:
        return _TYPE_BY_SKELETON[key]
    if len(key) < 7:
        return None
    near = [t for k, t in _TYPE_BY_SKELETON.items() if distance(key, k, 1) <= 1]
    return near[0] if len(near) == 1 else None


def near(a: str, b: str) -> bool:
    """Equal, or one letter added, dropped or changed (OCR's usual slips on short codes)."""
    return (min(len(a), len(b)) >= 2 and distance(a, b, 1) <= 1) or a == b


def symbol_type(raw: str) -> DocType | None:
    """The document type a symbol's first part names ("QĐ-UBND" -> Quyết định), if any."""
    head = re.split(r"\s*-\s*", raw.strip(" .,;"))[0].replace(" ", "").translate(
        str.maketrans({"Ð": "Đ"}))
    return _ABBR_EXACT.get(head) or _ABBR_FOLDED.get(fold(head))


def canonical_symbol(raw: str, kind: DocType | None) -> str:
    """The symbol as ND 30 writes it: the type's abbreviation in its own case (QyĐ, TTr), then
    the issuer's parts in upper case. Abbreviations that fold alike (ĐA/DA, HĐ/HD) are told
    apart by the type named in the title."""
    parts = [p.replace(" ", "") for p in re.split(r"\s*-\s*", tidy(raw)) if p]
    if not parts:
        return ""
    head = fold(parts[0])
    if head == "TTT":  # "TTr" is often read as "TTT"
        head = "TTR"
    if kind is not None and kind.abbr and len(parts) > 1 and near(head, fold(kind.abbr)):
        first = kind.abbr
    elif parts[0] in _ABBR_EXACT:
        first = parts[0]
    else:
        found = _ABBR_FOLDED.get(head)
        first = found.abbr if found else parts[0].upper()
    mixed = mixed_case_parts()
    return "-".join([first] + [mixed.get(p.upper(), p.upper()) for p in parts[1:]])


def titled_symbol(symbol: str, kind: DocType) -> str | None:
    """`symbol` (canonical_symbol's) with its type part as the tên loại above says, where OCR
    lost a letter or two of it ("Đ-UBND" under QUYẾT ĐỊNH, "TI-UBND" under TỜ TRÌNH) or the
    hyphen after it ("TTBCT" under THÔNG TƯ): ND 30 writes each type's own abbreviation
    there. None where the symbol reads otherwise, or already so."""
    if not kind.abbr or kind is CONG_VAN:
        return None
    abbr = fold(kind.abbr)
    head, dash, rest = symbol.partition("-")
    if not dash:
        body = fold(head)
        if body.startswith(abbr) and len(body) - len(abbr) >= 2 and body[len(abbr):].isalpha():
            return f"{kind.abbr}-{head[len(kind.abbr):]}"
        return None
    if head == kind.abbr or not head or not rest or symbol_type(symbol) is not None:
        return None  # another type's abbreviation is the title's contradiction, not a slip
    letters = head.lstrip("0123456789")  # "7TIT": a type part never starts with a digit
    if distance(fold(letters), abbr, 2) <= max(1, len(abbr) - 1) and head.isalnum():
        return f"{kind.abbr}-{rest}"
    return None


def agency_initials(name: str) -> str:
    """The issuer's part of a ký hiệu as ND 30 makes it: the first letter of each word of the
    agency's name but "VÀ", an acronym whole ("BỘ GIÁO DỤC VÀ ĐÀO TẠO" -> BGDĐT,
    "UBND TỈNH …" -> UBNDT…)."""
    def letter(c: str) -> str:
        return "Đ" if c in "ĐÐ" else fold(c)

    return "".join("".join(map(letter, w)) if len(w) >= 3 and
                   not any(c in "AEIOUY" for c in fold(w[1:])) else letter(w[0])
                   for w in clean(name).upper().replace(",", "").split() if w != "VÀ")


def issued_symbol(symbol: str, kind: DocType, issuer: str) -> tuple[str, bool] | None:
    """`symbol` mended by the issuer read above it, and whether only a bar of Đ was put back
    (sure) rather than letters (the clerk checks): "TT-BGDDT" from BỘ GIÁO DỤC VÀ ĐÀO TẠO is
    TT-BGDĐT; "TBGDDT" under CHỈ THỊ from it is CT-BGDĐT; "NQ-5NV" from SỞ NỘI VỤ is NQ-SNV.
    None where nothing is mended."""
    initials = agency_initials(issuer)
    if len(initials) < 2:
        return None
    head, dash, rest = symbol.partition("-")
    if not dash:
        body = fold(symbol)
        for n in range(len(initials), 2, -1):
            part = fold(initials[:n])
            lead = body[: len(body) - n]
            if body.endswith(part) and kind.abbr and kind is not CONG_VAN and \
                    distance(fold(lead.lstrip("0123456789")), fold(kind.abbr), 1) <= 1:
                return f"{kind.abbr}-{initials[:n]}", False
        return None
    parts = rest.split("-")

    def bar_lost(part: str, wanted: str) -> bool:
        return len(part) == len(wanted) and all(a == b or (a == "D" and b == "Đ")
                                                for a, b in zip(part, wanted, strict=True))

    def slipped(part: str) -> bool:
        # A digit for a letter like it, or one put in ("5NV", "ST1C" under SỞ NỘI VỤ, SỞ TÀI
        # CHÍNH): an agency's initials hold no digit, its number ("QH15") is more than one.
        return part != initials and any(c.isdigit() for c in part) and \
            distance(fold(part), fold(initials), 1) <= 1

    barred = [initials[:len(p)] if bar_lost(p, initials[:len(p)]) else p for p in parts]
    mended = [initials if slipped(p) else p for p in barred]
    if mended == parts:
        return None
    return "-".join([head, *mended]), mended == barred


# -- zones ---------------------------------------------------------------------------------

def _in_left_column(s: Segment) -> bool:
    return s.has_geometry and s.cx < 0.45


def _in_right_column(s: Segment) -> bool:
    return s.has_geometry and s.cx > 0.5


def _centred(s: Segment) -> bool:
    return not s.has_geometry or abs(s.cx - 0.55) < 0.15


@dataclass(frozen=True)
class NumberLine:
    """The "Số: …/…" line: the number as printed (None when the blank was left empty or what
    is there is not a number), its year (legal documents), the symbol, and how sure we are."""

    index: int
    number: str | None
    number_conf: float
    year: str  # as read: "2925" where a pen crossed it (see read_van_ban)
    symbol: str
    symbol_conf: float
    year_conf: float = 0.0


# A year read onto the symbol, its slash lost ("2025NĐ-CP").
_YEAR_GLUED = re.compile(r"((?:19|20)\d\d)([A-ZĐÐ]{2,}\s*-.*)$")


def number_line(segs: Sequence[Segment]) -> NumberLine | None:
    first_page = segs[0].page if segs else 0
    for i, s in enumerate(segs[:40]):
        if s.page != first_page or (s.has_geometry and (s.y0 > HEADER_ZONE or s.cx > 0.62)):
            continue
        if not s.has_geometry and i >= 15:
            break
        if _SUBJECT_STOP.match(fold(tidy(s.text))) or (
                doc_type(s.text) is not None and is_upper(s.text) and _centred(s)):
            break  # the body or the tên loại: the số line is above them
        start = len(s.text) - len(s.text.lstrip(EDGE_JUNK))  # specks before "Số"
        folded = fold(s.text[start:])
        head = NUMBER_HEAD.match(folded)
        if head is None:
            continue
        rest = folded[head.end():]
        # "Số:" and "/QĐ-UBND" with the blank for the number between them: one line (the
        # place-and-date line, level with them on the right, may come between in the list,
        # and the symbol may be read on into it: what begins in the left column counts).
        # A pen's number a little below the line comes after the symbol in the list: the
        # runs are joined in the order they stand across the page.
        # A Word template's "Số: 95     /TTr-UBND" leaves room before the slash: its number
        # and symbol are two runs too, the number in the first.
        after = [t for t in segs[i + 1: i + 4] if same_line(s, t) and t.x0 < 0.45]
        if "/" not in rest and after:
            for nxt in sorted(after, key=lambda t: t.x0):
                s = replace(s, text=f"{s.text} {nxt.text}", x1=nxt.x1,
                            word_conf=s.word_conf + nxt.word_conf if s.word_conf and
                            nxt.word_conf else (), **joined_pen(s, nxt))
            folded = fold(s.text[start:])
            head = NUMBER_HEAD.match(folded) or head
            rest = folded[head.end():]
        rest = SLASH_MISREAD.sub("/", rest)
        m = NUMBER_SLASH.match(rest) or NUMBER_GLUED.match(rest)
        by_hand = NUMBER_BY_HAND.match(rest) if m is None else None
        m = m or by_hand
        broken = m is None and (broken_m := NUMBER_BROKEN.match(rest)) is not None
        if broken:
            m = broken_m
        if m is None or not re.search("[A-Z]", m.group("sym")):
            continue
        at = start + head.end()
        symbol = s.text[at + m.start("sym"): at + m.end("sym")]
        year_glued = _YEAR_GLUED.match(symbol) if not m.group("year") else None
        if broken:
            return NumberLine(i, None, 0.0, "", symbol, SUSPECT_CONF)
        raw = s.text[at + m.start("num"): at + m.end("num")]
        symbol_conf = s.conf_of(at + m.start("sym"), at + m.end("sym"))
        if by_hand is not None:
            # Where the pen crossed the print, what is left of its first letters is doubtful.
            symbol_conf = min(symbol_conf, SUSPECT_CONF)
        year, year_conf = m.group("year") or "", symbol_conf
        if year_glued is not None:
            # "4962/2025NĐ-CP": the slash after the year lost; a clerk checks the year.
            year, symbol, year_conf = year_glued.group(1), year_glued.group(2), SUSPECT_CONF
        glued = re.fullmatch(r"(\d{2,5})((?:19|20)\d\d)", raw) if not year and "-" in \
            m.group("sym") else None
        if glued is not None:
            # "76672025/TT-BCT": the slash between number and year lost (a legal document's
            # number carries its year; no number runs to six digits); a clerk checks it.
            raw, year, year_conf = glued.group(1), glued.group(2), SUSPECT_CONF
        number, conf = None, 0.0
        if DIGIT_LIKE.fullmatch(raw):
            number = digits(raw)
            conf = s.conf_of(at + m.start("num"), at + m.end("num"))
            if (m.group("gap") or glued) and conf < 1.0:
                # A space before the slash is the blank ND 30 leaves for the number, written in
                # by hand or stamped at signing: on a scan, a clerk must check it.
                conf = min(conf, SUSPECT_CONF)
        return NumberLine(i, number, conf, year, symbol, symbol_conf, year_conf)
    return None


def _title(segs: Sequence[Segment], start: int) -> tuple[int, DocType] | None:
    first_page = segs[0].page if segs else 0
    for i in range(start, min(len(segs), start + 12)):
        s = segs[i]
        if s.page != first_page or (s.has_geometry and s.y0 > TITLE_ZONE):
            break
        kind = doc_type(s.text)
        if kind is not None and is_upper(s.text) and _centred(s):
            return i, kind
    return None


def _says_cong_van(segs: Sequence[Segment], start: int, symbol: str) -> bool:
    """A công văn carries no tên loại; it shows itself by a "V/v" trích yếu under the number,
    a "Kính gửi:" line, or a symbol that names no type ("3722/VPCP-CN")."""
    for s in segs[start: start + 15]:
        if _VV.match(s.text) and (_in_left_column(s) or not s.has_geometry):
            return True
        if _KINH_GUI.match(fold(tidy(s.text))):
            return True
    return bool(symbol) and symbol_type(symbol) is None and "-" in symbol


def _agencies(lines: Sequence[Segment]) -> list[list[Segment]]:
    """Header lines grouped into agency names, top to bottom (cơ quan chủ quản, then the
    issuing agency)."""
    groups: list[list[Segment]] = []
    heads = agency_heads()
    for s in lines:
        folded = fold(tidy(s.text)) + " "
        head = next((h for h in heads if folded.startswith(h)), None)
        # "MÔI" / "TRƯỜNG": a one-word head alone, or after "VÀ", continues the name above;
        # "VĂN PHÒNG" alone under "UBND THÀNH PHỐ HUẾ" is an agency of its own.
        alone_ok = head is not None and " " in head.strip()
        starts = head is not None and (len(folded) > len(head) + 1 or alone_ok) and not (
            groups and fold(groups[-1][-1].text).rstrip(EDGE_JUNK).endswith((" VA", " CUA")))
        if groups and not starts:
            groups[-1].append(s)
        else:
            groups.append([s])
    return groups


def _named_agency(group: Sequence[Segment]) -> bool:
    folded = fold(tidy(group[0].text)) + " "
    return any(folded.startswith(h) for h in agency_heads())


def _left_header(header: Sequence[Segment]) -> list[Segment]:
    """Agency lines of the left header column. A long agency name can sit so close to the
    quốc hiệu that both form one segment: cut it where the quốc hiệu starts."""
    left: list[Segment] = []
    for s in header:
        hit = _QUOC_HIEU.search(fold(s.text)) or _SO_INSIDE.search(fold(s.text))
        cut = hit.start() if hit else -1
        if cut == 0 or (cut > 0 and s.has_geometry and s.x0 > 0.45):
            continue  # the quốc hiệu, or its second half in the right column
        tail = _QUOC_HIEU_HEAD.search(fold(s.text))
        if cut < 0 and tail is not None and any(
                same_line(s, t) and _QUOC_HIEU_REST.match(fold(t.text)) for t in header):
            # "… ĐÀO TẠO CỘNG" / "HÒA XÃ HỘI …", "… CẦN THƠ CỘNG HÒA" / "XÃ HỘI …": the quốc
            # hiệu's first words joined the name.
            cut = tail.start() + 1
        if cut > 0:
            left.append(replace(s, text=clean(s.text[:cut]), x1=s.x0 + (s.x1 - s.x0) * cut /
                                len(s.text)))
        elif _in_left_column(s) or not s.has_geometry:
            left.append(s)
    return left


# "Số:" with its colon or its number, not "SỞ" beginning an agency name; _SO_INSIDE finds it
# after an agency's last line on the same line ("VĂN PHÒNG SỐ: 12/GM-VP").
_SO_LINE = re.compile(r"^(?:LUAT\s+)?[S§$][O0]\s*(?:[:;.,]|[0-9/])")
_SO_INSIDE = re.compile(r"(?<=\s)[S§$][O0]\s*[:;.,]")


def _issuers(header: Sequence[Segment], found: Found) -> None:
    # The số line ends the header, wherever it was read ("BỘ CÔNG THƯƠNG SỐ: /NQ-BCT").
    numbered = next((i for i, s in enumerate(header)
                     if _SO_LINE.match(fold(s.text.lstrip(EDGE_JUNK)))), len(header))
    # Nor is a piece of the symbol ("/TTr-UBND", read a little above its "Số:") a name.
    header = [s for s in header[:numbered] if not s.text.lstrip(EDGE_JUNK + " ").startswith("/")]
    agencies = [g for g in _agencies(_left_header(header))
                if sum(ch.isalpha() for s in g for ch in s.text) >= 4]  # marks in the margin
    named = [g for g in agencies if _named_agency(g)]
    if len(named) >= 2:
        parent = named[-2]
        found.put("parent_issuer", *_agency(parent), *parent)
    issuer = named[-1] if named else (agencies[-1] if agencies else None)
    if issuer is not None:
        name, conf = _agency(issuer)
        found.put("issuer", name, conf if named else min(conf, SUSPECT_CONF), *issuer)


KNOWN_AGENCY_CONF = 0.99  # a name the vocabularies spell word for word (vocab.known_agency)


def _agency(lines: Sequence[Segment]) -> tuple[str, float]:
    """An agency name as the vocabularies spell it, and how sure: the least sure line's score;
    a name read word for word as they spell it (marks restored) is all but sure whatever
    Tesseract's score for bold capitals (calibrate.py measures how sure); one corrected a
    letter or two (vocab.nearest_agency) is the clerk's to check."""
    name = agency_words().restore(clean(" ".join(s.text for s in lines)))
    conf = min(s.conf for s in lines)
    near = nearest_agency(name) if is_upper(name) else None
    if near is not None and near.edits:
        return near.value, min(conf, SUSPECT_CONF)
    if near is not None:
        name = near.value
    if fold(name) in _NEEDS_PLACE:
        return name, min(conf, SUSPECT_CONF)  # its place's line was lost: a cut name
    return name, max(conf, KNOWN_AGENCY_CONF) if known_agency(name) else conf


# People's committees and councils are named with their place ("ỦY BAN NHÂN DÂN TỈNH LÂM
# ĐỒNG"): the words alone are a name cut short.
_NEEDS_PLACE = frozenset({"UY BAN NHAN DAN", "HOI DONG NHAN DAN", "UBND", "HDND"})


def _subject(segs: Sequence[Segment], found: Found, kind: DocType, start: int,
             title_idx: int | None) -> None:
    if kind is CONG_VAN:
        below = [s for s in segs[start: start + 8] if _in_left_column(s) or not s.has_geometry]
        for j, s in enumerate(below):
            if _VV.match(s.text):
                parts = [_VV.sub("", s.text)]
                for nxt in below[j + 1:]:
                    if (_SUBJECT_STOP.match(fold(nxt.text)) or is_upper(nxt.text)
                            or nxt.y0 - s.y1 > 2 * s.height):
                        break
                    parts.append(nxt.text)
                    s = nxt
                conf = prose_low(below[j: j + len(parts)])
                found.put("subject", clean(" ".join(parts)), conf, *below[j: j + len(parts)])
                return
        return
    if title_idx is None:
        return
    parts: list[Segment] = []
    prev = segs[title_idx]
    skipped = False
    for s in segs[title_idx + 1: title_idx + 9]:
        if parts and in_margin(s):
            skipped = True  # a received stamp's lines in the margin, between the trích yếu's
            continue
        # Past a stamp, only a line set as close as the trích yếu's own goes on with it.
        gap_ok = not s.has_geometry or s.y0 - prev.y1 < (0.6 if skipped else 1.2) * prev.height
        if _SUBJECT_STOP.match(fold(tidy(s.text))) or not gap_ok or not _centred(s):
            break
        if (parts and is_upper(s.text)) or len(parts) == 4:
            break
        parts.append(s)
        prev = s
    if parts:
        text, conf = sentence_head(clean(" ".join(after_rule(p.text) for p in parts)),
                                    prose_low(parts))
        found.put("subject", text, conf, *parts)



_TITLE_WORDS = frozenset(fold(w) for t in entries("signer_titles") for w in t.split())


def _known_title(title: str) -> tuple[str, int] | None:
    """The vocabulary's spelling of `title` and the letters OCR got wrong; a leading token of
    one or two characters that is not a word (a seal's letter left over: "W GỤC TRƯỞNG")
    is dropped and counted as one more."""
    match = signer_titles().match(title)
    if match is not None:
        return match.value, match.edits
    first, _, rest = title.partition(" ")
    if rest and len(first) <= 2 and fold(first) not in _TITLE_WORDS:
        match = signer_titles().match(rest)
        if match is not None:
            return match.value, match.edits + 1
    return None


def _signer_title(text: str, conf: float) -> tuple[str, float, bool] | None:
    """A signature block's title line as the vocabulary spells it, and whether the
    vocabulary knows it; a document title, the quốc hiệu or an agency name is never a
    signer's title (None: look further up)."""
    authority = _AUTHORITY.match(fold(text))
    title = tidy(text[authority.end():]) if authority else text
    if authority and authority.group(1) != "Q":
        # "KT. GIÁM ĐỐC" names the head; the signer's own title is the line below, not read.
        conf = min(conf, 0.3)
    if doc_type(title) is not None:
        return None
    known = _known_title(tidy(title.replace(":", " ")))  # "PHÓ:GIÁM ĐỐC": a seal's speck
    if known is not None:
        return known[0], conf if known[1] == 0 and ":" not in title else conf * 0.9, True
    if _NOT_TITLES.match(fold(title)):
        return None
    if sum(len(w) >= 2 and w.isalpha() for w in title.split()) < 2:
        return None  # every title has two words or more: "NN", "SƯ" are a seal's letters
    if any(title.upper().startswith(h.upper() + " ") for h in entries("agency_heads")):
        return None  # "TM. ỦY BAN NHÂN DÂN" above the title (spelled out: TRƯỞNG ≠ TRƯỜNG)
    return title, min(conf, SUSPECT_CONF), False  # a title we do not know: a clerk reads it


def _name_word(word: str) -> bool:
    """A word of a person's name as printed: a capital, then small letters ("Yến")."""
    return len(word) >= 2 and word[0].isupper() and word[1:].islower() and word.isalpha()


TITLE_LINES = 4  # upper-case lines above the signer's name that may hold the title


def signature_block(segs: Sequence[Segment], found: Found, below: float = 0.0) -> None:
    """The signer's name is the last right-column line of the last page; the title the nearest
    upper-case right-column line above it that is a title (see _signer_title), a known title
    before an unknown one nearer the name (a seal's letters left as a line of their own). On
    the first page, only what lies under `below` (the end of the title) counts."""
    first_page = min(s.page for s in segs)
    last_page = signature_page(segs)
    right = [s for s in segs if s.page == last_page and _in_right_column(s)
             and (last_page != first_page or s.y0 > below)]
    if not right:
        return
    name = right[-1]
    words = [w for w in (w.lstrip(EDGE_JUNK) for w in tidy(name.text).split()) if w]
    conf = name.low
    # A seal's letters read before the name ("NNG _Lê Ngọc Yến"): dropped, and checked.
    while len(words) > 2 and not _name_word(words[0]) and all(map(_name_word, words[1:])):
        words, conf = words[1:], min(conf, SUSPECT_CONF)
    text = " ".join(words)
    if is_upper(text) or not 2 <= len(words) <= 6 or not all(w[:1].isupper() for w in words):
        return
    found.put("signer", text, conf, name)
    unknown: tuple[str, float, Segment] | None = None
    lines = [(s, t) for s in reversed(right[:-1]) if is_upper(t := tidy(s.text))
             and sum(c.isalpha() for c in s.text) >= 2]
    for s, line in lines[:TITLE_LINES]:
        if unknown is not None and _AUTHORITY.match(fold(line)):
            break  # "KT. CHỦ TỊCH" heads the block: the title is the line under it
        read = _signer_title(line, s.low)
        if read is None:
            continue
        if read[2]:
            found.put("signer_title", read[0], read[1], s)
            return
        if unknown is None:
            unknown = (read[0], read[1], s)
    if unknown is not None:
        found.put("signer_title", unknown[0], unknown[1], unknown[2])


def read_van_ban(segs: Sequence[Segment], found: Found, line: NumberLine | None) -> None:
    """Read a văn bản whose số line (number_line of the same segments) is `line`."""
    start = line.index + 1 if line is not None else 0
    titled = _title(segs, start)
    named = symbol_type(line.symbol) if line is not None else None
    if titled is not None:
        title_idx, kind = titled
        # A title the symbol contradicts ("THÔNG CÁO" over "Số: 5/TB-…") is a misread one.
        agree = named is None or named is kind or not named.abbr
        found.put("doc_type_name", kind.name, segs[title_idx].low * (1 if agree else 0.5),
                  segs[title_idx])
    elif named is not None and line is not None:
        title_idx, kind = None, named  # no title line read: the symbol names the type
        found.put("doc_type_name", kind.name, 0.75, segs[line.index])
    else:
        title_idx, kind = None, CONG_VAN
        sure = _says_cong_van(segs, start, line.symbol if line else "")
        found.put("doc_type_name", CONG_VAN.name, 0.9 if sure else UNSURE_TYPE_CONF)
    found.put("doc_type_code", kind.abbr, found.conf["doc_type_name"])
    found.put("tt05_type_code", kind.tt05, found.conf["doc_type_name"])

    header_end = line.index if line is not None else title_idx
    if line is not None:
        seg = segs[line.index]
        if line.number is not None:
            found.put("number", line.number, line.number_conf, seg)
        else:
            # Left blank or written in: the clerk reads it there, the whole line to the symbol.
            found.locate("number", seg, *[t for t in segs[line.index + 1: line.index + 4]
                                          if same_line(seg, t) and t.x0 < 0.45])
        if YEAR.fullmatch(line.year):
            found.put("number_year", line.year, line.year_conf, seg)
        symbol = canonical_symbol(line.symbol, kind)
        # Every ND 30 ký hiệu joins the type and the issuer with a hyphen (a law's "QH15"
        # excepted): one without it lost the hyphen to OCR and may have lost more.
        whole = "-" in symbol or re.fullmatch(r"[A-Z]+\d+", symbol) is not None
        mended = titled_symbol(symbol, kind) if titled is not None else None
        if mended is not None:
            symbol, whole = mended, False
        found.put("symbol", symbol, line.symbol_conf if whole else
                  min(line.symbol_conf, SUSPECT_CONF), seg)
    if header_end is not None:
        page = segs[header_end].page
        _issuers([s for s in segs[:header_end] if s.page == page], found)
    symbol, issuer = found.values.get("symbol"), found.values.get("issuer")
    if isinstance(symbol, str) and isinstance(issuer, str) and line is not None:
        by_issuer = issued_symbol(symbol, kind, issuer)
        if by_issuer is not None:
            conf = found.conf["symbol"] if by_issuer[1] else min(found.conf["symbol"],
                                                                 SUSPECT_CONF)
            found.put("symbol", by_issuer[0], conf, segs[line.index])
    read_date(segs[: (title_idx or header_end or 12) + 3], found)
    dated = found.values.get("issued_date")
    if line is not None and line.year and not YEAR.fullmatch(line.year) and \
            isinstance(dated, str):
        # A number's year is its year of issue: "2925" under the pen is the date's year.
        found.put("number_year", dated[:4], SUSPECT_CONF, segs[line.index])
    _subject(segs, found, kind, start, title_idx)
    below = segs[title_idx].y1 if title_idx is not None and segs[title_idx].has_geometry \
        else 0.0
    signature_block(segs, found, below)
