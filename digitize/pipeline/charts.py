"""The report's charts, drawn with matplotlib (headless): the share of received dossiers
digitized over time against the target, documents per day stacked by status, and documents
per desk. Each is a PNG with white ground, no transparency (it goes into PDF/A too)."""

from __future__ import annotations

import io
from collections.abc import Sequence

from digitize.i18n import _
from digitize.pipeline.report import Figures, Report, Share, shown_key

_SIZE = (8.0, 3.6)  # inches at 100 dpi: 800 x 360 px


def _png(fig) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor="white", bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    with Image.open(io.BytesIO(buf.getvalue())) as im:  # RGB: PDF/A takes no alpha here
        out = io.BytesIO()
        im.convert("RGB").save(out, "PNG", optimize=True)
    return out.getvalue()


def _figure():  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["font.family"] = ["Liberation Sans", "DejaVu Sans"]  # Vietnamese glyphs
    fig, ax = plt.subplots(figsize=_SIZE)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def documents_per_day(days: Sequence[Figures]) -> bytes:
    """Documents per day, stacked: done, needing review, failed."""
    fig, ax = _figure()
    keys = [shown_key(f.key) for f in days] or ["—"]
    parts = [(_("done"), [f.ok for f in days], "#1f4e96"),
             (_("to review"), [f.needs_review for f in days], "#e0a526"),
             (_("failed"), [f.failed for f in days], "#c0392b")]
    bottom = [0] * len(days)
    for label, values, colour in parts:
        if days:
            ax.bar(keys, values, bottom=bottom, label=label, color=colour, width=0.6)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_title(_("Documents digitized per day"))
    ax.set_xlabel(_("Day"))
    ax.set_ylabel(_("Documents"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)  # beside the plot
    ax.tick_params(axis="x", labelrotation=45 if len(keys) > 6 else 0)
    return _png(fig)


def per_desk(desks: Sequence[Figures]) -> bytes:
    fig, ax = _figure()
    ax.barh([shown_key(f.key) for f in desks] or ["—"], [f.documents for f in desks] or [0],
            color="#1f4e96")
    ax.set_title(_("Documents per desk"))
    ax.set_xlabel(_("Documents"))
    return _png(fig)


def share_digitized(shares: Sequence[Share], target: float) -> bytes:
    """The share of received dossiers digitized per period, with the target as a line."""
    fig, ax = _figure()
    keys = [shown_key(s.key) for s in shares] or ["—"]
    values = [100 * s.digitized / s.received if s.received else 0.0 for s in shares] or [0.0]
    ax.bar(keys, values, color="#1f4e96", label=_("digitized"), width=0.6)
    for x, v in zip(keys, values, strict=True):
        ax.annotate(f"{v:.0f}%", (x, v), ha="center", va="bottom")
    if target:
        ax.axhline(100 * target, color="#c0392b", linestyle="--",
                   label=_("target {value}").format(value=f"{target:.0%}"))
    ax.set_ylim(0, 105)
    ax.set_ylabel("%")
    ax.set_title(_("Share of received dossiers digitized"))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return _png(fig)


def report_charts(report: Report, target: float) -> dict[str, bytes]:
    """Every chart the report has data for, by name."""
    charts = {"documents_per_day": documents_per_day(report.days or [report.total])}
    if report.groups.get("desk"):
        charts["per_desk"] = per_desk(report.groups["desk"])
    if report.received is not None:
        period = report.received_groups.get("month") or report.received_groups.get("week") or \
            report.received_groups.get("day") or [report.received]
        charts["share_digitized"] = share_digitized(period, target)
    return charts
