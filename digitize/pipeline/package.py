"""One dossier's finished documents made into its TT 05/2025 submission package, checked
before anything points at it. Used by `run` and by `reuse` (which adds earlier documents)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digitize import __version__
from digitize.bundle import PackageDocument, PackageDossier, build_sip, check_package
from digitize.bundle.sip import build_sip_tailieu
from digitize.clock import now_vn
from digitize.config import Config
from digitize.errors import DigitizeError
from digitize.extract.overrides import NATIONAL
from digitize.extract.sheets import Cover, parse_cover
from digitize.i18n import _
from digitize.model import DocumentResult, DossierResult, Event, ResultRecord
from digitize.schemas.tt05 import DEFAULT_MAINTENANCE, document_fields, dossier_fields


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


def procedure_note(dossier: DossierResult) -> str:
    """The dossier's procedure and the required components it lacks, for the EAD's
    description (ghi chú): the package itself says it is incomplete."""
    if not dossier.procedure_code:
        return ""
    note = f"Thủ tục {dossier.procedure_code}: {dossier.procedure or ''}".strip(": ")
    if dossier.missing_components:
        note += ". Thiếu thành phần hồ sơ: " + "; ".join(
            f"{m.name} ({m.code})" for m in dossier.missing_components)
    return note[:1000]


def _signer(doc: Finished) -> str | None:
    """Who signed the document: digitize's signature, else the first it came with."""
    sig, found = doc.result.signature, doc.result.input_signatures
    return sig.signer if sig else (found[0].signer if found else None)


def _note(doc: DocumentResult) -> str:
    """What the document's ghi chú says besides its component: the result it is, where a
    reused one came from, that it was taken from the national data store."""
    notes = []
    if isinstance(doc, ResultRecord):
        notes.append(f"Kết quả giải quyết {doc.code or '?'}: {doc.name}".strip(": "))
    if doc.reused_from:
        notes.append(f"Tái sử dụng từ hồ sơ {doc.reused_dossier or '?'} "
                     f"({Path(doc.reused_from).name}, SHA-256 {doc.source_sha256})")
    if doc.metadata.get(NATIONAL):
        notes.append("Lấy từ kho dữ liệu của công dân trên Cổng Dịch vụ công quốc gia")
    return "; ".join(notes)


def _package_documents(code: str, docs: Sequence[Finished]) -> list[PackageDocument]:
    pkg_docs = []
    for doc in docs:
        res = doc.result
        fields = document_fields(code, doc.seq, res.metadata, _signer(doc), note=_note(res))
        kind = res.code if isinstance(res, ResultRecord) else res.metadata.get("component_code")
        pkg_docs.append(PackageDocument(doc.pdf, fields, Path(res.source).name,
                                        tuple(res.provenance), str(kind) if kind else ""))
    return pkg_docs


def _packaged_pdf(package: Path, doc: PackageDocument) -> str:
    """Where the document's PDF lies in its package, once the package is in place."""
    return str((package / "representations" / "rep1" / "data" / f"{doc.fields.docId}.pdf")
               .resolve())


def _checked(pkg: Path, what: str) -> None:
    check = check_package(pkg)
    if not check.ok:
        raise DigitizeError(_("The package for {id} failed its own check: {problems}").format(
                                id=what, problems=check.problems[0]))


def package_loose(dossier: DossierResult, docs: Sequence[Finished], config: Config,
                  staging: Path, target: Path) -> None:
    """Documents submitted outside a dossier: one SIP_tailieu per document in `staging`
    (which will become `target`), each document pointed at its package and its PDF there."""
    code = dossier.file_code or dossier.id
    dossier.loose = True
    for doc, pd in zip(docs, _package_documents(code, docs), strict=True):
        pkg = build_sip_tailieu(pd, config.agency.name, config.agency.code, staging)
        doc.result.provenance.append(Event(
            type="packaging", time=now_vn(), agent=f"digitize {__version__}",
            detail=f"Thông tư 05/2025/TT-BNV document package (SIP_tailieu) {pkg.name}"))
        _checked(pkg, f"{dossier.id}/{Path(doc.result.source).name}")
        doc.result.bundle = str((target / pkg.name).resolve())
        doc.result.pdf = _packaged_pdf(target / pkg.name, pd)


@dataclass(frozen=True)
class Sheets:
    """The dossier's own cover and index, scanned with it (their signed PDFs and text)."""

    cover: tuple[Path, str] | None = None
    index: tuple[Path, str] | None = None


def package_dossier(dossier: DossierResult, docs: Sequence[Finished], config: Config,
                    staging: Path, target: Path, signer: str | None,
                    sheets: Sheets = Sheets(), results: Sequence[Finished] = ()) -> None:
    """Build the package of `dossier` in `staging` (which will become `target`), then point
    the dossier and each document at where their files will be. A scanned cover gives the
    dossier's title, dates and retention period; cover and index go in the documentation. The
    procedure's `results` are numbered after the documents, in a file group of their own."""
    code = dossier.file_code or dossier.id
    pkg_docs = _package_documents(code, docs)
    after = max((d.seq for d in docs), default=0)
    issued = [Finished(r.result, r.pdf, after + n) for n, r in enumerate(results, 1)]
    pkg_results = _package_documents(code, issued)
    if docs:
        signer = _signer(docs[-1])
    every = [d.result for d in (*docs, *issued)]
    cover = parse_cover(sheets.cover[1]) if sheets.cover else Cover()
    fields = dossier_fields(code, cover.title or dossier_title(every, dossier.id),
                            dossier.dossier_code or dossier.id, [r.metadata for r in every],
                            signer, cover.maintenance or DEFAULT_MAINTENANCE,
                            (cover.start, cover.end), procedure_note(dossier))
    pkg = build_sip(PackageDossier(
        fields=fields, dossier_code=dossier.dossier_code or "", agency_name=config.agency.name,
        agency_code=config.agency.code, documents=tuple(pkg_docs),
        events=tuple(dossier.provenance), cover=sheets.cover[0] if sheets.cover else None,
        index=sheets.index[0] if sheets.index else None,
        procedure_code=dossier.procedure_code or "", results=tuple(pkg_results)), staging)
    dossier.provenance.append(Event(
        type="packaging", time=now_vn(), agent=f"digitize {__version__}",
        detail=f"Thông tư 05/2025/TT-BNV submission package (SIP) {pkg.name}"))
    _checked(pkg, dossier.id)
    dossier.bundle = str((target / pkg.name).resolve())
    for doc, pd in zip(every, [*pkg_docs, *pkg_results], strict=True):
        doc.pdf = _packaged_pdf(target / pkg.name, pd)
