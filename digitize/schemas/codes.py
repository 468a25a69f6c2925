"""Code lists: ND 30 document types with their abbreviations and TT 05/2025 typeName codes, and the
TT 05/2025 code lists used in EAD files."""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True)
class DocType:
    name: str  # tên loại as printed, upper case
    abbr: str  # ND 30 abbreviation in "Số: 15/QĐ-..." ("" for công văn, which carries none)
    tt05: str  # TT 05/2025 typeName code


def _doc_types() -> tuple[DocType, ...]:
    text = resources.files(__package__).joinpath("doc_types.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return tuple(DocType(unicodedata.normalize("NFC", r["name"]), r["abbr"], r["tt05"])
                 for r in rows)


DOC_TYPES: tuple[DocType, ...] = _doc_types()  # digitize/schemas/doc_types.csv
CONG_VAN = next(t for t in DOC_TYPES if t.name == "CÔNG VĂN")
OTHER_TYPE_CODE = "32"

# TT 05/2025 code lists (code -> Vietnamese name).
TYPE_NAMES: dict[str, str] = {t.tt05: t.name.capitalize() for t in DOC_TYPES if t.tt05 != "32"}
TYPE_NAMES[OTHER_TYPE_CODE] = "Khác"
LANGUAGES = {"01": "Tiếng Việt", "02": "Tiếng Anh", "03": "Tiếng Pháp", "04": "Tiếng Nga",
             "05": "Tiếng Trung", "06": "Tiếng Hán Nôm", "07": "Tiếng Nhật", "08": "Tiếng Hàn",
             "09": "Tiếng Đức", "10": "Tiếng Lào", "11": "Khác"}
MAINTENANCE = {"01": "Vĩnh viễn", "02": "70 năm", "03": "50 năm", "04": "30 năm", "05": "20 năm",
               "06": "10 năm", "07": "Khác"}
MODES = {"01": "Công khai", "02": "Sử dụng có điều kiện", "03": "Mật"}
CONFIDENCE_LEVELS = {"01": "Bản gốc điện tử", "02": "Bản số hóa", "03": "Hỗn hợp"}
LANGUAGE_VI = "01"
MODE_PUBLIC = "01"
CONFIDENCE_DIGITIZED = "02"
