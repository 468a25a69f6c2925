"""Read scanned pages from PNG, JPEG, TIFF (multi-page) and PDF files, leniently, never writing
to the input. Every problem becomes an InputFileError with one plain sentence."""

from __future__ import annotations

import io
import subprocess
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image, UnidentifiedImageError

from digitize.errors import EnvironmentProblem, InputFileError
from digitize.i18n import _

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff"}
SUFFIXES = IMAGE_SUFFIXES | {".pdf"}
RENDER_DPI = 300


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
    if form is None:
        return False
    return any(f.get("/FT") == pikepdf.Name.Sig and "/V" in f for f in form.get("/Fields", []))


def _open_image(path: Path, max_pixels: int) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = None  # we apply our own, clearer limit below
    try:
        img = Image.open(path)
    except UnidentifiedImageError as exc:
        raise InputFileError(_("{path} is not a PNG, JPEG or TIFF image although its name says "
                               "so; check that the right file was saved.").format(
                                 path=path)) from exc
    except OSError as exc:
        raise InputFileError(_("{path} cannot be opened as an image ({exc}); scan the document "
                               "again.").format(path=path, exc=exc)) from exc
    if img.width * img.height > max_pixels:
        raise InputFileError(
            _("{path} is {width}x{height} pixels, over the limit of {value} megapixels; rescan "
              "at 300 dpi or raise ocr.max_megapixels.").format(
                path=path, width=img.width, height=img.height, value=max_pixels // 1_000_000))
    return img


def page_count(path: Path, max_pixels: int) -> int:
    """Number of pages, after checking the file can be opened at all."""
    _check_nonempty(path)
    if path.suffix.lower() == ".pdf":
        with _open_pdf(path) as pdf:
            if _has_signature(pdf):
                raise InputFileError(
                    _("{path} already carries a digital signature; digitize does not OCR signed "
                      "PDFs, add it to the package by hand to keep it byte for byte.").format(
                        path=path))
            n = len(pdf.pages)
        if n == 0:
            raise InputFileError(_("{path} has no pages; scan the document again.").format(
                                     path=path))
        return n
    with _open_image(path, max_pixels) as img:
        return getattr(img, "n_frames", 1)


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
    single = getattr(img, "n_frames", 1) == 1
    direct = path if single and img.format in ("JPEG", "PNG") and img.mode in ("1", "L", "RGB") \
        else None
    return PageImage(_normalise_mode(img), dpi, jpeg, direct)


def _render_pdf_page(path: Path, index: int) -> Image.Image:
    with tempfile.TemporaryDirectory(prefix="digitize-render-") as tmp:
        out = Path(tmp) / "page"
        cmd = ["pdftoppm", "-r", str(RENDER_DPI), "-f", str(index + 1), "-l", str(index + 1),
               "-png", "-singlefile", str(path), str(out)]
        try:
            res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
        except FileNotFoundError as exc:
            raise EnvironmentProblem(_("pdftoppm is not installed; install it with: sudo apt-get "
                                       "install poppler-utils")) from exc
        png = out.with_suffix(".png")
        if res.returncode != 0 or not png.exists():
            raise InputFileError(_("{path} page {value} cannot be rendered; scan it again.").format(
                                     path=path, value=index + 1))
        with Image.open(png) as im:
            im.load()
            return im.copy()


def _load_pdf_page(path: Path, index: int, max_pixels: int) -> PageImage:
    with _open_pdf(path) as pdf:
        page = pdf.pages[index]
        images = list(page.get_images().values())
        box = page.mediabox
        page_w_in = float(box[2] - box[0]) / 72
        if len(images) == 1 and page_w_in > 0:
            pdfimg = pikepdf.PdfImage(images[0])
            if pdfimg.width * pdfimg.height > max_pixels:
                raise InputFileError(_("{path} page {value} holds a {width}x{height} image, over "
                                       "the megapixel limit.").format(
                                         path=path, value=index + 1, width=pdfimg.width,
                                         height=pdfimg.height))
            dpi = pdfimg.width / page_w_in
            filters = pdfimg.filters
            try:
                if filters == ["/DCTDecode"] and pdfimg.colorspace in ("/DeviceRGB", "/DeviceGray"):
                    raw = pdfimg.obj.read_raw_bytes()
                    img = Image.open(io.BytesIO(raw))
                    img.load()
                    if 50 <= dpi <= 2400:
                        return PageImage(_normalise_mode(img), dpi, raw)
                pil = pdfimg.as_pil_image()
                if 50 <= dpi <= 2400:
                    return PageImage(_normalise_mode(pil), dpi)
            except (pikepdf.PdfError, OSError, NotImplementedError, ValueError):
                pass  # an image format we cannot decode ourselves: let poppler render the page
    return PageImage(_normalise_mode(_render_pdf_page(path, index)), float(RENDER_DPI))


def load_page(path: Path, index: int, default_dpi: int, max_pixels: int) -> PageImage:
    """Load page `index` (0-based) of `path` as pixels; the input file is only read."""
    _check_nonempty(path)
    if path.suffix.lower() == ".pdf":
        return _load_pdf_page(path, index, max_pixels)
    return _load_raster(path, index, default_dpi, max_pixels)
