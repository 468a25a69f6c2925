"""The monthly report a province files: the indicators, their breakdowns and the charts, as one
self-contained HTML page (the charts embedded, no external resource) or as PDF/A. In the
interface language (Vietnamese by default)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import pikepdf

from digitize.clock import now_vn
from digitize.fsutil import write_bytes_atomic, write_text_atomic
from digitize.i18n import N_, _
from digitize.pipeline.report import Report, figure_text, shown_key

# Column -> heading, for the tables of both formats.
FIGURES = (("dossiers", N_("Dossiers")), ("documents", N_("Documents")), ("pages", N_("Pages")),
           ("share_signed", N_("Signed")), ("share_searchable", N_("Searchable")),
           ("share_needs_review", N_("To review")), ("failed", N_("Failed")))
SHARES = (("received", N_("Received")), ("digitized", N_("Digitized")),
          ("share_digitized", N_("Share digitized")), ("share_signed", N_("Share signed")),
          ("share_packaged", N_("Share packaged")), ("share_uploaded", N_("Share uploaded")),
          ("median_days_to_digitized", N_("Median days")),
          ("p90_days_to_digitized", N_("p90 days")))
INDICATORS = (("received", N_("Received")),
              ("share_components", N_("Components digitized")),
              ("share_results", N_("Result digitized")), ("share_both", N_("Both")),
              ("share_reused", N_("Reused")), ("share_national", N_("National store")))
DIMENSION_TITLES = {"day": N_("By day"), "week": N_("By week"), "month": N_("By month"),
                    "desk": N_("By desk"), "operator": N_("By operator"),
                    "procedure": N_("By procedure")}
CHART_TITLES = {"share_digitized": N_("Share of received dossiers digitized"),
                "documents_per_day": N_("Documents digitized per day"),
                "per_desk": N_("Documents per desk")}


def _line(label: str, row: dict[str, object], columns: Sequence[tuple[str, str]]
          ) -> list[str]:
    return [label, *(figure_text(k, row[k]) for k, _h in columns)]


def report_tables(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, headings, rows) of every table, in order."""
    found = []
    if report.received is not None:
        heads = [_("Group"), *(_(h) for _k, h in SHARES)]
        found.append((_("Received dossiers"), heads,
                      [_line(_("All received"), report.received.row(), SHARES)]))
        for dim, shares in report.received_groups.items():
            found.append((_("Received dossiers") + " — " + _(DIMENSION_TITLES[dim]), heads,
                          [_line(shown_key(s.key), s.row(), SHARES) for s in shares]))
    if report.indicators is not None:
        heads = [_("Group"), *(_(h) for _k, h in INDICATORS)]
        title = _("Digitization indicators (QĐ 766/QĐ-TTg)")
        found.append((title, heads, [_line(_("All received"), report.indicators.total.row(),
                                           INDICATORS)]))
        for dim, groups in report.indicators.groups.items():
            found.append((title + " — " + _(DIMENSION_TITLES[dim]), heads,
                          [_line(shown_key(g.key), g.row(), INDICATORS) for g in groups]))
    heads = [_("Group"), *(_(h) for _k, h in FIGURES)]
    found.append((_("Digitized"), heads, [_line(_("All"), report.total.row(), FIGURES)]))
    for dim, groups in report.groups.items():
        found.append((_(DIMENSION_TITLES[dim]), heads,
                      [_line(shown_key(f.key), f.row(), FIGURES) for f in groups]))
    if report.not_digitized:
        found.append((_("Received but not digitized"),
                      [_("Dossier code"), _("Received"), _("Procedure")],
                      [[r.code, r.day.strftime("%d/%m/%Y"), r.procedure]
                       for r in report.not_digitized]))
    return found


def write_html(report: Report, charts: dict[str, bytes], agency: str, title: str,
               target: Path) -> None:
    lang = "vi" if _("Dossiers") != "Dossiers" else "en"
    parts = [f"<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">",
             f"<title>{html.escape(title)}</title><style>",
             "body{font-family:'Liberation Serif','Times New Roman',serif;margin:2em;}",
             "table{border-collapse:collapse;margin:1em 0;}th,td{border:1px solid #999;",
             "padding:2px 8px;text-align:right;}th:first-child,td:first-child{text-align:left;}",
             "img{max-width:100%;}</style></head><body>",
             f"<h1>{html.escape(title)}</h1><p>{html.escape(agency)} — "
             f"{html.escape(_('made {time}').format(time=now_vn()[:16]))}</p>"]
    for name, png in charts.items():
        data = base64.b64encode(png).decode()
        parts.append(f"<figure><img alt=\"{html.escape(_(CHART_TITLES[name]))}\" "
                     f"src=\"data:image/png;base64,{data}\"><figcaption>"
                     f"{html.escape(_(CHART_TITLES[name]))}</figcaption></figure>")
    for caption, heads, rows in report_tables(report):
        parts.append(f"<h2>{html.escape(caption)}</h2><table><tr>" +
                     "".join(f"<th>{html.escape(h)}</th>" for h in heads) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                  for row in rows]
        parts.append("</table>")
    parts.append("</body></html>")
    write_text_atomic(target, "\n".join(parts))


def write_pdf(report: Report, charts: dict[str, bytes], agency: str, title: str,
              target: Path) -> None:
    """The same report as PDF/A-2b (Liberation Serif, the charts as images)."""
    from digitize.bundle.sheets import new_sheet
    from digitize.ocr.assemble import make_pdfa

    tables = report_tables(report)
    text = title + agency + "".join(c + "".join(h) + "".join("".join(r) for r in rows)
                                    for c, h, rows in tables)
    pdf = new_sheet(text, "L")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("Serif", "B", 16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    pdf.cell(0, 7, agency, new_x="LMARGIN", new_y="NEXT")
    for png in charts.values():
        pdf.image(io.BytesIO(png), w=180)
    for caption, heads, rows in tables:
        pdf.set_font("Serif", "B", 12)
        pdf.cell(0, 8, caption, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Serif", "", 9)
        with pdf.table(first_row_as_headings=True, line_height=5) as table:
            for row in [heads, *rows]:
                table.row(row)
    data = bytes(pdf.output())
    with pikepdf.open(io.BytesIO(data)) as doc:
        make_pdfa(doc, title)
        buf = io.BytesIO()
        doc.save(buf)
    write_bytes_atomic(target, buf.getvalue())


def report_title(months: Sequence[str]) -> str:
    span = " – ".join(dict.fromkeys([months[0], months[-1]])) if months else ""
    return _("Digitization of administrative-procedure dossiers") + (f" ({span})" if span
                                                                       else "")
