"""Run a batch: scan -> OCR'd PDF -> metadata -> signed PDF -> TT 05/2025 package, per dossier.

Pages are OCR'd in a process pool (one Tesseract thread each); assembling, extraction, signing
and packaging happen in this process as each document's pages arrive. A dossier's outputs are
built in a staging folder and swapped into place whole, so a re-run replaces them cleanly and a
crash never leaves a half-written dossier. Input files are only ever read.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from digitize.errors import DigitizeError, InputFileError, NoInputError
from digitize.extract.overrides import (
    OVERRIDES_DIR,
    override_paths,
    writing_overrides,
)
from digitize.fsutil import sha256_file, write_text_atomic
from digitize.i18n import N_, _
from digitize.identity import Identity
from digitize.index.updates import index_dossier
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    RunSummary,
    Status,
    Totals,
    read_dossier,
)
from digitize.ocr import PageTask, prepare_page, text_page
from digitize.ocr.images import read_input
from digitize.ocr.tesseract import check_languages
from digitize.pipeline.dossier import (
    Corrections,
    Doc,
    Planned,
    corrections,
    document_key,
    file_code,
    kept_from,
    process_dossier,
)
from digitize.pipeline.executors import default_jobs, make_executor
from digitize.pipeline.inputs import DossierInput, discover
from digitize.pipeline.journal import Journal, inputs_key
from digitize.pipeline.lock import hold_lock
from digitize.pipeline.options import Progress, RunOptions
from digitize.procs import worker_init

if TYPE_CHECKING:
    from digitize.signing.sign import SigningContext

WORK_NAME = ".work"
QUARANTINED = N_("Quarantined by an earlier run")


log = logging.getLogger("digitize")


def _jobs(requested: int) -> int:
    return requested if requested > 0 else default_jobs()


def _earlier(d: DossierInput, opts: RunOptions, signer: str, fixes: Corrections
             ) -> tuple[Callable[[str, int, Path], str | None], dict[str, DocumentResult]]:
    """How to key the dossier's documents, and those an earlier run finished (by key)."""
    if fixes.error is not None:  # the dossier will fail on it; nothing is kept
        return lambda *_: None, {}
    code = file_code(opts.config.agency.archive_code, d)
    record = opts.out / d.id
    try:
        earlier = read_dossier(record) if (record / DOSSIER_RECORD).is_file() else None
    except (DigitizeError, OSError, ValueError):
        earlier = None

    def key(sha: str, seq: int, src: Path) -> str | None:
        return document_key(sha, seq, code, src.name, fixes, opts, signer)
    return key, kept_from(earlier)


def _plan(dossiers: Sequence[DossierInput], opts: RunOptions, pool: Executor, tmp: Path,
          journal: Journal, sha_of: Callable[[Path], str], signer: str
          ) -> tuple[dict[str, Planned], int]:
    """Count pages and queue every page of every dossier (the pool works ahead of us).
    Documents that failed before with the same content stay quarantined unless retried;
    documents an earlier run finished with the same work key are kept, not queued."""
    plan: dict[str, Planned] = {}
    total = 0
    for d in dossiers:
        docs: list[Doc] = []
        fixes = corrections(d, opts)
        key_of, kept = _earlier(d, opts, signer, fixes)
        for seq, src in enumerate(d.files, start=1):
            try:
                sha = sha_of(src)
            except OSError as exc:
                docs.append(Doc(src, seq, [], _("{path} cannot be read ({reason}); check that "
                                                 "you may read it.").format(
                                                     path=src, reason=exc.strerror)))
                continue
            reason = None if opts.retry_failed else journal.quarantined(sha)
            if reason is not None:
                if not reason.startswith((QUARANTINED, _(QUARANTINED))):
                    reason = _("{quarantined}: {reason} Fix the file, or run again with "
                               "--retry-failed.").format(quarantined=_(QUARANTINED),
                                                         reason=reason)
                docs.append(Doc(src, seq, [], reason, sha))
                continue
            key = key_of(sha, seq, src)
            if key is not None and key in kept:
                docs.append(Doc(src, seq, [], sha=sha, key=key, earlier=kept[key]))
                continue
            doc = queue_document(src, seq, sha, key, opts, pool, tmp / f"{d.id}-{seq}")
            docs.append(doc)
            total += len(doc.pages)
        plan[d.id] = Planned(docs, fixes)
    return plan, total


def queue_document(src: Path, seq: int, sha: str, key: str | None, opts: RunOptions,
                   pool: Executor, workdir: Path) -> Doc:
    """One document's pages queued in the pool (OCR'd, or their own text read where it is
    born-digital); a file that cannot be read is a Doc with its error and no pages."""
    cfg = opts.config.ocr
    max_px = cfg.max_megapixels * 1_000_000
    try:
        facts = read_input(src, max_px)
    except InputFileError as exc:
        return Doc(src, seq, [], exc.message, sha)
    workdir.mkdir(parents=True, exist_ok=True)
    text = opts.keep_text and facts.text_layer and facts.not_archivable is None
    own = set(facts.text_pages) if opts.keep_text else set()  # a signed file's text
    futures = [pool.submit(text_page if text or i in own else prepare_page,
                           PageTask(src, i, workdir, opts.lang, cfg.default_dpi, max_px,
                                    cfg.timeout_s, opts.profile, cfg.best_vie))
               for i in range(facts.pages)]
    return Doc(src, seq, futures, sha=sha, key=key, signed=facts.signed, text_layer=text,
               active=facts.active, attachments=facts.attachments)


def _add_to_index(result: DossierResult, opts: RunOptions) -> None:
    """Make the dossier findable; the outputs are complete without it, so a failure here is a
    warning that names the fix."""
    if opts.index is None:
        return
    try:
        index_dossier(opts.index, opts.out, result)
    except (DigitizeError, OSError) as exc:
        message = exc.message if isinstance(exc, DigitizeError) else str(exc)
        log.warning(_("not added to the index: {reason} Run `digitize index rebuild {out}` "
                      "later.").format(reason=message, out=opts.out), extra={"dossier": result.id})


def _remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)


def _clean_after_crash(out: Path) -> None:
    """Remove what an interrupted run left: staging folders, temporary files, work files; and
    finish a swap of outputs that a crash cut in the middle."""
    for staging in out.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)
    for old in out.glob(".old-*"):
        target = out / old.name[len(".old-"):].rsplit("-", 1)[0]
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(old, target)  # the new outputs never arrived: keep the previous ones
    # The override files are written by review (the web desk, `digitize review`), which never
    # waits for a run: their temporary files go only under review's own lock, never one that
    # a clerk's save is writing now.
    for part in out.rglob(".*.part"):
        if part.relative_to(out).parts[0] != OVERRIDES_DIR:
            _remove(part)
    if (out / OVERRIDES_DIR).is_dir():
        with writing_overrides(out) as folder:
            for part in folder.glob(".*.part"):
                _remove(part)
    shutil.rmtree(out / WORK_NAME, ignore_errors=True)


def _resumed(d: DossierInput, journal: Journal, out: Path, sha_of: Callable[[Path], str]
             ) -> tuple[str | None, DossierResult | None]:
    """The dossier's input checksum, and its earlier result when it is finished already."""
    if d.problems:
        return None, None
    # A changed override file makes the dossier new work, as a changed scan does.
    try:
        key = inputs_key([*d.files, *override_paths(d.folder, out, d.id)], sha_of)
    except OSError:
        return None, None
    if journal.dossier_done(d.id, key) and (out / d.id / DOSSIER_RECORD).is_file():
        earlier = read_dossier(out / d.id)
        if earlier.bundle is None or Path(earlier.bundle).is_dir():
            earlier.resumed = True
            return key, earlier
    return key, None


def run_batch(inputs: Sequence[Path], opts: RunOptions, identity: Identity | None,
              progress: Progress | None = None,
              executor_factory: Callable[[int], Executor] | None = None) -> RunSummary:
    """Process every dossier found in `inputs` into `opts.out`: one run per folder at a time;
    finished dossiers are skipped, so running again after a crash resumes."""
    check_languages(opts.lang)
    dossiers = discover(inputs)
    if not any(d.files for d in dossiers) and all(not d.problems for d in dossiers):
        raise NoInputError(_("No scans (PNG, JPEG, TIFF or PDF) were found in {items}.").format(
                               items=', '.join(str(p) for p in inputs)))
    if all(not d.files for d in dossiers):
        missing = [msg for d in dossiers for _, msg in d.problems]
        raise NoInputError(missing[0] if len(missing) == 1 else
                           "None of the inputs can be read: " + " ".join(missing))
    return run_dossiers(dossiers, opts, identity, progress, executor_factory)


def run_dossiers(dossiers: Sequence[DossierInput], opts: RunOptions, identity: Identity | None,
                 progress: Progress | None = None,
                 executor_factory: Callable[[int], Executor] | None = None) -> RunSummary:
    """Process dossiers already found (by `discover`, or by the watch folder)."""
    progress = progress or Progress()
    started = time.monotonic()
    factory = executor_factory or make_executor(opts.executor, opts.jobs, worker_init,
                                                opts.config.ocr.scheduler_timeout_s)
    with hold_lock(opts.out):
        _clean_after_crash(opts.out)
        journal = Journal(opts.out)
        try:
            signing = None
            if identity is not None:
                from digitize.signing.sign import SigningContext  # pyHanko: only when signing

                signing = SigningContext(identity, opts.signing)
            results = _run_locked(dossiers, opts, signing, progress, factory, journal)
        finally:
            journal.close()
    totals = Totals(seconds=round(time.monotonic() - started, 2))
    for dr in results:
        totals.add(dr)
    summary = RunSummary(dossiers=results, totals=totals)
    write_text_atomic(opts.out / "summary.json", summary.model_dump_json(indent=2))
    return summary


def _run_locked(dossiers: Sequence[DossierInput], opts: RunOptions,
                signing: SigningContext | None,
                progress: Progress, factory: Callable[[int], Executor], journal: Journal
                ) -> list[DossierResult]:
    # Each input is read for its checksum once: the journal key, quarantine and provenance
    # all use it.
    sha_of = functools.cache(sha256_file)
    done: dict[str, DossierResult] = {}
    keys: dict[str, str | None] = {}
    for d in dossiers:
        keys[d.id], earlier = _resumed(d, journal, opts.out, sha_of)
        if earlier is not None:
            done[d.id] = earlier
    todo = [d for d in dossiers if d.id not in done]
    # A folder of this run's own: workers orphaned by a killed run can only write into theirs,
    # which the next run has removed.
    tmp = opts.out / WORK_NAME / f"run-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir(parents=True)
    results: list[DossierResult] = []
    pool = factory(_jobs(opts.jobs))
    try:
        signer = signing.identity.certificate.sha256.hex() if signing else ""
        plan, total = _plan(todo, opts, pool, tmp, journal, sha_of, signer)
        progress.start(total)
        for d in dossiers:
            if d.id in done:
                log.info(_("finished in an earlier run, left as it is"),
                         extra={"dossier": d.id})
                results.append(done[d.id])
                continue
            result = process_dossier(d, plan[d.id], opts, signing, progress, tmp)
            for doc in result.documents:
                if doc.error:
                    log.warning(doc.error, extra={"dossier": d.id, "document": doc.source})
            log.log(logging.WARNING if result.status in (Status.failed, Status.incomplete)
                    else logging.INFO,
                    _("dossier {status}").format(status=_(result.status.value))
                    + (f": {result.error}" if result.error else ""),
                    extra={"dossier": d.id, "bundle": result.bundle})
            own = result.documents[len(d.problems):len(d.problems) + len(plan[d.id].docs)]
            for doc, planned in zip(own, plan[d.id].docs, strict=True):
                if planned.sha:
                    journal.record_document(planned.sha, planned.source, d.id,
                                            doc.status.value, doc.error)
            if keys[d.id] is not None:
                journal.record_dossier(d.id, keys[d.id], result.status.value)
            _add_to_index(result, opts)
            results.append(result)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        shutil.rmtree(opts.out / WORK_NAME, ignore_errors=True)
    return results
