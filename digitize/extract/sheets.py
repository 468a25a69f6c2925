"""The two sheets a paper dossier carries besides its documents, read from their text: the
cover (bìa hồ sơ: the dossier's title, dates, retention period, number of sheets) and the index
of documents (mục lục văn bản: one row per document with số và ký hiệu, ngày tháng, trích yếu,
tờ số). They are recognised by their title and labels, not by one template, and the index's
rows are checked against what was read from each document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from digitize.extract.text import fold
from digitize.schemas.codes import MAINTENANCE

SheetKind = Literal["cover", "index"]
_COVER_LABELS = ("PHONG", "MUC LUC SO", "HOP SO", "HO SO SO", "THOI HAN BAO QUAN",
                 "SO LUONG TO", "SO TO", "MA HO SO")
_ARCHIVE_CUES = (re.compile(r"^TAP\b"), re.compile(r"\bTU NGAY\b.*\bDEN NGAY\b"),
                 re.compile(r"^GOM\b.*\bTO\b"))
# An index's title as archives write it: mục lục (or danh mục) văn bản / tài liệu.
_INDEX_TITLE = re.compile(r"^\W*(?:MUC LUC|DANH MUC)\s+(?:VAN BAN|TAI LIEU)")
_TITLE = re.compile(r"H\s*O\s*S\s*O\W*")  # the cover's large HỒ SƠ, a speck after it
_DATE = r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})"
# "ngày 05 tháng 01 năm 2010", as a cover writes its dates in words.
_DATE_WORDS = r"NGAY\s*(\d{1,2})\s*THANG\s*(\d{1,2})\s*NAM\s*(\d{4})"
# số/ký hiệu as ND 30 writes them: 15/QĐ-UBND, 21/2026/TT-BCT, 3722/VPCP-CN.
_SYMBOL = re.compile(r"(?<![\d/])(\d{1,5})\s*/\s*((?:\d{4}\s*/\s*)?[A-ZĐ][A-ZĐ0-9.]*"
                     r"(?:\s*-\s*[A-ZĐ0-9][A-ZĐ0-9.]*)*)")
_SHEETS = re.compile(r"(\d{1,4})(?:\s*-\s*(\d{1,4}))?\s*$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\f", "\n").splitlines() if line.strip()]


def sheet_kind(text: str) -> SheetKind | None:
    """"index" for a page titled MỤC LỤC VĂN BẢN (or TÀI LIỆU, or DANH MỤC …), "cover" for a
    page titled HỒ SƠ with the cover's labels (phông, hộp số, hồ sơ số, thời hạn bảo quản …,
    or an archive's "Tập", "Từ ngày … đến ngày …", "Gồm … tờ"), else None."""
    lines = [fold(line) for line in _lines(text)]
    if any(_INDEX_TITLE.search(line) for line in lines[:6]):
        return "index"
    titled = any(_TITLE.fullmatch(line) for line in lines)
    labels = sum(1 for label in _COVER_LABELS if any(line.startswith(label) or f" {label}"
                                                     in line for line in lines))
    # An archive's own cover: "Tập …", "Từ ngày … đến ngày …", "Gồm … tờ".
    labels += sum(1 for cue in _ARCHIVE_CUES if any(cue.search(line) for line in lines))
    return "cover" if (titled and labels >= 2) or labels >= 4 else None


def _iso(m: re.Match[str]) -> str:
    day, month, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


@dataclass(frozen=True)
class Cover:
    title: str = ""
    start: str = ""  # ISO dates
    end: str = ""
    sheets: int | None = None
    maintenance: str = ""  # TT 05/2025 code, "" when not read


def parse_cover(text: str) -> Cover:
    lines = _lines(text)
    folded = [fold(line) for line in lines]
    title: list[str] = []
    at = next((i for i, line in enumerate(folded) if _TITLE.fullmatch(line)), None)
    if at is not None:
        for line, key in zip(lines[at + 1:], folded[at + 1:], strict=True):
            if ":" in line or any(key.startswith(label) for label in _COVER_LABELS) or \
                    key.startswith(("THOI GIAN", "TU NGAY", "TAP ", "GOM ")):
                break
            title.append(line)
    whole = " ".join(lines)
    start = end = ""
    for line, key in zip(lines, folded, strict=True):  # "Thời gian: từ 18/11/2026 đến …"
        if re.search(r"\bTU\b", key) and re.search(r"\bDEN\b", key):
            dates = [_iso(m) for m in re.finditer(_DATE, line)] or [
                _iso(m) for m in re.finditer(_DATE_WORDS, key)]
            if len(dates) >= 2:
                start, end = dates[0], dates[-1]
                break
    sheets = re.search(r"(?:SO LUONG TO|GOM|SO TO)\s*:?\s*(\d{1,4})", fold(whole))
    kept = re.search(r"THOI HAN BAO QUAN\s*:?\s*(VINH VIEN|\d{1,3}\s*NAM)", fold(whole))
    code = ""
    if kept:
        wanted = re.sub(r"\s+", " ", kept.group(1))
        code = next((k for k, v in MAINTENANCE.items() if fold(v) == wanted), "")
    return Cover(" ".join(title), start, end, int(sheets.group(1)) if sheets else None, code)


@dataclass(frozen=True)
class IndexRow:
    number: int  # STT
    code_number: str = ""  # số
    symbol: str = ""  # ký hiệu
    issued: str = ""  # ISO date
    sheets: str = ""  # tờ số: "4" or "4-6"
    text: str = ""  # the rest of the row (tác giả, trích yếu, ghi chú) and the lines under it
    lead: str = ""  # lines just above the row: a cell centred on the row wraps above it too


def parse_index(text: str) -> list[IndexRow]:
    """The rows of an index sheet, in order: a line that starts with the next STT, or that holds
    a date or a số/ký hiệu (OCR often loses a lone digit between table rules), starts a row;
    the other lines are its wrapped cells."""
    rows: list[IndexRow] = []
    lines = _lines(text)
    start = next((i for i, line in enumerate(lines) if _INDEX_TITLE.search(fold(line))), 0)
    # The rows begin under the table's header (STT, số và ký hiệu, trích yếu …).
    start = next((i for i, line in enumerate(lines[start:start + 8], start)
                  if re.search(r"\bSTT\b|TRICH YEU", fold(line))), start)
    between: list[str] = []  # wrapped cell lines since the last row
    for line in lines[start + 1:]:
        expected = len(rows) + 1
        m = re.match(r"^\W{0,2}(\d{1,3})[.)]?\s*\|?\s+(.*)$", line)
        numbered = m is not None and int(m.group(1)) == expected
        rest = m.group(2) if m is not None and numbered else line.lstrip("|[ ")
        sym, when = _SYMBOL.search(rest), re.search(_DATE, rest)
        if not numbered and sym is None and (when is None or not _iso(when)):
            if rows:  # a wrapped cell
                last = rows[-1]
                rows[-1] = IndexRow(last.number, last.code_number, last.symbol, last.issued,
                                    last.sheets, f"{last.text} {line}".strip(), last.lead)
                between.append(line)
            continue
        number = symbol = ""
        if sym:
            number, symbol = sym.group(1), re.sub(r"\s+", "", sym.group(2))
            rest = rest[:sym.start()] + " " + rest[sym.end():]
        when = re.search(_DATE, rest)
        issued = _iso(when) if when else ""
        if when:
            rest = rest[:when.start()] + " " + rest[when.end():]
        tail = _SHEETS.search(rest)
        sheets = ""
        if tail:
            sheets = tail.group(1) + (f"-{tail.group(2)}" if tail.group(2) else "")
            rest = rest[:tail.start()]
        rows.append(IndexRow(expected, number, symbol, issued, sheets,
                             re.sub(r"[|\s]+", " ", rest).strip(), " ".join(between)))
        between = []
    return rows


@dataclass(frozen=True)
class Disagreement:
    field: str  # a metadata key (number, symbol, issued_date, page_count, subject)
    read: str  # what the document gave
    index: str  # what its row of the index says


def _same_symbol(a: str, b: str) -> bool:
    def key(s: str) -> str:
        return fold(re.sub(r"\s+", "", s)).replace("0", "O")

    return key(a) == key(b)


def _shared_words(subject: str, row: str) -> float:
    """The share of the trích yếu's words that its row holds (the row also has the author and
    the notes; OCR may miss a word or two)."""
    words = fold(subject).split()
    there = set(fold(row).split())
    return sum(1 for w in words if w in there) / len(words) if words else 1.0


def _sheet_range(start: int, pages: int) -> str:
    return f"{start}" if pages <= 1 else f"{start}-{start + pages - 1}"


def cross_check(rows: Sequence[IndexRow], docs: Sequence[Mapping[str, Any]]
                ) -> list[list[Disagreement]]:
    """For each document (its metadata, in the dossier's order), where its row of the index
    says otherwise. A value the index leaves empty is not a disagreement; a document the index
    does not list is one (its row is missing)."""
    by_number = {r.number: r for r in rows}
    out: list[list[Disagreement]] = []
    sheet = 1
    for n, meta in enumerate(docs, 1):
        row = by_number.get(n)
        pages = int(meta.get("page_count") or 1)
        found: list[Disagreement] = []
        if row is None:
            if rows:
                found.append(Disagreement("number", str(meta.get("number") or ""),
                                          "(no row)"))
            out.append(found)
            sheet += pages
            continue
        number, symbol = str(meta.get("number") or ""), str(meta.get("symbol") or "")
        if row.code_number and (not number.isdigit() or int(row.code_number) != int(number)):
            found.append(Disagreement("number", number, row.code_number))
        if row.symbol and not _same_symbol(row.symbol, symbol):
            found.append(Disagreement("symbol", symbol, row.symbol))
        issued = str(meta.get("issued_date") or "")
        if row.issued and row.issued != issued:
            found.append(Disagreement("issued_date", issued, row.issued))
        if row.sheets and row.sheets != _sheet_range(sheet, pages):
            found.append(Disagreement("page_count", str(pages), row.sheets))
        subject = str(meta.get("subject") or "")
        if subject and row.text and _shared_words(subject, f"{row.lead} {row.text}") < 0.6:
            found.append(Disagreement("subject", subject, row.text))
        out.append(found)
        sheet += pages
    return out
