"""The one-stop system's list of received dossiers (CSV or XLSX), the denominator of the
province's indicators: each row's dossier code, the day it was received and, where the list
has it, its procedure. Vietnamese and English headers are recognised; [report] names others."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digitize.config import ReportConfig
from digitize.errors import InputFileError
from digitize.i18n import _
from digitize.tables import find_column, table_rows

# Folded header -> column; the first that a list has wins.
CODE_HEADERS = ("MA HO SO", "SO HO SO", "MA HS", "DOSSIER CODE", "DOSSIER_CODE", "CODE")
DATE_HEADERS = ("NGAY TIEP NHAN", "NGAY NHAN", "THOI GIAN TIEP NHAN", "NGAY NOP",
                "DATE RECEIVED", "RECEIVED")
PROCEDURE_HEADERS = ("THU TUC", "TEN THU TUC", "THU TUC HANH CHINH", "TTHC", "MA TTHC",
                     "MA THU TUC", "PROCEDURE")


@dataclass(frozen=True)
class Received:
    code: str
    day: date
    procedure: str = ""


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy (with or without a time after it), or ISO."""
    text = text.strip()
    m = re.match(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def read_received(path: Path, cfg: ReportConfig) -> list[Received]:
    """Every received dossier of the list; rows without a code or a readable date are refused
    with the row's number, so a wrong column never silently shrinks the denominator."""
    if not path.is_file():
        raise InputFileError(_("{path} does not exist; give the received list as CSV or "
                               "XLSX.").format(path=path))
    rows = table_rows(path)
    if not rows:
        raise InputFileError(_("{path} is empty.").format(path=path))
    header = rows[0][1]
    code = find_column(header, cfg.code_column, CODE_HEADERS)
    day = find_column(header, cfg.date_column, DATE_HEADERS)
    proc = find_column(header, cfg.procedure_column, PROCEDURE_HEADERS)
    if code is None or day is None:
        raise InputFileError(_("{path} has no {what} column (its header: {header}); name it "
                               "in [report] code_column / date_column.").format(
            path=path, what=_("dossier code") if code is None else _("date received"),
            header=", ".join(header)))
    found: list[Received] = []
    for n, row in rows[1:]:
        cells = [*row, *[""] * len(header)]
        when = parse_day(str(cells[day]))
        if not str(cells[code]).strip() or when is None:
            raise InputFileError(_("{path}, row {row}: no dossier code or no readable date "
                                   "received ('{value}'); fix the row.").format(
                path=path, row=n, value=cells[day]))
        found.append(Received(str(cells[code]).strip(), when,
                              str(cells[proc]).strip() if proc is not None else ""))
    return found
