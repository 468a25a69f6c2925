"""The two sheets an archivist reads first, written from the metadata when the scanned dossier
has none: the dossier cover (bìa hồ sơ) and the index of its documents (mục lục văn bản), as
PDF/A-2b in Liberation Serif (Times New Roman's metrics), Vietnamese. They go in the package's
documentation folder (E-ARK CSIP's "Documentation")."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf

from digitize.errors import UsageProblem
from digitize.i18n import _
from digitize.ocr.assemble import make_pdfa
from digitize.schemas.codes import MAINTENANCE
from digitize.schemas.tt05 import DocumentFields, DossierFields
from digitize.signing.fontcut import FONT_DIRS, font_cut

if TYPE_CHECKING:
    from fpdf import FPDF

COVER_NAME = "BiaHoSo.pdf"
INDEX_NAME = "MucLucVanBan.pdf"
DOCUMENT_NAME = "ThongTinTaiLieu.pdf"  # a SIP_tailieu's sheet
DOCUMENT_TITLE = "THÔNG TIN TÀI LIỆU"
INDEX_TITLE = "MỤC LỤC VĂN BẢN"
COVER_TITLE = "BÌA HỒ SƠ"
INDEX_COLUMNS = ("STT", "Số và ký hiệu", "Ngày tháng", "Tác giả", "Trích yếu nội dung",
                 "Tờ số", "Ghi chú")


# What Vietnamese text needs: ASCII, Latin-1, Ă Đ Ĩ Ũ Ơ Ư and the precomposed Vietnamese
# letters, combining marks, typographic punctuation.
VIETNAMESE = "".join(chr(c) for r in ((0x20, 0x7F), (0xA0, 0x180), (0x1A0, 0x1B1),
                                      (0x300, 0x324), (0x1EA0, 0x1EFA), (0x2010, 0x2027))
                     for c in range(*r))


def _serif(style: str, text: str) -> Path:
    """Liberation Serif (regular or bold), cut to the Vietnamese characters once and reused
    (fpdf2 parses and subsets its font for every PDF: ~0.3 s a sheet); the whole font when the
    text holds other characters."""
    name = {"": "LiberationSerif-Regular.ttf", "B": "LiberationSerif-Bold.ttf"}[style]
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            font = folder / name
            return font_cut(font, VIETNAMESE) if set(text) <= set(VIETNAMESE) else font
    raise UsageProblem(_("The Liberation Serif font is missing; install it with: sudo apt-get "
                         "install fonts-liberation2"))


def new_sheet(text: str, orientation: str = "P") -> FPDF:
    """An A4 page set up for `text` (all the text the sheet will show)."""
    from fpdf import FPDF  # loaded by the runs that draw a sheet, not by every run

    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(30, 20, 15)  # ND 30: left 30-35 mm, right 15-20 mm
    text = unicodedata.normalize("NFC", text).replace("\n", " ")
    pdf.add_font("Serif", "", str(_serif("", text)))
    pdf.add_font("Serif", "B", str(_serif("B", text)))
    pdf.set_creator("digitize")
    return pdf


def _save(pdf: FPDF, target: Path, title: str) -> None:
    pdf.set_title(title)
    data = bytes(pdf.output())
    with pikepdf.open(io.BytesIO(data)) as doc:
        make_pdfa(doc, title)
        target.parent.mkdir(parents=True, exist_ok=True)
        doc.save(target, linearize=False)


def page_ranges(docs: Sequence[DocumentFields]) -> list[str]:
    """Each document's sheets in the dossier ("tờ số"), counted one page per sheet as the
    scans give them: 1-3, 4, 5-9 …"""
    ranges, start = [], 1
    for d in docs:
        n = max(1, d.numberOfPage)
        ranges.append(f"{start}" if n == 1 else f"{start}-{start + n - 1}")
        start += n
    return ranges


def number_and_symbol(doc: DocumentFields) -> str:
    if doc.codeNumber and doc.codeNotation:
        return f"{doc.codeNumber}/{doc.codeNotation}"
    return doc.codeNumber or doc.codeNotation


def write_index(dossier: DossierFields, docs: Sequence[DocumentFields], target: Path) -> None:
    """The index sheet: one row per document, in the dossier's order."""
    pdf = new_sheet(f"{dossier.fileCode}{dossier.title}{''.join(INDEX_COLUMNS)}" + "".join(
        f"{number_and_symbol(d)}{d.issuedDate}{d.organName}{d.subject}{d.description}"
        for d in docs), "L")
    pdf.set_margins(20, 15, 15)
    pdf.add_page()
    pdf.set_font("Serif", "B", 14)
    pdf.cell(0, 8, INDEX_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 12)
    pdf.multi_cell(0, 6, f"Hồ sơ số: {dossier.fileCode} — {dossier.title}", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Serif", "", 10)
    with pdf.table(col_widths=(10, 38, 22, 55, 90, 18, 27), line_height=5,
                   text_align=("CENTER", "LEFT", "CENTER", "LEFT", "LEFT", "CENTER", "LEFT"),
                   v_align="TOP", first_row_as_headings=True) as table:
        table.row(INDEX_COLUMNS)
        for n, (doc, sheets) in enumerate(zip(docs, page_ranges(docs), strict=True), 1):
            table.row((str(n), number_and_symbol(doc), doc.issuedDate, doc.organName,
                       doc.subject, sheets, doc.description))
    _save(pdf, target, f"{INDEX_TITLE} — {dossier.fileCode}")


def write_cover(dossier: DossierFields, agency: str, target: Path) -> None:
    """The cover sheet: the fonds (the agency), the dossier's code and title, its dates,
    retention period and number of sheets; box and index numbers left for the archive to fill
    in, as on paper."""
    pdf = new_sheet(f"{agency.upper()}{agency}{dossier.model_dump_json()}"
                   "Tên phông/công trình/sưu tậpMục lục sốHộp sốHồ sơ số…Thời gian: từ đến Số "
                   "lượng tờ văn bảnThời hạn bảo quảnMã hồ sơ giấy" +
                   "".join(MAINTENANCE.values()))
    pdf.add_page()
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(0, 7, (agency or "").upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 12)
    pdf.ln(4)
    for label in ("Tên phông/công trình/sưu tập: " + (agency or ""), "Mục lục số: ......",
                  "Hộp số: ......", f"Hồ sơ số: {dossier.fileCode}"):
        pdf.cell(0, 7, label, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(20)
    pdf.set_font("Serif", "B", 20)
    pdf.cell(0, 12, "HỒ SƠ", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 14)
    pdf.multi_cell(0, 8, dossier.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(16)
    pdf.set_font("Serif", "", 12)
    start, end = dossier.startDate or "…", dossier.endDate or "…"
    for label in (f"Thời gian: từ {start} đến {end}",
                  f"Số lượng tờ: {dossier.numberOfPaper}",
                  f"Số lượng văn bản: {dossier.totalDoc}",
                  f"Thời hạn bảo quản: {MAINTENANCE.get(dossier.maintenance, '')}",
                  f"Mã hồ sơ giấy: {dossier.paperFileCode}"):
        pdf.cell(0, 7, label, new_x="LMARGIN", new_y="NEXT")
    _save(pdf, target, f"{COVER_TITLE} — {dossier.fileCode}")


def write_document_sheet(doc: DocumentFields, agency: str, target: Path) -> None:
    """A document submitted outside a dossier (SIP_tailieu): its TT 05/2025 fields, one per
    row, under their names in the circular."""
    pdf = new_sheet(f"{agency.upper()}{DOCUMENT_TITLE}{doc.model_dump_json()}" + "".join(
        str(i.title) + str(i.description) for i in DocumentFields.model_fields.values()))
    pdf.add_page()
    pdf.set_font("Serif", "B", 13)
    pdf.multi_cell(0, 7, (agency or "").upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "B", 14)
    pdf.cell(0, 10, DOCUMENT_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Serif", "", 11)
    with pdf.table(col_widths=(60, 105), line_height=6, first_row_as_headings=False) as table:
        for name, info in DocumentFields.model_fields.items():
            value = str(getattr(doc, name))
            codes = (info.json_schema_extra or {}).get("x-codes", {})  # type: ignore[union-attr]
            table.row((info.title or name, f"{value} {codes[value]}" if value in codes
                       else value))
    _save(pdf, target, f"{DOCUMENT_TITLE} — {doc.docId}")
