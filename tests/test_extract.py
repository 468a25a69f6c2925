"""Field extraction from text as OCR really returns it: merged header columns, lost diacritics,
TTr read as TTT, O/0 and l/1 confusions, a date line split in two, V/v variants."""

from __future__ import annotations

import pytest

from digitize.extract import extract, segments_from_text
from digitize.extract.text import fold
from digitize.model import DocKind

QD = """UBND TỈNH TUYÊN QUANG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ TƯ PHÁP Độc lập - Tự do - Hạnh phúc
Số: 15/QĐ-STP Tuyên Quang, ngày 18 tháng 11 năm 2026
QUYẾT ĐỊNH
Về việc cấp bản sao trích lục hộ tịch cho công dân
GIÁM ĐỐC SỞ TƯ PHÁP
Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;
"""


def _meta(text: str) -> dict:
    return extract(segments_from_text(text), 1).metadata


def test_administrative_document_fields() -> None:
    ex = extract(segments_from_text(QD), 1)
    assert ex.doc_kind is DocKind.van_ban
    m = ex.metadata
    assert (m["doc_type_name"], m["doc_type_code"], m["tt05_type_code"]) == (
        "QUYẾT ĐỊNH", "QĐ", "02")
    assert (m["number"], m["symbol"]) == ("15", "QĐ-STP")
    assert (m["issued_date"], m["place"]) == ("2026-11-18", "Tuyên Quang")
    assert (m["parent_issuer"], m["issuer"]) == ("UBND TỈNH TUYÊN QUANG", "SỞ TƯ PHÁP")
    assert m["subject"] == "Về việc cấp bản sao trích lục hộ tịch cho công dân"
    assert ex.review == ()


@pytest.mark.parametrize(("line", "number", "symbol"), [
    ("So: 27/TTT-PHT", "27", "TTr-PHT"),           # lost accent, TTr read as TTT
    ("Số: 2O/QĐ-UBND", "20", "QĐ-UBND"),           # letter O for zero
    ("Số : l5 / QĐ - STP", "15", "QĐ-STP"),        # l for 1, stray spaces
    ("Sô: 08/tb-ubnd", "08", "TB-UBND"),           # wrong accent, lower case
])
def test_number_and_symbol_survive_ocr_errors(line: str, number: str, symbol: str) -> None:
    m = _meta(QD.replace("Số: 15/QĐ-STP", line))
    assert (m["number"], m["symbol"]) == (number, symbol)


def test_lost_diacritics_in_type_name_and_date() -> None:
    text = QD.replace("QUYẾT ĐỊNH\n", "QUYET DINH\n").replace(
        "ngày 18 tháng 11 năm 2026", "ngay 18 thang 11 nam 2026")
    m = _meta(text)
    assert m["doc_type_name"] == "QUYẾT ĐỊNH" and m["issued_date"] == "2026-11-18"


def test_date_line_split_over_two_lines() -> None:
    text = QD.replace("Tuyên Quang, ngày 18 tháng 11 năm 2026",
                      "Tuyên Quang, ngày 18 tháng 11\nnăm 2026")
    assert _meta(text)["issued_date"] == "2026-11-18"


@pytest.mark.parametrize("vv", ["V/v", "V/V", "V.v", "v/v"])
def test_cong_van_subject_without_vv(vv: str) -> None:
    text = QD.replace("Số: 15/QĐ-STP", "Số: 05/STP-VP").replace(
        "QUYẾT ĐỊNH\nVề việc cấp bản sao trích lục hộ tịch cho công dân\n",
        f"{vv} cấp bản sao trích lục hộ tịch\n")
    m = _meta(text)
    assert m["doc_type_name"] == "CÔNG VĂN" and m["doc_type_code"] == "CV"
    assert m["subject"] == "cấp bản sao trích lục hộ tịch"
    assert m["symbol"] == "STP-VP"


def test_application_form_fields() -> None:
    text = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
TỜ KHAI ĐĂNG KÝ KHAI SINH
Kính gửi: Ủy ban nhân dân xã Minh Xuân
Họ và tên người yêu cầu: NGUYỄN THỊ HỒNG NHUNG
Ngày, tháng, năm sinh: 12/03/1990
Số định danh cá nhân (CCCD): OO819OO12345
Số điện thoại: 0912 345 678
Minh Xuân, ngày 20 tháng 11 năm 2026
"""
    ex = extract(segments_from_text(text), 1)
    assert ex.doc_kind is DocKind.don
    m = ex.metadata
    assert m["applicant_name"] == "NGUYỄN THỊ HỒNG NHUNG"
    assert m["birth_date"] == "1990-03-12"
    assert m["id_number"] == "008190012345"
    assert m["phone"] == "0912345678"
    assert m["procedure_name"] == "Đăng ký khai sinh"
    assert (m["issued_date"], m["place"]) == ("2026-11-20", "Minh Xuân")


def test_missing_required_fields_go_to_review() -> None:
    ex = extract(segments_from_text("Một trang không có tiêu đề\nchỉ có vài dòng chữ.\n"), 1)
    assert "number" in ex.review and "issuer" in ex.review
    assert all(0 <= c <= 1 for c in ex.confidence.values())


def test_fold_keeps_length_for_nfc_text() -> None:
    s = "Số: 15/QĐ-UBND Tuyên Quang, ngày 05 tháng 01 năm 2020 Ủy ban"
    assert len(fold(s)) == len(s)
