"""Code lists: ND 30 document types with their abbreviations and TT 05/2025 typeName codes, and the
TT 05/2025 code lists used in EAD files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocType:
    name: str  # tên loại as printed, upper case
    abbr: str  # ND 30 abbreviation in "Số: 15/QĐ-..." ("" for công văn, which carries none)
    tt05: str  # TT 05/2025 typeName code


DOC_TYPES: tuple[DocType, ...] = (
    DocType("NGHỊ QUYẾT", "NQ", "01"),
    DocType("QUYẾT ĐỊNH", "QĐ", "02"),
    DocType("CHỈ THỊ", "CT", "03"),
    DocType("QUY CHẾ", "QC", "04"),
    DocType("QUY ĐỊNH", "QyĐ", "05"),
    DocType("THÔNG CÁO", "TC", "06"),
    DocType("THÔNG BÁO", "TB", "07"),
    DocType("HƯỚNG DẪN", "HD", "08"),
    DocType("CHƯƠNG TRÌNH", "CTr", "09"),
    DocType("KẾ HOẠCH", "KH", "10"),
    DocType("PHƯƠNG ÁN", "PA", "11"),
    DocType("ĐỀ ÁN", "ĐA", "12"),
    DocType("DỰ ÁN", "DA", "13"),
    DocType("BÁO CÁO", "BC", "14"),
    DocType("TỜ TRÌNH", "TTr", "15"),
    DocType("GIẤY ỦY QUYỀN", "GUQ", "16"),
    DocType("PHIẾU GỬI", "PG", "17"),
    DocType("PHIẾU CHUYỂN", "PC", "18"),
    DocType("PHIẾU BÁO", "PB", "19"),
    DocType("BIÊN BẢN", "BB", "20"),
    DocType("HỢP ĐỒNG", "HĐ", "21"),
    DocType("CÔNG VĂN", "CV", "22"),
    DocType("CÔNG ĐIỆN", "CĐ", "23"),
    DocType("BẢN GHI NHỚ", "GN", "24"),
    DocType("BẢN THỎA THUẬN", "TTh", "25"),
    DocType("GIẤY MỜI", "GM", "26"),
    DocType("GIẤY GIỚI THIỆU", "GGT", "27"),
    DocType("GIẤY NGHỈ PHÉP", "GNP", "28"),
    DocType("THƯ CÔNG", "TC", "29"),
    DocType("BẢN ĐỒ", "BĐ", "30"),
    DocType("BẢN VẼ KỸ THUẬT", "BV", "31"),
    DocType("GIẤY CHỨNG NHẬN", "GCN", "32"),
)
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
