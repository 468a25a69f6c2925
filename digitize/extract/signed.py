"""A signed document's date of issue checked against the day it was signed. The văn thư writes
the day in by hand at issuance and the office signs the scan then or a few days later (the
gazette publishes it after); a day read as after the first signature, or long before it, is
a misread pen ("24" read as 04), so it goes to the clerk however sure the reading. Where the
pen's day could not be made a date at all ("45", "154", glued to the print), the days the
signature allows are the only readings left: the nearest of them to what was read is
offered, for the clerk to confirm.

The other way round, a pen's day that the signature agrees with has two readers that do not
share their errors: the handwriting model, and the office's signing time. A misread pen lands
on any day of the month alike, and only (SIGNED_WITHIN_DAYS + 1) of about 31 of them lie in the
signature's window, so a day the model read surely (PEN_SURE) and the signature allows is
right with probability (1 - e) / ((1 - e) + e * window / 31), e the share of such sure pen
readings that are wrong (PEN_ERROR, measured on real pages; extraction_eval.py --real gives
each fold the share measured on the other folds). Where that reaches the desk's review
threshold, the day is not sent to the clerk."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import pairwise

from digitize.extract.calibration import FLAGGED
from digitize.extract.fields import REVIEW_THRESHOLD
from digitize.extract.layout import Segment
from digitize.extract.text import fold
from digitize.extract.twice import PEN_SURE, pen_score
from digitize.extract.vocab import distance
from digitize.model import Extraction

SIGNED_WITHIN_DAYS = 10  # from the day on the page to its first signature, as offices sign
# "ngày 45 tháng 3 năm 2024", "ngày154 tháng 01 năm 2025", "ngày 04tháng 02 năm 2025": the
# day as the pen's reading left it (up to three marks, maybe glued to the print), on folded text
_LOOSE_DATE = re.compile(r"NGAY\s*([0-9OIl]{0,3})\s*[TD]?HANG\s*([0-9OIl]{1,2})\s+[NHM]?AM\s+"
                         r"([0-9OIl]{4})")
_NEAR = 2  # edits from the reading to an allowed day, at most ("45" -> 15, "154" -> 15)
# Of the pen's sure readings (numbers and days) on ../shared/real/qng's scans, the share that
# is wrong, smoothed ((wrong + 1) / (n + 2)): 2 of 30 on 2026-12-05 (extraction_eval.py --real
# prints it per fold).
PEN_ERROR = 3 / 32
_MONTH = 31


def dated_by_signature(ex: Extraction, signed_on: Sequence[date],
                       segs: Sequence[Segment] = (), min_conf: float = REVIEW_THRESHOLD,
                       pen_error: float = PEN_ERROR) -> Extraction:
    """`ex` with its issued_date sent to review where it disagrees with the first day the file
    was signed (`signed_on`: every signature's day), or, where none was read, offered from the
    days the signature allows that the date line's reading (`segs`) comes nearest; a pen's sure
    day that the signature allows is confirmed (see the module: `pen_error`; its probability
    reaching `min_conf` takes it out of review); unchanged otherwise."""
    if not signed_on:
        return ex
    issued = ex.metadata.get("issued_date")
    try:
        day = date.fromisoformat(issued) if isinstance(issued, str) else None
    except ValueError:
        day = None
    first = min(signed_on)
    if day is not None and 0 <= (first - day).days <= SIGNED_WITHIN_DAYS:
        return _confirmed(ex, segs, min_conf, pen_error)
    offered = _nearest_allowed(segs, first) if day is None else None
    meta = ex.metadata if offered is None else {**ex.metadata, "issued_date": offered}
    conf = {**ex.confidence, "issued_date": min(ex.confidence.get("issued_date", 0.0), FLAGGED)}
    review = ex.review if "issued_date" in ex.review else (*ex.review, "issued_date")
    return ex.model_copy(update={"metadata": meta, "confidence": conf, "review": review})


def signed_day_probability(pen_error: float) -> float:
    """The probability that a pen's sure day inside the signature's window is right."""
    chance = (SIGNED_WITHIN_DAYS + 1) / _MONTH  # a misread day lands in the window
    return (1 - pen_error) / ((1 - pen_error) + pen_error * chance)


def _confirmed(ex: Extraction, segs: Sequence[Segment], min_conf: float,
               pen_error: float) -> Extraction:
    """`ex` with a pen's sure day, that the signature allows, at the probability of such days;
    only where the pen is all that held it back (no printed word of the line read worse)."""
    score = pen_score(ex, "issued_date", segs)
    conf = ex.confidence.get("issued_date", 0.0)
    if score is None or score < PEN_SURE or conf < FLAGGED:
        return ex
    sure = round(signed_day_probability(pen_error), 3)
    if sure <= conf:
        return ex
    review = ex.review if sure < min_conf else tuple(k for k in ex.review if k != "issued_date")
    return ex.model_copy(update={"confidence": {**ex.confidence, "issued_date": sure},
                                 "review": review})


def _nearest_allowed(segs: Sequence[Segment], first: date) -> str | None:
    """The day, of those from SIGNED_WITHIN_DAYS before `first` to `first`, whose writing is
    fewest edits from the date line as read (day, month and year together); of equals, the
    nearest to the signing, as most are signed within a day or two. None where no date line
    is found, nothing was read in its day, or no allowed day is within _NEAR edits."""
    texts = [s.text for s in segs] + [f"{a.text} {b.text}" for a, b in pairwise(segs)]
    m = next((m for t in texts if (m := _LOOSE_DATE.search(fold(t))) is not None), None)
    if m is None or not m.group(1):
        return None
    read = "|".join(g.translate(str.maketrans("OIl", "011")) for g in m.groups())
    best: tuple[int, int, date] | None = None
    for back in range(SIGNED_WITHIN_DAYS + 1):
        d = first - timedelta(days=back)
        edits = min(distance(read, f"{day}|{month}|{d.year}", _NEAR)
                    for day in (str(d.day), f"{d.day:02d}")
                    for month in (str(d.month), f"{d.month:02d}"))
        if edits <= _NEAR and (best is None or edits < best[0]):
            best = (edits, back, d)
    return best[2].isoformat() if best is not None else None


def signing_days(times: Sequence[str | None]) -> list[date]:
    """The days of signing times as reports give them (ISO 8601, Vietnam time)."""
    days = []
    for t in filter(None, times):
        try:
            days.append(datetime.fromisoformat(t).date())
        except ValueError:
            continue
    return days
