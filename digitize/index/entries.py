"""Index entries from what `run` wrote: a dossier's result (dossier.json) and each document's
text file and signed PDF."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from digitize.clock import now_vn
from digitize.errors import NoInputError
from digitize.fsutil import sha256_file
from digitize.i18n import _
from digitize.index.model import Entry
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    ResultRecord,
    Status,
    moved_path,
    read_dossier,
    read_dossiers,
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
    if isinstance(doc, ResultRecord):  # a result: found, and reused, as one
        meta = {**meta, "result_code": doc.code, "result_name": doc.name}
    sig = doc.signature
    came = doc.input_signatures[0] if sig is None and doc.input_signatures else None

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
        # A file that came signed (an agency's result) is signed, at a level not ours to say.
        signature_level=sig.level if sig else "PAdES" if came else "",
        signer=sig.signer if sig else came.signer if came else "",
        signing_time=sig.signing_time if sig else (came.signing_time or "") if came else "",
        source=doc.source,
        agency_code=dossier.agency_code or "", desk=dossier.desk or "", metadata=meta,
        indexed_at=now_vn(), body=body)


def dossier_entries(dossier: DossierResult, dossier_dir: Path) -> list[Entry]:
    entries = (document_entry(d, dossier, dossier_dir) for d in [*dossier.documents,
                                                                  *dossier.results])
    return [e for e in entries if e is not None]


def dossier_dir_entries(folder: Path) -> list[Entry]:
    """The entries of the dossier in this output folder as it is now; none when it is gone."""
    if not (folder / DOSSIER_RECORD).is_file():
        return []
    return dossier_entries(read_dossier(folder), folder)


def output_entries(outs: list[Path]) -> Iterator[Entry]:
    """Every document of every dossier in these output folders (or dossier output folders)."""
    found = False
    for out in outs:
        for folder, record in read_dossiers(out):
            found = True
            yield from dossier_entries(record, folder)
    if not found:
        raise NoInputError(_("No dossier made by `digitize run` was found in {items}; name the "
                             "--out folder of a run.").format(items=', '.join(map(str, outs))))
