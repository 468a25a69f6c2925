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


QNG_FIELDS = ("doc_type_name", "number", "number_year", "symbol", "issued_date", "place",
              "parent_issuer", "issuer", "subject", "signer", "signer_title")
_VV_TRUTH = re.compile(r"^V/v\s+")


def _nfc(value: object) -> str:
    return unicodedata.normalize("NFC", str(value or "")).strip()


def qng_truth(folder: Path) -> dict[str, dict[str, object]]:
    """Per file of ../shared/real/qng: the DESIGN.md keys as the extractor should give them
    (`fields`), which of them a pen wrote (`handwritten`: number, issued_date) and the record's
    `kind` (scan / born-digital). The truth splits a one-agency header into its lines
    ("ỦY BAN NHÂN DÂN" / "TỈNH QUẢNG NGÃI"): then there is no parent agency; a công văn's
    trích yếu is kept without its "V/v" (DESIGN.md)."""
    out: dict[str, dict[str, object]] = {}
    for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        full, parent = _nfc(rec["issuer_full"]), _nfc(rec["parent_issuer"])
        own = full == f"{parent} {_nfc(rec['issuer'])}".strip()
        fields = {"doc_type_name": _nfc(rec["doc_type"]), "number": _nfc(rec["number"]),
                  "number_year": _nfc(rec["number_year"]), "symbol": _nfc(rec["symbol"]),
                  "issued_date": _nfc(rec["issued_date"]), "place": _nfc(rec["place"]),
                  "parent_issuer": "" if own else parent, "issuer": full,
                  "subject": _VV_TRUTH.sub("", _nfc(rec["subject"])),
                  "signer": _nfc(rec["signer_name"]), "signer_title": _nfc(rec["signer_title"])}
        hand = set(rec.get("handwritten") or [])
        out[rec["file"]] = {
            "fields": fields, "kind": rec["kind"], "pages": rec["pages"],
            "handwritten": sorted({"number"} & hand | ({"issued_date"} if hand & {"day",
                                                                                  "month"}
                                                       else set())),
            "signature_page": rec.get("signature_page")}
    return out
