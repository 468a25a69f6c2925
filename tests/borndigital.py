"""Born-digital PDFs for tests, made as a word processor would: real text in an embedded,
subset Unicode font (Liberation Serif through pyHanko's text boxes), no scan under it; or,
for the cases that must be read as scans, text in a font that is not embedded."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pikepdf
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import TextStampStyle, text_stamp_file

SERIF = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
A4 = (595, 842)
# (x, y of the block's lower left corner in points, size, lines)
Block = tuple[float, float, float, str]

DECISION: tuple[Block, ...] = (
    (50, 770, 12, "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI"),
    (300, 770, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"),
    (70, 730, 12, "Số: 123/QĐ-UBND"),
    (300, 730, 12, "Quảng Ngãi, ngày 15 tháng 3 năm 2026"),
    (200, 665, 13, "QUYẾT ĐỊNH\nVề việc phê duyệt kế hoạch chuyển đổi số năm 2026"),
    (60, 480, 12, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2025;\n"
                  "Căn cứ Tờ trình số 52/TTr-STTTT ngày 10 tháng 3 năm 2026 của Sở;\n"
                  "Theo đề nghị của Giám đốc Sở Khoa học và Công nghệ.\n"
                  "QUYẾT ĐỊNH:\n"
                  "Điều 1. Phê duyệt kế hoạch chuyển đổi số năm 2026 kèm theo Quyết định này.\n"
                  "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
    (330, 300, 12, "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\n\n\nNguyễn Văn An"),
)


def born_digital_pdf(target: Path, blocks: Sequence[Block] = DECISION) -> Path:
    """One A4 page with the blocks as real, embedded text."""
    font = GlyphAccumulatorFactory(str(SERIF))
    with tempfile.TemporaryDirectory() as tmp:
        current = Path(tmp) / "0.pdf"
        with pikepdf.new() as pdf:
            pdf.add_blank_page(page_size=A4)
            pdf.save(current)
        for n, (x, y, size, text) in enumerate(blocks, start=1):
            nxt = Path(tmp) / f"{n}.pdf"
            style = TextStampStyle(stamp_text=text, border_width=0, background=None,
                                   text_box_style=TextBoxStyle(font=font, font_size=size))
            text_stamp_file(str(current), str(nxt), style, dest_page=0, x=int(x), y=int(y))
            current = nxt
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(current.read_bytes())
    return target


def unembedded_pdf(target: Path, lines: Sequence[str]) -> Path:
    """Visible text in Helvetica, not embedded (an old export): cannot be its own PDF/A copy."""
    with pikepdf.new() as pdf:
        page = pdf.add_blank_page(page_size=A4)
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                    Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        ops = "".join(f"BT /F1 14 Tf 60 {780 - 24 * i} Td ({line}) Tj ET\n"
                      for i, line in enumerate(lines))
        page.obj.Contents = pdf.make_stream(ops.encode("latin-1"))
        target.parent.mkdir(parents=True, exist_ok=True)
        pdf.save(target)
    return target
