"""The figures provinces report on their one-stop digitization, from the dossier records `run`
leaves in its output folders: dossiers and documents digitized, pages, the shares signed,
searchable and needing review, failures by reason, and the median time per dossier, per day."""

from __future__ import annotations

import csv
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pydantic import Field

from digitize.errors import NoInputError, UsageProblem
from digitize.fsutil import atomic_path
from digitize.i18n import _
from digitize.model import DOSSIER_RECORD, DossierResult, Totals, read_dossier

_PATH = re.compile(r"(?:/[^\s,;:()]+)+")


class Figures(Totals):
    """The run's totals for one day (or all days), plus what the report adds to them."""

    day: str
    durations: list[float] = Field(default_factory=list, exclude=True)

    def add(self, dossier: DossierResult) -> None:
        super().add(dossier)
        if dossier.seconds is not None:
            self.durations.append(dossier.seconds)

    def row(self) -> dict[str, object]:
        def share(n: int) -> float:
            return round(n / self.documents, 4) if self.documents else 0.0

        searchable = self.ok + self.needs_review  # every document with a text layer
        return {"day": self.day, "dossiers": self.dossiers, "documents": self.documents,
                "pages": self.pages, "signed": self.signed, "searchable": searchable,
                "needs_review": self.needs_review, "failed": self.failed,
                "dossiers_incomplete": self.incomplete,
                "share_signed": share(self.signed), "share_searchable": share(searchable),
                "share_needs_review": share(self.needs_review),
                "median_seconds_per_dossier": round(statistics.median(self.durations), 2)
                if self.durations else None}


@dataclass
class Report:
    total: Figures
    days: list[Figures]
    failures: dict[str, int]


def failure_reason(error: str, source: str = "") -> str:
    """An error message without its file names, cut at its first clause: a reason to count."""
    text = _PATH.sub("", error.replace(source, "") if source else error).strip()
    text = re.split(r"[;(]", text, maxsplit=1)[0]
    text = re.sub(r"\bpage \d+\b", "page", text)
    return re.sub(r"\s+", " ", text).strip(" .") or "unknown"


def load_dossiers(outs: Iterable[Path], since: date | None = None) -> list[DossierResult]:
    found = []
    for out in outs:
        for record in sorted(out.glob(f"*/{DOSSIER_RECORD}")):
            d = read_dossier(record.parent)
            when = datetime.fromisoformat(d.finished).date() if d.finished else None
            if since is None or (when is not None and when >= since):
                found.append(d)
    return found


def make_report(dossiers: Sequence[DossierResult]) -> Report:
    total = Figures(day="all")
    days: dict[str, Figures] = {}
    failures: Counter[str] = Counter()
    for d in dossiers:
        day = d.finished[:10] if d.finished else "unknown"
        total.add(d)
        days.setdefault(day, Figures(day=day)).add(d)
        failures.update(failure_reason(doc.error, doc.source) for doc in d.documents
                        if doc.error)
    return Report(total, [days[k] for k in sorted(days)], dict(failures.most_common()))


def write_csv(report: Report, target: Path) -> None:
    with atomic_path(target) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        rows = [f.row() for f in [*report.days, report.total]]
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def draw_chart(report: Report, target: Path) -> None:
    """Documents per day as bars (signed in dark blue, the rest light), with the day below."""
    days = report.days or [report.total]
    w, h, margin = max(480, 90 * len(days) + 120), 360, 60
    img = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    top = max(f.documents for f in days) or 1
    draw.text((margin, 12), "Documents digitized per day (dark: signed)", fill="black", font=font)
    draw.line((margin, h - margin, w - 20, h - margin), fill="black")
    step = (w - margin - 20) / len(days)
    for i, f in enumerate(days):
        x0 = margin + i * step + step * 0.2
        x1 = margin + (i + 1) * step - step * 0.2
        full = (h - 2 * margin) * f.documents / top
        signed = (h - 2 * margin) * f.signed / top
        draw.rectangle((x0, h - margin - full, x1, h - margin), fill=(170, 200, 235))
        draw.rectangle((x0, h - margin - signed, x1, h - margin), fill=(20, 60, 140))
        draw.text((x0, h - margin - full - 14), str(f.documents), fill="black", font=font)
        draw.text((x0, h - margin + 6), f.day, fill="black", font=font)
    with atomic_path(target) as tmp:
        img.save(tmp, "PNG")


def report_outputs(outs: Sequence[Path], since: str | None = None) -> Report:
    """The report of `run`'s output folders, from the day `since` (YYYY-MM-DD) on."""
    try:
        start = date.fromisoformat(since) if since else None
    except ValueError:
        raise UsageProblem(_("--since {value} is not a date; write it as YYYY-MM-DD.")
                           .format(value=since)) from None
    missing = [o for o in outs if not o.is_dir()]
    if missing:
        raise NoInputError(_("{path} is not an output folder of 'digitize run'.").format(
            path=missing[0]))
    return make_report(load_dossiers(outs, start))
