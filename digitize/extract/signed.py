"""A signed document's date of issue checked against the day it was signed. The văn thư writes
the day in by hand at issuance and the office signs the scan then or a few days later (the
gazette publishes it after); a day read as after the first signature, or long before it, is
a misread pen ("24" read as 04), so it goes to the clerk however sure the reading."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from digitize.extract.calibration import FLAGGED
from digitize.model import Extraction

SIGNED_WITHIN_DAYS = 10  # from the day on the page to its first signature, as offices sign


def dated_by_signature(ex: Extraction, signed_on: Sequence[date]) -> Extraction:
    """`ex` with its issued_date sent to review where it disagrees with the first day the file
    was signed (`signed_on`: every signature's day); unchanged otherwise."""
    issued = ex.metadata.get("issued_date")
    if not signed_on or not isinstance(issued, str):
        return ex
    try:
        day = date.fromisoformat(issued)
    except ValueError:
        return ex
    if 0 <= (min(signed_on) - day).days <= SIGNED_WITHIN_DAYS:
        return ex
    conf = {**ex.confidence, "issued_date": min(ex.confidence.get("issued_date", 0.0), FLAGGED)}
    review = ex.review if "issued_date" in ex.review else (*ex.review, "issued_date")
    return ex.model_copy(update={"confidence": conf, "review": review})


def signing_days(times: Sequence[str | None]) -> list[date]:
    """The days of signing times as reports give them (ISO 8601, Vietnam time)."""
    days = []
    for t in filter(None, times):
        try:
            days.append(datetime.fromisoformat(t).date())
        except ValueError:
            continue
    return days
