"""Scanner-style PDFs for the tests, built with pikepdf the way MRC scanner software writes them:
a JPEG background at 150 ppi, a bilevel text mask at 300 ppi (CCITT G4 made here, or the JBIG2
stream of a real file), and the vendor's invisible OCR layer, deliberately wrong."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
A4 = (595.0, 842.0)
VENDOR_TEXT = "XVENDORX CONG HOA XA Hoi"  # what a scanner's OCR writes; must never survive
LINES = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "",
         "QUYẾT ĐỊNH", "Về việc phê duyệt kế hoạch số hóa hồ sơ",
         "Chủ tịch Ủy ban nhân dân xã quyết định giao nhiệm vụ cho văn phòng.")


def text_mask(dpi: int = 300) -> Image.Image:
    """A bilevel page of Vietnamese text, black on white."""
    w, h = round(A4[0] / 72 * dpi), round(A4[1] / 72 * dpi)
    img = Image.new("1", (w, h), 1)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), round(dpi * 14 / 72))
    y = round(dpi * 1.2)
    for line in LINES:
        draw.text((round(dpi * 1.0), y), line, font=font, fill=0)
        y += round(dpi * 0.35)
    return img


def _g4(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="group4", strip_size=2**30)  # one strip: one G4 stream
    with Image.open(io.BytesIO(buf.getvalue())) as tif:
        offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
    data = buf.getvalue()
    return b"".join(data[o:o + c] for o, c in zip(offsets, counts, strict=True))


def _background(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    w, h = round(A4[0] / 72 * 150), round(A4[1] / 72 * 150)
    paper = Image.new("RGB", (w, h), (246, 242, 230))
    ImageDraw.Draw(paper).ellipse((w * 0.6, h * 0.7, w * 0.85, h * 0.87), outline=(200, 30, 30),
                                  width=8)  # a red seal
    buf = io.BytesIO()
    paper.save(buf, "JPEG", quality=70)
    return pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject,
                          Subtype=pikepdf.Name.Image, Width=w, Height=h,
                          ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                          Filter=pikepdf.Name.DCTDecode)


def _ccitt_mask(pdf: pikepdf.Pdf) -> pikepdf.Stream:
    img = text_mask()
    return pikepdf.Stream(pdf, _g4(img), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                          Width=img.width, Height=img.height, ImageMask=True,
                          Filter=pikepdf.Name.CCITTFaxDecode,
                          DecodeParms=pikepdf.Dictionary(K=-1, Columns=img.width,
                                                         Rows=img.height, BlackIs1=True))


def _jbig2_mask(pdf: pikepdf.Pdf, jbig2_pdf: Path) -> pikepdf.Stream:
    with pikepdf.open(jbig2_pdf) as src:
        image = next(iter(src.pages[0].get_images().values()))
        copied = pdf.copy_foreign(image)
    copied.ImageMask = True
    for key in ("/ColorSpace", "/BitsPerComponent"):
        if key in copied:
            del copied[key]
    copied.BitsPerComponent = 1
    return copied


def mrc_pdf(target: Path, mask: str = "ccitt", jbig2_pdf: Path | None = None) -> Path:
    """One A4 page: JPEG background, a black text mask (ccitt or jbig2) and an invisible,
    wrong OCR layer."""
    pdf = pikepdf.new()
    bg = _background(pdf)
    fg = _ccitt_mask(pdf) if mask == "ccitt" else _jbig2_mask(pdf, jbig2_pdf or Path())
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    w, h = A4
    content = (f"q {w} 0 0 {h} 0 0 cm /Bg Do Q q 0 0 0 rg {w} 0 0 {h} 0 0 cm /Fg Do Q "
               f"BT 3 Tr /F1 12 Tf 72 700 Td ({VENDOR_TEXT}) Tj ET").encode()
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Bg=bg, Fg=fg),
                                     Font=pikepdf.Dictionary(F1=font)),
        Contents=pikepdf.Stream(pdf, content))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(target)
    return target
