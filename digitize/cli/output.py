"""What commands print: the two consoles (stdout for results, stderr for logs and progress), JSON
documents, tables in the interface language, the progress bar, log lines, and the masking of
citizens' personal data in all of it unless --show-personal-data."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from digitize.clock import VN_TZ
from digitize.errors import UsageProblem
from digitize.i18n import N_, _
from digitize.model import RunSummary, Status
from digitize.privacy import mask_data, mask_text

err = Console(stderr=True)
out = Console()

class Privacy:
    """Whether this command may print citizens' personal data (--show-personal-data)."""

    show = False


def private(text: str) -> str:
    return text if Privacy.show else mask_text(text)


def json_text(data: Any, indent: int | None = 2) -> str:
    """JSON of a model or plain data, personal data masked unless --show-personal-data."""
    plain = data.model_dump(mode="json") if isinstance(data, BaseModel) else \
        TypeAdapter(Any).dump_python(data, mode="json")
    return json.dumps(plain if Privacy.show else mask_data(plain), ensure_ascii=False,
                      indent=indent)


def print_json(data: Any) -> None:
    sys.stdout.write(json_text(data) + "\n")


class RichProgress:
    """The pipeline's Progress drawn as a Rich bar on stderr."""

    def __init__(self, label: str, unit: str = N_("pages")) -> None:
        self._bar = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn(_(unit)), TimeElapsedColumn(), console=err,
                             transient=False, disable=not err.is_terminal)
        self._task: Any = None

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def start(self, total_pages: int) -> None:
        self._task = self._bar.add_task("pages", total=total_pages)

    def advance(self, pages: int = 1) -> None:
        if self._task is not None and pages:
            self._bar.advance(self._task, pages)


class _LogHandler(logging.Handler):
    """Log records on stderr: readable lines (through Rich, so they sit above a progress bar)
    or, for log collectors, one JSON object per line with the dossier and document ids."""

    def __init__(self, fmt: str) -> None:
        super().__init__(logging.INFO)
        self.fmt = fmt

    def emit(self, record: logging.LogRecord) -> None:
        fields = {k: getattr(record, k) for k in ("dossier", "document", "bundle")
                  if getattr(record, k, None)}
        if self.fmt == "json":
            sys.stderr.write(json.dumps({
                "time": datetime.fromtimestamp(record.created, VN_TZ).isoformat(
                    timespec="milliseconds"),
                "level": record.levelname.lower(), "message": private(record.getMessage()),
                **{k: private(str(v)) for k, v in fields.items()}},
                ensure_ascii=False) + "\n")
            return
        where = fields.get("dossier", "")
        style = "red" if record.levelno >= logging.WARNING else "dim"
        err.print(f"[{style}]{escape(private(where))}[/] {escape(private(record.getMessage()))}",
                  highlight=False)


LOG_FORMATS = ("text", "json")


def setup_logging(fmt: str) -> None:
    if fmt not in LOG_FORMATS:
        raise UsageProblem(_("Unknown log format {fmt}; use text or json.").format(fmt=fmt))
    logger = logging.getLogger("digitize")
    logger.handlers[:] = [_LogHandler(fmt)]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def warn(message: str) -> None:
    err.print(f"[yellow]{escape(_('warning:'))}[/] {escape(private(message))}", highlight=False)


def print_failed(message: str) -> None:
    out.print(f"[red]{escape(_('failed'))}[/] {escape(private(message))}", highlight=False)


def print_outcomes(rows: list[dict[str, Any]], as_json: bool,
                   done: Callable[[dict[str, Any]], str]) -> None:
    """The rows as one JSON document, or a line each: `done(row)` (Rich markup) for a row whose
    status is ok, the reason for one that failed."""
    if as_json:
        print_json(rows)
        return
    for r in rows:
        if r["status"] == "ok":
            out.print(done(r), highlight=False)
        else:
            print_failed(r["error"])


STATUS_STYLE = {Status.ok: "green", Status.needs_review: "yellow", Status.failed: "red",
                Status.incomplete: "yellow"}


def new_table(title: str, columns: Sequence[str]) -> Table:
    """A table whose column headers (marked with N_) show in the interface language."""
    table = Table(title=title)
    for col in columns:
        table.add_column(_(col), overflow="fold")
    return table


_STATUS_TEXT = {Status.ok: N_("ok"), Status.needs_review: N_("needs_review"),
                Status.failed: N_("failed"), Status.incomplete: N_("incomplete")}


def status_cell(status: Status) -> str:
    return f"[{STATUS_STYLE[status]}]{escape(_(_STATUS_TEXT[status]))}[/]"


def yes(value: object) -> str:
    return _("yes") if value else _("no")


def summary_table(summary: RunSummary) -> None:
    table = new_table("digitize run", (N_("Dossier"), N_("Document"), N_("Status"),
                                       N_("Kind / type"), N_("Number"), N_("Fields"),
                                       N_("Signed"), N_("Note")))
    for d in summary.dossiers:
        for i, doc in enumerate(d.documents):
            note = private(doc.error or "; ".join(doc.review))
            table.add_row(escape(private(d.id)) if i == 0 else "",
                          escape(private(Path(doc.source).name)), status_cell(doc.status),
                          doc.kind_label, escape(doc.reference), str(len(doc.metadata)),
                          yes(doc.signature), escape(note))
    out.print(table)
    t = summary.totals
    if t.resumed:
        out.print(_("{count} dossiers were finished by an earlier run and left as they "
                    "were.").format(count=t.resumed))
    out.print(_("{dossiers} dossiers, {documents} documents, {pages} pages in {seconds} s: "
                "[green]{ok} ok[/], [yellow]{review} to review[/], [red]{failed} failed[/], "
                "{signed} signed.").format(
        dossiers=t.dossiers, documents=t.documents, pages=t.pages, seconds=f"{t.seconds:.1f}",
        ok=t.ok, review=t.needs_review, failed=t.failed, signed=t.signed))
    for d in summary.dossiers:
        if d.bundle:
            out.print("  " + _("package {dossier}: {path}").format(dossier=d.id, path=d.bundle),
                      highlight=False)
        for doc in d.documents if d.loose else []:
            if doc.bundle:
                out.print("  " + _("package {dossier}: {path}").format(
                    dossier=Path(doc.source).name, path=doc.bundle), highlight=False)
        if d.error and not d.bundle:
            out.print(f"  [red]{escape(d.id)}: {escape(private(d.error))}[/]", highlight=False)
