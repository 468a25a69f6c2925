"""Read scanned pages from PNG, JPEG, TIFF (multi-page) and PDF files, leniently, never writing
to the input. Every problem becomes an InputFileError with one plain sentence."""

from __future__ import annotations

import io
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, UnidentifiedImageError

from digitize.errors import InputFileError
from digitize.i18n import _
from digitize.ocr import activecontent, jbig2, textlayer
from digitize.ocr.pdfpage import DrawnImage, PageMakeup, page_makeup
from digitize.pdfcaps.check import check_pdf
from digitize.poppler import NotDrawn, draw
from digitize.procs import RENDER_TIMEOUT_S

jbig2.install()  # jbig2dec under a deadline and a memory cap: a damaged stream cannot hang us

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
RENDER_DPI = 300  # pages without images (born-digital)
MIN_RENDER_DPI = 200  # TT 05/2025 Điều 8: 200 dpi for administrative documents
MAX_RENDER_DPI = 600


@dataclass(frozen=True)
class PageImage:
    """A page ready for OCR: pixels in mode 1, L or RGB; `jpeg` is the original JPEG stream when
    it can go into the PDF untouched."""

    image: Image.Image
    dpi: float
    jpeg: bytes | None = None
    direct: Path | None = None  # the input file itself, when Tesseract can read it as it is


def is_supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def _check_nonempty(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputFileError(_("{path} cannot be read ({strerror}); check that the file exists "
                               "and that you may read it.").format(
                                 path=path, strerror=exc.strerror)) from exc
    if size == 0:
        raise InputFileError(_("{path} is empty (0 bytes); scan the document again.").format(
                                 path=path))


def _open_pdf(path: Path) -> pikepdf.Pdf:
    try:
        return pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise InputFileError(_("{path} is password-protected; save an unprotected copy and try "
                               "again.").format(path=path)) from exc
    except (pikepdf.PdfError, OSError) as exc:
        raise InputFileError(_("{path} is not a readable PDF (it may be damaged or truncated); "
                               "scan the document again.").format(path=path)) from exc


def _has_signature(pdf: pikepdf.Pdf) -> bool:
    form = pdf.Root.get("/AcroForm")
    if not isinstance(form, pikepdf.Dictionary):
        return False

    def fields(items: object) -> Iterator[pikepdf.Dictionary]:
        # A damaged form holds nulls and numbers where fields should be: those are skipped.
        for f in items if isinstance(items, pikepdf.Array) else ():
            if isinstance(f, pikepdf.Dictionary):
                yield f
                yield from fields(f.get("/Kids"))

    return any(f.get("/FT") == pikepdf.Name.Sig and "/V" in f
               for f in fields(form.get("/Fields")))


def _not_an_image(path: Path, exc: Exception) -> InputFileError:
    return InputFileError(_("{path} cannot be opened as an image ({exc}); scan the document "
                            "again.").format(path=path, exc=exc))


def _open_image(path: Path, max_pixels: int) -> Image.Image:
    # Our check below names the size and the fix, so Pillow's is off while this file is opened
    # (opening reads only the header); afterwards it follows the configured limit for every
    # other image the process opens, instead of staying off.
    Image.MAX_IMAGE_PIXELS = None
    try:
        img = Image.open(path)
    except UnidentifiedImageError as exc:
        raise InputFileError(_("{path} is not a PNG, JPEG or TIFF image although its name says "
                               "so; check that the right file was saved.").format(
                                 path=path)) from exc
    except (OSError, TypeError, ValueError, SyntaxError) as exc:
        # A damaged header: Pillow's TIFF reader says "Missing dimensions" as a TypeError.
        raise _not_an_image(path, exc) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = max_pixels
    if img.width * img.height > max_pixels:
        raise InputFileError(
            _("{path} is {width}x{height} pixels, over the limit of {value} megapixels; rescan "
              "at 300 dpi or raise ocr.max_megapixels.").format(
                path=path, width=img.width, height=img.height, value=max_pixels // 1_000_000))
    return img


@dataclass(frozen=True)
class InputFacts:
    pages: int
    signed: bool = False  # a PDF that already carries a digital signature: kept byte for byte
    # (never rasterised into our copy, never signed over); its pages are only read for text
    text_layer: bool = False  # born-digital, with real Vietnamese text: read, not OCR'd
    not_archivable: str | None = None  # why a born-digital file cannot be its own PDF/A copy
    # Of a signed file that is not born-digital throughout, the pages that are (a Word export
    # with a scanned attachment, a page the signing tool stamped): read from their own text.
    text_pages: tuple[int, ...] = ()
    # JavaScript, launch actions, attached files, XFA (activecontent.KINDS) and the attached
    # files' names: removed from an unsigned file's copy, kept in a signed one, reported.
    active: tuple[str, ...] = ()
    attachments: tuple[str, ...] = ()


def _born_digital(path: Path, pdf: pikepdf.Pdf) -> bool:
    """Every page shows text with no scan under it, and that text is real (see readable)."""
    shows_text = False
    for page in pdf.pages:
        try:
            makeup = page_makeup(page)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError):
            return False
        if not makeup.born_digital():
            return False
        shows_text = shows_text or makeup.visible_text
    return shows_text and textlayer.readable(textlayer.plain_text(path))


def _text_pages(path: Path, pdf: pikepdf.Pdf) -> tuple[int, ...]:
    """The pages that show real text with no scan under it (see _born_digital), one by one."""
    found = []
    for i, page in enumerate(pdf.pages):
        try:
            makeup = page_makeup(page)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError):
            continue
        if makeup.visible_text and makeup.born_digital() and textlayer.readable(
                textlayer.page_plain_text(path, i)):
            found.append(i)
    return tuple(found)


def _frames(path: Path, img: Image.Image) -> int:
    """How many pages a (multi-page TIFF) image holds; counting reads every page's header."""
    try:
        return int(getattr(img, "n_frames", 1))
    except (OSError, TypeError, ValueError, EOFError, SyntaxError) as exc:
        raise _not_an_image(path, exc) from exc


def read_input(path: Path, max_pixels: int) -> InputFacts:
    """Number of pages, whether it comes signed and whether it is born-digital, after checking
    the file can be opened at all (one open of the file)."""
    _check_nonempty(path)
    if path.suffix.lower() == ".pdf":
        check_pdf(path)  # page, object and stream limits, before anything reads it whole
        with _open_pdf(path) as pdf:
            try:
                n, signed = len(pdf.pages), _has_signature(pdf)
            except (pikepdf.PdfError, AttributeError, TypeError, KeyError, ValueError) as exc:
                raise InputFileError(_("{path} is not a readable PDF (it may be damaged or "
                                       "truncated); scan the document again.").format(
                                         path=path)) from exc
            if n == 0:
                raise InputFileError(_("{path} has no pages; scan the document again.").format(
                                         path=path))
            text = _born_digital(path, pdf)
            active, attachments = activecontent.scan(pdf)
            reason = textlayer.not_archivable(pdf, active) if text and not signed else None
            pages = _text_pages(path, pdf) if signed and not text else ()
        return InputFacts(n, signed, text, reason, pages, active, attachments)
    with _open_image(path, max_pixels) as img:
        return InputFacts(_frames(path, img))


def _normalise_mode(img: Image.Image) -> Image.Image:
    if img.mode in ("1", "L", "RGB"):
        return img
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if img.mode.startswith("I") or img.mode == "F":
        # 16-bit greyscale scans: keep the top 8 bits.
        return img.convert("I").point(lambda v: v / 256).convert("L")
    return img.convert("RGB")


def _dpi_of(img: Image.Image, default: int) -> float:
    dpi = img.info.get("dpi")
    try:
        x = float(dpi[0]) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        x = 0.0
    return x if 50 <= x <= 2400 else float(default)


def _load_raster(path: Path, index: int, default_dpi: int, max_pixels: int) -> PageImage:
    img = _open_image(path, max_pixels)
    try:
        img.seek(index)
        if img.width * img.height > max_pixels:  # a later TIFF page is not checked at open
            raise InputFileError(_("{path} page {value} holds a {width}x{height} image, over "
                                   "the megapixel limit.").format(
                                     path=path, value=index + 1, width=img.width,
                                     height=img.height))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.load()
    except (OSError, EOFError, ValueError, SyntaxError) as exc:
        raise InputFileError(_("{path} page {value} is damaged or truncated ({exc}); scan that "
                               "page again.").format(path=path, value=index + 1, exc=exc)) from exc
    dpi = _dpi_of(img, default_dpi)
    jpeg = None
    if img.format == "JPEG" and img.mode in ("L", "RGB"):
        jpeg = path.read_bytes()
    single = _frames(path, img) == 1
    direct = path if single and img.format in ("JPEG", "PNG") and img.mode in ("1", "L", "RGB") \
        else None
    return PageImage(_normalise_mode(img), dpi, jpeg, direct)


def render_pdf_page(path: Path, index: int, dpi: int) -> Image.Image:
    """Page `index` of a PDF as poppler draws it (every filter, layer and mask)."""
    with tempfile.TemporaryDirectory(prefix="digitize-render-") as tmp:
        try:
            png = draw(path, Path(tmp), dpi, page=index + 1, timeout=RENDER_TIMEOUT_S)[index + 1]
        except NotDrawn as exc:  # a damaged stream that keeps the renderer busy: the same
            raise InputFileError(_("{path} page {value} cannot be rendered; scan it again.").format(
                                     path=path, value=index + 1)) from exc
        with Image.open(png) as im:
            im.load()
            return im.copy()


def render_dpi(makeup: PageMakeup | None, max_pixels: int) -> int:
    """The resolution a page is rendered at: that of its sharpest image (an MRC scan's masks,
    typically 300 ppi) within MIN_RENDER_DPI..MAX_RENDER_DPI, else RENDER_DPI; never more
    pixels than the megapixel limit allows."""
    sharpest = makeup.sharpest_dpi() if makeup else None
    dpi = RENDER_DPI if sharpest is None else min(max(sharpest, MIN_RENDER_DPI), MAX_RENDER_DPI)
    if makeup is not None and makeup.page_w_pt > 0 and makeup.page_h_pt > 0:
        square_in = (makeup.page_w_pt / 72) * (makeup.page_h_pt / 72)
        dpi = min(dpi, (max_pixels / square_in) ** 0.5)
    return max(round(dpi), 1)


def _scan_image(path: Path, index: int, page: pikepdf.Page, scan: DrawnImage,
                max_pixels: int) -> PageImage | None:
    """The page's one scan image, decoded here; None when only a renderer can decode it."""
    pdfimg = pikepdf.PdfImage(page.obj.Resources.XObject[scan.name])
    if pdfimg.width * pdfimg.height > max_pixels:
        raise InputFileError(_("{path} page {value} holds a {width}x{height} image, over "
                               "the megapixel limit.").format(
                                 path=path, value=index + 1, width=pdfimg.width,
                                 height=pdfimg.height))
    dpi = pdfimg.width / (scan.width_pt / 72)
    if not 50 <= dpi <= 2400:
        return None
    try:
        if pdfimg.filters == ["/DCTDecode"] and pdfimg.colorspace in ("/DeviceRGB",
                                                                      "/DeviceGray"):
            raw = pdfimg.obj.read_raw_bytes()
            img = Image.open(io.BytesIO(raw))
            img.load()
            return PageImage(_normalise_mode(img), dpi, raw)
        return PageImage(_normalise_mode(pdfimg.as_pil_image()), dpi)
    except (pikepdf.PikepdfError, OSError, NotImplementedError, ValueError,
            UnidentifiedImageError):
        # A filter we cannot decode ourselves (JBIG2 without jbig2dec, JPX…), or data that
        # decodes short of the image's size (pikepdf's ImageDecompressionError): poppler
        # draws what it can of the page, or it is refused in one sentence.
        return None


def _load_pdf_page(path: Path, index: int, max_pixels: int) -> PageImage:
    """A page that is one scan image is taken as that image (a vendor's invisible OCR layer is
    left behind: our own text layer replaces it); any other page is rendered by poppler, which
    decodes every PDF filter and composes MRC layers."""
    with _open_pdf(path) as pdf:
        page = pdf.pages[index]
        try:
            makeup: PageMakeup | None = page_makeup(page)
        except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError):
            makeup = None  # a content stream we cannot follow: the renderer decides
        scan = makeup.scan_image() if makeup else None
        if scan is not None:
            found = _scan_image(path, index, page, scan, max_pixels)
            if found is not None:
                return found
        dpi = render_dpi(makeup, max_pixels)
    return PageImage(_normalise_mode(render_pdf_page(path, index, dpi)), float(dpi))


def load_page(path: Path, index: int, default_dpi: int, max_pixels: int) -> PageImage:
    """Load page `index` (0-based) of `path` as pixels; the input file is only read."""
    _check_nonempty(path)
    if path.suffix.lower() == ".pdf":
        return _load_pdf_page(path, index, max_pixels)
    return _load_raster(path, index, default_dpi, max_pixels)
