"""`digitize reuse`: an earlier signed document joins a new dossier's package as it is, byte for
byte (so its signature stays valid), found by its index entry and checked by its checksum;
no OCR and no new signature. The dossier's provenance records where it came from."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digitize import __version__
from digitize.clock import now_vn
from digitize.config import Config, index_location
from digitize.errors import InputFileError, NoInputError
from digitize.fsutil import DIR_MODE, replace_dir, sha256_file, write_text_atomic
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
    read_dossier,
)
from digitize.pipeline.lock import hold_lock
from digitize.pipeline.package import Finished, package_dossier


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
        else None, metadata=entry.metadata, source_sha256=entry.sha256, reused_from=entry.pdf,
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


def reuse_documents(entries: Sequence[Entry], dossier_dir: Path, config: Config) -> Reused:
    """Add `entries` to the packaged dossier in `dossier_dir` (an OUT/<dossier> folder made by
    `run`) and rebuild its package around the same signed files."""
    if not (dossier_dir / DOSSIER_RECORD).is_file():
        raise NoInputError(_("{dossier_dir} is not a dossier made by `digitize run` (no "
                             "{RECORD}); run the new dossier first, then reuse into "
                             "OUT/<dossier>.").format(
                               dossier_dir=dossier_dir, RECORD=DOSSIER_RECORD))
    for entry in entries:
        check_entry(entry)
    out = dossier_dir.parent
    with hold_lock(out):
        dossier = read_dossier(dossier_dir)
        if not dossier.bundle or dossier.status is Status.failed:
            raise NoInputError(_("{dossier_dir} has no package (its run failed); fix and run it "
                                 "again before reusing documents into it.").format(
                                   dossier_dir=dossier_dir))
        have = {d.source_sha256 for d in dossier.documents if d.reused_from}
        # A document of this very dossier, or one reused already, is not added twice.
        new = [e for e in entries if e.sha256 not in have
               and (e.dossier_id, e.out_dir) != (dossier.id, str(out.resolve()))]
        if not new:
            return Reused(dossier, ())
        docs = [d for d in dossier.documents if d.pdf]
        added = [_reused_result(e) for e in new]
        sources = [(d, Path(d.pdf or "")) for d in docs] + \
            [(d, Path(e.pdf)) for d, e in zip(added, new, strict=True)]
        finished = [Finished(d, pdf, i) for i, (d, pdf) in enumerate(sources, 1)]
        for e in new:
            dossier.provenance.append(Event(
                type="reuse", time=now_vn(), agent=f"digitize {__version__}",
                detail=f"added {Path(e.pdf).name} from dossier {e.dossier_id} by reference, "
                       f"SHA-256 {e.sha256}"))
        staging = Path(tempfile.mkdtemp(prefix=f".staging-{dossier.id}-", dir=out))
        os.chmod(staging, DIR_MODE)
        try:
            old_bundle = Path(dossier.bundle)
            for item in dossier_dir.iterdir():
                if item != old_bundle and item.is_file():
                    shutil.copy2(item, staging / item.name)
            package_dossier(dossier, finished, config, staging, dossier_dir,
                            next((d.signature.signer for d in docs if d.signature), None))
            dossier.documents = [*dossier.documents, *added]
            for doc, entry in zip(added, new, strict=True):
                stem = Path(doc.pdf or "").stem
                write_text_atomic(staging / f"{stem}.txt", entry.body)
                doc.text_file = str((dossier_dir / f"{stem}.txt").resolve())
            for doc in [d.result for d in finished]:
                write_text_atomic(staging / f"{Path(doc.pdf or '').stem}.json",
                                  doc.model_dump_json(indent=2))
            dossier.finished = now_vn()
            write_text_atomic(staging / DOSSIER_RECORD, dossier.model_dump_json(indent=2))
            replace_dir(staging, dossier_dir)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return Reused(dossier, tuple(added))


def reuse_into(documents: Sequence[str], dossier_dir: Path, config: Config,
               index: Path | None = None) -> Reused:
    """Reuse indexed documents (ids or signed PDF paths) in a dossier, and index the dossier
    again (unless [index] is off and no --index file was named)."""
    where = index_location(config, index)
    with open_index(where) as ix:
        entries = [ix.lookup(doc) for doc in documents]
    done = reuse_documents(entries, dossier_dir, config)
    if config.index.enabled or index is not None:
        index_dossier(where, dossier_dir.parent, done.dossier)
    return done
