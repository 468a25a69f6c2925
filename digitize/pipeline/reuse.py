"""`digitize reuse`: an earlier signed document joins a new dossier's package as it is, byte for
byte (so its signature stays valid), found by its index entry and checked by its checksum;
no OCR and no new signature. The dossier's provenance records where it came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digitize import __version__
from digitize.clock import now_vn
from digitize.config import Config, index_location
from digitize.errors import InputFileError
from digitize.fsutil import sha256_file
from digitize.i18n import _
from digitize.index.model import Entry
from digitize.index.store import open_index
from digitize.index.updates import index_dossier
from digitize.model import (
    DOSSIER_RECORD,
    DocKind,
    DocumentResult,
    DossierResult,
    Event,
    SignatureInfo,
    Status,
)
from digitize.pipeline.lock import hold_lock
from digitize.pipeline.repack import Added, packaged, repackage
from digitize.procedures.assign import (
    MISSING_NOTE,
    assign_component,
    missing_components,
    missing_note,
)
from digitize.procedures.model import Catalogue


def check_entry(entry: Entry) -> None:
    """The indexed PDF is still there, unchanged since it was indexed, and signed."""
    pdf = Path(entry.pdf)
    if not pdf.is_file():
        raise InputFileError(_("{pdf} is gone since it was indexed; run `digitize index rebuild` "
                               "on its output folder, then find it again.").format(pdf=pdf))
    if sha256_file(pdf) != entry.sha256:
        raise InputFileError(_("{pdf} changed since it was indexed (SHA-256 differs), so it is "
                               "not the document that was signed; find the original.").format(
                                 pdf=pdf))
    if not entry.signature_level:
        raise InputFileError(_("{pdf} is not signed; only signed documents can be reused. Run it "
                               "through `digitize run` with signing.").format(pdf=pdf))


def _reused_result(entry: Entry) -> DocumentResult:
    when = now_vn()
    return DocumentResult(
        source=entry.pdf, status=Status.ok, doc_kind=DocKind(entry.doc_kind) if entry.doc_kind
        else None, metadata=dict(entry.metadata), source_sha256=entry.sha256,
        reused_from=entry.pdf, reused_dossier=entry.dossier_code or entry.dossier_id,
        signature=SignatureInfo(level=entry.signature_level, signer=entry.signer,
                                signing_time=entry.signing_time),
        provenance=[Event(
            type="reuse", time=when, agent=f"digitize {__version__}",
            detail=f"signed document reused by reference from dossier {entry.dossier_id} "
                   f"({entry.bundle or entry.pdf}), SHA-256 {entry.sha256}; not OCR'd or "
                   "signed again")])


@dataclass(frozen=True)
class Reused:
    dossier: DossierResult
    added: tuple[DocumentResult, ...]  # empty when every document was in the dossier already


def _components(dossier: DossierResult, added: Sequence[tuple[DocumentResult, str]],
                catalogue: Catalogue | None, threshold: float) -> None:
    """Each reused document matched to a component of the new dossier's procedure (in place),
    as `run` matches its own, and what the dossier lacks named again: a reused component
    counts (QĐ 766's reuse figure), a reused extra document does not."""
    procedure = catalogue.get(dossier.procedure_code) if catalogue and dossier.procedure_code \
        else None
    if procedure is None:
        return
    for doc, text in added:
        doc.metadata.pop("component_code", None)  # its component in its first dossier
        assign_component(procedure, doc, text, threshold)
    dossier.missing_components = list(missing_components(procedure, [
        *dossier.documents, *(d for d, _t in added)]))
    said = _(MISSING_NOTE).split("{", 1)[0]
    dossier.review = [n for n in dossier.review if not n.startswith(said)] + \
        list(missing_note(dossier.missing_components))
    unsure = dossier.review or any(d.status is Status.needs_review for d in
                                   [*dossier.documents, *(d for d, _t in added)])
    dossier.status = Status.needs_review if unsure else Status.ok


def reuse_documents(entries: Sequence[Entry], dossier_dir: Path, config: Config,
                    catalogue: Catalogue | None = None) -> Reused:
    """Add `entries` to the packaged dossier in `dossier_dir` (an OUT/<dossier> folder made by
    `run`) and rebuild its package around the same signed files; with the desk's catalogue,
    each is matched to a component of the dossier's procedure."""
    if not (dossier_dir / DOSSIER_RECORD).is_file():
        packaged(dossier_dir)  # says why
    for entry in entries:
        check_entry(entry)
    out = dossier_dir.parent
    with hold_lock(out):
        dossier = packaged(dossier_dir)
        have = {d.source_sha256 for d in dossier.documents if d.reused_from}
        # A document of this very dossier, or one reused already, is not added twice.
        new = [e for e in entries if e.sha256 not in have
               and (e.dossier_id, e.out_dir) != (dossier.id, str(out.resolve()))]
        if not new:
            return Reused(dossier, ())
        added = [_reused_result(e) for e in new]
        _components(dossier, list(zip(added, (e.body for e in new), strict=True)), catalogue,
                    config.extract.min_field_confidence)
        for e in new:
            dossier.provenance.append(Event(
                type="reuse", time=now_vn(), agent=f"digitize {__version__}",
                detail=f"added {Path(e.pdf).name} from dossier {e.dossier_id} by reference, "
                       f"SHA-256 {e.sha256}"))
        dossier.finished = now_vn()
        repackage(dossier_dir, dossier, config,
                  [Added(d, Path(e.pdf), e.body) for d, e in zip(added, new, strict=True)])
    return Reused(dossier, tuple(added))


def reuse_into(documents: Sequence[str], dossier_dir: Path, config: Config,
               index: Path | None = None) -> Reused:
    """Reuse indexed documents (ids or signed PDF paths) in a dossier, and index the dossier
    again (unless [index] is off and no --index file was named)."""
    where = index_location(config, index)
    with open_index(where) as ix:
        entries = [ix.lookup(doc) for doc in documents]
    from digitize.procedures.store import catalogue_path, load_catalogue

    done = reuse_documents(entries, dossier_dir, config, load_catalogue(catalogue_path(config)))
    if config.index.enabled or index is not None:
        index_dossier(where, dossier_dir.parent, done.dossier)
    return done
