"""The separator sheet a clerk prints and puts before each document of a stack: a large QR code
(DIGITIZE-SEP, with the type of the document that follows when one is given) and a caption in
Vietnamese and English. One A4 page, as a PDF."""

from __future__ import annotations

import io
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from digitize.errors import UsageProblem
from digitize.fsutil import write_bytes_atomic
from digitize.i18n import _
from digitize.scan.split import doc_type, payload
from digitize.signing.fontcut import FONT_DIRS

DPI = 150
A4 = (round(210 / 25.4 * DPI), round(297 / 25.4 * DPI))


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf"
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return ImageFont.truetype(str(folder / name), size)
    raise UsageProblem(_("The Liberation Sans font is missing; install it with: sudo apt-get "
                         "install fonts-liberation2"))


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont) -> int:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((A4[0] - (right - left)) // 2, y), text, font=font, fill=0)
    return y + (bottom - top) + font.size // 2


def separator_sheet(code: str = "") -> Image.Image:
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    y = _centred(draw, 150, "TỜ PHÂN CÁCH TÀI LIỆU", _font(64, bold=True))
    y = _centred(draw, y, "Document separator sheet", _font(36))
    buf = io.BytesIO()
    segno.make(payload(code), error="h").save(buf, kind="png", scale=16, border=4)
    qr = Image.open(io.BytesIO(buf.getvalue())).convert("L")
    page.paste(qr, ((A4[0] - qr.width) // 2, y + 60))
    y += 60 + qr.height + 60
    if code:
        t = doc_type(code)
        y = _centred(draw, y, f"Tài liệu tiếp theo: {t.name} ({t.abbr})",
                     _font(44, bold=True))
    y = _centred(draw, y + 40, "Đặt tờ này trước mỗi tài liệu; digitize tách tập quét tại đây",
                 _font(30))
    _centred(draw, y, "và bỏ tờ này khỏi kết quả. / Put this sheet before each document.",
             _font(30))
    return page


def write_separator(target: Path, code: str = "") -> None:
    buf = io.BytesIO()
    separator_sheet(code).save(buf, format="PDF", resolution=DPI)
    write_bytes_atomic(target, buf.getvalue())
