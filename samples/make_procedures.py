"""Make a small, invented procedure catalogue (samples/procedures.csv) in the shape one-stop
systems export it: one row per component, the procedure's columns repeated, Vietnamese headers.
Five procedures: the three the sample dossiers belong to (birth registration, building permit,
a copy of a civil-status extract), land registration and household business registration.
Every code is invented: nothing of a real province's catalogue is shipped.

Run: python samples/make_procedures.py [--out FILE.csv|FILE.xlsx]
The tests write it as CSV and XLSX; `make samples` writes samples/procedures.csv.
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ("STT", "Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Mức độ", "Mã thành phần",
          "Tên thành phần hồ sơ", "Số bản chính", "Số bản sao", "Bắt buộc", "Tên kết quả",
          "Mã kết quả")
# (code, name, field, level, result name, result code, components: (code, name, originals,
#  copies, required))
PROCEDURES = (
    ("1.000001", "Đăng ký khai sinh", "Hộ tịch", "Toàn trình", "Giấy khai sinh",
     "KQ.HT.000001", (
         ("KS01", "Tờ khai đăng ký khai sinh (theo mẫu)", 1, 0, True),
         ("KS02", "Giấy chứng sinh hoặc văn bản của người làm chứng", 1, 0, True),
         ("KS03", "Bản sao Căn cước công dân của người yêu cầu", 0, 1, False))),
    ("1.000002", "Cấp giấy phép xây dựng", "Xây dựng", "Một phần", "Giấy phép xây dựng",
     "KQ.XD.000001", (
         ("XD01", "Đơn đề nghị cấp giấy phép xây dựng (Mẫu số 01)", 1, 0, True),
         ("XD02", "Bản sao giấy tờ chứng minh quyền sử dụng đất", 0, 1, True),
         ("XD03", "Bản vẽ thiết kế xây dựng", 2, 0, True))),
    ("1.000003", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "Toàn trình",
     "Bản sao trích lục hộ tịch", "KQ.HT.000002", (
         ("TL01", "Đơn đề nghị cấp bản sao trích lục hộ tịch", 1, 0, True),
         ("TL02", "Bản sao Căn cước công dân của người yêu cầu", 0, 1, False))),
    ("2.000004", "Đăng ký biến động quyền sử dụng đất", "Đất đai", "Một phần",
     "Giấy chứng nhận quyền sử dụng đất", "KQ.DD.000001", (
         ("DD01", "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất (Mẫu số 11/ĐK)", 1,
          0, True),
         ("DD02", "Bản gốc Giấy chứng nhận quyền sử dụng đất đã cấp", 1, 0, True),
         ("DD03", "Bản sao Căn cước công dân của người đề nghị", 0, 1, True),
         ("DD04", "Văn bản ủy quyền (nếu có)", 1, 0, False))),
    ("2.000005", "Đăng ký thành lập hộ kinh doanh", "Thành lập và hoạt động của hộ kinh "
     "doanh", "Toàn trình", "Giấy chứng nhận đăng ký hộ kinh doanh", "KQ.KD.000001", (
         ("KD01", "Giấy đề nghị đăng ký hộ kinh doanh", 1, 0, True),
         ("KD02", "Bản sao Căn cước công dân của chủ hộ kinh doanh", 0, 1, True),
         ("KD03", "Bản sao biên bản họp thành viên hộ gia đình", 0, 1, False))),
)


def rows() -> list[list[str]]:
    """The header and one row per component, NFC."""
    found = [list(HEADER)]
    for code, name, field, level, result, result_code, components in PROCEDURES:
        for part, part_name, originals, copies, required in components:
            found.append([str(len(found)), code, name, field, level, part, part_name,
                          str(originals), str(copies), "x" if required else "", result,
                          result_code])
    return [[unicodedata.normalize("NFC", c) for c in row] for row in found]


def write(path: Path, table: list[list[str]] | None = None) -> Path:
    """The catalogue (or `table`) as CSV UTF-8 (as Excel saves it, with a BOM) or XLSX (text
    cells, as a one-stop system exports them)."""
    table = rows() if table is None else table
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        for row in table:
            sheet.append(row)
        book.save(path)
        return path
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(table)
    path.write_text(text.getvalue(), encoding="utf-8-sig")
    return path


if __name__ == "__main__":
    write(Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv
          else HERE / "procedures.csv")
