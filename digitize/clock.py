"""Vietnam time, in which every timestamp digitize writes is expressed (ISO 8601, +07:00)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def now_vn() -> str:
    """Times as the TT 05/2025 sample package writes them: 2025-07-01T11:45:37.690+07:00."""
    return datetime.now(VN_TZ).isoformat(timespec="milliseconds")
