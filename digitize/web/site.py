"""What the web pages read and change, on the same library as the CLI: the dossiers of the
configured output folders, their documents and page images, the review queue and its answers,
verification of an uploaded file, the index search, the report, and a new dossier's scans."""

from __future__ import annotations

import base64
import io
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from digitize.config import Config, index_location
from digitize.errors import InputFileError, NoInputError, UsageProblem
from digitize.extract.review import ReviewItem, pending, record_answers
from digitize.i18n import _
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    Status,
    moved_path,
    read_dossier,
    read_dossiers,
)
from digitize.web.jobs import Job, JobBoard
from digitize.web.safety import dossier_name, inside, upload_name
from digitize.web.words import web_policy, web_text

T = TypeVar("T")

PAGE_DPI = 60
CHUNK = 1 << 20


@dataclass(frozen=True)
class Found:
    """A dossier of one of the output folders (`out` is its number in the site's list)."""

    out: int
    folder: Path
    record: DossierResult

    @property
    def day(self) -> str:
        return (self.record.finished or "")[:10]

    @property
    def reason(self) -> str:
        """Why it is not done: its error, else its failed documents' errors, else what its
        documents need reviewed."""
        if self.record.error:
            return self.record.error
        failed = "; ".join(f"{Path(d.source).name}: {d.error}" for d in self.record.documents
                           if d.status is Status.failed and d.error)
        # Else what needs a person's eye: the fields of each document to review.
        return failed or "; ".join([*self.record.review, *(
            f"{Path(d.source).name}: {note}" for d in self.record.documents
            if d.status is Status.needs_review for note in d.review)])


@dataclass(frozen=True)
class QueueFilter:
    """The review queue narrowed to a desk ([desk] name of the run), a day (when the dossier's
    run ended, YYYY-MM-DD, as on the dossier list) and a field to review; empty: any."""

    desk: str = ""
    day: str = ""
    field: str = ""

    def holds(self, items: list[ReviewItem]) -> bool:
        """Whether a document with these fields to review is in the narrowed queue."""
        record = items[0].dossier
        return ((not self.desk or (record.desk or "") == self.desk)
                and (not self.day or (record.finished or "")[:10] == self.day)
                and (not self.field or any(i.field == self.field for i in items)))

    @property
    def query(self) -> str:
        """The filter as a URL's query ("" for none), for the links that keep it."""
        given = {k: v for k, v in (("desk", self.desk), ("day", self.day),
                                   ("field", self.field)) if v}
        return f"?{urlencode(given)}" if given else ""


class Site:
    """The desk's web interface's view of its output folders."""

    def __init__(self, cfg: Config, outs: list[Path], max_upload_mb: int) -> None:
        if not outs:
            raise UsageProblem(_("Say which output folders to show: digitize serve OUT..., or "
                                 "[web] outs (or [run] out) in the config."))
        self.cfg = cfg
        self.outs = [o.resolve() for o in outs]
        self.jobs = JobBoard(cfg)
        self.max_upload = max_upload_mb * 2**20

    # ------------------------------------------------------------------ dossiers
    def dossiers(self, status: str = "", day: str = "") -> list[Found]:
        found = []
        for i, out in enumerate(self.outs):
            for folder, record in read_dossiers(out):
                d = Found(i, folder, record)
                if (not status or d.record.status.value == status) and (
                        not day or d.day == day):
                    found.append(d)
        return sorted(found, key=lambda d: d.record.finished or "", reverse=True)

    def dossier(self, out: int, dossier_id: str) -> Found:
        """One dossier by the number of its output folder and its id; nothing outside them."""
        if not 0 <= out < len(self.outs):
            raise NoInputError(_("No such output folder."))
        folder = inside(self.outs[out], dossier_id)
        if folder is None or folder.parent != self.outs[out] or not (
                folder / DOSSIER_RECORD).is_file():
            raise NoInputError(_("No dossier {id} here.").format(id=dossier_id))
        return Found(out, folder, read_dossier(folder))

    def document(self, out: int, dossier_id: str, n: int) -> tuple[Found, DocumentResult]:
        d = self.dossier(out, dossier_id)
        if not 0 <= n < len(d.record.documents):
            raise NoInputError(_("No document {n} in dossier {id}.").format(n=n + 1,
                                                                           id=dossier_id))
        return d, d.record.documents[n]

    def file(self, out: int, relative: str) -> Path:
        """A file of an output folder (a package, a signed PDF); never one outside, and never
        one of the hidden working files (.overrides, .review, the lock, journals)."""
        if not 0 <= out < len(self.outs):
            raise NoInputError(_("No such output folder."))
        path = inside(self.outs[out], relative)
        # Hidden as asked for, or where a link in the folder leads (inside resolves links).
        hidden = any(part.startswith(".") for part in Path(relative).parts) or (
            path is not None and any(part.startswith(".") for part in path.relative_to(
                self.outs[out].resolve()).parts))
        if path is None or hidden or not path.is_file():
            raise NoInputError(_("No such file."))
        return path

    def moved_file(self, out: int, relative: str) -> str | None:
        """Where a file of a dossier's earlier package is now. A re-run names the package
        anew (a new UUID), so a page shown before it links into a folder that is gone: the
        same file in the package the dossier's record names now; None where there is none."""
        parts = Path(relative).parts
        if len(parts) < 3:
            return None
        try:
            d = self.dossier(out, parts[0])
        except NoInputError:
            return None
        package = Path(self.relative(d, d.record.bundle) or "").parts
        if len(package) != 2 or package[0] != parts[0] or package[1] == parts[1]:
            return None
        now = str(Path(*package, *parts[2:]))
        try:
            self.file(out, now)
        except NoInputError:
            return None
        return now

    def relative(self, d: Found, path: str | None) -> str | None:
        """A path the dossier's record holds (found again when the output folder was moved), as
        /files/ serves it; None when it is not in the output folder."""
        if not path:
            return None
        try:
            return str(moved_path(path, d.folder, d.record.id, always=True).resolve()
                       .relative_to(self.outs[d.out]))
        except ValueError:
            return None

    def package_files(self, d: Found) -> list[tuple[str, int]]:
        """The files of the dossier's package (its path as /files/ serves it, and its size):
        names and sizes only, which hold no personal data, so the listing is shown masked."""
        package = self.relative(d, d.record.bundle)
        folder = inside(self.outs[d.out], package or "")
        if folder is None or not folder.is_dir():
            raise NoInputError(_("Dossier {id} has no package yet; run it first.").format(
                id=d.record.id))
        return [(str(f.relative_to(self.outs[d.out])), f.stat().st_size)
                for f in sorted(folder.rglob("*")) if f.is_file() and not f.is_symlink()]

    def text(self, d: Found, doc: DocumentResult) -> str:
        if not doc.text_file:
            return ""
        path = inside(self.outs[d.out], self.relative(d, doc.text_file) or "")
        return path.read_text(encoding="utf-8") if path and path.is_file() else ""

    def page_png(self, d: Found, doc: DocumentResult, page: int, field: str = "",
                 masked: bool = True) -> bytes:
        """The page as an image, with the box the field was read from drawn on it; `masked`:
        the ID numbers, phone numbers and birth dates on it blacked out (personal data
        hidden)."""
        from PIL import ImageDraw

        from digitize.ocr.images import render_pdf_page
        from digitize.web.redact import black_out, personal_boxes

        pdf = self._pdf(d, doc)
        count = int(doc.metadata.get("page_count") or 1)
        if not 0 <= page < count:
            raise NoInputError(_("No page {n} in {name}.").format(n=page + 1, name=pdf.name))
        img = render_pdf_page(pdf, page, PAGE_DPI).convert("RGB")
        if masked:
            hocr = inside(self.outs[d.out], self.relative(d, doc.hocr_file) or "") \
                if doc.hocr_file else None
            black_out(img, personal_boxes(doc, hocr, page))
        ev = doc.evidence.get(field) if field else None
        if ev is not None and ev.page == page:
            w, h = img.size
            x0, y0, x1, y1 = ev.box
            ImageDraw.Draw(img).rectangle((x0 * w - 3, y0 * h - 3, x1 * w + 3, y1 * h + 3),
                                          outline=(220, 0, 0), width=3)
        buf = io.BytesIO()
        img.save(buf, "PNG")
        return buf.getvalue()

    def read_document(self, out: int, dossier_id: str, n: int,
                      use: Callable[[Found, DocumentResult], T]) -> T:
        """`use` applied to document `n`'s record (and the files it names). A re-run swaps the
        dossier's folder in whole, and its package (and so the PDF's path) gets a new name: a
        record read just before the swap names a PDF that is gone just after it — before it
        is opened (NoInputError) or while poppler starts on it (InputFileError: "cannot be
        rendered"). The record is then read again once, and `use` given the one in place now;
        where the record names the same PDF, the error stands."""
        d, doc = self.document(out, dossier_id, n)
        try:
            return use(d, doc)
        except (NoInputError, InputFileError):
            again, now = self.document(out, dossier_id, n)
            if now.pdf == doc.pdf:
                raise
            return use(again, now)

    def page_image(self, out: int, dossier_id: str, n: int, page: int, field: str = "",
                   masked: bool = True) -> bytes:
        """Page `page` of document `n` as page_png draws it, from the record in place."""
        return self.read_document(out, dossier_id, n, lambda d, doc: self.page_png(
            d, doc, page, field, masked))

    def _pdf(self, d: Found, doc: DocumentResult) -> Path:
        rel = self.relative(d, doc.pdf)
        if rel is None:
            raise NoInputError(_("The document has no PDF in this output folder."))
        return self.file(d.out, rel)

    def signature_report(self, d: Found, doc: DocumentResult) -> Any:
        from digitize.validation.verify import load_trust, verify_pdf

        return verify_pdf(self._pdf(d, doc), load_trust(self.cfg.verify.trust), offline=True)

    # ------------------------------------------------------------------ review
    def review_queue(self) -> list[tuple[int, int, ReviewItem]]:
        """(output folder, document number, item) of every field that needs review."""
        items = []
        for i, out in enumerate(self.outs):
            try:
                found = pending(out)
            except NoInputError:
                continue  # nothing processed there yet
            for item in found:
                items.append((i, item.dossier.documents.index(item.doc), item))
        return items

    def answer(self, out: int, dossier_id: str, n: int, field: str, value: str) -> Job:
        """Write the clerk's value as `digitize review` does and run the dossier again. The
        operator recorded is the desk's ([desk] or [review] operator, else the server's login
        name): the one login is the desk's, and nothing the browser sends names a person."""
        from digitize.extract.overrides import normalise

        d, doc = self.document(out, dossier_id, n)
        try:
            fixed = normalise(field, value)
        except ValueError as exc:
            raise UsageProblem(str(exc)) from None
        return self._record(d, doc, out, {field: fixed})

    def _record(self, d: Found, doc: DocumentResult, out: int, answers: dict[str, object]
                ) -> Job:
        """Write a document's answers in the desk's name, then run its dossier again."""
        from digitize.extract.overrides import operator_name

        who = operator_name(self.cfg.desk.operator, self.cfg.review.operator)
        record_answers(self.outs[out], d.record.id, {Path(doc.source).name: answers}, who)
        return self._rerun(d, out)

    def _rerun(self, d: Found, out: int) -> Job:
        if not d.record.folder or not Path(d.record.folder).is_dir():
            raise NoInputError(_("The scans of dossier {id} are no longer in {folder}; the "
                                 "answer is saved and applies when it is run again.").format(
                                   id=d.record.id, folder=d.record.folder))
        return self.jobs.run(_("Run again: {id}").format(id=d.record.id), self.outs[out],
                             [Path(d.record.folder)], d.record.id, out)

    def review_documents(self, only: QueueFilter | None = None
                         ) -> list[tuple[int, str, int, list[ReviewItem]]]:
        """The documents with fields to review (output folder, dossier id, document number, its
        items), in the queue's order; with `only`, those of its desk and day that have its field
        to review."""
        found: dict[tuple[int, str, int], list[ReviewItem]] = {}
        for out, n, item in self.review_queue():
            found.setdefault((out, item.dossier.id, n), []).append(item)
        return [(*key, items) for key, items in found.items()
                if only is None or only.holds(items)]

    def answer_document(self, out: int, dossier_id: str, n: int, answers: dict[str, object]
                        ) -> Job:
        """Every answer of one document written at once (already checked), then the dossier run
        again in the background, as `answer` does for one field."""
        d, doc = self.document(out, dossier_id, n)
        return self._record(d, doc, out, answers)

    def send(self, out: int, dossier_id: str) -> Job:
        """Zip the dossier's package and deliver it to [upload] to, as `digitize bundle --zip`
        then `digitize upload` would (the delivery goes to the upload journal)."""
        from digitize.bundle.upload import upload, upload_settings

        d = self.dossier(out, dossier_id)
        package = self.relative(d, d.record.bundle)
        if package is None:
            raise NoInputError(_("Dossier {id} has no package yet; run it first.").format(
                id=dossier_id))
        settings = upload_settings(self.cfg)
        folder = self.outs[out] / package

        def work(job: Job) -> None:
            from digitize.bundle.transfer import bundle_paths

            with tempfile.TemporaryDirectory(prefix="digitize-send-") as tmp:
                made = bundle_paths([folder], Path(tmp), aip=False, bag=False, as_zip=True,
                                    organisation=self.cfg.agency.name)[0]
                if made.bundle is None:
                    raise NoInputError(made.error)
                delivery = upload(made.bundle, settings, replace=False)
            said = {"uploaded": _("Delivered"), "already there": _("Already delivered")}
            job.message = _("{status}: {name} to {target}").format(
                status=said.get(delivery.status, delivery.status), name=made.bundle.name,
                target=Path(delivery.target).name or delivery.target)

        return self.jobs.submit(_("Send to the archive: {id}").format(id=d.record.id),
                                self.outs[out], work, d.record.id, out)

    # ------------------------------------------------------------------ intake
    def procedures(self) -> list[tuple[str, str]]:
        """The catalogue's procedures (code, name) for the intake form's choice."""
        from digitize.procedures.store import catalogue_path, load_catalogue

        found = load_catalogue(catalogue_path(self.cfg))
        return [(p.code, p.name) for p in found.procedures] if found else []

    def intake(self, code: str, files: list[tuple[str, Any]], procedure: str = "") -> Job:
        """A new dossier (or more scans for one) from the browser: each file is read in pieces
        into a temporary folder beside the inbox, checked (size, kind), and only then moved into
        the inbox's dossier folder; the dossier is then run into the first output folder. The
        procedure chosen is written in the folder's `.procedure`."""
        name = dossier_name(code)
        if not files:
            raise UsageProblem(_("Choose the scanned files of the dossier."))
        named = None
        if procedure.strip():
            from digitize.procedures.assign import checked_procedure
            from digitize.procedures.store import catalogue_path, load_catalogue

            named = checked_procedure(load_catalogue(catalogue_path(self.cfg)),
                                      procedure.strip())
        inbox = self.cfg.scan.inbox.resolve()
        inbox.mkdir(parents=True, exist_ok=True)
        target = inbox / name
        with tempfile.TemporaryDirectory(prefix=".upload-", dir=inbox) as tmp:
            start = len(list(target.glob("*"))) if target.is_dir() else 0
            saved = [self._receive(Path(tmp), filename, stream, start + i + 1)
                     for i, (filename, stream) in enumerate(files)]
            target.mkdir(exist_ok=True)
            for path in saved:
                shutil.move(path, target / path.name)
            if named is not None:
                from digitize.procedures.assign import mark_procedure

                mark_procedure(target, named.code)
        return self.jobs.run(_("New dossier: {id}").format(id=name), self.outs[0], [target],
                             name)

    def _receive(self, folder: Path, filename: str, stream: Any, n: int) -> Path:
        head = stream.read(8)
        return self._save(stream, folder / upload_name(filename, head, n), filename, head)

    def _save(self, stream: Any, path: Path, filename: str, head: bytes = b"") -> Path:
        """The upload written to `path` in pieces, refused once it passes the size limit."""
        size = len(head)
        with open(path, "wb") as fh:
            fh.write(head)
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > self.max_upload:
                    raise UsageProblem(_("{name} is larger than {mb} MB ([web] max_upload_mb)."
                                         ).format(name=filename, mb=self.max_upload // 2**20))
                fh.write(chunk)
        return path

    def add_result(self, out: int, dossier_id: str, filename: str, stream: Any,
                   code: str = "") -> Job:
        """The procedure's result uploaded on the dossier's page: kept under the inbox's
        hidden `.results/<dossier>/` (out of the dossier's own scans, which a run would take
        as its documents), then digitized into the dossier as `digitize result add` does."""
        d = self.dossier(out, dossier_id)
        if d.record.bundle is None:
            raise NoInputError(_("Dossier {id} has no package yet; run it first.").format(
                id=dossier_id))
        folder = self.cfg.scan.inbox.resolve() / ".results" / d.record.id
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".upload-", dir=folder) as tmp:
            saved = self._receive(Path(tmp), filename, stream,
                                  len(list(folder.glob("*.*"))) + 1)
            kept = folder / saved.name
            shutil.move(saved, kept)
        return self.jobs.result(_("Result: {id}").format(id=d.record.id), self.outs[out], kept,
                                d.record.id, code.strip(), out)

    # ------------------------------------------------------------------ verify
    def verify_upload(self, filename: str, stream: Any, offline: bool) -> tuple[Any, str]:
        """The verdict and the HTML report of `digitize verify --report` for one uploaded PDF,
        package zip or bag zip."""
        from digitize.bundle.verify import verify_paths
        from digitize.validation.html_report import render
        from digitize.validation.verify import POLICY, load_trust

        suffix = Path(filename).suffix.lower()
        if suffix not in (".pdf", ".zip"):
            raise UsageProblem(_("{name}: give a signed PDF, or a package or bag as .zip.")
                               .format(name=filename))
        with tempfile.TemporaryDirectory(prefix="digitize-verify-") as tmp:
            path = self._save(stream, Path(tmp) / f"upload{suffix}", filename)
            reports = verify_paths([path], load_trust(self.cfg.verify.trust), offline, 1,
                                   self.cfg.verify.eark_python or True)
            for found in reports:  # the library's advice said as the web says it
                for report in [found, *getattr(found, "documents", [])]:
                    for said in [report, *report.signatures] if hasattr(
                            report, "signatures") else [report]:
                        said.reasons = [web_text(r) for r in said.reasons]
            # The report names the file by the name it came with, escaped as every value of
            # the report is: a name is the uploader's to choose, markup and all.
            page = render(reports, web_policy(POLICY), plain=True)
            return reports[0], page.replace(escape(str(path)), escape(filename))

    # ------------------------------------------------------------------ find, report
    def find(self, params: dict[str, str]) -> list[Any]:
        from digitize.index.model import Query
        from digitize.index.store import open_index

        for key, label in (("from", _("From")), ("to", _("To"))):
            _day(params.get(key, ""), label)
        q = Query.asked(text=params.get("text"), id_number=params.get("id_number"),
                        applicant=params.get("applicant"), dossier=params.get("dossier"),
                        doc_type=params.get("type"), date_from=params.get("from"),
                        date_to=params.get("to"), desk=params.get("desk"))
        with open_index(index_location(self.cfg)) as ix:
            return ix.find(q)

    def report(self, since: str = "", until: str = "") -> tuple[Any, dict[str, str], list[Any]]:
        """The report of `digitize report` over the output folders: its figures, its charts as
        data: URLs, and its tables."""
        from digitize.pipeline.charts import report_charts
        from digitize.pipeline.indicators import BREAKDOWNS, catalogue_codes
        from digitize.pipeline.monthly import report_tables
        from digitize.pipeline.report import report_outputs

        _day(since, _("From"))
        _day(until, _("To"))
        result = report_outputs(self.outs, since or None, until or None, ["day", "desk"],
                                indicators=BREAKDOWNS, resolve=catalogue_codes(self.cfg))
        charts = {name: "data:image/png;base64," + base64.b64encode(png).decode()
                  for name, png in report_charts(result, self.cfg.report.target).items()}
        return result, charts, report_tables(result)


def _day(value: str, label: str) -> None:
    """A day the browser sent (its date picker writes YYYY-MM-DD), refused in the web's words
    before the library would name its command-line option."""
    try:
        if value:
            date.fromisoformat(value)
    except ValueError:
        raise UsageProblem(_("{label}: {value!r} is not a date; choose the day in the "
                             "calendar.").format(label=label, value=value[:40])) from None


def today() -> str:
    return date.today().isoformat()
