"""The record a finished dossier is sent to the provincial one-stop system as, in the shape
one-stop systems exchange with the national public-service portal (the official specification is
not public; the field names are those open-source one-stop systems use). Every field name, the
services' names and the answer codes are here and nowhere else, so that a province whose system
names things differently changes this module, or `[onestop] rename` and `extra` in its config.

Where each field comes from (docs/admin/onestop.md has the same table):

    MaHoSo                  the dossier code (dossier.json dossier_code)
    MaTTHC, TenTTHC         its procedure in the desk's catalogue (procedure_code, procedure)
    NgayTiepNhan            the day it was received (received), yyyyMMddHHmmss
    TaiLieuNop[]            each document of the package (not the cover or index sheet):
      TenTepDinhKem           its file name in the package
      MaThanhPhanHoSo         its component code (metadata.component_code; "" when none)
      DuongDanTaiTepTin       [onestop] files_url + its path in the output folder
      DuocSoHoa               1: every file sent is a digitized copy (here, or reused)
      DuocTaiSuDung           1 when it was reused from an earlier result (reused_from)
      DuocLayTuKhoDMQG        1 when the clerk recorded it as taken from the citizen's data
                              store on the national portal (metadata.from_national_store)
    DanhSachGiayToKetQua[]  each result digitized with it (results, those with a file):
      TenGiayTo, MaThanhPhanHoSo, MaGiayToKetQua, DuongDanTepTinKetQua
    HoSoCoThanhPhanSoHoa    1 when a file with a component code was sent, else 0
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from digitize.bundle.upload_common import UploadError
from digitize.clock import VN_TZ
from digitize.extract.overrides import NATIONAL
from digitize.i18n import _
from digitize.model import DocumentResult, DossierResult, Status, moved_path

# The services of the exchange and how their answers say "done".
SERVICE_SEND = "DongBoHoSoMC"  # add (isUpdating False) or update (True) dossiers
SERVICE_LOOKUP = "TraCuuHoSo"  # what the system holds under a dossier code
UPDATING = {False: "False", True: "True"}
SUCCESS_CODES = frozenset({"0", "00"})
NO_COMPONENT = "-"  # a clerk said the document is no component of the procedure

Record = dict[str, Any]


@dataclass(frozen=True)
class RecordOptions:
    """What the record needs beyond the dossier: where its files are published, and the
    province's own field names and fixed fields."""

    files_url: str
    agency: str = ""  # [agency] code: the envelope's madonvi
    rename: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, str | int] = field(default_factory=dict)


def onestop_time(value: str) -> str:
    """An ISO 8601 date ("2026-12-01") or time (any offset) as yyyyMMddHHmmss, Vietnam time."""
    if len(value) == 10:
        return date.fromisoformat(value).strftime("%Y%m%d000000")
    when = datetime.fromisoformat(value)
    if when.tzinfo is not None:
        when = when.astimezone(VN_TZ)
    return when.strftime("%Y%m%d%H%M%S")


def file_link(path: str, folder: Path, dossier_id: str, files_url: str) -> str:
    """The address the one-stop system downloads a file from: `files_url` + the file's path
    inside the output folder that holds the dossier's folder `folder`."""
    found = moved_path(path, folder, dossier_id)
    out = folder.resolve().parent
    try:
        relative = found.resolve().relative_to(out)
    except ValueError:
        raise UploadError(_("The file {path} of dossier {id} is not in its output folder "
                            "{out}, so it has no link; run the dossier again.").format(
                              path=path, id=dossier_id, out=out)) from None
    if not (out / relative).is_file():
        raise UploadError(_("The file {path} of dossier {id} is missing; run the dossier "
                            "again.").format(path=out / relative, id=dossier_id))
    return files_url.rstrip("/") + "/" + quote(relative.as_posix(), safe="/")


def _unsettled(doc: DocumentResult) -> bool:
    return any(note.startswith("component_code:") for note in doc.review)


def check_finished(dossier: DossierResult) -> None:
    """Only a packaged dossier of a known procedure whose components are settled is sent: what
    the one-stop system receives is never a guess."""
    if dossier.loose or dossier.status in (Status.failed, Status.incomplete) or \
            not dossier.bundle:
        raise UploadError(_("Dossier {id} is not finished (no package); fix it and run it "
                            "again before sending it to the one-stop system.").format(
                              id=dossier.id))
    if not dossier.dossier_code or not dossier.received:
        raise UploadError(_("Dossier {id} has no dossier code (mã hồ sơ) with its received "
                            "date, which the one-stop system knows dossiers by.").format(
                              id=dossier.id))
    if not dossier.procedure_code:
        raise UploadError(_("Dossier {id} has no procedure from the catalogue; name it (run "
                            "--procedure, the .procedure file or the received list) and run "
                            "it again.").format(id=dossier.id))
    unsettled = [Path(d.source).name for d in dossier.documents if _unsettled(d)]
    if unsettled:
        raise UploadError(_("Dossier {id} waits for review of its documents' components "
                            "({names}); settle them in 'digitize review' first.").format(
                              id=dossier.id, names=", ".join(unsettled)))


def _submitted(doc: DocumentResult, folder: Path, dossier_id: str, files_url: str) -> Record:
    component = str(doc.metadata.get("component_code") or "")
    return {
        "TenTepDinhKem": Path(doc.pdf or "").name,
        "MaThanhPhanHoSo": "" if component == NO_COMPONENT else component,
        "DuongDanTaiTepTin": file_link(doc.pdf or "", folder, dossier_id, files_url),
        "DuocSoHoa": 1,
        "DuocTaiSuDung": 1 if doc.reused_from else 0,
        "DuocLayTuKhoDMQG": 1 if doc.metadata.get(NATIONAL) is True else 0,
    }


def dossier_record(dossier: DossierResult, folder: Path, opts: RecordOptions) -> Record:
    """The dossier (its output folder `folder`) as the one-stop system's record, in the
    province's field names; UploadError when it is not finished."""
    check_finished(dossier)
    assert dossier.dossier_code and dossier.received  # check_finished
    files = [_submitted(d, folder, dossier.id, opts.files_url) for d in dossier.documents
             if d.pdf and not d.sheet and d.status is not Status.failed]
    results = [{
        "TenGiayTo": r.name,
        "MaThanhPhanHoSo": r.component_code or "",
        "MaGiayToKetQua": r.code,
        "DuongDanTepTinKetQua": file_link(r.pdf, folder, dossier.id, opts.files_url),
    } for r in dossier.results if r.pdf]
    record: Record = {
        "MaHoSo": dossier.dossier_code,
        "MaTTHC": dossier.procedure_code,
        "TenTTHC": dossier.procedure or "",
        "NgayTiepNhan": onestop_time(dossier.received),
        "TaiLieuNop": files,
        "DanhSachGiayToKetQua": results,
        "HoSoCoThanhPhanSoHoa": 1 if any(f["MaThanhPhanHoSo"] and f["DuocSoHoa"]
                                         for f in files) else 0,
    }
    return {**_renamed(_nfc(record), opts.rename), **_nfc(dict(opts.extra))}


def record_code(record: Record, opts: RecordOptions) -> str:
    """The dossier code of a record in the province's names."""
    return str(record[opts.rename.get("MaHoSo", "MaHoSo")])


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    return value


def _renamed(value: Any, rename: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {rename.get(k, k): _renamed(v, rename) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, rename) for v in value]
    return value


def send_request(records: list[Record], updating: bool, opts: RecordOptions) -> Record:
    """The body that adds (updating False) or updates records."""
    return {"service": SERVICE_SEND, "madonvi": opts.agency, "isUpdating": UPDATING[updating],
            "data": records}


def lookup_request(code: str, opts: RecordOptions) -> Record:
    return {"service": SERVICE_LOOKUP, "madonvi": opts.agency,
            opts.rename.get("MaHoSo", "MaHoSo"): code}


def succeeded(answer: Mapping[str, Any]) -> bool:
    return str(answer.get("error_code", "")).strip() in SUCCESS_CODES


def found_records(answer: Mapping[str, Any]) -> list[Record]:
    """The records a lookup's answer holds ("result", else "data"), dicts only."""
    held = answer.get("result", answer.get("data")) or []
    return [r for r in (held if isinstance(held, list) else [held]) if isinstance(r, dict)]


def holds(held: Mapping[str, Any], record: Mapping[str, Any], every: bool = True) -> bool:
    """Whether the system's copy says what the record says: every field of the record, or
    (`every` False) every field the copy shows (a system may echo only part of it)."""
    keys = record.keys() if every else record.keys() & held.keys()
    return bool(keys) and all(k in held and held[k] == record[k] for k in keys)


def canonical(record: Record) -> bytes:
    """The record's bytes for its receipt's checksum (sorted keys, UTF-8)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def checksum(record: Record) -> str:
    return hashlib.sha256(canonical(record)).hexdigest().upper()
