"""Personal data blacked out of the page images the desk serves while it is hidden: the boxes
of the ID numbers, phone numbers and birth dates the document's fields were read from, and
of every OCR line that holds one (an ID number in a decision's text, a phone in a letter's
footer). The PDFs themselves are records and stay as they are; only the served image is
masked."""

from __future__ import annotations

from pathlib import Path

from digitize.model import DocumentResult
from digitize.privacy import PERSONAL_KEYS, mask_text

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the upright page
PAD = 0.004  # of the page: OCR boxes hug the ink, anti-aliasing and serifs spill over


def personal_boxes(doc: DocumentResult, hocr: Path | None, page: int) -> list[Box]:
    """The regions of page `page` (0-based) that show personal data."""
    boxes: list[Box] = [ev.box for key, ev in doc.evidence.items()
                        if key in PERSONAL_KEYS and ev.page == page]
    if hocr is not None and hocr.is_file():
        from digitize.errors import InputFileError
        from digitize.extract.hocr import segments_from_hocr

        try:
            segments, _count = segments_from_hocr(hocr)
        except InputFileError:
            segments = []
        boxes += [(s.x0, s.y0, s.x1, s.y1) for s in segments
                  if s.page == page and s.has_geometry and mask_text(s.text) != s.text]
    return boxes


def black_out(img: object, boxes: list[Box]) -> None:
    """Fill the boxes black on a Pillow image (in place)."""
    from PIL import Image, ImageDraw

    assert isinstance(img, Image.Image)
    w, h = img.size
    draw = ImageDraw.Draw(img)
    for x0, y0, x1, y1 in boxes:
        draw.rectangle(((x0 - PAD) * w, (y0 - PAD) * h, (x1 + PAD) * w, (y1 + PAD) * h),
                       fill="black")
