"""Corrections a person makes to extracted metadata, and the file that carries them.

An override file is TOML, one table per document keyed by the input file's name:

    operator = "Nguyễn Văn An"          # optional; else [review] operator in config, else the login
    [documents."02_quyet_dinh.jpg"]
    number = "15"
    issued_date = "18/11/2026"           # DD/MM/YYYY or YYYY-MM-DD
    signer = "Lê Văn Thành"
    [documents."cccd.pdf"]
    from_national_store = "có"           # taken from the citizen's data store (national portal)

`run` applies `digitize-overrides.toml` found in a dossier folder (written by a person or a script)
and then the file `digitize review` keeps for the dossier in OUT/.overrides/; `extract` takes one
with --overrides. A value equal to the extracted one confirms it. Every override is recorded with
the old value, the new value, the time and the operator, and reaches the package's provenance.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import os
import re
from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from digitize.clock import now_vn
from digitize.config import read_toml, toml_value
from digitize.errors import UsageProblem
from digitize.extract.text import clean, fold
from digitize.fsutil import write_text_atomic
from digitize.i18n import _
from digitize.model import DocKind, Extraction, Override
from digitize.schemas.codes import DOC_TYPES, OTHER_TYPE_CODE

SIDECAR = "digitize-overrides.toml"
OVERRIDES_DIR = ".overrides"
FIELDS = ("doc_kind", "doc_type_name", "doc_type_code", "tt05_type_code", "number", "number_year",
          "symbol",
          "issued_date", "place", "issuer", "parent_issuer", "subject", "signer", "signer_title",
          "page_count", "language", "applicant_name", "birth_date", "id_number", "address",
          "phone", "procedure_name", "component_code", "from_national_store")
# A clerk's word that the document was taken from the citizen's data store on the national
# public-service portal (kho dữ liệu của công dân, DuocLayTuKhoDMQG) rather than handed in.
NATIONAL = "from_national_store"
_YES = ("CO", "X", "1", "YES", "TRUE")
_NO = ("KHONG", "0", "NO", "FALSE", "")


class OverrideFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    operator: str = ""
    documents: dict[str, dict[str, str | int]] = {}


def iso_date(value: str) -> str:
    """A date as a clerk writes it (20/11/2026, 20.11.2026, 20-11-2026) or ISO, in ISO 8601;
    ValueError when it is not a real date."""
    value = value.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1])).isoformat()
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(_("'{value}' is not a date; write it DD/MM/YYYY").format(
                             value=value)) from None


def normalise(field: str, value: object) -> object:
    """The value as the metadata keeps it (NFC, single spaces, ISO dates), or ValueError with a
    plain sentence."""
    if field not in FIELDS:
        raise ValueError(_("'{field}' is not a metadata field; use one of {items}").format(
                             field=field, items=', '.join(FIELDS)))
    text = clean(str(value))
    if field == NATIONAL:
        if fold(text) not in (*_YES, *_NO):
            raise ValueError(_("{field} '{text}' must be yes (có) or no (không)").format(
                field=field, text=text))
        return fold(text) in _YES
    if field in ("issued_date", "birth_date"):
        return iso_date(text)
    if field == "page_count":
        if not text.isdigit():
            raise ValueError(_("page_count '{text}' is not a number").format(text=text))
        return int(text)
    digits = re.sub(r"[\s.]", "", text)
    if field == "number" and not digits.isdigit():
        raise ValueError(_("number '{text}' must be digits only (the symbol goes in "
                           "'symbol')").format(
                             text=text))
    if field == "number_year" and not (digits.isdigit() and len(digits) == 4):
        raise ValueError(_("number_year '{text}' must be a year such as 2026").format(text=text))
    if field == "id_number" and not (digits.isdigit() and len(digits) == 12):
        raise ValueError(_("id_number '{text}' must be the 12 digits of a CCCD").format(text=text))
    if field == "phone" and not (digits.isdigit() and 9 <= len(digits) <= 11):
        raise ValueError(_("phone '{text}' must be 9 to 11 digits").format(text=text))
    if field == "doc_kind" and text not in {k.value for k in DocKind}:
        raise ValueError(_("doc_kind '{text}' must be van_ban or don").format(text=text))
    if field in ("number", "number_year", "id_number", "phone"):
        return digits
    if not text:
        raise ValueError(_("{field} cannot be empty").format(field=field))
    return text


def load_overrides(path: Path) -> OverrideFile:
    """Read and check an override file; every wrong value is a usage error naming it."""
    data = read_toml(path, OverrideFile, _("Override file"), "the docs (Review and overrides)")
    for doc, values in data.documents.items():
        for field, value in values.items():
            try:
                normalise(field, value)
            except ValueError as exc:
                raise UsageProblem(_("Override file {path}, document '{doc}': {exc}.").format(
                                       path=path, doc=doc, exc=exc)) from None
    return data


def save_overrides(data: OverrideFile, path: Path) -> None:
    """Write an override file (atomically); JSON string escapes are valid TOML strings."""
    lines = ["# digitize overrides: values a person set or confirmed (see the docs)."]
    if data.operator:
        lines.append(f"operator = {toml_value(data.operator)}")
    for doc, values in sorted(data.documents.items()):
        lines.append(f"\n[documents.{toml_value(doc)}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items()]
    write_text_atomic(path, "\n".join(lines) + "\n")


@contextlib.contextmanager
def writing_overrides(out: Path) -> Iterator[Path]:
    """OUT/.overrides for one writer at a time (yielded): the web desk's clerks (threads of one
    server), `digitize review` in another process and a run cleaning up after a crash wait for
    an exclusive flock on its .lock while one reads a file, merges and writes it back."""
    folder = out / OVERRIDES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield folder
    finally:
        os.close(fd)  # closing releases the lock


def operator_name(*choices: str) -> str:
    """The first name given, else the login name."""
    for name in choices:
        if name.strip():
            return clean(name)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _retyped(meta: dict[str, Any], name: str) -> None:
    """A corrected tên loại brings its ND 30 abbreviation and TT 05/2025 code along; a name
    outside the list is typeName 32 (Khác) with no abbreviation."""
    for t in DOC_TYPES:
        if fold(t.name) == fold(name):
            meta.update(doc_type_name=t.name, doc_type_code=t.abbr or "CV", tt05_type_code=t.tt05)
            return
    meta.update(doc_type_name=name, tt05_type_code=OTHER_TYPE_CODE)
    meta.pop("doc_type_code", None)


def apply_overrides(ex: Extraction, values: Mapping[str, object], operator: str,
                    source: str) -> Extraction:
    """The extraction with `values` set (confidence 1, off the review list) and recorded."""
    if not values:
        return ex
    meta, conf = dict(ex.metadata), dict(ex.confidence)
    kind = ex.doc_kind
    records = list(ex.overrides)
    when = now_vn()
    for field, raw in values.items():
        new = normalise(field, raw)
        old = meta.get(field) if field != "doc_kind" else kind.value
        if field == "doc_kind":
            kind = DocKind(str(new))
        elif field == "doc_type_name" and kind is DocKind.van_ban:
            _retyped(meta, str(new))
        else:
            meta[field] = new
        conf[field] = 1.0
        records.append(Override(field=field, old=old, new=new, time=when, operator=operator,
                                source=source))
    review = tuple(k for k in ex.review if k not in values)
    return ex.model_copy(update={"doc_kind": kind, "metadata": meta, "confidence": conf,
                                 "review": review, "overrides": tuple(records)})


def dossier_overrides(folder: Path, out: Path, dossier_id: str
                      ) -> list[tuple[Path, OverrideFile]]:
    """The override files that apply to a dossier, in the order they are applied."""
    return [(path, load_overrides(path)) for path in override_paths(folder, out, dossier_id)]


def override_paths(folder: Path, out: Path, dossier_id: str) -> list[Path]:
    """The override files present for a dossier (an unreadable folder has none)."""
    found = []
    for path in (folder / SIDECAR, out / OVERRIDES_DIR / f"{dossier_id}.toml"):
        try:
            if path.is_file():
                found.append(path)
        except OSError:
            continue
    return found
