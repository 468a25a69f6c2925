"""`digitize result add`: the procedure's result (kết quả giải quyết: the decision, permit or
certificate the desk hands back) digitized into a dossier `run` already packaged. The file goes
the way of a dossier's documents (OCR, or its own text where it is born-digital; metadata; the
desk's signature, or an agency's signed original kept byte for byte), is given its result code
(the one the clerk names, else matched against the procedure's results in the catalogue as
documents are matched to components), and the package is made again with it in a file group of
its own. The same file added again replaces its earlier record (a corrected code)."""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from digitize import __version__
from digitize.clock import now_vn
from digitize.errors import DigitizeError, NoInputError, UsageProblem
from digitize.fsutil import sha256_file
from digitize.i18n import _
from digitize.identity import Identity
from digitize.index.updates import index_dossier
from digitize.model import DossierResult, Event, ResultRecord, Status
from digitize.ocr.tesseract import check_languages
from digitize.pipeline.dossier import corrections, finish_document
from digitize.pipeline.executors import default_jobs, make_executor
from digitize.pipeline.inputs import DossierInput
from digitize.pipeline.lock import hold_lock
from digitize.pipeline.options import Progress, RunOptions
from digitize.pipeline.repack import Added, dossier_folder, packaged, repackage
from digitize.pipeline.run import WORK_NAME, queue_document
from digitize.procedures.match import match_result
from digitize.procedures.model import Procedure, ResultSpec
from digitize.procs import worker_init
from digitize.signing.sign import SigningContext

log = logging.getLogger("digitize")
FIELD = "result_code"  # its review notes and confidence, as component_code's are


@dataclass(frozen=True)
class ResultAdded:
    dossier: DossierResult
    result: ResultRecord


def _named(procedure: Procedure | None, code: str) -> ResultSpec | None:
    """The result the clerk named (--code): one of the procedure's, where it has any; a code
    the procedure does not issue is a usage error (exit 2) before any work."""
    code = code.strip()
    if not code:
        return None
    if procedure is None or not procedure.results:
        return ResultSpec(code=code, name="")
    found = next((r for r in procedure.results if r.code == code), None)
    if found is None:
        raise UsageProblem(_("{code} is not a result of procedure {procedure}; its results: "
                             "{codes}.").format(code=code, procedure=procedure.code,
                                                codes=", ".join(r.code for r in
                                                                procedure.results)))
    return found


def _coded(result: ResultRecord, procedure: Procedure | None, named: ResultSpec | None,
           text: str, threshold: float) -> None:
    """Give the result its code and name (in place): the one named, else the procedure's
    result its title fits, with a review note when that is unsure or nothing fits."""
    if named is not None:
        result.code, result.name = named.code, named.name
        result.confidence[FIELD] = 1.0
    elif procedure is None or not procedure.results:
        result.review.append(_("{field}: not known (the dossier's procedure has no result in "
                               "the catalogue); give it with --code").format(field=FIELD))
        result.confidence[FIELD] = 0.0
    else:
        found = match_result(procedure, result.metadata, text)
        result.confidence[FIELD] = found.confidence
        if found.component is None:
            result.review.append(_("{field}: matches no result of procedure {procedure} "
                                   "(best '{name}', {score}); give it with --code").format(
                field=FIELD, procedure=procedure.code,
                name=found.runner_up.name if found.runner_up else "", score=found.score))
        else:
            result.code, result.name = found.component.code, found.component.name
            if found.confidence < threshold and found.runner_up is None:
                result.review.append(_("{field}: '{title}' fits '{name}' only in part ({score})"
                                       "; confirm it with --code").format(
                    field=FIELD, title=found.title, name=found.component.name,
                    score=found.score))
            elif found.confidence < threshold:
                result.review.append(_("{field}: '{title}' fits '{name}' ({score}), but also "
                                       "'{other}' ({other_score})").format(
                    field=FIELD, title=found.title, name=found.component.name,
                    score=found.score, other=found.runner_up.name,
                    other_score=found.runner_up_score))
    result.status = Status.needs_review if result.review else Status.ok


def _digitized(source: Path, record: DossierResult, opts: RunOptions,
               identity: Identity | None, progress: Progress, work: Path
               ) -> tuple[ResultRecord, Path, str, Path | None]:
    """The file OCR'd (or read), its metadata extracted and corrected, signed: as a document
    of the dossier, numbered after its documents and results."""
    fixes = corrections(DossierInput(record.id, Path(record.folder or source.parent)), opts)
    if fixes.error is not None:
        raise UsageProblem(fixes.error)
    seq = len(record.documents) + len(record.results) + 1
    code = record.file_code or record.id
    pool = make_executor(opts.executor, opts.jobs, worker_init,
                         opts.config.ocr.scheduler_timeout_s)(opts.jobs or default_jobs())
    try:
        doc = queue_document(source, seq, sha256_file(source), None, opts, pool, work / "pages")
        if doc.error:
            raise NoInputError(doc.error)
        progress.start(len(doc.pages))
        signing = SigningContext(identity, opts.signing) if identity else None
        res, pdf, text = finish_document(doc, work, code, opts, signing, progress, fixes,
                                         record.dossier_code)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    if pdf is None or res.status is Status.failed:
        raise NoInputError(res.error or _("{name} could not be digitized.").format(
            name=source.name))
    hocr = work / f"{code}.{seq}.hocr"
    result = ResultRecord(**res.model_dump(), signed=res.signature is not None or bool(
        res.input_signatures))
    return result, pdf, text, hocr if hocr.is_file() else None


def result_target(source: Path, out: Path, dossier: str) -> Path:
    """The output folder of the packaged dossier a result is for, checked before any work (and
    before a signing key is opened): NoInputError (exit 3) when the file or the dossier or its
    package is not there."""
    if not source.is_file():
        raise NoInputError(_("{path} does not exist; give the result's scan or PDF.").format(
            path=source))
    folder = dossier_folder(out, dossier)
    packaged(folder)
    return folder


def add_result(source: Path, dossier: str, opts: RunOptions, identity: Identity | None,
               code: str = "", progress: Progress | None = None) -> ResultAdded:
    """Digitize `source` as the result of the dossier `dossier` names (its id or desk code) in
    `opts.out`, record it and make the dossier's package again. Nothing is written unless all
    of it succeeds: a dossier that does not exist, or has no package, is NoInputError (exit 3)
    before any work."""
    folder = result_target(source, opts.out, dossier)
    record = packaged(folder)
    procedure = opts.catalogue.get(record.procedure_code) if opts.catalogue and \
        record.procedure_code else None
    named = _named(procedure, code)
    check_languages(opts.lang)
    progress = progress or Progress()
    with hold_lock(opts.out):
        record = packaged(folder)
        work = opts.out / WORK_NAME / f"result-{os.getpid()}-{time.time_ns()}"
        try:
            result, pdf, text, hocr = _digitized(source, record, opts, identity, progress, work)
            _coded(result, procedure, named, text, opts.config.extract.min_field_confidence)
            # The same file again replaces its earlier record (a corrected code, a re-scan).
            record.results = [r for r in record.results
                              if r.source_sha256 != result.source_sha256]
            record.provenance.append(Event(
                type="result", time=now_vn(), agent=f"digitize {__version__}",
                detail=f"result {result.code or '?'} ({source.name}, SHA-256 "
                       f"{result.source_sha256}) added by {opts.operator or '?'}"))
            if result.status is Status.needs_review and record.status is Status.ok:
                record.status = Status.needs_review
            repackage(folder, record, opts.config,
                      results=[Added(result, pdf, text, hocr)])
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if opts.index is not None:
        try:
            index_dossier(opts.index, opts.out, record)
        except (DigitizeError, OSError) as exc:
            log.warning(_("not added to the index: {reason} Run `digitize index rebuild {out}` "
                          "later.").format(reason=exc, out=opts.out),
                        extra={"dossier": record.id})
    return ResultAdded(record, result)
