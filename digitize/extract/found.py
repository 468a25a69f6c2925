"""What the extractor has found so far, field by field (value, confidence, where it was read),
and the readers every kind of document shares: numbers, dates and the place-and-date line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from digitize.extract.calibration import FLAGGED
from digitize.extract.layout import Segment, same_line
from digitize.extract.names import respelled
from digitize.extract.text import clean, fold, implausible_words, is_upper, tidy
from digitize.extract.vocab import known_surname, places
from digitize.extract.wordpairs import dotted_i, marks
from digitize.model import Evidence

# Text fields made of Vietnamese words, where a word that cannot be a syllable means OCR merged
# or garbled it: such a value goes to review whatever Tesseract's confidence.
WORDY = {"issuer", "parent_issuer", "subject", "signer", "signer_title", "applicant_name",
         "address", "place", "procedure_name", "doc_type_name"}
SUSPECT_CONF = FLAGGED  # a rule's doubt: kept whatever the calibration says (see there)
# Running text in common words, where a marked i that makes no word is put back as a dotted i
# (wordpairs.py). Names and places are left as read: they need not be in a word list.
_PROSE = {"subject", "procedure_name"}
_UPPER = {"issuer", "parent_issuer", "signer_title", "doc_type_name"}
_AGENCY = {"issuer", "parent_issuer"}
_PERSON = {"signer", "applicant_name"}
# "ngày 5 tháng 3 năm 2026" on folded text. A day or month written by hand over the t of
# "tháng" or the n of "năm" leaves "háng", "đháng", "hăm", "măm".
_DATE_TAIL = (r"NGAY\s*([0-9OIl]{1,2})\s*[TD]?HANG\s+([0-9OIl]{1,2})\s+[NHM]?AM\s+"
              r"([0-9OIl]{4})")
DATE_LINE = re.compile(r"(?:^|,)\s*" + _DATE_TAIL)
# "Số: 15/QĐ-UBND", "Số: 21/2026/TT-BCT", "Số: /KH-UBND" (left blank, filled in at signing),
# "Luật số: 12/2026/QH15"; on folded text. OCR may lose the slash ("3NQ-VTLTNN").
# "Số: J2025/TT-BCT": the slash of a blank number read as a letter before the year.
SLASH_MISREAD = re.compile(r"^[JIl|](?=(?:19|20)\d\d\s*/)")
# A number written into the blank, read apart from the print after it, where the pen crossed
# the slash or the symbol's first letters: "2063 4BB-SKHCN", "835 z/NQ-STC", "1655 Đ-STC",
# "3125 242025/TTBCT" (up to two specks, then the year and the symbol).
NUMBER_BY_HAND = re.compile(r"^(?P<num>\d{2,5})(?P<gap>\s+)(?P<speck>[^\s/]{0,2}?/?)"
                            r"(?:(?P<year>(?:19|20)\d\d)/)?(?P<sym>[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)"
                            r"(?=\s|$)")
NUMBER_HEAD = re.compile(r"^(?:LUAT\s+)?[S§$][O0]\s*[:;.,]*\s*")  # "§ố:", "$ố:" are OCR's
NUMBER_SLASH = re.compile(r"^(?P<num>[^\s/]*)(?P<gap>\s*)/\s*(?:(?P<year>\d{4})\s*/\s*)?"
                          r"(?P<sym>[^\s/]+(?:\s*-\s*\S+)*)")
NUMBER_GLUED = re.compile(r"^(?P<num>[0-9OIL|]{1,6})(?P<gap>)(?P<year>)"
                          r"(?P<sym>[A-Z]+\s*-\s*\S+(?:\s*-\s*\S+)*)")
# What is left when handwriting in the blank broke the slash ("Số: 3 49C-UBND"): the symbol's
# issuer part is still printed; nothing before it is trusted.
NUMBER_BROKEN = re.compile(r"^(?P<num>.*?\d.*?)(?P<gap>\s*)(?P<year>)"
                           r"(?P<sym>[A-Z]{0,5}\s*-\s*[A-Z]{2,}\S*)\s*$")
# "ngày" may be read with the pen's ink glued on or into it ("ngàytháng", "ngàW{ tháng").
_PLACE_LINE = re.compile(r"^([A-Z][A-Z .'-]{1,40}?)(,)?\s*(?:NGAY\b|NG\S{0,4}\s*THANG\b)")
YEAR = re.compile(r"(?:19|20)\d\d")  # a year as it can be; "2925" is a misread one
DIGIT_LIKE = re.compile(r"[0-9OoIl|]{1,6}")


@dataclass
class Found:
    values: dict[str, object]
    conf: dict[str, float]
    seen: dict[str, Evidence]
    signers: frozenset[str] = frozenset()  # names the desk has confirmed (names.py)

    def put(self, key: str, value: object, conf: float, *where: Segment) -> None:
        if isinstance(value, str):
            value = tidy(value)
            if sum(c.isalnum() for c in value) < (1 if key in ("number", "doc_type_code") else 2):
                return  # a speck or a rule, not a value ("Số: 5/…" is a number)
            if key in _UPPER and is_upper(value):
                value = value.upper()  # "ĐỒNG THÁp": one letter read in the wrong case
                if key in _AGENCY:  # agency names have no " - " in them: a rule or a speck
                    value = " ".join(w for w in value.split() if w != "-")
            if key in _PERSON:
                value = known_surname(value)
            if key == "signer" and (known := respelled(value, self.signers)) is not None:
                value, conf = known, min(conf, SUSPECT_CONF)  # "Hiên": the desk's Hiền
            if key in WORDY and implausible_words(value):
                conf = min(conf, SUSPECT_CONF)
            if key in _PROSE and (restored := dotted_i(value)) is not None:
                value, conf = restored, min(conf, SUSPECT_CONF)  # the clerk confirms it
            if key in _PROSE and (restored := marks(value)) is not None:
                value, conf = restored, min(conf, SUSPECT_CONF)  # "bỗ nhiệm": bổ nhiệm
        if value in (None, ""):
            return
        self.values[key] = value
        self.conf[key] = round(max(0.0, min(1.0, conf)), 3)
        self.locate(key, *where)

    def locate(self, key: str, *where: Segment) -> None:
        """Where `key` stands on the page, also when no value could be read there (a number
        written in by hand): the clerk is shown that place to read it from."""
        located = [s for s in where if s.has_geometry]
        if located:
            self.seen[key] = Evidence(
                page=located[0].page,
                box=(min(s.x0 for s in located), min(s.y0 for s in located),
                     max(s.x1 for s in located), max(s.y1 for s in located)),
                text=" / ".join(s.text for s in where))


def digits(s: str) -> str:
    return re.sub(r"\D", "", s.translate(str.maketrans("OoIl|", "00111")))


def iso(d: str, m: str, y: str) -> str | None:
    try:
        return date(int(digits(y)), int(digits(m)), int(digits(d))).isoformat()
    except ValueError:
        return None


def _put_place(found: Found, text: str, conf: float, *where: Segment) -> None:
    """The place as the vocabularies spell it: tone marks restored, a near-miss corrected
    ("Quảng Ngõi" -> Quảng Ngãi) at a little less confidence; names not in them as printed."""
    match = places().misread(text)
    if match is not None:
        text, conf = match.value, conf if match.edits == 0 else conf * 0.95
    found.put("place", text, conf, *where)


def read_date(segs: Sequence[Segment], found: Found) -> None:
    """issued_date and place from the 'Place, ngày dd tháng mm năm yyyy' line; a line split in
    two or three is tried only when no single line matches. The date's confidence is that of
    its own words (a day written in by hand reads worse than the printed line)."""
    singles = [(s.text, (s,)) for s in segs]
    pairs = [(f"{a.text} {b.text}", (a, b)) for a, b in pairwise(segs)]
    # "ngày 27 tháng" / "10 năm" / "2025": a pen's digits set apart from the print around them
    triples = [(f"{a.text} {b.text} {c.text}", (a, b, c)) for a, b, c in
               zip(segs, segs[1:], segs[2:], strict=False)]
    for text, used in singles + pairs + triples:
        m = DATE_LINE.search(fold(text)) or _known_place_date(text)
        day = iso(*m.groups()[-3:]) if m else None
        if m is None or day is None:
            continue
        conf = used[0].conf_of(m.start(1), m.end(3)) if len(used) == 1 else \
            min(s.low for s in used)
        found.put("issued_date", day, conf, *used)
        comma = text.find(",")
        if "place" in m.groupdict():  # "Hà Nội ngày …": OCR lost the comma
            _put_place(found, clean(text[:m.end("place")]), used[0].conf_of(0, m.end("place")),
                       *used)
        elif 0 < comma < m.start() + 2:
            place = text[:comma]
            # "Số: 45/UBND-KT Hòa An, ngày …" when the two header columns share a line
            head = NUMBER_HEAD.match(fold(place))
            if head is not None:
                rest = fold(place)[head.end():]
                num = NUMBER_SLASH.match(rest) or NUMBER_GLUED.match(rest)
                place = place[head.end() + num.end():] if num else place
            _put_place(found, clean(place), used[0].conf_of(0, comma), *used)
        return
    # A day written in by hand or left blank: the place is still printed, on a line of its
    # own, split from "ngày tháng năm" at its comma, or after the symbol read onto its line
    # ("/2026/TT-BGDĐT Hà Nội ngày tháng năm 2026").
    for text, used in singles + [(t, u) for t, u in pairs if same_line(*u)]:
        if NUMBER_HEAD.match(fold(text)) is not None:
            continue
        lead = _SYMBOL_BEFORE.match(text)
        at = lead.end() if lead else 0
        m = _PLACE_LINE.match(fold(text[at:]))
        if m is None:
            continue
        place = clean(text[at:at + m.end(1)])
        # Without its comma, only a place the vocabularies know ("Căn cứ … ngày" is no place).
        if m.group(2) or places().misread(place) is not None:
            conf = used[0].conf_of(at, at + m.end(1)) if len(used) == 1 else \
                min(s.low for s in used)
            _put_place(found, place, conf, *used)
            return


# A ký hiệu read onto the place-and-date line, before the place.
_SYMBOL_BEFORE = re.compile(r"^\S*/\S*-\S+\s+")


_NO_COMMA_DATE = re.compile(r"^(?P<place>[A-Z][A-Z .'-]{1,40}?)\s+" + _DATE_TAIL)


def _known_place_date(text: str) -> re.Match[str] | None:
    """"Hà Nội ngày 5 tháng 3 năm 2026" with the comma lost, where the place is one the
    vocabularies know (matched on the folded text, whose offsets are the text's)."""
    m = _NO_COMMA_DATE.match(fold(text))
    if m is None or places().misread(clean(text[:m.end("place")])) is None:
        return None
    return m
