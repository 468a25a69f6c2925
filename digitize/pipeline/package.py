"""One dossier's finished documents made into its TT 05/2025 submission package, checked
before anything points at it. Used by `run` and by `reuse` (which adds earlier documents)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digitize import __version__
from digitize.bundle import PackageDocument, PackageDossier, build_sip, check_package
from digitize.clock import now_vn
from digitize.config import Config
from digitize.errors import DigitizeError
from digitize.i18n import _
from digitize.model import DocumentResult, DossierResult, Event
from digitize.schemas.tt05 import document_fields, dossier_fields


@dataclass(frozen=True)
class Finished:
    """A document ready for the package: its result, its signed PDF and its place (seq)."""

    result: DocumentResult
    pdf: Path
    seq: int


def dossier_title(docs: Sequence[DocumentResult], fallback: str) -> str:
    for d in docs:
        proc, name = d.metadata.get("procedure_name"), d.metadata.get("applicant_name")
        if proc:
            return f"Hồ sơ {str(proc)[:1].lower()}{str(proc)[1:]}" + (f" - {name}" if name else "")
    return f"Hồ sơ {fallback}"


def package_dossier(dossier: DossierResult, docs: Sequence[Finished], config: Config,
                    staging: Path, target: Path, signer: str | None) -> None:
    """Build the package of `dossier` in `staging` (which will become `target`), then point
    the dossier and each document at where their files will be."""
    code = dossier.file_code or dossier.id
    pkg_docs = []
    for doc in docs:
        sig = doc.result.signature
        found = doc.result.input_signatures
        signer = sig.signer if sig else (found[0].signer if found else None)
        fields = document_fields(code, doc.seq, doc.result.metadata, signer)
        pkg_docs.append(PackageDocument(doc.pdf, fields, Path(doc.result.source).name,
                                        tuple(doc.result.provenance)))
    results = [d.result for d in docs]
    pkg = build_sip(PackageDossier(
        fields=dossier_fields(code, dossier_title(results, dossier.id),
                              dossier.dossier_code or dossier.id,
                              [r.metadata for r in results], signer),
        dossier_code=dossier.dossier_code or "", agency_name=config.agency.name,
        agency_code=config.agency.code, documents=tuple(pkg_docs),
        events=tuple(dossier.provenance)), staging)
    dossier.provenance.append(Event(
        type="packaging", time=now_vn(), agent=f"digitize {__version__}",
        detail=f"Thông tư 05/2025/TT-BNV submission package (SIP) {pkg.name}"))
    check = check_package(pkg)
    if not check.ok:
        raise DigitizeError(_("The package for {id} failed its own check: {problems}").format(
                                id=dossier.id, problems=check.problems[0]))
    dossier.bundle = str((target / pkg.name).resolve())
    for doc, pd in zip(results, pkg_docs, strict=True):
        doc.pdf = str((target / pkg.name / "representations" / "rep1" / "data" /
                       f"{pd.fields.docId}.pdf").resolve())
