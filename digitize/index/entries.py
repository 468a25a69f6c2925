"""Index entries from what `run` wrote: a dossier's result (dossier.json) and each document's
text file and signed PDF."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from digitize.clock import now_vn
from digitize.config import IndexLocation
from digitize.errors import NoInputError
from digitize.fsutil import sha256_file
from digitize.i18n import _
from digitize.index.model import Entry
from digitize.index.sqlite import SqliteIndex
from digitize.index.store import open_index
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    Status,
    dossier_records,
    moved_path,
    read_dossier,
)


def document_entry(doc: DocumentResult, dossier: DossierResult, dossier_dir: Path
                   ) -> Entry | None:
    """The entry of one finished document; None for a failed one (nothing to find)."""
    if doc.status is Status.failed or not doc.pdf:
        return None
    pdf = moved_path(doc.pdf, dossier_dir, dossier.id)
    if not pdf.is_file():
        return None
    body = ""
    if doc.text_file:
        text = moved_path(doc.text_file, dossier_dir, dossier.id)
        body = text.read_text(encoding="utf-8") if text.is_file() else ""
    meta = doc.metadata
    sig = doc.signature

    def value(key: str) -> str:
        return str(meta.get(key) or "")

    return Entry(
        pdf=str(pdf.resolve()), sha256=sha256_file(pdf), out_dir=str(dossier_dir.parent.resolve()),
        dossier_id=dossier.id, dossier_code=dossier.dossier_code or "",
        bundle=str(moved_path(dossier.bundle, dossier_dir, dossier.id)) if dossier.bundle else "",
        doc_kind=doc.doc_kind.value if doc.doc_kind else "",
        doc_type_code=value("doc_type_code"), doc_type_name=value("doc_type_name"),
        number=value("number"), symbol=value("symbol"), issued_date=value("issued_date"),
        issuer=value("issuer"), applicant_name=value("applicant_name"),
        id_number=value("id_number"), birth_date=value("birth_date"),
        procedure_name=value("procedure_name"), subject=value("subject"),
        signature_level=sig.level if sig else "", signer=sig.signer if sig else "",
        signing_time=sig.signing_time if sig else "", source=doc.source,
        agency_code=dossier.agency_code or "", desk=dossier.desk or "", metadata=meta,
        indexed_at=now_vn(), body=body)


def dossier_entries(dossier: DossierResult, dossier_dir: Path) -> list[Entry]:
    entries = (document_entry(d, dossier, dossier_dir) for d in dossier.documents)
    return [e for e in entries if e is not None]


def dossier_dir_entries(folder: Path) -> list[Entry]:
    """The entries of the dossier in this output folder as it is now; none when it is gone."""
    if not (folder / DOSSIER_RECORD).is_file():
        return []
    return dossier_entries(read_dossier(folder), folder)


def index_dossier(index: IndexLocation, out: Path, dossier: DossierResult) -> int:
    """Put the dossier's documents as they are now in the index; returns how many."""
    with open_index(index) as ix:
        return ix.replace_dossier(str(out.resolve()), dossier.id,
                                  dossier_entries(dossier, out / dossier.id),
                                  agency_code=dossier.agency_code or "", desk=dossier.desk or "")


def output_entries(outs: list[Path]) -> Iterator[Entry]:
    """Every document of every dossier in these output folders (or dossier output folders)."""
    found = False
    for out in outs:
        for record in dossier_records(out):
            found = True
            yield from dossier_entries(read_dossier(record.parent), record.parent)
    if not found:
        raise NoInputError(_("No dossier made by `digitize run` was found in {items}; name the "
                             "--out folder of a run.").format(items=', '.join(map(str, outs))))


def rebuild_index(loc: IndexLocation, outs: list[Path]) -> int:
    """Make the index file anew from the dossiers in `outs`: written beside it and swapped in
    whole, so a failed rebuild leaves the old index as it was. With a shared index, this desk's
    entries there are replaced too (other desks' stay)."""
    target = loc.path
    fresh = target.with_name(f".{target.name}.{os.getpid()}.part")
    fresh.unlink(missing_ok=True)
    try:
        with SqliteIndex(fresh) as ix:
            count = ix.add_many(output_entries(outs))
        os.replace(fresh, target)
    finally:
        fresh.unlink(missing_ok=True)
    if loc.url:
        from digitize.index.shared import SharedIndex
        from digitize.index.store import check_url

        with SharedIndex(loc, check_url(loc.url)) as shared:
            shared.rebuild(outs)
    return count
