"""Rows of a spreadsheet a one-stop system exports (CSV in UTF-8 with `,` `;` or tab, or the
first sheet of an XLSX), and its columns found by their headers, folded so that "Mã hồ sơ" and
"Ma ho so" are the same. The received list and the procedure catalogue read their files so."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from digitize.errors import InputFileError
from digitize.extract.text import fold
from digitize.i18n import _


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def table_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Every non-empty row of the file (the header first) with its row number as a spreadsheet
    shows it, cells as text; a file that cannot be read as CSV UTF-8 or XLSX is an
    InputFileError naming it."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a bad file
            raise InputFileError(_("{path} is not a readable XLSX file ({exc}).").format(
                path=path, exc=exc)) from exc
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    else:
        rows = _csv_rows(path)
    return [(n, row) for n, row in enumerate(rows, 1) if any(c.strip() for c in row)]


def _csv_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(_("{path} is not UTF-8 text; save the list as CSV UTF-8 or "
                               "XLSX.").format(path=path)) from exc
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else "excel"
    return list(csv.reader(io.StringIO(text), dialect))


def find_column(header: Sequence[str], named: str, known: Sequence[str]) -> int | None:
    """The index of the column `named` (when set), else of the first of the `known` folded
    headers the file has; None when it has none of them."""
    folded = [fold(h).strip() for h in header]
    wanted = [fold(named).strip()] if named else list(known)
    for want in wanted:
        if want in folded:
            return folded.index(want)
    return None
