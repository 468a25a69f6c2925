"""The visual check behind a verdict on a file changed after signing (as EU DSS does it): the
pages of the revision a signature covers and of the final file are rendered (poppler, low
resolution, grey) and compared; what differs must lie inside the widgets of signature fields
added later (the number, date and seal signatures of the Decree 30/2020 workflow). Anything
else that looks different is a change the signature does not cover, whatever the object-level
analysis concluded. Only files with later revisions are rendered."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from digitize.i18n import _
from digitize.poppler import NotDrawn, draw
from digitize.procs import RENDER_TIMEOUT_S

if TYPE_CHECKING:  # Pillow is imported where a file changed after signing is compared
    from PIL import Image

DPI = 36  # enough to see a changed word, cheap enough for 30-page decrees
INK_STEP = 40  # grey levels that count as a change (renders of the same page are identical)
MIN_PIXELS = 3  # fewer changed pixels than this are noise
PAD_PX = 2  # around an allowed widget: anti-aliasing spills over its edge

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the rendering


@dataclass(frozen=True)
class Change:
    page: int  # 1-based
    box: Box
    pixels: int


@dataclass
class Renders:
    """Renderings of one file, by page (1-based), made once and reused per signature."""

    pages: dict[int, Image.Image] = field(default_factory=dict)


def render(pdf: Path, dpi: int = DPI, shown: str = "") -> Renders:
    """Every page of `pdf` drawn in grey; ValueError where poppler cannot draw them, or not
    within RENDER_TIMEOUT_S and RENDER_MEMORY (a damaged stream can set it looping)."""
    name = shown or pdf.name
    with tempfile.TemporaryDirectory(prefix="digitize-visual-") as tmp:
        try:
            drawn = draw(pdf, Path(tmp), dpi, gray=True, png=False, timeout=RENDER_TIMEOUT_S)
        except NotDrawn as exc:
            if exc.timed_out:
                raise ValueError(_("poppler did not finish drawing {name} within {seconds} s"
                                   ).format(name=name, seconds=RENDER_TIMEOUT_S)) from exc
            raise ValueError(_("poppler cannot render {name}").format(name=name)) from exc
        from PIL import Image

        out = Renders()
        for number, pgm in drawn.items():
            with Image.open(pgm) as im:
                im.load()
                out.pages[number] = im.copy()
        return out


def page_tree(handler: PdfFileReader | object) -> list[tuple[int | None, Any]]:
    """The pages of a reader or historical resolver in order, through nested page tree nodes:
    (object number, page dictionary)."""
    found: list[tuple[int | None, Any]] = []

    def walk(node: Any) -> None:
        kids = node["/Kids"]
        for i in range(len(kids)):
            ref, kid = kids.raw_get(i), kids[i]  # indexing resolves; raw_get keeps the ref
            if kid.get("/Type") == "/Pages":
                walk(kid)
            else:
                found.append((ref.idnum if isinstance(ref, generic.IndirectObject) else None,
                              kid))
    walk(handler.root["/Pages"])  # type: ignore[attr-defined]
    return found


def annotations(page: Any) -> list[tuple[int | None, Any]]:
    """(object number, annotation) of a page's annotations, whether /Annots is an array or a
    reference to one."""
    if "/Annots" not in page:
        return []
    annots = page["/Annots"]
    return [(ref.idnum if isinstance(ref := annots.raw_get(k), generic.IndirectObject) else None,
             annots[k]) for k in range(len(annots))]


def media_size(page: Any) -> tuple[float, float]:
    """A page's width and height in points, its MediaBox inherited from the page tree."""
    node = page
    for _step in range(32):
        if "/MediaBox" in node:
            x0, y0, x1, y1 = (float(v) for v in node["/MediaBox"])
            return x1 - x0, y1 - y0
        if "/Parent" not in node:
            break
        node = node["/Parent"]
    return 612.0, 792.0  # no MediaBox anywhere: what viewers assume (US Letter)


def is_signature_widget(annot: generic.DictionaryObject) -> bool:
    if annot.get("/Subtype") != "/Widget":
        return False
    node: generic.DictionaryObject | None = annot
    for _step in range(8):  # the field type may sit on a parent field
        if node is None:
            return False
        if "/FT" in node:
            return node["/FT"] == "/Sig"
        node = node.get("/Parent")
    return False


def is_signed(annot: generic.DictionaryObject) -> bool:
    """Whether the signature field of a widget carries a value (a signature dictionary)."""
    node: generic.DictionaryObject | None = annot
    for _step in range(8):
        if node is None:
            return False
        if "/FT" in node:
            return node.get("/V") is not None
        node = node.get("/Parent")
    return False


def later_widgets(reader: PdfFileReader, revision: int, dpi: int = DPI) -> dict[int, list[Box]]:
    """Per page (1-based): the rectangles, in rendering pixels, of the widgets of signatures
    made after the signed revision: signature widgets it did not have, and those of signature
    fields it had empty that are signed now. An empty field prepared before the first
    signature (Adobe Reader, form templates) gets its appearance when it is signed; that is a
    later signature, not a page change. A widget already signed then stays compared."""
    earlier = page_tree(reader.get_historical_resolver(revision))
    then = {i: {num: annot for num, annot in annotations(page) if num is not None}
            for i, (_ref, page) in enumerate(earlier, 1)}
    allowed: dict[int, list[Box]] = {}
    scale = dpi / 72
    for i, (_ref, page) in enumerate(page_tree(reader), 1):
        box = [float(v) for v in page["/MediaBox"]]
        for num, annot in annotations(page):
            if not is_signature_widget(annot) or "/Rect" not in annot:
                continue
            old = then.get(i, {}).get(num) if num is not None else None
            if old is not None and (is_signed(old) or not is_signed(annot)):
                continue
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            top = box[3]
            allowed.setdefault(i, []).append(
                ((min(x0, x1) - box[0]) * scale - PAD_PX, (top - max(y0, y1)) * scale - PAD_PX,
                 (max(x0, x1) - box[0]) * scale + PAD_PX, (top - min(y0, y1)) * scale + PAD_PX))
    return allowed


def compare(signed: Renders, final: Renders, allowed: dict[int, list[Box]]) -> list[Change]:
    """Regions that look different outside the allowed rectangles, page by page."""
    from PIL import ImageChops, ImageDraw

    changes: list[Change] = []
    for page in sorted(set(signed.pages) | set(final.pages)):
        a, b = signed.pages.get(page), final.pages.get(page)
        if a is None or b is None or a.size != b.size:
            size = (a or b).size  # type: ignore[union-attr]
            changes.append(Change(page, (0, 0, *size), size[0] * size[1]))
            continue
        mask = ImageChops.difference(a, b).point(lambda v: 255 if v > INK_STEP else 0)
        if mask.getbbox() is None:
            continue
        draw = ImageDraw.Draw(mask)
        for box in allowed.get(page, ()):
            draw.rectangle(box, fill=0)
        bbox = mask.getbbox()
        pixels = mask.histogram()[255]
        if bbox is not None and pixels >= MIN_PIXELS:
            changes.append(Change(page, tuple(float(v) for v in bbox), pixels))  # type: ignore
    return changes


def picture(final: Renders, changes: list[Change]) -> bytes | None:
    """The changed pages of the final file side by side with the changed regions outlined in
    red (PNG), for the HTML report; None when nothing changed."""
    from PIL import Image, ImageDraw

    pages = sorted({c.page for c in changes if c.page in final.pages})
    if not pages:
        return None
    tiles = [final.pages[p].convert("RGB") for p in pages]
    sheet = Image.new("RGB", (sum(t.width for t in tiles) + 8 * len(tiles),
                              max(t.height for t in tiles)), "white")
    x = 0
    for page, tile in zip(pages, tiles, strict=True):
        draw = ImageDraw.Draw(tile)
        for c in changes:
            if c.page == page:
                draw.rectangle(c.box, outline=(220, 0, 0), width=2)
        sheet.paste(tile, (x, 0))
        x += tile.width + 8
    png = io.BytesIO()
    sheet.save(png, "PNG")
    return png.getvalue()


@dataclass(frozen=True)
class Verdict:
    changes: list[Change]
    widgets: int  # signature widgets added later, whose rectangles may differ
    picture: bytes | None  # PNG of the changed pages with the changes outlined


class VisualCheck:
    """The visual check of one file: the final file is rendered once for all its signatures
    (and where it cannot be, that is said once: a file that keeps poppler busy must not do so
    once a signature)."""

    def __init__(self, path: Path, data: bytes, reader: PdfFileReader) -> None:
        self.path, self.data, self.reader = path, data, reader  # data: the bytes of `path`
        self._final: Renders | ValueError | None = None

    def _render(self, data: bytes, revision: int) -> Renders:
        with tempfile.TemporaryDirectory(prefix="digitize-visual-") as tmp:
            pdf = Path(tmp) / "revision.pdf"
            pdf.write_bytes(data)
            return render(pdf, shown=_("revision {number} of {name}").format(
                number=revision + 1, name=self.path.name))

    def of(self, byte_range: list[int], revision: int) -> Verdict:
        """Compare the revision the signature covers (the bytes up to the end of its byte
        range) with the final file. ValueError when poppler cannot render either."""
        end = int(byte_range[2]) + int(byte_range[3])
        if self._final is None:
            try:
                self._final = render(self.path)
            except ValueError as exc:
                self._final = exc
        if isinstance(self._final, ValueError):
            raise self._final
        final = self._final
        signed = self._render(self.data[:end], revision)
        allowed = later_widgets(self.reader, revision)
        changes = compare(signed, final, allowed)
        return Verdict(changes, sum(len(v) for v in allowed.values()), picture(final, changes))
