"""Metadata of documents that already have text (`digitize extract`): a PDF's text layer, the
hOCR word boxes the OCR stage keeps (with their confidences), or plain text, with an optional
override file applied. Each file gives one DocumentResult; a file that cannot be read fails
alone."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from digitize.config import Config
from digitize.errors import InputFileError
from digitize.extract.fields import extract
from digitize.extract.hocr import segments_from_hocr
from digitize.extract.layout import Segment, segments_from_text
from digitize.extract.overrides import (
    OverrideFile,
    apply_overrides,
    load_overrides,
    operator_name,
)
from digitize.extract.pdftext import segments_from_pdf
from digitize.extract.review import review_note
from digitize.i18n import _
from digitize.model import DocumentResult, Status
from digitize.pdfcaps.check import check_pdf


def _segments(path: Path) -> tuple[list[Segment], int]:
    if not path.is_file():
        raise InputFileError(_("{path} does not exist or is not a file.").format(path=path))
    if path.suffix.lower() == ".pdf":
        check_pdf(path)
        return segments_from_pdf(path)
    if path.suffix.lower() in (".hocr", ".html"):
        return segments_from_hocr(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    return segments_from_text(text), text.count("\f") + 1


def extract_file(path: Path, cfg: Config, fixes: OverrideFile | None = None,
                 fixes_source: str = "") -> DocumentResult:
    try:
        segs, pages = _segments(path)
        ex = extract(segs, pages, cfg.extract.min_field_confidence)
        if fixes is not None and path.name in fixes.documents:
            ex = apply_overrides(ex, fixes.documents[path.name],
                                 operator_name(fixes.operator, cfg.review.operator),
                                 fixes_source)
    except InputFileError as exc:
        return DocumentResult(source=str(path), status=Status.failed, error=exc.message)
    return DocumentResult(
        source=str(path), status=Status.needs_review if ex.review else Status.ok,
        doc_kind=ex.doc_kind, metadata=ex.metadata, confidence=ex.confidence,
        review=[review_note(k) for k in ex.review], evidence=ex.evidence,
        overrides=list(ex.overrides))


def extract_files(files: Sequence[Path], cfg: Config, overrides: Path | None = None
                  ) -> list[DocumentResult]:
    """Each file's metadata, with the override file (tables keyed by file name) applied."""
    fixes = load_overrides(overrides) if overrides else None
    return [extract_file(f, cfg, fixes, str(overrides)) for f in files]
