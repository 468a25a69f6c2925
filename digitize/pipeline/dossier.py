"""What one dossier goes through once its pages are OCR'd: each document assembled into a PDF/A,
its metadata extracted and corrected, signed; then the dossier's outputs written in a staging
folder and swapped into place whole (a package when every document is good). The batch loop
(`run`) plans the pages and calls this for each dossier in turn."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, Future
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from digitize import __version__
from digitize.bundle.sheets import COVER_NAME, INDEX_NAME
from digitize.clock import VN_TZ, now_vn
from digitize.errors import DigitizeError, EnvironmentProblem, InputFileError
from digitize.extract import extract, segments_from_words
from digitize.extract.layout import Segment
from digitize.extract.overrides import (
    apply_overrides,
    dossier_overrides,
    operator_name,
)
from digitize.extract.review import review_note
from digitize.extract.signed import dated_by_signature, signing_days
from digitize.fsutil import DIR_MODE, replace_dir, sha256_file, write_text_atomic
from digitize.i18n import _
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    Event,
    Extraction,
    InputSignature,
    OcrPage,
    ResultRecord,
    SignatureInfo,
    Status,
    read_dossier,
)
from digitize.ocr import PreparedPage, assemble_pdf, tesseract
from digitize.ocr.assemble import pdfa_copy
from digitize.ocr.hocr import merge_hocr
from digitize.pipeline.inputs import DossierInput
from digitize.pipeline.options import Progress, RunOptions
from digitize.pipeline.package import Finished, Sheets, package_dossier, package_loose
from digitize.pipeline.repack import Added, kept_results, number_results, write_side_files
from digitize.pipeline.sheets import Item, check_index, split_sheets
from digitize.procedures.assign import Checked, check_dossier
from digitize.scan.split import origin as split_origin
from digitize.schemas.tt05 import MetadataError
from digitize.schemas.xmp import embed_metadata

if TYPE_CHECKING:
    from digitize.signing.sign import SigningContext

log = logging.getLogger("digitize")
MIN_ARCHIVE_DPI = 200  # TT 05/2025 Điều 8
MIN_DRAWING_DPI = 300  # maps and technical drawings
DRAWING_TYPES = {"30", "31"}


def file_code(archive_code: str, dossier: DossierInput) -> str:
    """TT 05/2025 fileCode: organ identifier + year + the dossier's number (here taken from the
    desk's dossier code, or the folder name when it is not one)."""
    received = dossier.received_date or date.today()
    code = dossier.dossier_code
    number = code.split("-", 1)[1] if code else re.sub(r"[^A-Za-z0-9-]+", "-", dossier.id)
    return f"{archive_code}.{received.year}.{number.strip('-') or 'HS'}"


@dataclass
class Doc:
    source: Path
    seq: int
    pages: list[Future[PreparedPage]]
    error: str | None = None
    sha: str | None = None
    key: str | None = None  # its work key (see document_key)
    signed: bool = False  # a signed PDF handed in: kept byte for byte, only read for text
    text_layer: bool = False  # born-digital: its own words were read (no OCR)
    earlier: DocumentResult | None = None  # finished by an earlier run with the same key: kept
    active: tuple[str, ...] = ()  # active content in the input PDF (activecontent.KINDS)
    attachments: tuple[str, ...] = ()  # the names of the files attached to it


@dataclass(frozen=True)
class Corrections:
    """A dossier's override files: per input file name, the values and who set them; `error`
    says why they could not be read (the dossier then fails, not the batch)."""

    sets: tuple[tuple[str, str, dict[str, object]], ...] = ()  # (source, operator, by file)
    error: str | None = None

    def for_name(self, name: str) -> list[tuple[str, str, dict[str, object]]]:
        """(source, operator, values) of every override file that corrects document `name`."""
        return [(source, operator, values) for source, operator, documents in self.sets
                if isinstance(values := documents.get(name), dict)]

    def apply(self, ex: Extraction, name: str) -> Extraction:
        for source, operator, values in self.for_name(name):
            ex = apply_overrides(ex, values, operator, source)
        return ex


def corrections(d: DossierInput, opts: RunOptions) -> Corrections:
    """The dossier's override files, read once for the whole run of the dossier."""
    try:
        return Corrections(tuple(
            (str(path), operator_name(data.operator, opts.config.review.operator),
             dict(data.documents))
            for path, data in dossier_overrides(d.folder, opts.out, d.id)))
    except DigitizeError as exc:
        return Corrections(error=exc.message)


@dataclass
class Planned:
    """A dossier as the batch planned it: its documents (pages queued, or kept from an earlier
    run) and its corrections."""

    docs: list[Doc]
    fixes: Corrections


def document_key(sha: str, seq: int, code: str, name: str, fixes: Corrections,
                 opts: RunOptions, signer: str) -> str:
    """What a finished document depends on: its content and place in the dossier, the
    corrections made to it, and every setting of the run that changes its outputs. The same
    key means the same signed PDF, so a later run keeps it instead of OCR'ing it again."""
    sign = opts.signing
    parts = {
        "digitize": __version__, "source": sha, "seq": seq, "file_code": code,
        "fixes": fixes.for_name(name),
        "lang": opts.lang, "profile": opts.profile, "drop_blank": opts.drop_blank,
        "keep_text": opts.keep_text, "package": opts.package,
        "min_field": opts.config.extract.min_field_confidence,
        "min_ocr": opts.config.ocr.min_confidence,
        "signing": [signer, sign.level, sign.tsa_url, sign.certify, sign.reason, sign.location,
                    repr(sign.appearance)] if signer else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str,
                                     ensure_ascii=False).encode()).hexdigest()


def _kept_document(doc: Doc, work: Path, code: str) -> tuple[DocumentResult, Path, str]:
    """A document an earlier run finished with the same work key: its signed PDF, hOCR and text
    are taken as they are (copied out before the dossier's folder is replaced)."""
    earlier = doc.earlier
    assert earlier is not None and earlier.pdf and earlier.text_file
    pdf = work / f"{code}.{doc.seq}.pdf"
    shutil.copyfile(earlier.pdf, pdf)
    if earlier.hocr_file and Path(earlier.hocr_file).is_file():
        shutil.copyfile(earlier.hocr_file, work / f"{code}.{doc.seq}.hocr")
    text = Path(earlier.text_file).read_text(encoding="utf-8")
    log.info(_("{name}: unchanged since the last run, kept as it was").format(
        name=doc.source.name), extra={"document": str(doc.source)})
    return earlier.model_copy(update={"source": str(doc.source)}), pdf, text


def kept_from(earlier: DossierResult | None) -> dict[str, DocumentResult]:
    """The documents of an earlier run of a dossier that a new run may keep, by work key."""
    if earlier is None:
        return {}
    return {doc.work_key: doc for doc in earlier.documents
            if doc.work_key and doc.status is not Status.failed and not doc.reused_from
            and doc.pdf and Path(doc.pdf).is_file()
            and doc.text_file and Path(doc.text_file).is_file()}


def _review(ocr: Sequence[OcrPage], ex: Extraction, opts: RunOptions) -> list[str]:
    notes = [review_note(k) for k in ex.review]
    drawing = ex.metadata.get("tt05_type_code") in DRAWING_TYPES
    min_dpi = MIN_DRAWING_DPI if drawing else MIN_ARCHIVE_DPI
    for p in ocr:
        page = p.index + 1
        if p.blank:
            text = _("page {page}: looks blank (dropped)") if opts.drop_blank else \
                _("page {page}: looks blank")
            notes.append(text.format(page=page))
            continue
        if p.mean_conf < opts.config.ocr.min_confidence:
            notes.append(_("page {page}: low OCR confidence ({confidence})").format(
                page=page, confidence=f"{p.mean_conf:.0f}"))
        # PNG stores dots per metre: 200 dpi reads back as 199.9996.
        if opts.profile == "archive" and round(p.dpi) < min_dpi:
            notes.append(_("page {page}: scanned at {dpi} dpi, under the {minimum} dpi TT "
                           "05/2025 requires").format(page=page, dpi=f"{p.dpi:.0f}",
                                                      minimum=min_dpi))
    return notes


def finish_document(doc: Doc, work: Path, code: str, opts: RunOptions,
                     signing: SigningContext | None, progress: Progress, fixes: Corrections,
                     dossier_code: str | None) -> tuple[DocumentResult, Path | None, str]:
    """Assemble, extract and sign one document; returns its result, signed PDF and text."""
    prepared: list[PreparedPage] = []
    try:
        for fut in doc.pages:
            prepared.append(fut.result())
            progress.advance()
    except InputFileError as exc:
        progress.advance(len(doc.pages) - len(prepared))
        return DocumentResult(source=str(doc.source), status=Status.failed,
                              error=exc.message), None, ""
    except (EnvironmentProblem, KeyboardInterrupt):
        raise
    except BrokenExecutor as exc:  # a worker process was killed (OOM killer, kill -9)
        raise EnvironmentProblem(_("A worker process died while reading {name} (killed, or out "
                                   "of memory); run the same command again to resume.").format(
                                     name=doc.source.name)) from exc
    except Exception as exc:  # a bug must not stop the rest of the batch
        progress.advance(len(doc.pages) - len(prepared))
        return DocumentResult(source=str(doc.source), status=Status.failed,
                              error=_("Unexpected error on {name} ({error}); please report "
                                      "it.").format(name=doc.source.name,
                                                    error=f"{type(exc).__name__}: {exc}")
                              ), None, ""
    doc_id = f"{code}.{doc.seq}"
    # A born-digital file is its own archival copy, every page of it.
    kept = prepared if doc.text_layer else \
        [p for p in prepared if not (opts.drop_blank and p.ocr.blank)] or prepared
    ocr = [p.ocr for p in kept]
    text = "\f".join(p.text for p in ocr)
    merge_hocr([p.hocr for p in kept], work / f"{doc_id}.hocr", doc.source)
    segs = segments_from_words((p.index, p.width, p.height, p.words) for p in ocr)
    ex = extract(segs, len(ocr), opts.config.extract.min_field_confidence,
                 signers=opts.signers)
    ex = fixes.apply(ex, doc.source.name)
    if doc.signed:
        return _active(doc, _signed_input(doc, work / f"{doc_id}.pdf", ocr, segs, ex,
                                          [p.ocr for p in prepared], opts, signing)), \
            work / f"{doc_id}.pdf", text
    review = _review([p.ocr for p in prepared], ex, opts)
    scanned = work / f"{doc_id}.scan.pdf"
    if doc.text_layer:
        pdfa_copy(doc.source, scanned, title=doc.source.stem)
    else:
        assemble_pdf(kept, scanned, title=doc.source.stem)
    unsigned = work / f"{doc_id}.unsigned.pdf"
    embed_metadata(scanned, unsigned, {**ex.metadata, "doc_kind": ex.doc_kind.value,
                                       "doc_id": doc_id, "doc_code": f"{code}.{doc.seq:07d}",
                                       "dossier_code": dossier_code})
    scanned.unlink()
    signature: SignatureInfo | None = None
    final = unsigned
    if signing is not None:
        final = work / f"{doc_id}.pdf"
        try:
            from digitize.signing.sign import sign_pdf  # pyHanko: only when signing

            signature = sign_pdf(unsigned, final, signing, block=ex.evidence.get("signer"))
        except InputFileError as exc:
            return DocumentResult(source=str(doc.source), status=Status.failed,
                                  error=exc.message), None, text
    result = DocumentResult(
        source=str(doc.source), status=Status.needs_review if review else Status.ok,
        doc_kind=ex.doc_kind, metadata=ex.metadata, confidence=ex.confidence,
        signature=signature, review=review, source_sha256=doc.sha, evidence=ex.evidence,
        overrides=list(ex.overrides), provenance=_events(doc, ocr, ex, signature, opts),
        work_key=doc.key)
    return _active(doc, result), final, text


def _active(doc: Doc, result: DocumentResult) -> DocumentResult:
    """The document's result marked with the active content its input carried, and a PREMIS
    event saying what became of it: a signed file keeps it (a clean copy would break its
    signatures), an unsigned one's archival copy is made from its pages without it."""
    if not doc.active:
        return result
    what = ", ".join(doc.active) + (f" ({', '.join(doc.attachments)})" if doc.attachments
                                    else "")
    fate = "kept byte for byte: the file is signed" if doc.signed else \
        "not in the archival copy, made from its pages"
    event = Event(type="validation", time=now_vn(), agent=f"digitize {__version__}",
                  detail=f"active content in {doc.source.name}: {what}; {fate}",
                  outcome="warning" if doc.signed else "success")
    return result.model_copy(update={"active_content": list(doc.active),
                                     "provenance": [*result.provenance, event]})


def _signed_input(doc: Doc, target: Path, ocr: Sequence[OcrPage], segs: Sequence[Segment],
                  ex: Extraction, read: Sequence[OcrPage], opts: RunOptions,
                  signing: SigningContext | None = None) -> DocumentResult:
    """A PDF that came signed: the original goes into the dossier byte for byte (a copy of
    ours would break its signatures), its signatures are checked and reported; the metadata
    comes from OCR of its rendered pages. With [signer] countersign_inputs, the desk adds its
    signature by incremental update: the original stays the file's first bytes and its
    signatures stay valid. Its review notes are those of `read` (every page read, blank ones
    too) and of the extraction once its day is checked against the signing (signed.py)."""
    from digitize.validation.verify import load_trust, verify_pdf

    shutil.copyfile(doc.source, target)
    report = verify_pdf(target, load_trust(list(opts.signing.trust)), offline=True)
    countersigned: SignatureInfo | None = None
    if signing is not None and opts.config.signer.countersign_inputs:
        signed = target.with_suffix(".countersigned.pdf")
        try:
            from digitize.signing.sign import sign_pdf

            countersigned = sign_pdf(target, signed, signing)
        except InputFileError as exc:
            return DocumentResult(source=str(doc.source), status=Status.failed,
                                  error=exc.message)
        os.replace(signed, target)
    found = [InputSignature(field=s.field, signer=s.signer, signing_time=s.signing_time,
                            status=s.status.value, sub_indication=s.sub_indication,
                            reasons=list(s.reasons)) for s in report.signatures]
    ex = dated_by_signature(ex, signing_days([s.signing_time for s in found]), segs,
                            opts.config.extract.min_field_confidence)
    review = _review(read, ex, opts)
    for s in found:
        if s.status == "invalid":
            review.append(_("the signature of {signer} ({field}) is invalid: {reason}").format(
                signer=s.signer or "?", field=s.field, reason="; ".join(s.reasons)))
    kept = "; kept byte for byte, not re-signed" if countersigned is None else (
        f"; countersigned by the desk by incremental update (the original is the file's first "
        f"{doc.source.stat().st_size} bytes, SHA-256 {doc.sha})")
    events = [*_events(doc, ocr, ex, countersigned, opts), Event(
        type="validation", time=now_vn(), agent=f"digitize {__version__}",
        detail="; ".join(" ".join(filter(None, (f"{s.field}:", s.status, s.sub_indication,
                                                 f"({s.signer})"))) for s in found) + kept)]
    return DocumentResult(
        source=str(doc.source), status=Status.needs_review if review else Status.ok,
        doc_kind=ex.doc_kind, metadata=ex.metadata, confidence=ex.confidence,
        signature=countersigned,
        review=review, source_sha256=doc.sha, evidence=ex.evidence,
        overrides=list(ex.overrides), provenance=events, input_signatures=found,
        work_key=doc.key)


def _events(doc: Doc, ocr: Sequence[OcrPage], ex: Extraction,
            signature: SignatureInfo | None, opts: RunOptions) -> list[Event]:
    """What happened to the document, for the package's preservation metadata (PREMIS)."""
    stat = doc.source.stat()
    scanned = datetime.fromtimestamp(stat.st_mtime, VN_TZ).isoformat(timespec="seconds")
    turned = [f"page {p.index + 1}: turned {p.rotation}°" for p in ocr if p.rotation]
    levelled = [f"page {p.index + 1}: levelled {p.skew:+.1f}°" for p in ocr if p.skew]
    events = [
        Event(type="capture", time=scanned, agent="scanner",
              detail="; ".join(filter(None, (f"{doc.source.name}, {stat.st_size} bytes, "
                                             f"{len(ocr)} pages", split_origin(doc.source))))),
        Event(type="ocr", time=now_vn(), agent=f"pdftotext (poppler); digitize {__version__}",
              detail="born-digital: its own text read, no OCR" + (
                  "" if doc.signed else "; PDF/A-2b made from the file itself"))
        if doc.text_layer else
        Event(type="ocr", time=now_vn(), agent=f"{tesseract.version()}; digitize {__version__}",
              detail="; ".join([f"languages {opts.lang}", f"profile {opts.profile}",
                                "PDF/A-2b with invisible text layer", *turned, *levelled])),
        Event(type="metadata extraction", time=now_vn(), agent=f"digitize {__version__}",
              detail=f"{ex.doc_kind.value}; fields to review: {', '.join(ex.review) or 'none'}"),
        *[Event(type="metadata modification", time=o.time, agent=o.operator,
                detail=f"{o.field}: {o.old!r} -> {o.new!r} ({o.source})") for o in ex.overrides],
    ]
    if signature is not None:
        events.append(Event(
            type="signing", time=signature.signing_time,
            agent=signature.certificate_subject or signature.signer,
            detail=f"PAdES {signature.level}; certificate serial "
                   f"{signature.certificate_serial}, issuer {signature.certificate_issuer}"))
    return events


def _earlier_reused(target: Path, count: int) -> list[tuple[DocumentResult, Path, str, int]]:
    """Documents `reuse` added to this dossier before: a new run keeps them in the package,
    after the dossier's own documents, as long as they still match their checksum."""
    if not (target / DOSSIER_RECORD).is_file():
        return []
    kept: list[tuple[DocumentResult, Path, str, int]] = []
    for doc in read_dossier(target).documents:
        if not doc.reused_from or not doc.pdf:
            continue
        pdf = Path(doc.pdf)
        if not pdf.is_file() or sha256_file(pdf) != doc.source_sha256:
            log.warning(_("the reused document {path} is missing or changed; add it again with "
                          "`digitize reuse`").format(path=doc.reused_from),
                        extra={"dossier": target.name})
            continue
        text = Path(doc.text_file) if doc.text_file else None
        kept.append((doc, pdf, text.read_text(encoding="utf-8") if text and text.is_file()
                     else "", count + len(kept) + 1))
    return kept


def _sheets_apart(finished: list[Item], work: Path, code: str
                  ) -> tuple[Sheets, list[Item], list[Item]]:
    """The cover and index out of the documents, which are numbered again from 1 (their hOCR
    files follow), and the index checked against them."""
    before = {id(res): seq for res, _p, _t, seq in finished}
    sheets, docs, apart = split_sheets(finished)
    if not apart:
        return sheets, docs, apart
    for res, _p, _t, seq in apart:
        hocr = work / f"{code}.{seq}.hocr"
        if hocr.is_file():
            hocr.rename(work / f"{code}.{res.sheet}.hocr")
    for res, _p, _t, seq in docs:  # new numbers are never above old ones: rename in order
        hocr = work / f"{code}.{before[id(res)]}.hocr"
        if hocr.is_file():
            hocr.rename(work / f"{code}.{seq}.hocr")
    check_index(sheets, docs)
    return sheets, docs, apart


def _carry_results(dossier: DossierResult, carried: Sequence[Added],
                   issued: Sequence[Finished], staging: Path, target: Path, code: str,
                   in_package: bool) -> None:
    """The dossier's results kept through a new run: their text, hOCR and record under their
    numbers after the documents, their PDFs in the new package, else beside it."""
    for item, done in zip(carried, issued, strict=True):
        stem = f"{code}.{done.seq}"
        if not in_package:
            shutil.copyfile(item.pdf, staging / f"{stem}.pdf")
            item.result.pdf = str((target / f"{stem}.pdf").resolve())
        write_side_files(staging, target, item, stem)
        write_text_atomic(staging / f"{stem}.json", item.result.model_dump_json(indent=2))
    dossier.results = [r for r in (a.result for a in carried) if isinstance(r, ResultRecord)]


def process_dossier(d: DossierInput, planned: Planned, opts: RunOptions,
                     signing: SigningContext | None, progress: Progress, tmp: Path
                     ) -> DossierResult:
    began = time.monotonic()
    code = file_code(opts.config.agency.archive_code, d)
    work = tmp / f"dossier-{d.id}"
    work.mkdir(parents=True, exist_ok=True)
    results: list[DocumentResult] = []
    finished: list[tuple[DocumentResult, Path, str, int]] = []
    for path, msg in d.problems:
        results.append(DocumentResult(source=str(path), status=Status.failed, error=msg))
    fixes = planned.fixes
    broken = fixes.error
    for doc in planned.docs:
        if doc.error:
            results.append(DocumentResult(source=str(doc.source), status=Status.failed,
                                          error=doc.error))
            continue
        if doc.earlier is not None:
            res, pdf, text = _kept_document(doc, work, code)
        else:
            res, pdf, text = finish_document(doc, work, code, opts, signing, progress, fixes,
                                              d.dossier_code)
        doc.pages.clear()  # the page results (words, boxes) are done with: keep memory flat
        results.append(res)
        if pdf is not None:
            finished.append((res, pdf, text, doc.seq))
    sheets, sheet_items = Sheets(), []
    check = Checked()
    if opts.package and not (opts.loose or d.marked_loose):
        sheets, finished, sheet_items = _sheets_apart(finished, work, code)
        check = check_dossier(opts.catalogue, d.folder, d.dossier_code, opts.procedures,
                              [(res, text) for res, _p, text, _s in finished],
                              opts.config.extract.min_field_confidence)
    failed = broken is not None or check.error is not None or any(
        r.status is Status.failed for r in results)
    received = d.received_date
    procedure = check.procedure
    dossier = DossierResult(id=d.id, folder=str(d.folder.resolve()), dossier_code=d.dossier_code,
                            file_code=code, agency_code=opts.config.agency.code,
                            desk=opts.config.desk.name or None, operator=opts.operator or None,
                            procedure=procedure.name if procedure else next(
                                (str(r.metadata["procedure_name"]) for r in results
                                 if r.metadata.get("procedure_name")), None),
                            procedure_code=procedure.code if procedure else None,
                            missing_components=list(check.missing), review=list(check.notes),
                            received=received.isoformat() if received else None,
                            status=Status.failed if failed else Status.ok, documents=results,
                            error=broken or check.error)
    if not failed and (check.notes or any(r.status is Status.needs_review for r in results)):
        dossier.status = Status.needs_review
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{d.id}-", dir=opts.out))
    os.chmod(staging, DIR_MODE)
    try:
        target = opts.out / d.id
        loose = not opts.package  # the PDFs go beside the text, not into a package
        carried = kept_results(read_dossier(target), target) if (
            target / DOSSIER_RECORD).is_file() else []  # the results `result add` added
        issued: list[Finished] = []
        if finished and opts.package and broken is None and (
                opts.loose or d.marked_loose):
            # Documents outside a dossier stand alone: each good one gets its package.
            package_loose(dossier, [Finished(res, pdf, seq) for res, pdf, _t, seq in finished],
                          opts.config, staging, target)
            if failed:
                dossier.status = Status.incomplete
                dossier.error = _("A document failed; the others have their packages in "
                                  "{folder}. Fix or replace it and run again: only that one is "
                                  "processed again.").format(folder=target)
        elif finished and not failed and opts.package:
            finished += _earlier_reused(target, len(finished))
            dossier.documents += [res for res, *_ in finished if res.reused_from]
            docs = [Finished(res, pdf, seq) for res, pdf, _t, seq in finished]
            issued = number_results(docs, carried)
            try:
                package_dossier(dossier, docs, opts.config, staging, target,
                                signing.identity.common_name if signing else None, sheets,
                                issued)
                for res, *_rest in sheet_items:  # in the package's documentation
                    res.pdf = str(Path(dossier.bundle or "") / "documentation" / (
                        COVER_NAME if res.sheet == "cover" else INDEX_NAME))
            except MetadataError as exc:
                # Fields TT 05/2025 requires are missing: no package until a clerk supplies
                # them, but the documents are kept so that `review` can show and fix them.
                dossier.status, dossier.error, loose = Status.failed, exc.message, True
        elif finished and opts.package and broken is None and check.error is not None:
            loose = True  # its procedure is not in the catalogue: the documents are kept
        elif finished and opts.package and broken is None:
            # The good documents are kept, signed, beside the text; the next run keeps them
            # and redoes only what failed, changed or is new.
            dossier.status, loose = Status.incomplete, True
            dossier.error = _("No package yet: a document failed. The others are kept, signed, "
                              "in {folder}; fix or replace the failed one (or take it out of "
                              "the dossier) and run again: only that one is processed "
                              "again.").format(folder=target)
        stems: set[str] = set()
        for res, pdf, text, seq in [*finished, *sheet_items]:
            stem = f"{code}.{res.sheet or seq}" if opts.package else Path(res.source).stem
            stem = f"{stem}-{seq}" if stem in stems else stem
            stems.add(stem)
            if loose:
                shutil.copyfile(pdf, staging / f"{stem}.pdf")
                res.pdf = str((target / f"{stem}.pdf").resolve())
            write_text_atomic(staging / f"{stem}.txt", text)
            res.text_file = str((target / f"{stem}.txt").resolve())
            hocr = work / f"{code}.{res.sheet or seq}.hocr"
            if hocr.is_file():  # a reused document was OCR'd in its first dossier
                shutil.copyfile(hocr, staging / f"{stem}.hocr")
                res.hocr_file = str((target / f"{stem}.hocr").resolve())
            write_text_atomic(staging / f"{stem}.json", res.model_dump_json(indent=2))
        _carry_results(dossier, carried, issued or number_results(
            [Finished(r, p, s) for r, p, _t, s in finished], carried), staging, target,
            code, in_package=bool(issued) and not loose)
        dossier.finished = now_vn()
        dossier.seconds = round(time.monotonic() - began, 2)
        write_text_atomic(staging / DOSSIER_RECORD, dossier.model_dump_json(indent=2))
        replace_dir(staging, target)
    except DigitizeError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        dossier.status = Status.failed
        dossier.error = exc.message
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dossier
