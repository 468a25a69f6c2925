"""Visible signatures, as Vietnamese rules ask for them.

- `archive` (TT 05/2025, digitized copies and attachments; the default): the digitizing agency's
  signature at the top right of page 1 — agency name and signing time (ISO 8601, Vietnam time,
  +07:00) in a Times New Roman–metric font (Liberation Serif), regular, 10 pt, black, no image.
- `person` (ND 30): the signer's signature image (a transparent PNG in blue ink) with name and
  title, over the signature block.
- `agency` (ND 30, documents the agency issues): the red seal at real size over the signer's
  image, covering about a third of it on its left, with the agency name and the time.
- `none`: an invisible signature.

Positions: `auto` (the signature block the OCR stage found, else the profile's default place) or
`PAGE:x0,y0,x1,y1` in PDF points from the bottom left of that page (pages count from 1).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyhanko.pdf_utils.layout import AxisAlignment, InnerScaling, Margins, SimpleBoxLayoutRule
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.stamp import TextStampStyle

from digitize.errors import UsageProblem
from digitize.i18n import _
from digitize.model import Evidence
from digitize.signing.fontcut import FONT_DIRS
from digitize.signing.options import Appearance
from digitize.signing.stampfont import CutFont, CutFontFactory, load_cut

if TYPE_CHECKING:
    from PIL import Image

PROFILES = ("none", "archive", "person", "agency", "copy")
# ND 30/2020, Phụ lục I, Phần II, I: a paper document copied to electronic form shows the copy
# form, the copying agency and the signing time at the top right of page 1.
COPY_FORMS = ("SAO Y", "SAO LỤC", "TRÍCH SAO")
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+07:00"  # the signing time is taken in Vietnam time
FONT_SIZE, LEADING = 10, 12  # points: the archive and copy stamps are 10 pt, never scaled
COPY_TOP = 8.0  # the copy stamp sits above a 20 mm top margin's header (ND 30)
SAMPLE_TIME = "2026-12-31T23:59:59+07:00"
MARGIN = 18.0
_POSITION = re.compile(r"^(\d+):(-?[\d.]+),(-?[\d.]+),(-?[\d.]+),(-?[\d.]+)$")


@dataclass(frozen=True)
class Placement:
    page: int  # from 0
    box: tuple[float, float, float, float]


def serif_font() -> Path:
    """Liberation Serif (metric-compatible with Times New Roman; the Liberation 2 package has
    Vietnamese, the old one does not)."""
    for folder in FONT_DIRS:
        font = folder / "LiberationSerif-Regular.ttf"
        if font.is_file():
            return font
    raise UsageProblem(_("The Liberation Serif font is missing; install it with: sudo "
                         "apt-get install fonts-liberation2"))


def parse_position(text: str) -> Placement | None:
    """`auto` -> None; `PAGE:x0,y0,x1,y1` -> a placement; anything else is a usage error."""
    if text == "auto":
        return None
    m = _POSITION.match(text.replace(" ", ""))
    if not m or int(m[1]) < 1:
        raise UsageProblem(_("Position '{text}' is not 'auto' or PAGE:x0,y0,x1,y1 (points from "
                             "the bottom left, pages from 1), e.g. 1:380,760,580,800.").format(
                               text=text))
    x0, y0, x1, y1 = (float(m[i]) for i in range(2, 6))
    if x1 <= x0 or y1 <= y0:
        raise UsageProblem(_("Position '{text}': x1 and y1 must be larger than x0 and y0.").format(
                               text=text))
    return Placement(int(m[1]) - 1, (x0, y0, x1, y1))


Box = tuple[float, float, float, float]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place(look: Appearance, pages: list[tuple[float, float]], block: Evidence | None,
          taken: dict[int, list[Box]] | None = None) -> Placement:
    """Where the signature goes. `pages` are the page sizes in points; `block` is where the OCR
    stage read the signer's name (fractions of the page, from the top left); `taken` the boxes
    of visible signatures already on each page: a countersignature goes below them."""
    spot = _spot(look, pages, block)
    if parse_position(look.position) is not None:
        return spot
    x0, y0, x1, y1 = spot.box
    height = y1 - y0 + 4
    for _attempt in range(12):
        if not any(_overlaps((x0, y0, x1, y1), t) for t in (taken or {}).get(spot.page, [])):
            break
        y0, y1 = y0 - height, y1 - height
    return Placement(spot.page, (x0, max(0.0, y0), x1, max(height, y1)))


def _spot(look: Appearance, pages: list[tuple[float, float]], block: Evidence | None
          ) -> Placement:
    fixed = parse_position(look.position)
    if fixed is not None:
        if fixed.page >= len(pages):
            raise UsageProblem(_("Position page {value} is past the last page ({count}).").format(
                                   value=fixed.page + 1, count=len(pages)))
        return fixed
    if look.profile in ("person", "agency") and block is not None and block.page < len(pages):
        w, h = pages[block.page]
        x0, y0, x1, _top = block.box
        cx = (x0 + x1) / 2 * w
        top = h * (1 - y0)  # the name's top, in points from the bottom
        # The image sits in the space above the name, where the signer signs on paper.
        return Placement(block.page, (max(0, cx - 110), top, min(w, cx + 110), min(h, top + 80)))
    if look.profile in ("person", "agency"):
        w, h = pages[-1]
        return Placement(len(pages) - 1, (w - MARGIN - 220, MARGIN + 60, w - MARGIN,
                                          MARGIN + 150))
    w, h = pages[0]
    bw, bh = _text_box(_stamp_lines(look, SAMPLE_TIME), stamp_font(look))
    top = COPY_TOP if look.profile == "copy" else MARGIN
    return Placement(0, (w - MARGIN - bw, h - top - bh, w - MARGIN, h - top))


def _copy_form(look: Appearance) -> str:
    form = unicodedata.normalize("NFC", look.copy_form.strip()).upper()
    if look.profile == "copy" and form not in COPY_FORMS:
        raise UsageProblem(_("Unknown copy form '{form}'; use one of {items}.").format(
                               form=look.copy_form, items=", ".join(COPY_FORMS)))
    return form


def _stamp_lines(look: Appearance, time: str = "%(ts)s") -> list[str]:
    """The archive stamp's lines (agency, time) and the copy stamp's (form, agency, time)."""
    lines = [look.agency or "Cơ quan số hóa", time]
    return [_copy_form(look), *lines] if look.profile == "copy" else lines


def _text_box(lines: list[str], font: CutFont) -> tuple[float, float]:
    """Width and height in points of `lines` at 10 pt with 12 pt leading, with a margin: the
    field is made to fit its text, so the text keeps the prescribed size."""
    width = max(font.advance(line) for line in lines) * FONT_SIZE
    return round(width + 8, 1), float(len(lines) * LEADING + 6)


def field_spec(name: str, where: Placement) -> SigFieldSpec:
    x0, y0, x1, y1 = (round(v, 2) for v in where.box)
    return SigFieldSpec(sig_field_name=name, on_page=where.page, box=(x0, y0, x1, y1))


def _composed_image(look: Appearance) -> Image.Image | None:
    """The person's signature image, with the agency's red seal over its left third."""
    sig = look.signature_image
    seal = look.seal_image if look.profile == "agency" else None
    for path in (sig, seal):
        if path is not None and not path.is_file():
            raise UsageProblem(_("Image {path} does not exist; fix [signer] signature_image / "
                                 "seal_image.").format(path=path))
    if sig is None and seal is None:
        return None
    from PIL import Image  # only the person and agency appearances draw a picture

    first = sig or seal
    assert first is not None
    with Image.open(first) as base_img:
        base = base_img.convert("RGBA")
    if sig is not None and seal is not None:
        with Image.open(seal) as seal_img:
            stamp = seal_img.convert("RGBA")
        size = round(base.height * 1.1)
        stamp = stamp.resize((size, round(stamp.height * size / stamp.width)))
        canvas = Image.new("RGBA", (base.width + size * 2 // 3, max(base.height, stamp.height)),
                           (255, 255, 255, 0))
        canvas.alpha_composite(base, (size * 2 // 3, (canvas.height - base.height) // 2))
        canvas.alpha_composite(stamp, (0, (canvas.height - stamp.height) // 2))
        base = canvas
    return base


_STAMP_CHARS = "0123456789-+:T ."


def stamp_font(look: Appearance, signer: str = "") -> CutFont:
    """Liberation Serif cut down to the characters the stamp can show: made once per agency
    name and signer, then read from the data folder by every process."""
    shown = f"{look.agency}{look.signer_title}{signer}Cơ quan số hóa" + (
        _copy_form(look) if look.profile == "copy" else "")
    return _cut(unicodedata.normalize("NFC", shown) + _STAMP_CHARS)


@functools.cache
def _cut(chars: str) -> CutFont:
    return load_cut(serif_font(), chars)


def stamp_style(look: Appearance, signer: str = "") -> TextStampStyle | None:
    """The stamp pyHanko draws in the field; None for an invisible signature. `signer` is the
    name the person appearance shows."""
    if look.profile not in PROFILES:
        raise UsageProblem(_("Unknown appearance '{profile}'; use one of {items}.").format(
                               profile=look.profile, items=', '.join(PROFILES)))
    if look.profile == "none":
        return None
    font = CutFontFactory(stamp_font(look, signer), font_size=FONT_SIZE)
    if look.profile in ("archive", "copy"):
        return TextStampStyle(stamp_text="\n".join(_stamp_lines(look)),
                              text_box_style=TextBoxStyle(
                                  font=font, font_size=FONT_SIZE, leading=LEADING,
                                  text_color=(0, 0, 0), box_layout_rule=SimpleBoxLayoutRule(
                                      x_align=AxisAlignment.ALIGN_MAX,
                                      y_align=AxisAlignment.ALIGN_MAX,
                                      margins=Margins(0, 0, 0, 0),
                                      inner_content_scaling=InnerScaling.NO_SCALING)),
                              timestamp_format=TIME_FORMAT, border_width=0, background=None,
                              inner_content_layout=SimpleBoxLayoutRule(
                                  x_align=AxisAlignment.ALIGN_MAX,
                                  y_align=AxisAlignment.ALIGN_MAX, margins=Margins(2, 2, 2, 2),
                                  inner_content_scaling=InnerScaling.NO_SCALING))
    text_style = TextBoxStyle(font=font, font_size=FONT_SIZE, text_color=(0, 0, 0))
    image = _composed_image(look)  # in memory: pyHanko takes the picture itself
    from pyhanko.pdf_utils.images import PdfImage  # Pillow: only where a picture is drawn

    lines = [look.signer_title, "%(signer)s"] if look.profile == "person" else [
        look.agency, "%(ts)s"]
    return TextStampStyle(stamp_text="\n".join(x for x in lines if x), text_box_style=text_style,
                          timestamp_format=TIME_FORMAT, border_width=0,
                          background=PdfImage(image) if image else None,
                          background_opacity=1.0,
                          background_layout=SimpleBoxLayoutRule(
                              x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MAX),
                          inner_content_layout=SimpleBoxLayoutRule(
                              x_align=AxisAlignment.ALIGN_MID,
                              y_align=AxisAlignment.ALIGN_MIN))
