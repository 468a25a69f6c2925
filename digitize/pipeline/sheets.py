"""A scanned dossier's own cover and index sheet: told apart from its documents, kept out of
the package's data (they go in its documentation), and the index's rows checked against what
was read from each document — every disagreement goes to review with both values."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from digitize.extract.sheets import cross_check, parse_index, sheet_kind
from digitize.i18n import _
from digitize.model import DocumentResult, Status
from digitize.pipeline.package import Sheets

Item = tuple[DocumentResult, Path, str, int]  # a finished document: result, PDF, text, seq


def split_sheets(finished: Sequence[Item]) -> tuple[Sheets, list[Item], list[Item]]:
    """The cover and index (the first of each), the documents renumbered from 1 in their
    order, and the sheets themselves (for their text and JSON beside the package)."""
    cover = index = None
    docs: list[Item] = []
    sheets: list[Item] = []
    for item in finished:
        res, pdf, text, _seq = item
        kind = None if res.reused_from else sheet_kind(text)
        if kind == "cover" and cover is None:
            cover = (pdf, text)
        elif kind == "index" and index is None:
            index = (pdf, text)
        else:
            docs.append(item)
            continue
        res.sheet = kind
        sheets.append(item)
    if not sheets:
        return Sheets(), list(finished), []
    return Sheets(cover, index), [(r, p, t, n) for n, (r, p, t, _s) in
                                  enumerate(docs, 1)], sheets


def check_index(sheets: Sheets, docs: Sequence[Item]) -> int:
    """Send to review every field of a document that its row of the index contradicts (unless a
    person already settled that field); returns how many were sent."""
    if sheets.index is None:
        return 0
    rows = parse_index(sheets.index[1])
    sent = 0
    found = cross_check(rows, [res.metadata for res, *_rest in docs])
    for (res, *_rest), disagreements in zip(docs, found, strict=True):
        settled = {o.field for o in res.overrides}
        for d in disagreements:
            if d.field in settled:
                continue
            res.review.append(_("{field}: the document reads '{read}', the index of documents "
                                "'{index}'").format(field=d.field, read=d.read, index=d.index))
            sent += 1
        if res.review and res.status is Status.ok:
            res.status = Status.needs_review
    return sent
