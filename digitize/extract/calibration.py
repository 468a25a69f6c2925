"""Field confidences as measured probabilities. The extractor's raw score for a field (the
least sure OCR word of the value, lowered by the rules that catch garbled or written-in
values) is mapped through a step function fitted on documents whose truth is known
(`benchmarks/calibrate.py`: isotonic regression per kind of field, counts smoothed towards
doubt), so that "0.97" means "right about 97 times in 100" on such documents. The fit lives
in calibration.json beside this module, with the corpus and seeds it was fitted on."""

from __future__ import annotations

import bisect
import functools
from typing import Any

from digitize.shipped import load

GROUPS = {
    "number": "number", "number_year": "number", "symbol": "symbol",
    "issued_date": "date", "birth_date": "date",
    "issuer": "agency", "parent_issuer": "agency",
    "signer": "person", "applicant_name": "person",
    "signer_title": "title",
    "doc_type_name": "type", "doc_type_code": "type", "tt05_type_code": "type",
    "subject": "text", "address": "text", "procedure_name": "text",
    "place": "place",
    "id_number": "digits", "phone": "digits",
}
EXACT = {"page_count", "language"}  # counted or fixed, not read
# Scores at or under this come from a rule that flagged the value (a garbled word, a number
# written into the blank, a title no vocabulary knows): the documents the fit was made on
# rarely show such cases, so the fit never raises them above the review threshold.
FLAGGED = 0.5


@functools.cache
def _table() -> dict[str, Any]:
    return load(__package__, "calibration.json", dict) or {}


def group(field: str) -> str:
    return GROUPS.get(field, "text")


def calibrated(field: str, raw: float) -> float:
    """The probability that a value read with score `raw` is right; `raw` itself where no fit
    covers the field's group."""
    if field in EXACT or raw <= FLAGGED:
        return raw
    steps = _table().get("groups", {}).get(group(field))
    if not steps:
        return raw
    uppers = [upper for upper, _ in steps]
    i = min(bisect.bisect_left(uppers, raw), len(steps) - 1)
    return float(steps[i][1])


def fitted_on() -> str:
    """What the fit was made on, for reports."""
    about = _table().get("fitted", {})
    return ", ".join(f"{k} {v}" for k, v in about.items()) or "not fitted"
