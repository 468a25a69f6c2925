"""Build a document's PDF: each page is Tesseract's invisible text layer with the scan image
drawn underneath, turned upright and levelled by the page's transformation matrix (so JPEG scans
keep their original bytes even when the page was scanned sideways or skewed)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
from pikepdf import Name

from digitize import __version__
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
    return stream


def assemble_pdf(pages: Sequence[PreparedPage], target: Path, title: str) -> None:
    """Write the document PDF atomically to `target`."""
    with pikepdf.new() as pdf:
        for prepared in pages:
            with pikepdf.open(prepared.text_pdf) as text_pdf:
                pdf.pages.append(text_pdf.pages[0])
            page = pdf.pages[-1]
            box = page.mediabox
            w, h = float(box[2] - box[0]), float(box[3] - box[1])
            name = page.add_resource(_image_xobject(pdf, prepared.image), Name.XObject,
                                     prefix="Scan")
            place = _fmt(_placement(prepared.ocr.rotation, w, h))
            level = _fmt(_about_centre(prepared.ocr.skew, w, h))
            page.contents_add(pikepdf.Stream(pdf, f"q {level} cm {place} cm {name} Do Q\n"
                                             .encode()), prepend=True)
        now = datetime.now(UTC)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = title
            meta["xmp:CreatorTool"] = f"digitize {__version__}"
            meta["pdf:Producer"] = f"digitize {__version__} (pikepdf {pikepdf.__version__})"
            meta["xmp:CreateDate"] = now.isoformat()
        with atomic_path(target) as tmp:
            pdf.save(tmp, linearize=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)
