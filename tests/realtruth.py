"""The fields of the real government pages' truth (../shared/real/gov-pages/truth.jsonl), as
the extractor should give them: the type, number and symbol from each record's `title`
("Quyết định 729/QĐ-TTg"), the issuer from `issuer` with its abbreviations spelled out. The
Hà Nội pages' number is blank on the page (filled in at signing): the right reading is none.
Shared by the tests and benchmarks/extraction_eval.py."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

_TITLE = re.compile(r"^(?P<type>.+?) (?P<number>\d+)/(?P<symbol>\S+)$")
_EXPAND = {"UBND": "ỦY BAN NHÂN DÂN", "TP": "THÀNH PHỐ"}
BLANK_NUMBER = ("real_hanoi_",)  # their số is printed blank


def real_truth(pages: Path) -> dict[str, dict[str, str]]:
    """Per page (doc_id): doc_type_name, number, symbol and issuer."""
    out = {}
    for line in (pages / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        m = _TITLE.match(unicodedata.normalize("NFC", rec["title"]))
        if m is None:
            raise ValueError(f"truth title not understood: {rec['title']!r}")
        issuer = " ".join(_EXPAND.get(w, w) for w in rec["issuer"].split()).upper()
        blank = rec["doc_id"].startswith(BLANK_NUMBER)
        out[rec["doc_id"]] = {"doc_type_name": m["type"].upper(),
                              "number": "" if blank else m["number"],
                              "symbol": m["symbol"], "issuer": issuer}
    return out
