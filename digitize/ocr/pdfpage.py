"""What a PDF page is made of, read from its content stream: the images it draws and where, and
whether it shows text a reader can see. A page that is one scan image covering the page (with at
most an invisible OCR layer from the scanner's software) can be taken as that image; anything
else (MRC layers of a JPEG background and JBIG2 or CCITT masks, images nested in forms, visible
text) must be rendered, at the resolution of its sharpest image."""

from __future__ import annotations

from dataclasses import dataclass

import pikepdf

FULL_PAGE = 0.9  # share of the page an image must cover to be "the scan"
PICTURE_SHARE = 0.5  # an image over half the page is a scan, not a picture in a document
INVISIBLE = 3  # text render mode 3: neither filled nor stroked (an OCR layer)
_SHOW_TEXT = {"Tj", "TJ", "'", '"'}
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _mul(m: _Matrix, n: _Matrix) -> _Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


@dataclass(frozen=True)
class DrawnImage:
    name: str
    width_px: int
    height_px: int
    width_pt: float  # the size it is drawn at, in points
    height_pt: float


@dataclass(frozen=True)
class PageMakeup:
    images: tuple[DrawnImage, ...]
    forms: int  # form XObjects drawn (their insides are not looked into)
    visible_text: bool
    page_w_pt: float
    page_h_pt: float

    def scan_image(self) -> DrawnImage | None:
        """The one image that is the whole page, or None when the page must be rendered."""
        if len(self.images) != 1 or self.forms or self.visible_text:
            return None
        img = self.images[0]
        return img if self._share(img) >= FULL_PAGE else None

    def _share(self, img: DrawnImage) -> float:
        """The share of the page `img` covers (0 on a page without area)."""
        area = self.page_w_pt * self.page_h_pt
        if area <= 0:
            return 0.0
        return min(img.width_pt, self.page_w_pt) * min(img.height_pt, self.page_h_pt) / area

    def image_share(self) -> float:
        """The largest share of the page one image covers (0 when it draws none)."""
        return max((self._share(i) for i in self.images), default=0.0)

    def born_digital(self) -> bool:
        """Visible text and no scan under it: a page made by a word processor (a logo or a
        signature picture may be on it), or a blank one."""
        return self.image_share() < PICTURE_SHARE and (self.visible_text or not self.images)

    def sharpest_dpi(self) -> float | None:
        """The highest resolution any image is drawn at (MRC masks are finer than the
        background), or None when the page draws no image."""
        found = [max(i.width_px / (i.width_pt / 72), i.height_px / (i.height_pt / 72))
                 for i in self.images if i.width_pt > 1 and i.height_pt > 1]
        return max(found) if found else None


MAX_FORM_DEPTH = 8  # forms inside forms: deeper nesting is not followed


class _Walk:
    """What the content streams of a page (and the forms it draws) show."""

    def __init__(self) -> None:
        self.images: list[DrawnImage] = []
        self.forms = 0
        self.visible = False

    def stream(self, content: pikepdf.Object, resources: pikepdf.Object, ctm: _Matrix,
               depth: int) -> None:
        xobjects = resources.get("/XObject", pikepdf.Dictionary()) \
            if isinstance(resources, pikepdf.Dictionary) else pikepdf.Dictionary()
        stack: list[tuple[_Matrix, int]] = []
        mode = 0
        for operands, op in pikepdf.parse_content_stream(content):
            name = str(op)
            if name == "q":
                stack.append((ctm, mode))
            elif name == "Q" and stack:
                ctm, mode = stack.pop()
            elif name == "cm" and len(operands) == 6:
                ctm = _mul(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
            elif name == "Tr" and operands:
                mode = int(operands[0])
            elif name in _SHOW_TEXT and mode != INVISIBLE:
                self.visible = True
            elif name in ("BI", "INLINE IMAGE"):
                self.forms += 1  # an inline image: let the renderer draw it
            elif name == "Do" and operands:
                self._draw(xobjects.get(str(operands[0])), str(operands[0]), ctm, depth)

    def _draw(self, xobj: pikepdf.Object | None, name: str, ctm: _Matrix, depth: int) -> None:
        if not isinstance(xobj, pikepdf.Stream):
            return
        if xobj.get("/Subtype") == pikepdf.Name.Image:
            a, b, c, d, _e, _f = ctm
            self.images.append(DrawnImage(name, int(xobj.get("/Width", 0)),
                                          int(xobj.get("/Height", 0)), (a * a + b * b) ** 0.5,
                                          (c * c + d * d) ** 0.5))
            return
        self.forms += 1
        if depth < MAX_FORM_DEPTH:
            matrix = tuple(float(v) for v in xobj.get("/Matrix", _IDENTITY))
            inner = _mul(matrix, ctm) if len(matrix) == 6 else ctm  # type: ignore[arg-type]
            self.stream(xobj, xobj.get("/Resources", pikepdf.Dictionary()), inner, depth + 1)


def page_makeup(page: pikepdf.Page) -> PageMakeup:
    """The images a page draws (also inside its forms) and whether it shows visible text."""
    box = [float(v) for v in page.mediabox]
    walk = _Walk()
    walk.stream(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), _IDENTITY, 0)
    return PageMakeup(tuple(walk.images), walk.forms, walk.visible, box[2] - box[0],
                      box[3] - box[1])
