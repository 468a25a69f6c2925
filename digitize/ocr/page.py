"""One page through OCR, in a worker process: load, turn upright, deskew, recognise, and prepare the
image stream that goes into the PDF. Everything it writes goes to a private work folder."""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from digitize.model import OcrPage, Word
from digitize.ocr import tesseract
from digitize.ocr.cleanup import deskew, estimate_skew
from digitize.ocr.images import load_page


@dataclass(frozen=True)
class PageTask:
    source: Path
    index: int
    workdir: Path
    lang: str
    default_dpi: int
    max_pixels: int
    timeout_s: int


@dataclass(frozen=True)
class ImageStream:
    """An image XObject's encoded data (in a file) and the dictionary entries it needs."""

    data: Path
    width: int
    height: int
    colorspace: str  # /DeviceGray or /DeviceRGB
    bits: int
    filter: str  # /DCTDecode or /FlateDecode


@dataclass(frozen=True)
class PreparedPage:
    ocr: OcrPage
    image: ImageStream
    text_pdf: Path


def _encode(img: Image.Image, jpeg: bytes | None, out: Path) -> ImageStream:
    """JPEG scans go in untouched; everything else losslessly (Flate)."""
    if jpeg is not None:
        out.write_bytes(jpeg)
        space = "/DeviceGray" if img.mode == "L" else "/DeviceRGB"
        return ImageStream(out, img.width, img.height, space, 8, "/DCTDecode")
    space = "/DeviceRGB" if img.mode == "RGB" else "/DeviceGray"
    bits = 1 if img.mode == "1" else 8
    out.write_bytes(zlib.compress(img.tobytes(), 6))
    return ImageStream(out, img.width, img.height, space, bits, "/FlateDecode")


def parse_tsv(tsv: Path) -> tuple[Word, ...]:
    words: list[Word] = []
    for row in tsv.read_text(encoding="utf-8").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        words.append(Word(
            text=unicodedata.normalize("NFC", cols[11].strip()),
            left=int(cols[6]), top=int(cols[7]), width=int(cols[8]), height=int(cols[9]),
            conf=float(cols[10]), block=int(cols[2]), par=int(cols[3]), line=int(cols[4]),
        ))
    return tuple(words)


def prepare_page(task: PageTask) -> PreparedPage:
    """Run in a worker: returns a picklable description of the finished page."""
    # One work folder per document (the pipeline's job); names without dots so that
    # Tesseract's "<base>.pdf" outputs are predictable.
    stem = task.workdir / f"p{task.index:04d}"
    page = load_page(task.source, task.index, task.default_dpi, task.max_pixels)
    dpi = round(page.dpi)
    work_png = stem.with_suffix(".png")
    page.image.save(work_png, compress_level=1)
    rotation = tesseract.detect_rotation(work_png, dpi, task.timeout_s)
    upright = page.image.rotate(-rotation, expand=True) if rotation else page.image
    skew = estimate_skew(upright)
    if rotation or skew:
        deskew(upright, skew).save(work_png, compress_level=1)
    rec = tesseract.recognise(work_png, stem, task.lang, dpi, task.timeout_s)
    words = parse_tsv(rec.tsv)
    text = unicodedata.normalize("NFC", rec.txt.read_text(encoding="utf-8"))
    mean = sum(w.conf for w in words) / len(words) if words else 0.0
    image = _encode(page.image, page.jpeg, stem.with_suffix(".img"))
    work_png.unlink(missing_ok=True)
    ocr = OcrPage(index=task.index, width=upright.width, height=upright.height, dpi=page.dpi,
                  rotation=rotation, skew=skew, text=text, words=words,
                  mean_conf=round(mean, 1))
    return PreparedPage(ocr=ocr, image=image, text_pdf=rec.text_pdf)
