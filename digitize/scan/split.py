"""A scanned stack split into documents: at separator sheets (a QR code or barcode that reads
DIGITIZE-SEP, optionally naming the document type that follows) and, with `--split blank`,
at blank pages. Separator sheets, and the blank backs of separators, never reach a document.

Image stacks (a multi-page TIFF, or the pages of a scan session) become multi-page TIFFs,
losslessly (LZW; Group 4 for bilevel pages) at their resolution; PDF stacks become PDFs of the
same pages, untouched. Each child records where it came from: the TIFF description or the PDF's
document information, which the pipeline's capture event repeats.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import zxingcpp
from PIL import Image

from digitize.errors import InputFileError, NoInputError, UsageProblem
from digitize.fsutil import sha256_file
from digitize.i18n import _
from digitize.ocr.cleanup import ink_ratio
from digitize.poppler import NotDrawn, draw
from digitize.schemas.codes import DocType

PREFIX = "DIGITIZE-SEP"
MODES = ("none", "separator", "blank")
BLANK_INK = 0.003  # share of dark pixels under which a page is blank (as the OCR stage says)
ORIGIN_KEY = "/DigitizeSplitFrom"
_ORIGIN = "digitize split:"
_DETECT_DPI = 100
_DRAW_S_PER_PAGE = 10  # drawing a page for detection: at most, on average


def doc_type(code: str) -> DocType:
    """The ND 30 type named by an abbreviation (QĐ, QD, TB, CV…) or a name ("Quyết định")."""
    from digitize.extract.fields import named_type

    found = named_type(code)
    if found is not None:
        return found
    raise UsageProblem(_("{code!r} is not a document type of ND 30; use an abbreviation such as "
                         "QĐ, TB, CV, TTr, KH, BC or the type's name.").format(code=code))


def payload(code: str = "") -> str:
    return f"{PREFIX};type={doc_type(code).abbr}" if code else PREFIX


@dataclass(frozen=True)
class PageKind:
    kind: str  # content, separator or blank
    doc_type: str = ""  # for a separator: the abbreviation of the type of what follows


def read_separator(img: Image.Image) -> PageKind | None:
    for found in zxingcpp.read_barcodes(img):
        text = found.text.strip()
        if text == PREFIX or text.startswith(PREFIX + ";"):
            fields = dict(p.split("=", 1) for p in text.split(";")[1:] if "=" in p)
            return PageKind("separator", fields.get("type", ""))
    return None


def classify(img: Image.Image) -> PageKind:
    small = img.convert("L")
    if small.width > 1400:  # enough for the codes and for ink, and quick
        small = small.resize((1400, round(small.height * 1400 / small.width)))
    return read_separator(small) or PageKind("blank" if ink_ratio(small) < BLANK_INK
                                             else "content")


@dataclass(frozen=True)
class Part:
    pages: tuple[int, ...]
    doc_type: str = ""


def plan(kinds: Sequence[PageKind], by: str) -> list[Part]:
    """Which pages make which document. Separators always split; blank pages split with
    by="blank"; a blank page right after a separator is its back side and is dropped."""
    if by not in MODES:
        raise UsageProblem(_("Unknown split {by!r}; use none, separator or blank.").format(by=by))
    if by == "none":
        return [Part(tuple(range(len(kinds))))] if kinds else []
    parts: list[Part] = []
    current: list[int] = []
    typed = ""
    after_separator = False

    def close() -> None:
        nonlocal current
        if current:
            parts.append(Part(tuple(current), typed))
        current = []

    for i, k in enumerate(kinds):
        if k.kind == "separator":
            close()
            typed, after_separator = k.doc_type, True
            continue
        if k.kind == "blank" and (by == "blank" or after_separator):
            if by == "blank":
                close()
            continue
        after_separator = False
        current.append(i)
    close()
    return parts


# --------------------------------------------------------------------------- reading stacks
def _image_refs(files: Sequence[Path]) -> list[tuple[Path, int]]:
    """(file, frame) of every page, without keeping the pages in memory."""
    refs = []
    for f in files:
        try:
            with Image.open(f) as im:
                refs += [(f, i) for i in range(getattr(im, "n_frames", 1))]
        except OSError as exc:
            raise InputFileError(_("{f} cannot be read as an image ({exc}); scan it again.").format(
                                     f=f, exc=exc)) from exc
    return refs


def _load(ref: tuple[Path, int]) -> Image.Image:
    with Image.open(ref[0]) as im:
        im.seek(ref[1])
        page = im.copy()
        page.info["dpi"] = im.info.get("dpi", (300, 300))
        return page


def _pdf_pages(pdf: Path, work: Path) -> list[Image.Image]:
    # A damaged stream can keep a renderer busy for ever; a real page draws in well under a
    # second at this resolution.
    limit = 60 + _DRAW_S_PER_PAGE * _pdf_page_count(pdf)
    try:
        pages = draw(pdf, work, _DETECT_DPI, gray=True, timeout=limit)
    except NotDrawn as exc:
        if exc.timed_out:
            raise InputFileError(_("{pdf} could not be drawn within {seconds} s; it may be "
                                   "damaged: check the file or scan it again.").format(
                                     pdf=pdf, seconds=limit)) from exc
        raise InputFileError(_("{pdf} cannot be read as a PDF ({value}); check the file.").format(
                                 pdf=pdf, value=exc.detail)) from exc
    return [Image.open(p) for p in pages.values()]  # small (100 dpi grey), read when classified


def _pdf_page_count(pdf: Path) -> int:
    import pikepdf

    try:
        with pikepdf.open(pdf) as doc:
            return len(doc.pages)
    except pikepdf.PdfError as exc:
        raise InputFileError(_("{pdf} cannot be read as a PDF ({exc}); check the file.").format(
                                 pdf=pdf, exc=exc)) from exc


@dataclass(frozen=True)
class Child:
    path: Path
    pages: tuple[int, ...]  # 1-based page numbers in the stack
    doc_type: str = ""


def _source(stack: Sequence[Path]) -> str:
    """The stack as each of its documents names it: one file with its checksum, or a session."""
    if len(stack) == 1:
        return f"{stack[0].name} (SHA-256 {sha256_file(stack[0])})"
    return f"{stack[0].name}…{stack[-1].name} ({len(stack)} scanned files)"


def _origin(source: str, part: Part, total: int) -> str:
    first, last = part.pages[0] + 1, part.pages[-1] + 1
    span = f"page {first}" if first == last else f"pages {first}-{last}"
    return f"{_ORIGIN} {span} of {total} from {source}"


def _save_tiff(pages: list[Image.Image], target: Path, description: str) -> None:
    bilevel = all(p.mode == "1" for p in pages)
    first, rest = pages[0], pages[1:]
    first.save(target, format="TIFF", save_all=True, append_images=rest,
               compression="group4" if bilevel else "tiff_lzw",
               dpi=first.info.get("dpi", (300, 300)), description=description)


def _save_pdf(pdf: Path, pages: Sequence[int], target: Path, description: str) -> None:
    import pikepdf

    with pikepdf.open(pdf) as src, pikepdf.new() as dst:
        for i in pages:
            dst.pages.append(src.pages[i])
        dst.docinfo[ORIGIN_KEY] = description
        dst.save(target)


def record_types(folder: Path, children: Sequence[Child]) -> None:
    """The types separator sheets named become the documents' override values, which `run`
    applies like a clerk's correction (and records who set them)."""
    from digitize.extract.overrides import SIDECAR, OverrideFile, load_overrides, save_overrides

    typed = {c.path.name: doc_type(c.doc_type) for c in children if c.doc_type}
    if not typed:
        return
    sidecar = folder / SIDECAR
    data = load_overrides(sidecar) if sidecar.is_file() else OverrideFile(operator="separator")
    for name, t in typed.items():
        data.documents.setdefault(name, {})["doc_type_name"] = t.name
    save_overrides(data, sidecar)


def split_stack(stack: Sequence[Path], folder: Path, by: str, stem: str) -> list[Child]:
    """Write the documents of `stack` (one PDF, or image files in page order) into `folder`
    as STEM-01.tif/.pdf, …; returns them. Nothing is written when the stack cannot be read."""
    if not stack:
        raise UsageProblem(_("No pages to split."))
    is_pdf = len(stack) == 1 and stack[0].suffix.lower() == ".pdf"
    if is_pdf:
        from digitize.pdfcaps.check import check_pdf

        check_pdf(stack[0])
    with tempfile.TemporaryDirectory(prefix="digitize-split-") as tmp:
        refs = [] if is_pdf else _image_refs(stack)
        if by == "none":
            kinds = [PageKind("content")] * (_pdf_page_count(stack[0]) if is_pdf else len(refs))
        elif is_pdf:
            kinds = [classify(im) for im in _pdf_pages(stack[0], Path(tmp))]
        else:
            kinds = [classify(_load(r)) for r in refs]
        parts = plan(kinds, by)
        if not parts:
            raise InputFileError(_("{stack} holds only separator or blank pages; nothing to make "
                                   "documents of.").format(stack=stack[0]))
        folder.mkdir(parents=True, exist_ok=True)
        source = _source(stack)
        children: list[Child] = []
        written: list[Path] = []
        try:
            for n, part in enumerate(parts, 1):
                target = folder / f"{stem}-{n:02d}{'.pdf' if is_pdf else '.tif'}"
                part_tmp = target.with_name(f".{target.name}.part")
                description = _origin(source, part, len(kinds))
                if is_pdf:
                    _save_pdf(stack[0], part.pages, part_tmp, description)
                else:
                    _save_tiff([_load(refs[i]) for i in part.pages], part_tmp, description)
                written.append(part_tmp)
                children.append(Child(target, tuple(i + 1 for i in part.pages), part.doc_type))
            for part_tmp, child in zip(written, children, strict=True):
                part_tmp.replace(child.path)
        except BaseException:
            for p in written:
                p.unlink(missing_ok=True)
            raise
    return children


def origin(path: Path) -> str:
    """Where a split document came from, as `split_stack` recorded it ("" if not split)."""
    try:
        if path.suffix.lower() == ".pdf":
            import pikepdf

            with pikepdf.open(path) as pdf:
                return str(pdf.docinfo.get(ORIGIN_KEY, ""))
        with Image.open(path) as im:
            text = str(im.tag_v2.get(270, "")) if hasattr(im, "tag_v2") else ""
            return text if text.startswith(_ORIGIN) else ""
    except Exception:  # provenance is a nicety: an unreadable file fails later, with a reason
        return ""


def stack_files(paths: Sequence[Path]) -> list[Path]:
    """The page files of a stack in order: files as given, a folder's files in name order."""
    files: list[Path] = []
    for s in paths:
        if s.is_dir():
            files += sorted(p for p in s.iterdir() if p.is_file() and not p.name.startswith("."))
        elif s.is_file():
            files.append(s)
        else:
            raise NoInputError(_("{path} does not exist; check the path.").format(path=s))
    if not files:
        raise NoInputError(_("No pages to split were found."))
    return files
