"""The dossier's cover and index told apart from documents by their titles and labels, and an
index's rows read in the shapes OCR gives them (lost STT digits, wrapped and centred cells,
symbols with a year)."""

from __future__ import annotations

from digitize.extract.sheets import cross_check, parse_cover, parse_index, sheet_kind

COVER = """UBND TỈNH QUẢNG NGÃI
SỞ TƯ PHÁP
Phông số: 12   Mục lục số: 03
Hộp số: 7
Mã hồ sơ: 000.00.12.H55.2025.17
HỒ SƠ
Chứng thực chữ ký
người dịch năm 2025
Từ ngày 02/01/2025 đến ngày 30/12/2025
Gồm 214 tờ
Thời hạn bảo quản: 20 năm
"""

INDEX = """MỤC LỤC VĂN BẢN
STT Số, ký hiệu Ngày tháng Tác giả Trích yếu nội dung Tờ số Ghi chú
21/2026/TT-BCT 14/03/2026 BỘ CÔNG THƯƠNG Quy định chi tiết một số điều 1-12
của Luật Điện lực
Quyết định phê duyệt
2 | 115/QĐ-UBND 02/04/2026 UBND TỈNH kế hoạch năm 2026 13
3 05/03/2026 CÔNG DÂN Đơn đề nghị 14-15
"""


def test_cover_and_index_are_recognised_and_a_document_is_not() -> None:
    assert sheet_kind(COVER) == "cover"
    assert sheet_kind(INDEX) == "index"
    decision = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 115/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc phê "
                "duyệt hồ sơ số 12\nThời hạn bảo quản hồ sơ theo quy định")
    assert sheet_kind(decision) is None  # one label and no HỒ SƠ title: a document


def test_cover_fields_are_read_whatever_the_labels_wording() -> None:
    cover = parse_cover(COVER)
    assert cover.title == "Chứng thực chữ ký người dịch năm 2025"
    assert (cover.start, cover.end) == ("2025-01-02", "2025-12-30")
    assert cover.sheets == 214 and cover.maintenance == "05"


def test_index_rows_survive_lost_numbers_and_wrapped_cells() -> None:
    rows = parse_index(INDEX)
    assert [r.number for r in rows] == [1, 2, 3]
    assert (rows[0].code_number, rows[0].symbol, rows[0].issued, rows[0].sheets) == (
        "21", "2026/TT-BCT", "2026-03-14", "1-12")
    assert "Luật Điện lực" in rows[0].text
    assert (rows[1].code_number, rows[1].symbol, rows[1].sheets) == ("115", "QĐ-UBND", "13")
    assert "phê duyệt" in rows[1].lead  # a centred cell's first line, above its row
    assert (rows[2].code_number, rows[2].issued, rows[2].sheets) == ("", "2026-03-05", "14-15")


def test_each_disagreement_names_the_field_with_both_values() -> None:
    docs = [
        {"number": "21", "symbol": "2026/TT-BCT", "issued_date": "2026-03-14", "page_count": 12,
         "subject": "Quy định chi tiết một số điều của Luật Điện lực"},
        {"number": "116", "symbol": "QĐ-UBND", "issued_date": "2026-04-02", "page_count": 1,
         "subject": "Quyết định phê duyệt kế hoạch năm 2026"},
        {"number": None, "issued_date": "2026-03-06", "page_count": 2, "subject": "Đơn đề nghị"},
    ]
    found = cross_check(parse_index(INDEX), docs)
    assert found[0] == []
    assert [(d.field, d.read, d.index) for d in found[1]] == [("number", "116", "115")]
    assert [(d.field, d.read, d.index) for d in found[2]] == [
        ("issued_date", "2026-03-06", "2026-03-05")]


# An archive's own cover, as archived dossiers carry it (issue 36): a large HỒ SƠ, "Tập …",
# the span in words, "Gồm … tờ" and the retention, none of the labels our generator prints.
ARCHIVE_COVER = """UBND HUYỆN NGHĨA HÀNH
PHÒNG TÀI NGUYÊN VÀ MÔI TRƯỜNG
HỒ SƠ.
Cấp giấy chứng nhận quyền sử dụng đất
cho hộ ông Nguyễn Văn Bình
Tập lưu hồ sơ đất đai năm 2010
Từ ngày 05 tháng 01 năm 2010 đến ngày 28 tháng 12 năm 2010
Gồm 25 tờ
Thời hạn bảo quản: Vĩnh viễn"""


def test_an_archives_real_cover_is_a_cover_not_a_document() -> None:
    assert sheet_kind(ARCHIVE_COVER) == "cover"
    cover = parse_cover(ARCHIVE_COVER)
    assert cover.title == "Cấp giấy chứng nhận quyền sử dụng đất cho hộ ông Nguyễn Văn Bình"
    assert (cover.start, cover.end, cover.sheets) == ("2010-01-05", "2010-12-28", 25)
    assert cover.maintenance == "01"
    # A decision that names a span and sheets in its trích yếu is still a document.
    decision = ("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 12/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc giao "
                "đất từ ngày 05/01/2010 đến ngày 30/12/2010\nGồm các hộ theo tờ bản đồ số 4")
    assert sheet_kind(decision) is None


def test_an_index_titled_as_archives_title_it_is_an_index() -> None:
    assert sheet_kind("UBND HUYỆN NGHĨA HÀNH\nMỤC LỤC TÀI LIỆU\nSTT Số, ký hiệu Trích yếu") \
        == "index"
    assert sheet_kind("DANH MỤC VĂN BẢN TRONG HỒ SƠ\nSTT Số, ký hiệu") == "index"
    # A decision that names a list in its trích yếu, below its header, is a document.
    assert sheet_kind("ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI\nSố: 3/QĐ-UBND\nQUYẾT ĐỊNH\nVề việc "
                      "ban hành danh mục tài liệu hết giá trị") is None
