"""What commands print: the two consoles (stdout for results, stderr for logs and progress), JSON
documents, tables in the interface language, the progress bar, log lines, and the masking of
citizens' personal data in all of it unless --show-personal-data."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

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


ID, TEXT = True, False  # a column of identifiers (never folded) or of prose (may wrap)


PROSE_MIN = 24  # a prose column may wrap down to this width


def _table(title: str, columns: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]],
           prose_cut: int | None = None) -> Table:
    """The table of `rows`; with `prose_cut`, its prose cut to that width (to measure it)."""
    table = Table(title=escape(title), box=box.SIMPLE_HEAD, pad_edge=False)
    for label, ident in columns:
        table.add_column(_(label), no_wrap=ident, overflow="ignore" if ident else "fold")
    for row in rows:
        table.add_row(*(cell if ident or prose_cut is None else _cut(cell, prose_cut)
                        for (_label, ident), cell in zip(columns, row, strict=True)))
    return table


def _cut(markup: str, width: int) -> Text:
    text = Text.from_markup(markup)
    text.truncate(width)
    return text


def _natural_width(table: Table) -> int:
    """How wide `table` is when nothing in it is wrapped or cut."""
    wide = Console(width=10_000, file=io.StringIO(), color_system=None)
    with wide.capture() as captured:
        wide.print(table)
    return max((len(line.rstrip()) for line in captured.get().splitlines()), default=0)


def records(title: str, columns: Sequence[tuple[str, bool]], rows: Sequence[Sequence[str]],
            wide: bool = False) -> None:
    """Rows as a table where the terminal holds it with every identifier on one line (dossier
    codes, file names, numbers, times; prose columns may wrap); else one record per block,
    "label: value" lines that are never wrapped. `wide` always draws the table. Column labels
    are marked with N_; cells are Rich markup."""
    fits = _natural_width(_table(title, columns, rows, PROSE_MIN)) <= out.width
    if wide or fits:
        out.print(_table(title, columns, rows), crop=not wide, soft_wrap=wide)
        return
    out.print(f"[bold]{escape(title)}[/]", soft_wrap=True)
    for row in rows:
        first = next((i for i, cell in enumerate(row) if cell), 0)
        out.print(f"[bold]{row[first]}[/]", soft_wrap=True, highlight=False)
        for i, ((label, _ident), cell) in enumerate(zip(columns, row, strict=True)):
            if cell and i != first:
                out.print(f"  {escape(_(label))}: {cell}", soft_wrap=True, highlight=False)


_STATUS_TEXT = {Status.ok: N_("ok"), Status.needs_review: N_("needs_review"),
                Status.failed: N_("failed"), Status.incomplete: N_("incomplete")}


def status_cell(status: Status) -> str:
    return f"[{STATUS_STYLE[status]}]{escape(_(_STATUS_TEXT[status]))}[/]"


def yes(value: object) -> str:
    return _("yes") if value else _("no")


def summary_table(summary: RunSummary, wide: bool = False) -> None:
    rows = []
    for d in summary.dossiers:
        for i, doc in enumerate(d.documents):
            note = private(doc.error or "; ".join(doc.review))
            rows.append([escape(private(d.id)) if i == 0 else "",
                         escape(f"{i + 1}. {private(Path(doc.source).name)}"),
                         status_cell(doc.status),
                         escape(" · ".join(filter(None, (doc.kind_label, str(
                             doc.metadata.get("component_code") or ""))))),
                         escape(doc.reference),
                         str(len(doc.metadata)), yes(doc.signature), escape(note)])
    records("digitize run", ((N_("Dossier"), ID), (N_("Document"), ID), (N_("Status"), ID),
                             (N_("Kind / type · component"), TEXT), (N_("Number"), ID),
                             (N_("Fields"), ID), (N_("Signed"), ID), (N_("Note"), TEXT)),
            rows, wide)
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
            out.print("  " + escape(_("package {dossier}: {path}").format(
                dossier=d.id, path=shown_path(d.bundle))), highlight=False, soft_wrap=True)
        for doc in d.documents if d.loose else []:
            if doc.bundle:
                out.print("  " + escape(_("package {dossier}: {path}").format(
                    dossier=Path(doc.source).name, path=shown_path(doc.bundle))),
                    highlight=False, soft_wrap=True)
        if d.error and not d.bundle:
            out.print(f"  [red]{escape(d.id)}: {escape(private(d.error))}[/]", highlight=False)
        for note in d.review:  # a required component missing, the procedure unknown
            out.print(f"  [yellow]{escape(d.id)}: {escape(note)}[/]", highlight=False,
                      soft_wrap=True)


def shown_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it (shorter, and what the
    clerk typed), else as it is."""
    p = Path(path)
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return path


REPORT_COLUMNS = (("dossiers", N_("Dossiers")), ("documents", N_("Docs")), ("pages", N_("Pages")),
                  ("share_signed", N_("Signed")), ("share_searchable", N_("Text")),
                  ("share_needs_review", N_("Review")), ("failed", N_("Failed")),
                  ("median_seconds_per_dossier", N_("Median s")))
SHARE_COLUMNS = (("received", N_("Received")), ("digitized", N_("Digitized")),
                 ("share_digitized", N_("Digit.")), ("share_signed", N_("Signed")),
                 ("share_packaged", N_("Packed")), ("share_uploaded", N_("Sent")),
                 ("median_days_to_digitized", N_("Days")), ("p90_days_to_digitized", N_("p90")))

INDICATOR_COLUMNS = (("received", N_("Received")), ("share_components", N_("Parts")),
                     ("share_results", N_("Result")), ("share_both", N_("Both")),
                     ("share_reused", N_("Reused")), ("share_national", N_("National")))


def report_tables(report: Any, wide: bool = False) -> None:
    """`digitize report` in the terminal: with a received list its shares first, then each
    breakdown and the total; short headers and whole percentages, so 80 columns hold them."""
    from digitize.pipeline.report import figure_text

    def line(key: str, row: dict[str, object], columns: Sequence[tuple[str, str]]
             ) -> list[str]:
        return [escape(key), *(figure_text(c, row[c], 0) for c, _h in columns)]

    if report.received is not None:
        shares = [("all", report.received), *((s.key, s) for groups in
                                                report.received_groups.values()
                                                for s in groups)]
        records(_("received dossiers"), ((N_("Group"), ID), *((h, ID) for _k, h in SHARE_COLUMNS)),
                [line(k, s.row(), SHARE_COLUMNS) for k, s in shares], wide)
        if report.not_digitized:
            out.print(escape(_("Received but not digitized: {codes}").format(
                codes=", ".join(r.code for r in report.not_digitized))), highlight=False)
    if report.indicators is not None:
        for dim, groups in report.indicators.groups.items():
            rows = [line(g.key, g.row(), INDICATOR_COLUMNS)
                    for g in [*groups, report.indicators.total]]
            rows[-1][0] = _("all")
            records(_("indicators (QĐ 766) — {dim}").format(dim=dim), (
                (N_("Group"), ID), *((h, ID) for _k, h in INDICATOR_COLUMNS)), rows, wide)
    for dim, groups in report.groups.items():
        rows = [line(f.key, f.row(), REPORT_COLUMNS) for f in [*groups, report.total]]
        rows[-1][0] = _("all")
        records(f"digitize report — {dim}", ((N_("Group"), ID),
                                              *((h, ID) for _k, h in REPORT_COLUMNS)), rows, wide)
    if report.total.incomplete:
        out.print(_("{count} dossiers are incomplete: a document failed, the others are kept "
                    "signed; fix the failed ones and run again.").format(
                        count=report.total.incomplete), highlight=False)
    for reason, count in report.failures.items():
        out.print(f"  {count} × {escape(reason)}", highlight=False)
    for d in report.missing:
        out.print(escape(_("{dossier} lacks required components: {names}").format(
            dossier=d.dossier_code or d.id, names="; ".join(
                f"{m.name} ({m.code})" for m in d.missing_components))), highlight=False,
            soft_wrap=True)
