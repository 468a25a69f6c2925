"""The figures provinces report on their one-stop digitization, from the dossier records `run`
leaves in its output folders: dossiers and documents digitized, pages, the shares signed,
searchable and needing review, failures by reason and the median time per dossier — in total
and by day, week, month, desk, operator or procedure. With the one-stop system's list of
received dossiers: the share of them digitized, signed, packaged and uploaded, those not
digitized, and the time from receipt to digitized (QĐ 468/QĐ-TTg's indicators)."""

from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import Field

from digitize.clock import VN_TZ
from digitize.errors import NoInputError, UsageProblem
from digitize.fsutil import atomic_path
from digitize.i18n import _
from digitize.model import DossierResult, Status, Totals, read_dossiers
from digitize.pipeline.indicators import (  # UNKNOWN: the group of what a record does not say
    PERIODS,
    TARGET,
    UNKNOWN,
    Indicators,
    compute_indicators,
    period_key,
)
from digitize.pipeline.received import Received

_PATH = re.compile(r"(?:/[^\s,;:()]+)+")
DIMENSIONS = ("day", "week", "month", "desk", "operator", "procedure")


class Figures(Totals):
    """The totals of one group of dossiers (a day, a desk …, or all), plus what the report
    adds to them."""

    key: str
    durations: list[float] = Field(default_factory=list, exclude=True)

    def add(self, dossier: DossierResult) -> None:
        super().add(dossier)
        if dossier.seconds is not None:
            self.durations.append(dossier.seconds)

    def row(self, name: str = "day") -> dict[str, object]:
        def share(n: int) -> float:
            return round(n / self.documents, 4) if self.documents else 0.0

        searchable = self.ok + self.needs_review  # every document with a text layer
        return {name: self.key, "dossiers": self.dossiers, "documents": self.documents,
                "pages": self.pages, "signed": self.signed, "searchable": searchable,
                "needs_review": self.needs_review, "failed": self.failed,
                "dossiers_incomplete": self.incomplete,
                "share_signed": share(self.signed), "share_searchable": share(searchable),
                "share_needs_review": share(self.needs_review),
                "median_seconds_per_dossier": round(statistics.median(self.durations), 2)
                if self.durations else None}


@dataclass
class Share:
    """The received dossiers of one group (all, a month of receipt, a procedure) and how many
    of them were digitized, signed, packaged and uploaded."""

    key: str
    received: int = 0
    digitized: int = 0
    signed: int = 0
    packaged: int = 0
    uploaded: int = 0
    waits: list[float] = field(default_factory=list)  # days from receipt to digitized

    def row(self, name: str = "group") -> dict[str, object]:
        def share(n: int) -> float:
            return round(n / self.received, 4) if self.received else 0.0

        waits = sorted(self.waits)
        return {name: self.key, "received": self.received, "digitized": self.digitized,
                "signed": self.signed, "packaged": self.packaged, "uploaded": self.uploaded,
                "share_digitized": share(self.digitized), "share_signed": share(self.signed),
                "share_packaged": share(self.packaged), "share_uploaded": share(self.uploaded),
                "median_days_to_digitized": round(statistics.median(waits), 2) if waits
                else None,
                "p90_days_to_digitized": round(statistics.quantiles(waits, n=10)[8], 2)
                if len(waits) >= 2 else (round(waits[0], 2) if waits else None)}


@dataclass
class Report:
    total: Figures
    groups: dict[str, list[Figures]]  # dimension -> its groups, in order
    failures: dict[str, int]
    received: Share | None = None  # with a received list
    received_groups: dict[str, list[Share]] = field(default_factory=dict)
    not_digitized: list[Received] = field(default_factory=list)
    # Dossiers that lack a required component of their procedure (named, never complete).
    missing: list[DossierResult] = field(default_factory=list)
    indicators: Indicators | None = None  # QĐ 766's digitization figures (--indicators)

    @property
    def days(self) -> list[Figures]:
        return self.groups.get("day", [])


def figure_text(key: str, value: object, digits: int = 1) -> str:
    """A figure as a table shows it: shares as percentages, a missing one as a dash."""
    if value is None:
        return "—"
    if key.startswith("share") and isinstance(value, float):
        return f"{value:.{digits}%}"
    return str(value)


def shown_key(key: str) -> str:
    """A group's name as a person reads it ("unknown" in the interface language)."""
    return _("unknown") if key == UNKNOWN else key


def failure_reason(error: str, source: str = "") -> str:
    """An error message without its file names, cut at its first clause: a reason to count."""
    text = _PATH.sub("", error.replace(source, "") if source else error).strip()
    text = re.split(r"[;(]", text, maxsplit=1)[0]
    text = re.sub(r"\bpage \d+\b", "page", text)
    return re.sub(r"\s+", " ", text).strip(" .") or "unknown"


def _finished_day(d: DossierResult) -> date | None:
    return datetime.fromisoformat(d.finished).date() if d.finished else None


def load_dossiers(outs: Iterable[Path]) -> list[DossierResult]:
    return [record for out in outs for _folder, record in read_dossiers(out)]


def _finished_within(d: DossierResult, since: date | None, until: date | None) -> bool:
    when = _finished_day(d)
    return (since is None or (when is not None and when >= since)) and \
        (until is None or (when is not None and when <= until))


def group_key(dimension: str, day: date | None, d: DossierResult | None = None,
              procedure: str = "") -> str:
    if dimension in PERIODS:
        return period_key(dimension, day)
    value = procedure if dimension == "procedure" and procedure else \
        getattr(d, dimension, None) if d is not None else None
    return str(value) if value else UNKNOWN


def _signed(d: DossierResult) -> bool:
    docs = [doc for doc in d.documents if not doc.sheet]
    return bool(docs) and all(doc.signature is not None or doc.input_signatures for doc in docs)


def uploaded_packages(journal: Path | None) -> set[str]:
    """The package names (uuid-…) the upload journal says were delivered."""
    names: set[str] = set()
    if journal is None or not journal.is_file():
        return names
    for line in journal.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        m = re.match(r"(uuid-[0-9A-F-]{36})", Path(str(entry.get("bundle", ""))).name)
        if m and entry.get("status") in ("uploaded", "already there", "replaced"):
            names.add(m.group(1))
    return names


def _shares(dossiers: Sequence[DossierResult], received: Sequence[Received],
            dims: Sequence[str], uploads: set[str]
            ) -> tuple[Share, dict[str, list[Share]], list[Received]]:
    by_code: dict[str, DossierResult] = {}
    for d in dossiers:
        if d.dossier_code and d.status in (Status.ok, Status.needs_review) and d.bundle:
            by_code.setdefault(d.dossier_code, d)
    total = Share("all")
    groups: dict[str, dict[str, Share]] = {dim: {} for dim in dims
                                           if dim in ("day", "week", "month", "procedure")}
    missing: list[Received] = []
    for r in received:
        d = by_code.get(r.code)
        cells = [total]
        for dim, shares in groups.items():
            key = group_key(dim, r.day, d, r.procedure)
            cells.append(shares.setdefault(key, Share(key)))
        for s in cells:
            s.received += 1
        if d is None:
            missing.append(r)
            continue
        wait = None
        if d.finished:
            start = datetime.combine(r.day, datetime.min.time(), VN_TZ)
            wait = (datetime.fromisoformat(d.finished) - start) / timedelta(days=1)
        for s in cells:
            s.digitized += 1
            s.packaged += 1
            s.signed += _signed(d)
            s.uploaded += Path(d.bundle or "").name in uploads
            if wait is not None:
                s.waits.append(max(0.0, wait))
    return total, {dim: [g[k] for k in sorted(g)] for dim, g in groups.items()}, missing


def make_report(dossiers: Sequence[DossierResult], dims: Sequence[str] = ("day",),
                received: Sequence[Received] | None = None, uploads: set[str] | None = None,
                digitized: Sequence[DossierResult] | None = None) -> Report:
    """The figures of `dossiers`; with `received`, its shares digitized among `digitized`
    (default: the same dossiers)."""
    total = Figures(key="all")
    groups: dict[str, dict[str, Figures]] = {dim: {} for dim in dims}
    failures: Counter[str] = Counter()
    procedures = {r.code: r.procedure for r in received or [] if r.procedure}
    for d in dossiers:
        total.add(d)
        day = _finished_day(d)
        for dim in dims:
            key = group_key(dim, day, d, procedures.get(d.dossier_code or "", ""))
            groups[dim].setdefault(key, Figures(key=key)).add(d)
        failures.update(failure_reason(doc.error, doc.source) for doc in d.documents
                        if doc.error)
    report = Report(total, {dim: [g[k] for k in sorted(g)] for dim, g in groups.items()},
                    dict(failures.most_common()),
                    missing=[d for d in dossiers if d.missing_components])
    if received is not None:
        report.received, report.received_groups, report.not_digitized = _shares(
            dossiers if digitized is None else digitized, received, dims, uploads or set())
    return report


def report_json(report: Report) -> dict[str, object]:
    found: dict[str, object] = {
        "total": report.total.row(), "days": [f.row() for f in report.days],
        "by": {dim: [f.row(dim) for f in groups] for dim, groups in report.groups.items()},
        "failures": report.failures,
        "missing_components": [
            {"dossier": d.dossier_code or d.id, "procedure_code": d.procedure_code,
             "missing": [m.model_dump() for m in d.missing_components]}
            for d in report.missing]}
    if report.indicators is not None:
        found["indicators"] = {
            "target": TARGET, "total": report.indicators.total.row(),
            "by": {dim: [g.row(dim) for g in groups]
                   for dim, groups in report.indicators.groups.items()}}
    if report.received is not None:
        found["received"] = {
            "total": report.received.row(), "not_digitized": [
                {"dossier_code": r.code, "received": r.day.isoformat(),
                 "procedure": r.procedure} for r in report.not_digitized],
            "by": {dim: [s.row(dim) for s in shares]
                   for dim, shares in report.received_groups.items()}}
    return found


def write_csv(report: Report, target: Path) -> None:
    """One CSV: each breakdown's rows (its dimension in `group_by`), then the total; with a
    received list, a second block of the shares under the same rule."""
    rows: list[dict[str, object]] = []
    for dim, groups in report.groups.items():
        rows += [{"group_by": dim, **f.row("group")} for f in groups]
    rows.append({"group_by": "all", **report.total.row("group")})
    if report.received is not None:
        rows += [{"group_by": f"received by {dim}", **s.row("group")}
                 for dim, shares in report.received_groups.items() for s in shares]
        rows.append({"group_by": "received", **report.received.row("group")})
    if report.indicators is not None:
        rows += [{"group_by": f"indicators by {dim}", **g.row("group")}
                 for dim, groups in report.indicators.groups.items() for g in groups]
        rows.append({"group_by": "indicators", **report.indicators.total.row("group")})
    names: list[str] = []
    for row in rows:
        names += [k for k in row if k not in names]
    with atomic_path(target) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        writer.writerows(rows)


def _day(value: str | None, option: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise UsageProblem(_("{option} {value} is not a date; write it as YYYY-MM-DD.")
                           .format(option=option, value=value)) from None


def report_outputs(outs: Sequence[Path], since: str | None = None, until: str | None = None,
                   dims: Sequence[str] = ("day",), received: Sequence[Received] | None = None,
                   uploads: set[str] | None = None,
                   indicators: Sequence[str] | None = None,
                   resolve: Callable[[str], str] | None = None) -> Report:
    """The report of `run`'s output folders, from `since` to `until` (YYYY-MM-DD), broken down
    by `dims`; with `received`, the received dossiers of those days as the denominator; with
    `indicators` (their breakdowns), QĐ 766's digitization figures of the dossiers received
    then."""
    start, end = _day(since, "--since"), _day(until, "--until")
    unknown = [d for d in [*dims, *(indicators or ())] if d not in DIMENSIONS]
    if unknown:
        raise UsageProblem(_("--by {value}: use {choices}.").format(
            value=unknown[0], choices=", ".join(DIMENSIONS)))
    missing = [o for o in outs if not o.is_dir()]
    if missing:
        raise NoInputError(_("{path} is not an output folder of 'digitize run'.").format(
            path=missing[0]))
    if received is not None:
        received = [r for r in received if (start is None or r.day >= start) and
                    (end is None or r.day <= end)]
    everything = load_dossiers(outs)
    # A dossier received in the period may be digitized after it: all records count for the
    # shares.
    report = make_report([d for d in everything if _finished_within(d, start, end)], dims,
                         received, uploads, digitized=everything)
    if indicators is not None:
        report.indicators = compute_indicators(everything, received, indicators, start, end,
                                               resolve)
    return report
