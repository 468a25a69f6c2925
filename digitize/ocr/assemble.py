"""Build a document's PDF: each page is Tesseract's invisible text layer with the scan image
drawn underneath, turned upright and levelled by the page's transformation matrix (so JPEG scans
keep their original bytes even when the page was scanned sideways or skewed)."""

from __future__ import annotations

import errno
import functools
import math
import struct
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pikepdf
from pikepdf import Name
from PIL import ImageCms

from digitize import __version__
from digitize.clock import VN_TZ
from digitize.fsutil import atomic_path
from digitize.ocr.page import ImageStream, PreparedPage


def _placement(rotation: int, w: float, h: float) -> list[float]:
    """Matrix that maps the unrotated image's unit square onto a w x h upright page."""
    return {
        0: [w, 0, 0, h, 0, 0],
        90: [0, -h, w, 0, 0, h],
        180: [-w, 0, 0, -h, w, h],
        270: [0, h, -w, 0, w, 0],
    }[rotation]


def _about_centre(degrees: float, w: float, h: float) -> list[float]:
    """Rotation by `degrees` counter-clockwise about the page centre (the deskew the text layer
    was recognised with), so the scan's own bytes can stay as they are."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    cx, cy = w / 2, h / 2
    return [c, s, -s, c, cx - c * cx + s * cy, cy - s * cx - c * cy]


def _fmt(matrix: list[float]) -> str:
    return " ".join(f"{v:.5f}" for v in matrix)


def _image_xobject(pdf: pikepdf.Pdf, img: ImageStream) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, img.data.read_bytes())
    stream.Type = Name.XObject
    stream.Subtype = Name.Image
    stream.Width = img.width
    stream.Height = img.height
    stream.ColorSpace = Name(img.colorspace)
    stream.BitsPerComponent = img.bits
    stream.Filter = Name(img.filter)
    if img.png_colours:
        stream.DecodeParms = pikepdf.Dictionary(Predictor=15, Colors=img.png_colours,
                                                BitsPerComponent=8, Columns=img.width)
    if img.filter == "/CCITTFaxDecode":
        stream.DecodeParms = pikepdf.Dictionary(K=-1, Columns=img.width, Rows=img.height,
                                                BlackIs1=img.black_is_1)
    return stream


# The ICC header's creation date (bytes 24-35, six big-endian uint16): LittleCMS writes the
# time of the call, which would make every run's PDFs differ; the profile is the same sRGB.
_ICC_DATE = slice(24, 36)
ICC_CREATED = (2026, 1, 1, 0, 0, 0)


@functools.cache
def srgb_icc() -> bytes:
    """An sRGB ICC profile (built by LittleCMS through Pillow) for the PDF/A output intent,
    dated ICC_CREATED whenever it is built (LittleCMS leaves its profile ID unset, so the date
    is not part of a checksum)."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    icc[_ICC_DATE] = struct.pack(">6H", *ICC_CREATED)
    return bytes(icc)


def _free_name(page: pikepdf.Page, stem: str) -> Name:
    """`stem`0, 1, ... : the first not used by the page's resources (pikepdf's own choice of a
    resource name is random, which would make every run's PDFs differ)."""
    used = {key for res in page.resources.as_dict().values()
            if isinstance(res, pikepdf.Dictionary) for key in res}
    n = 0
    while f"/{stem}{n}" in used:
        n += 1
    return Name(f"/{stem}{n}")


def make_pdfa(pdf: pikepdf.Pdf, title: str) -> None:
    """PDF/A-2b markers: sRGB output intent and XMP with pdfaid part 2, conformance B, kept in
    step with the document information dictionary. The text layer's font is embedded by
    Tesseract; scans carry no transparency; nothing is encrypted (born-digital files: see
    pdfa_copy)."""
    icc = pikepdf.Stream(pdf, srgb_icc())
    icc.N = 3
    intent = pikepdf.Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier="sRGB IEC61966-2.1",
        Info="sRGB IEC61966-2.1", RegistryName="http://www.color.org", DestOutputProfile=icc)
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])
    now = datetime.now(VN_TZ).replace(microsecond=0).isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"
        meta["dc:title"] = title
        meta["xmp:CreatorTool"] = f"digitize {__version__}"
        meta["pdf:Producer"] = f"digitize {__version__} (pikepdf {pikepdf.__version__})"
        meta["xmp:CreateDate"] = now
        meta["xmp:ModifyDate"] = now
        meta["xmp:MetadataDate"] = now


def _save(pdf: pikepdf.Pdf, target: Path) -> None:
    with atomic_path(target) as tmp:
        try:
            pdf.save(tmp, linearize=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        except pikepdf.PdfError as exc:  # qpdf reports a failed write as its own error
            raise OSError(errno.EFBIG if "too large" in str(exc).lower() else errno.EIO,
                          str(exc)) from exc


def assemble_pdf(pages: Sequence[PreparedPage], target: Path, title: str) -> None:
    """Write the document PDF atomically to `target`."""
    with pikepdf.new() as pdf:
        for prepared in pages:
            if prepared.text_pdf is None or prepared.image is None:
                raise ValueError("a born-digital page has no scan to assemble (see pdfa_copy)")
            with pikepdf.open(prepared.text_pdf) as text_pdf:
                pdf.pages.append(text_pdf.pages[0])
            page = pdf.pages[-1]
            box = page.mediabox
            w0, h0 = float(box[2] - box[0]), float(box[3] - box[1])
            rotation = prepared.ocr.rotation
            w, h = (h0, w0) if rotation in (90, 270) else (w0, h0)
            page.mediabox = pikepdf.Array([0, 0, w, h])
            for key in ("/CropBox", "/TrimBox", "/ArtBox", "/BleedBox", "/Rotate"):
                if key in page.obj:
                    del page.obj[key]
            name = page.add_resource(_image_xobject(pdf, prepared.image), Name.XObject,
                                     _free_name(page, "Scan"))
            # Text layer: Tesseract's page (scan frame, in points) turned upright and levelled
            # by the residual skew. Image: the same, after the levelling Tesseract's input got.
            text = (f"{_fmt(_about_centre(prepared.post_skew, w, h))} cm "
                    f"{_fmt(_placement(rotation, w, h))} cm "
                    f"{_fmt([1 / w0, 0, 0, 1 / h0, 0, 0])} cm")
            image = (f"{text} {_fmt(_about_centre(prepared.pre_skew, w0, h0))} cm "
                     f"{_fmt([w0, 0, 0, h0, 0, 0])} cm")
            page.contents_add(pikepdf.Stream(
                pdf, f"q {image} {name} Do Q q {text}\n".encode()), prepend=True)
            page.contents_add(pikepdf.Stream(pdf, b"\nQ\n"))
        make_pdfa(pdf, title)
        _save(pdf, target)


def pdfa_copy(source: Path, target: Path, title: str) -> None:
    """A born-digital file as PDF/A-2b, written atomically: its own pages and fonts with an sRGB
    output intent and the PDF/A identification (textlayer.not_archivable said it may)."""
    with pikepdf.open(source) as pdf:
        form = pdf.Root.get("/AcroForm")
        if isinstance(form, pikepdf.Dictionary) and "/NeedAppearances" in form:
            del form["/NeedAppearances"]  # PDF/A: every field carries its own appearance
        make_pdfa(pdf, title)
        _save(pdf, target)
