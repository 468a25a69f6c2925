"""What the index holds and answers, whichever database keeps it: an entry per document, a
hit of `find`, and the query a clerk asked; and the keys both backends compare on."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from digitize.errors import UsageProblem
from digitize.i18n import _
from digitize.index.fold import fold, nfc


@dataclass(frozen=True)
class Entry:
    """One indexed document: where it is, what it is, who it concerns, and its text."""

    pdf: str
    sha256: str
    out_dir: str
    dossier_id: str
    dossier_code: str = ""
    bundle: str = ""
    doc_kind: str = ""
    doc_type_code: str = ""
    doc_type_name: str = ""
    number: str = ""
    symbol: str = ""
    issued_date: str = ""
    issuer: str = ""
    applicant_name: str = ""
    id_number: str = ""
    birth_date: str = ""
    procedure_name: str = ""
    subject: str = ""
    signature_level: str = ""
    signer: str = ""
    signing_time: str = ""
    source: str = ""
    agency_code: str = ""  # the desk that indexed it: [agency] code and [desk] name
    desk: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    indexed_at: str = ""
    body: str = ""

    @property
    def fields_text(self) -> str:
        """The descriptive fields searched along with the OCR text."""
        return " ".join(v for v in (self.dossier_code, self.dossier_id, self.doc_type_name,
                                    self.doc_type_code, f"{self.number}/{self.symbol}",
                                    self.issuer, self.subject, self.procedure_name, self.signer)
                        if v)


@dataclass(frozen=True)
class Hit:
    """A document `find` returns: its row id (what `reuse` takes), the entry and a snippet."""

    id: int
    entry: Entry
    snippet: str

    def record(self) -> dict[str, Any]:
        """The hit as `find --json` prints it."""
        e = self.entry
        return {"id": self.id, "pdf": e.pdf, "present": Path(e.pdf).is_file(),
                "sha256": e.sha256, "bundle": e.bundle or None, "dossier_id": e.dossier_id,
                "dossier_code": e.dossier_code or None, "doc_kind": e.doc_kind or None,
                "agency_code": e.agency_code or None, "desk": e.desk or None,
                "metadata": e.metadata,
                "signature": {"level": e.signature_level, "signer": e.signer,
                              "signing_time": e.signing_time} if e.signature_level else None,
                "snippet": self.snippet}


@dataclass(frozen=True)
class Query:
    text: str = ""
    id_number: str = ""
    applicant: str = ""
    dossier: str = ""
    doc_type: str = ""
    date_from: str = ""  # ISO 8601 dates, inclusive
    date_to: str = ""
    desk: str = ""  # a desk name (accents do not matter) or an agency code
    limit: int = 20

    @classmethod
    def asked(cls, *, text: str | None = None, id_number: str | None = None,
              applicant: str | None = None, dossier: str | None = None,
              doc_type: str | None = None, date_from: str | None = None,
              date_to: str | None = None, desk: str | None = None, limit: int = 20) -> Query:
        """The query of `find`'s options (dates as 2026-11-20 or 20/11/2026); asking for
        nothing is a usage error."""
        q = cls(text=text or "", id_number=check_id_number(id_number) if id_number else "",
                applicant=applicant or "",
                dossier=dossier or "", doc_type=doc_type or "",
                date_from=_query_date(date_from, "--from"), date_to=_query_date(date_to, "--to"),
                desk=desk or "", limit=limit)
        if q == cls(limit=limit):
            raise UsageProblem(_("Say what to find: words, --id-number, --applicant, "
                                 "--dossier, --type, --desk, --from or --to."))
        return q


def _query_date(text: str | None, option: str) -> str:
    from digitize.extract.overrides import iso_date

    if not text:
        return ""
    try:
        return iso_date(text)
    except ValueError:
        raise UsageProblem(_("{option} {value!r} is not a date; write it as 2026-11-20 or "
                             "20/11/2026.").format(option=option, value=text)) from None


COLUMNS = [f.name for f in fields(Entry)]


def type_key(code: str) -> str:
    """A document type code as both backends compare it: QĐ and qd are the same type."""
    return fold(code).upper()


def desk_key(name: str) -> str:
    """A desk name as `find --desk` compares it: accents, case and spacing do not matter."""
    return " ".join(fold(name).split())


_AGENCY_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")


def desk_filter(desk: str) -> tuple[str, str]:
    """The column and value `find --desk` compares: an agency code (QCVN 102, 000.00.31.H49)
    is the agency_code, anything else a desk name (accents, case and spacing do not matter)."""
    desk = nfc(desk.strip())
    if _AGENCY_CODE.fullmatch(desk):
        return "agency_code", desk
    return "desk_key", desk_key(desk)


def column_filters(q: Query, mark: str, prefix: str = "") -> list[tuple[str, list[str]]]:
    """The query's criteria on plain columns (dossier, type, desk, dates) as SQL conditions and
    their arguments, in `mark`'s placeholder style ("?" for SQLite, "%s" for PostgreSQL)."""
    found: list[tuple[str, list[str]]] = []
    p = prefix
    if q.dossier:
        found.append((f"({p}dossier_code = {mark} OR {p}dossier_id = {mark})",
                      [nfc(q.dossier), nfc(q.dossier)]))
    if q.doc_type:
        found.append((f"{p}type_key = {mark}", [type_key(q.doc_type)]))
    if q.desk:
        column, value = desk_filter(q.desk)
        found.append((f"{p}{column} = {mark}", [value]))
    if q.date_from:
        found.append((f"{p}issued_date >= {mark}", [q.date_from]))
    if q.date_to:
        found.append((f"{p}issued_date <= {mark}", [q.date_to]))
    return found


def digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


# The province (or city) codes a CCCD starts with (Thông tư 07/2016/TT-BCA, Phụ lục I): the
# 63 provinces before the 2025 mergers, whose codes every card issued so far carries.
_PROVINCES = frozenset(f"{n:03d}" for n in (
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36,
    37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74,
    75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96))
_ID_SEPARATORS = re.compile(r"[\s.]+")


def check_id_number(id_number: str) -> str:
    """The digits of a whole CCCD (12 digits, starting with a province code) or CMND (9
    digits) number, or a usage error naming what is wrong. Only whole numbers: searching by
    part of one ("12", or the digits out of "abc12") would list other people's documents."""
    found = _ID_SEPARATORS.sub("", id_number)
    if not (found.isascii() and found.isdigit() and (
            len(found) == 9 or (len(found) == 12 and found[:3] in _PROVINCES))):
        raise UsageProblem(_("{id_number!r} is not a whole CCCD (12 digits, starting with a "
                             "province code) or CMND (9 digits) number; give the whole number "
                             "as printed on the card.").format(id_number=id_number))
    return found


def stored_values(e: Entry) -> dict[str, str]:
    """The entry's columns as both backends store them: NFC text, the metadata as JSON, the
    ID number as digits."""
    values = {c: getattr(e, c) for c in COLUMNS}
    values["metadata"] = json.dumps(e.metadata, ensure_ascii=False, sort_keys=True)
    values = {k: nfc(v) for k, v in values.items()}
    values["id_number"] = digits(values["id_number"])
    return values


def stored_entry(row: Sequence[Any]) -> Entry:
    """An entry from its stored columns, in COLUMNS order."""
    values = dict(zip(COLUMNS, row, strict=True))
    values["metadata"] = json.loads(values["metadata"])
    return Entry(**values)
