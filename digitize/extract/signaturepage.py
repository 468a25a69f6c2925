"""The page of a document that carries its signature block, which is not always the file's last
page: blank backs and a draft attachment may follow it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from digitize.extract.layout import Segment
from digitize.extract.text import fold, tidy

# Parts of the quốc hiệu, also as OCR leaves them ("ộc lập" without its Đ, "HÒA.XÃ").
QUOC_HIEU = re.compile(r"C?ONG\W*H[OU]A\W*XA|CHU\W*NGHIA\W*VIET|D?OC\W*LAP\W|TU\W*DO\W*-|"
                       r"HANH\W*PHUC")
_NOI_NHAN = re.compile(r"^N[OƠ0]I\s*NH[AÂ]N\b")


def signature_page(segs: Sequence[Segment]) -> int:
    """The page that carries the signature block: ND 30 sets it level with "Nơi nhận:", on
    the document's last page, which is not the file's last page where blank backs or a draft
    attachment follow (an attachment opens with a quốc hiệu of its own). The first page with
    "Nơi nhận:" before any such attachment, else the last page before it."""
    first = min(s.page for s in segs)
    later_header = [s.page for s in segs if s.page > first and s.has_geometry and
                    s.y0 < 0.2 and QUOC_HIEU.search(fold(s.text))]
    end = min(later_header, default=max(s.page for s in segs) + 1)
    own = [s for s in segs if s.page < end]
    listed = [s.page for s in own if _NOI_NHAN.match(fold(tidy(s.text)))
              and (not s.has_geometry or s.cx < 0.5)]
    return min(listed) if listed else max(s.page for s in own)
