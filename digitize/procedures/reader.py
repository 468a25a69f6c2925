"""Reading the province's procedure list (CSV or XLSX, as one-stop systems and the national
procedure database export it) into a Catalogue: one row per component, the procedure's columns
repeated on each. Vietnamese headers are recognised with or without their marks; [procedures]
columns names others. Any bad row refuses the whole file with its row number: a catalogue is
imported whole or not at all."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from digitize.clock import now_vn
from digitize.errors import InputFileError, NoInputError
from digitize.extract.text import clean, fold
from digitize.i18n import _
from digitize.procedures.model import (
    PROCEDURE_CODE,
    Catalogue,
    Component,
    Procedure,
    ResultSpec,
)
from digitize.tables import find_column, table_rows

# Column -> its folded headers, the first a file has wins. The first four are required.
HEADERS: dict[str, tuple[str, ...]] = {
    "code": ("MA THU TUC", "MA TTHC", "MA THU TUC HANH CHINH", "PROCEDURE CODE"),
    "name": ("TEN THU TUC", "TEN TTHC", "TEN THU TUC HANH CHINH", "PROCEDURE NAME", "PROCEDURE"),
    "component_code": ("MA THANH PHAN", "MA THANH PHAN HO SO", "MA GIAY TO", "COMPONENT CODE"),
    "component_name": ("TEN THANH PHAN HO SO", "TEN THANH PHAN", "THANH PHAN HO SO",
                       "TEN GIAY TO", "COMPONENT NAME", "COMPONENT"),
    "field": ("LINH VUC", "FIELD"),
    "level": ("MUC DO", "MUC DO DVC", "LEVEL"),
    "originals": ("SO BAN CHINH", "BAN CHINH", "ORIGINALS"),
    "copies": ("SO BAN SAO", "BAN SAO", "COPIES"),
    "required": ("BAT BUOC", "REQUIRED"),
    "result_name": ("TEN KET QUA", "KET QUA", "RESULT NAME", "RESULT"),
    "result_code": ("MA KET QUA", "RESULT CODE"),
}
REQUIRED_COLUMNS = ("code", "name", "component_code", "component_name")
YES = {"X", "CO", "1", "TRUE", "YES", "Y", "BAT BUOC"}
NO = {"", "KHONG", "0", "FALSE", "NO", "N", "KHONG BAT BUOC"}


class CatalogueError(NoInputError):
    """The procedure file cannot be imported (a missing column, a bad row): nothing is
    written, exit 3."""


@dataclass
class _Draft:
    """A procedure as its rows are read: the row it was first named on, its components and
    the rows they came from."""

    row: int
    procedure: Procedure
    components: dict[str, tuple[int, Component]] = field(default_factory=dict)
    results: dict[tuple[str, str], ResultSpec] = field(default_factory=dict)


def _count(path: Path, row: int, what: str, text: str) -> int:
    try:
        value = float(text) if text else 0.0
    except ValueError:
        value = -1.0
    if value < 0 or value != int(value):
        raise CatalogueError(_("{path}, row {row}: {what} '{value}' is not a number; fix the "
                               "row.").format(path=path, row=row, what=what, value=text))
    return int(value)


def _required(path: Path, row: int, text: str) -> bool:
    folded = fold(text).strip()
    if folded in YES or folded.startswith("CO "):
        return True
    if folded in NO:
        return False
    raise CatalogueError(_("{path}, row {row}: 'required' is '{value}'; write x (or có) for a "
                           "required component, leave it empty (or không) otherwise.").format(
        path=path, row=row, value=text))


def _check_code(path: Path, row: int, code: str) -> None:
    """A code a spreadsheet turned into a number ("1.00123" for 1.001230) is refused."""
    if re.fullmatch(r"\d+(\.\d+)?", code) and not PROCEDURE_CODE.match(code):
        raise CatalogueError(_("{path}, row {row}: the procedure code '{code}' is not like "
                               "1.001234 (a spreadsheet may have read it as a number: format "
                               "the column as text); fix the row.").format(
            path=path, row=row, code=code))


def _columns(path: Path, header: list[str], named: Mapping[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for key, known in HEADERS.items():
        at = find_column(header, named.get(key, ""), known)
        if at is not None:
            found[key] = at
        elif key in REQUIRED_COLUMNS:
            raise CatalogueError(_("{path} has no '{column}' column (its header: {header}); "
                                   "name it in [procedures] columns, e.g. {key} = \"…\".").format(
                path=path, column=key, header=", ".join(header), key=key))
    return found


def _add_row(drafts: dict[str, _Draft], path: Path, n: int, cell: Mapping[str, str]) -> None:
    code = cell["code"]
    if not code:
        raise CatalogueError(_("{path}, row {row}: no procedure code; fix the row.").format(
            path=path, row=n))
    _check_code(path, n, code)
    draft = drafts.get(code)
    if draft is None:
        if not cell["name"]:
            raise CatalogueError(_("{path}, row {row}: procedure {code} has no name; fix the "
                                   "row.").format(path=path, row=n, code=code))
        draft = drafts[code] = _Draft(n, Procedure(code=code, name=cell["name"],
                                                   field=cell.get("field", ""),
                                                   level=cell.get("level", "")))
    elif cell["name"] and fold(cell["name"]) != fold(draft.procedure.name):
        raise CatalogueError(_("{path}, row {row}: procedure {code} is named '{name}', but "
                               "'{first}' in row {first_row}; one code, one procedure.").format(
            path=path, row=n, code=code, name=cell["name"], first=draft.procedure.name,
            first_row=draft.row))
    part, part_name = cell["component_code"], cell["component_name"]
    if part_name and not part:
        raise CatalogueError(_("{path}, row {row}: the component '{name}' has no code; every "
                               "component needs its code (mã thành phần hồ sơ).").format(
            path=path, row=n, name=part_name))
    if part:
        if not part_name:
            raise CatalogueError(_("{path}, row {row}: component {code} has no name; fix the "
                                   "row.").format(path=path, row=n, code=part))
        if part in draft.components:
            raise CatalogueError(_("{path}, row {row}: component code {code} appears twice in "
                                   "procedure {procedure} (rows {first} and {row}); each "
                                   "component needs its own code.").format(
                path=path, row=n, code=part, procedure=code,
                first=draft.components[part][0]))
        draft.components[part] = (n, Component(
            code=part, name=part_name,
            originals=_count(path, n, _("number of originals"), cell.get("originals", "")),
            copies=_count(path, n, _("number of copies"), cell.get("copies", "")),
            required=_required(path, n, cell["required"]) if "required" in cell else True))
    if cell.get("result_name") or cell.get("result_code"):
        spec = ResultSpec(code=cell.get("result_code", ""),
                          name=cell.get("result_name", "") or cell.get("result_code", ""))
        draft.results.setdefault((spec.code, fold(spec.name)), spec)


def read_catalogue(path: Path, columns: Mapping[str, str] | None = None) -> Catalogue:
    """The catalogue in `path` (CSV UTF-8 or XLSX), every text NFC; a CatalogueError naming
    the file and the row for anything wrong in it."""
    if not path.is_file():
        raise CatalogueError(_("{path} does not exist; give the procedure list as CSV or "
                               "XLSX.").format(path=path))
    try:
        rows = table_rows(path)
    except InputFileError as exc:
        raise CatalogueError(exc.message) from exc
    if len(rows) < 2:
        raise CatalogueError(_("{path} holds no procedures (a header row and one row per "
                               "component are needed).").format(path=path))
    unknown = sorted(set(columns or {}) - set(HEADERS))
    if unknown:
        raise CatalogueError(_("[procedures] columns names '{key}', which is not a column; use "
                               "{keys}.").format(key=unknown[0], keys=", ".join(HEADERS)))
    at = _columns(path, [clean(h) for h in rows[0][1]], columns or {})
    drafts: dict[str, _Draft] = {}
    for n, row in rows[1:]:
        cells = [*row, *[""] * (max(at.values()) + 1)]
        _add_row(drafts, path, n, {key: clean(cells[i]) for key, i in at.items()})
    return Catalogue(procedures=tuple(
        d.procedure.model_copy(update={
            "components": tuple(c for _n, c in d.components.values()),
            "results": tuple(d.results.values())})
        for d in drafts.values()), source=str(path.resolve()), imported=now_vn())
