"""One page through OCR, in a worker process. A quick projection profile finds the skew (the
page is levelled for Tesseract when it is clearly skewed); then one Tesseract pass (page
segmentation with orientation detection) writes the text-only PDF page, word boxes, plain text
and hOCR; words it was unsure of and a pen's writing are read again (reread.py). Orientation
comes from that result, so the stored scan is never re-encoded or re-rotated: the PDF turns it
with a matrix. Everything written goes to the document's private work folder."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from digitize.fsutil import disk_problem
from digitize.model import Box, OcrPage, Word
from digitize.ocr import tesseract, textlayer
from digitize.ocr.blanks import read_blanks
from digitize.ocr.cleanup import (
    as_grey,
    box_of,
    compact_image,
    deskew,
    drop_red,
    estimate_skew,
    ink_mask,
    is_blank,
    mark_handwriting,
    orientation_from_hocr,
    page_inks,
    upright_words,
)
from digitize.ocr.columns import reread_left_column
from digitize.ocr.hocr import mark_hand, mark_stamps, replace_words
from digitize.ocr.images import PageImage, load_page
from digitize.ocr.order import column_bands, reading_order, reading_text, stamp_words
from digitize.ocr.orientation import looks_upright
from digitize.ocr.pngpass import png_idat
from digitize.ocr.reread import read_hand, relook

PROFILES = ("archive", "compact")
UPSCALE_BELOW_DPI = 150  # DESIGN.md: under ~150 dpi a 2x upscale before OCR reads clearly better


@dataclass(frozen=True)
class PageTask:
    source: Path
    index: int
    workdir: Path
    lang: str
    default_dpi: int
    max_pixels: int
    timeout_s: int
    profile: str = "archive"
    best_vie: bool = False  # read with the best vie network shipped with digitize


@dataclass(frozen=True)
class ImageStream:
    """An image XObject's encoded data (in a file) and the dictionary entries it needs."""

    data: Path
    width: int
    height: int
    colorspace: str  # /DeviceGray or /DeviceRGB
    bits: int
    filter: str  # /DCTDecode, /FlateDecode or /CCITTFaxDecode (G4)
    black_is_1: bool = False  # G4 only
    png_colours: int = 0  # PNG pixel data passed through: needs the PNG predictor to decode


@dataclass(frozen=True)
class PreparedPage:
    """A finished page; `image` and `text_pdf` are None for a born-digital page (its text comes
    from the file, which becomes the archival copy itself)."""

    ocr: OcrPage
    image: ImageStream | None
    text_pdf: Path | None
    hocr: Path
    pre_skew: float = 0.0  # levelling applied to the pixels Tesseract read (scan frame)
    post_skew: float = 0.0  # residual levelling from the words' slope (upright frame)


def _g4(img: Image.Image) -> tuple[bytes, bool]:
    """CCITT Group 4 data of a bilevel image as one strip (lossless, as scanners store it), and
    whether its 1-bits are black (the TIFF's photometric interpretation decides)."""
    buf = io.BytesIO()
    img.save(buf, "TIFF", compression="group4", tiffinfo={278: img.height})
    buf.seek(0)
    with Image.open(buf) as tif:
        offsets, counts = tif.tag_v2[273], tif.tag_v2[279]
        min_is_black = tif.tag_v2.get(262, 0) == 1
    if len(offsets) != 1:
        raise ValueError("G4 data in more than one strip")
    raw = buf.getvalue()
    return raw[offsets[0]: offsets[0] + counts[0]], min_is_black


def encode_image(page: PageImage, profile: str, out: Path) -> ImageStream:
    """JPEG and PNG scans go in untouched; bilevel pages as G4; the rest losslessly (Flate).
    The compact profile first reduces colour where the page allows."""
    img, jpeg = page.image, page.jpeg
    if profile == "compact":
        reduced = compact_image(img)
        if reduced.mode != img.mode:
            img, jpeg = reduced, None
    if jpeg is not None:
        out.write_bytes(jpeg)
        space = "/DeviceGray" if img.mode == "L" else "/DeviceRGB"
        return ImageStream(out, img.width, img.height, space, 8, "/DCTDecode")
    if page.direct is not None and page.direct.suffix.lower() == ".png" and img is page.image:
        png = png_idat(page.direct)
        if png is not None:
            out.write_bytes(png.data)
            space = "/DeviceRGB" if png.colours == 3 else "/DeviceGray"
            return ImageStream(out, png.width, png.height, space, 8, "/FlateDecode",
                               png_colours=png.colours)
    if img.mode == "1":
        data, black_is_1 = _g4(img)
        out.write_bytes(data)
        return ImageStream(out, img.width, img.height, "/DeviceGray", 1, "/CCITTFaxDecode",
                           black_is_1)
    space = "/DeviceRGB" if img.mode == "RGB" else "/DeviceGray"
    out.write_bytes(zlib.compress(img.tobytes(), 6))
    return ImageStream(out, img.width, img.height, space, 8, "/FlateDecode")


def ocr_input(page: PageImage, pre_skew: float, stem: Path
               ) -> tuple[Path, int, Image.Image]:
    """The file Tesseract reads and how many times larger than the page's pixels it is: the
    scan itself where it can, else the page's pixels (levelled when it is skewed: Tesseract
    reads level lines better), upscaled 2x when the page is under UPSCALE_BELOW_DPI (phone
    photos, low-resolution scans: Tesseract reads text best at about 20-30 px high), with red
    seals and stamps dropped out (cleanup.drop_red); with the image in that file's pixels."""
    scale = 2 if page.dpi < UPSCALE_BELOW_DPI else 1
    dropped = drop_red(page.image)
    if scale == 1 and not pre_skew and dropped is None and page.direct is not None:
        return page.direct, 1, page.image
    if scale == 1 and not pre_skew and dropped is None and page.jpeg is not None:
        path = Path(f"{stem}.jpg")
        path.write_bytes(page.jpeg)
        return path, 1, page.image
    # Uncompressed PNM: the fastest format to write and for Tesseract (Leptonica) to read.
    path = Path(f"{stem}.pnm")
    img = deskew(page.image if dropped is None else dropped, pre_skew)
    if scale > 1:
        img = (img.convert("L") if img.mode == "1" else img).resize(
            (img.width * scale, img.height * scale), Image.Resampling.LANCZOS)
    img.save(path)
    return path, scale, img


def _unscaled(words: tuple[Word, ...], scale: int) -> tuple[Word, ...]:
    """Word boxes read on an upscaled copy, in the page's own pixels."""
    if scale == 1:
        return words
    return tuple(w.model_copy(update={"left": w.left // scale, "top": w.top // scale,
                                      "width": max(1, w.width // scale),
                                      "height": max(1, w.height // scale)}) for w in words)


def prepare_page(task: PageTask) -> PreparedPage:
    """Run in a worker: returns a picklable description of the finished page."""
    try:
        return _prepare(task)
    except OSError as exc:
        problem = disk_problem(exc, task.workdir)
        if problem is None:
            raise
        raise problem from exc


def text_page(task: PageTask) -> PreparedPage:
    """Run in a worker: a born-digital page's own words, no OCR."""
    page = textlayer.pdf_words(task.source, task.index)[0]
    hocr = task.workdir / f"p{task.index:04d}.hocr"
    textlayer.write_hocr(page, hocr)
    return PreparedPage(ocr=textlayer.ocr_page(page), image=None, text_pdf=None, hocr=hocr)


def _prepare(task: PageTask) -> PreparedPage:
    tesseract.use_best_vie(task.best_vie)
    # One work folder per document (the pipeline's job); names without dots so that
    # Tesseract's "<base>.pdf" outputs are predictable.
    stem = task.workdir / f"p{task.index:04d}"
    page = load_page(task.source, task.index, task.default_dpi, task.max_pixels)
    # The page in grey, made once: the skew search and the ink masks both start from it.
    grey = as_grey(page.image)
    pre_skew = estimate_skew(grey)
    upright = looks_upright(grey, page.dpi, pre_skew)
    source, scale, seen = ocr_input(page, pre_skew, stem)
    dpi, shown = round(page.dpi * scale), f"{task.source} page {task.index + 1}"
    rec = tesseract.recognise(source, stem, task.lang, dpi, task.timeout_s, shown=shown,
                              upright=upright)
    if source.parent == task.workdir:
        source.unlink(missing_ok=True)
    w, h = page.image.size
    rotation = orientation_from_hocr(rec.hocr)
    # Once a page: every reading of a pen's ink crops them.
    masks = page_inks(seen, grey if seen is page.image else None)
    read = tesseract.tsv_words(rec.tsv.read_text(encoding="utf-8"))
    ink = None
    if rotation == 0:
        ink = masks.ink if masks is not None else ink_mask(seen)
        read, gone, lines = reread_left_column(seen, ink, read, stem, task.lang, dpi,
                                               task.timeout_s, shown)
        replace_words(rec.hocr, gone, lines)
    read = mark_handwriting(masks, read)
    relooked: dict[Box, tuple[str, float]] = {}
    if rotation == 0:
        read, relooked = relook(seen, masks, read, stem, task.lang, dpi, task.timeout_s, shown)
        read, texts, added = read_hand(masks, read, stem, task.lang, dpi, task.timeout_s, shown)
        after = dict(added)
        if task.index == 0:  # ND 30's blanks for the number and the day are on page 1
            read, blanked, written = read_blanks(seen, read, stem, dpi, task.timeout_s, shown)
            relooked, after = {**relooked, **blanked}, {**after, **written}
    else:
        texts, after = {box_of(wd): wd.text for wd in read if wd.hand}, {}
    mark_hand(rec.hocr, texts, after, relooked)
    if ink is not None:
        # An upright page: its text in reading order (the header's columns one after the
        # other), stamps left out of it and marked in the hOCR.
        stamps = stamp_words(ink, read)
        mark_stamps(rec.hocr, stamps)
        text = reading_text(reading_order(read, column_bands(ink), set(stamps)))
    else:
        text = tesseract.vietnamese(rec.txt.read_text(encoding="utf-8"))
    words, uw, uh, post_skew = upright_words(read, rotation, w * scale, h * scale)
    words, uw, uh = _unscaled(words, scale), uw // scale, uh // scale
    mean = sum(wd.conf for wd in words) / len(words) if words else 0.0
    image = encode_image(page, task.profile, Path(f"{stem}.img"))
    ocr = OcrPage(index=task.index, width=uw, height=uh, dpi=page.dpi, rotation=rotation,
                  skew=round(pre_skew + post_skew, 2), text=text, words=words,
                  mean_conf=round(mean, 1), blank=is_blank(page.image, words))
    return PreparedPage(ocr=ocr, image=image, text_pdf=rec.text_pdf, hocr=rec.hocr,
                        pre_skew=pre_skew, post_skew=post_skew)
