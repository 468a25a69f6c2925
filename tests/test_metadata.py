"""Metadata (issue 5): every document type, OCR-error cases, the TT 05/2025 field models and
their validation messages, JSON Schema export, the TT 02/2019 legacy export, XMP in the PDF,
overrides and `digitize review`."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pikepdf
import pytest
from lxml import etree

from digitize.errors import UsageProblem
from digitize.extract import extract, segments_from_text
from digitize.extract.overrides import apply_overrides, load_overrides, normalise
from digitize.extract.text import implausible_words, tidy
from digitize.model import DocKind
from digitize.schemas.codes import DOC_TYPES
from digitize.schemas.tt05 import (
    DocumentFields,
    DossierFields,
    MetadataError,
    document_fields,
    validate_fields,
)
from digitize.schemas.xmp import embed_metadata, read_metadata
from tests.conftest import SAMPLES, Env, SampleRun

PREMIS = "{http://www.loc.gov/premis/v3}"


def _doc(type_name: str, number_line: str, subject: str = "Triển khai số hóa hồ sơ") -> str:
    return f"""UBND TỈNH CAO BẰNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NỘI VỤ Độc lập - Tự do - Hạnh phúc
{number_line} Cao Bằng, ngày 05 tháng 01 năm 2026
{type_name}
{subject}
Căn cứ Luật Tổ chức chính quyền địa phương;
"""


def _meta(text: str) -> dict:
    return extract(segments_from_text(text), 1).metadata


@pytest.mark.parametrize("t", [t for t in DOC_TYPES if t.abbr and t.name != "CÔNG VĂN"],
                         ids=lambda t: t.abbr)
def test_every_document_type_is_classified(t) -> None:
    m = _meta(_doc(t.name, f"Số: 12/{t.abbr}-SNV"))
    assert (m["doc_type_name"], m["doc_type_code"], m["tt05_type_code"]) == (t.name, t.abbr,
                                                                               t.tt05)
    assert m["symbol"] == f"{t.abbr}-SNV"
    assert m["issuer"] == "SỞ NỘI VỤ" and m["parent_issuer"] == "UBND TỈNH CAO BẰNG"


def test_cong_van_has_no_type_in_its_symbol() -> None:
    m = _meta(_doc("V/v triển khai số hóa hồ sơ", "Số: 07/SNV-VP", subject="Kính gửi: Các sở"))
    assert (m["doc_type_name"], m["doc_type_code"], m["tt05_type_code"]) == ("CÔNG VĂN", "CV",
                                                                               "22")
    assert m["symbol"] == "SNV-VP" and m["subject"] == "triển khai số hóa hồ sơ"


@pytest.mark.parametrize(("title", "kind_name"), [
    ("ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG", "Cấp giấy phép xây dựng"),
    ("TỜ KHAI ĐĂNG KÝ KẾT HÔN", "Đăng ký kết hôn"),
    ("GIẤY ĐỀ NGHỊ ĐĂNG KÝ HỘ KINH DOANH", "Đăng ký hộ kinh doanh"),
    ("'ĐƠN XIN TRÍCH LỤC BẢN ĐỒ ĐỊA CHÍNH", "Trích lục bản đồ địa chính"),  # speck before it
])
def test_one_stop_forms_are_classified(title: str, kind_name: str) -> None:
    text = f"""CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
{title}
Kính gửi: Ủy ban nhân dân xã Hòa An
Họ và tên: TRẦN VĂN BÌNH
Địa chỉ: Thôn 3, xã Hòa An, tỉnh Cao Bằng
"""
    ex = extract(segments_from_text(text), 1)
    assert ex.doc_kind is DocKind.don
    assert ex.metadata["procedure_name"] == kind_name
    assert ex.metadata["address"] == "Thôn 3, xã Hòa An, tỉnh Cao Bằng"


@pytest.mark.parametrize(("line", "number", "symbol"), [
    ("Số: 3NQ-VTLTNN", "3", "NQ-VTLTNN"),          # slash lost
    ("_- Số: 09/QC-SYT", "09", "QC-SYT"),           # specks before "Số"
    ("Số: 116/ÐA-BQL", "116", "ĐA-BQL"),           # Đ read as the Icelandic Eth
    ("Số: 5/QĐÐ-SYT", "5", "QĐ-SYT"),              # a letter doubled
])
def test_number_line_ocr_errors(line: str, number: str, symbol: str) -> None:
    type_name = {"NQ": "NGHỊ QUYẾT", "QC": "QUY CHẾ", "ĐA": "ĐỀ ÁN", "QĐ": "QUYẾT ĐỊNH"}[
        symbol.split("-")[0]]
    m = _meta(_doc(type_name, line))
    assert (m["number"], m["symbol"]) == (number, symbol)


def test_abbreviations_that_fold_alike_follow_the_title() -> None:
    assert _meta(_doc("HƯỚNG DẪN", "Số: 4/HĐ-SNV"))["symbol"] == "HD-SNV"
    assert _meta(_doc("HỢP ĐỒNG", "Số: 4/HĐ-SNV"))["symbol"] == "HĐ-SNV"
    assert _meta(_doc("ĐỀ ÁN", "Số: 4/DA-SNV"))["symbol"] == "ĐA-SNV"


def test_title_merged_or_with_specks_still_names_the_type() -> None:
    m = _meta(_doc("_ĐÊÁN", "Số: 116/ĐA-SNV"))
    assert m["doc_type_name"] == "ĐỀ ÁN" and m["tt05_type_code"] == "12"
    m = _meta(_doc("| PHIẾU CHUYỂN", "Số: 7/PC-SNV"))
    assert m["doc_type_name"] == "PHIẾU CHUYỂN"


def test_type_comes_from_the_symbol_when_no_title_was_read() -> None:
    ex = extract(segments_from_text(_doc("", "Số: 7/TB-SNV", subject="")), 1)
    assert ex.metadata["doc_type_name"] == "THÔNG BÁO" and ex.metadata["tt05_type_code"] == "07"


def test_agency_names_broken_over_lines_are_joined() -> None:
    text = """ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
TỈNH ĐẮK LẮK Độc lập - Tự do - Hạnh phúc
Số: 12/QĐ-UBND Đắk Lắk, ngày 05 tháng 01 năm 2026
QUYẾT ĐỊNH
"""
    m = _meta(text)
    assert m["issuer"] == "ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK" and "parent_issuer" not in m
    text = """UBND TỈNH LAI CHÂU CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SỞ NÔNG NGHIỆP VÀ Độc lập - Tự do - Hạnh phúc
MÔI TRƯỜNG
Số: 12/QĐ-SNNMT Lai Châu, ngày 05 tháng 01 năm 2026
QUYẾT ĐỊNH
"""
    m = _meta(text)
    assert m["parent_issuer"] == "UBND TỈNH LAI CHÂU"
    assert m["issuer"] == "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"


@pytest.mark.parametrize("vv", ["V/v", "VW", "Vlv", "V.v"])
def test_vv_as_ocr_reads_it(vv: str) -> None:
    m = _meta(_doc(f"{vv} cải cách hành chính", "Số: 05/SNV-VP", subject="Kính gửi: Các sở"))
    assert m["subject"] == "cải cách hành chính"


def _signed(*right: str) -> list:
    """The header read as plain text, then a signature block in the right column."""
    from digitize.extract.layout import Segment

    segs = segments_from_text(_doc("QUYẾT ĐỊNH", "Số: 1/QĐ-SNV"))
    segs.append(Segment("Nơi nhận:", 0, 0.1, 0.5, 0.25, 0.52, 0.95))
    segs += [Segment(text, 0, 0.6, 0.5 + 0.03 * i, 0.85, 0.52 + 0.03 * i, 0.95)
             for i, text in enumerate(right)]
    return segs


@pytest.mark.parametrize(("block", "title"), [
    (("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "PHÓ GIÁM ĐỐC"),
    (("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"), "CHỦ TỊCH"),
    (("TL. GIÁM ĐỐC", "CHÁNH VĂN PHÒNG"), "CHÁNH VĂN PHÒNG"),
    (("Q. GIÁM ĐỐC",), "GIÁM ĐỐC"),
    (("KT. CHỦ TICH", "PHÓ CHỦ TICH"), "PHÓ CHỦ TỊCH"),     # lost dot restored
    (("._ KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Ũ"), "PHÓ GIÁM ĐỐC"),  # specks around
])
def test_signature_block_with_kt_tm_tl(block: tuple[str, ...], title: str) -> None:
    ex = extract(_signed(*block, "Nguyễn Văn An ."), 1)
    assert ex.metadata["signer"] == "Nguyễn Văn An"
    assert ex.metadata["signer_title"] == title
    assert ex.confidence["signer_title"] > 0.6


def test_authority_line_without_its_title_goes_to_review() -> None:
    ex = extract(_signed("TL. BỘ TRƯỞNG", "Bùi Văn An"), 1)
    assert ex.confidence["signer_title"] < 0.6


def test_values_lose_specks_and_keep_nfc() -> None:
    assert tidy("__ Hà Nội .") == "Hà Nội"
    assert tidy("SỞ NÔNG NGHIỆP VÀ _ MÔI TRƯỜNG") == "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    assert tidy("giai đoạn 2021 - 2025") == "giai đoạn 2021 - 2025"
    decomposed = "Ha\u0300 No\u0302\u0323i"
    assert tidy(decomposed) == "Hà Nội"


def test_merged_words_lower_confidence_to_review() -> None:
    assert implausible_words("CỤC VĂN THƯ VÀ LƯU TRỮNHÀ NƯỚC") == ["TRỮNHÀ"]
    assert implausible_words("ỦY BAN NHÂN DÂN XÃ EA KAR, ĐẮK LẮK, UBND, THPT") == []
    text = _doc("QUYẾT ĐỊNH", "Số: 1/QĐ-SNV").replace("SỞ NỘI VỤ", "SỞYTẾ")
    ex = extract(segments_from_text(text), 1)
    assert "SỞYTẾ" in ex.metadata["issuer"] and "issuer" in ex.review


# ------------------------------------------------------------------ TT 05/2025 field models
def _good_document() -> DocumentFields:
    return document_fields("H49.64.33.2026.261120-0001", 2, {
        "doc_type_name": "QUYẾT ĐỊNH", "tt05_type_code": "02", "number": "15",
        "symbol": "QĐ-STP", "issued_date": "2026-11-18", "issuer": "SỞ TƯ PHÁP",
        "subject": "Về việc cấp bản sao", "signer": "Lê Văn Thành", "page_count": 1}, "Sở")


def test_document_fields_follow_the_circular() -> None:
    f = _good_document()
    assert (f.docId, f.docCode) == ("H49.64.33.2026.261120-0001.2",
                                    "H49.64.33.2026.261120-0001.0000002")
    assert (f.typeName, f.issuedDate, f.language, f.confidenceLevel) == ("02", "18/11/2026",
                                                                          "01", "02")
    assert len(DocumentFields.model_fields) == 21 and len(DossierFields.model_fields) == 18
    assert all(info.title for info in DocumentFields.model_fields.values())


@pytest.mark.parametrize(("field", "value", "message"), [
    ("typeName", "33", "typeName (Tên loại tài liệu) '33' is not a code of its list (01–32)"),
    ("maintenance", "09", "maintenance (Thời hạn bảo quản) '09' is not a code of its list"),
    ("issuedDate", "31/02/2026", "issuedDate (Ngày, tháng, năm tài liệu) '31/02/2026' is not a "
                                 "real date written DD/MM/YYYY"),
    ("issuedDate", "2026-02-01", "is not a real date written DD/MM/YYYY"),
    ("codeNumber", "15a", "codeNumber (Số của tài liệu) '15a' has the wrong form"),
    ("subject", "x" * 1001, "subject (Trích yếu nội dung)"),
    ("docCode", "H49.1", "docCode (Mã lưu trữ tài liệu) 'H49.1' has the wrong form (expected "
                         "fileCode + '.' + 7-digit sequence)"),
    ("numberOfPage", -1, "numberOfPage (Số lượng trang) -1 must be at least 0"),
])
def test_validation_messages_name_the_field(field: str, value: object, message: str) -> None:
    data = {**_good_document().model_dump(), field: value}
    with pytest.raises(MetadataError) as err:
        validate_fields(DocumentFields, data, "Document 2")
    assert str(err.value).startswith("Document 2 does not meet Thông tư 05/2025/TT-BNV: ")
    assert message in str(err.value)


def test_missing_field_is_named() -> None:
    data = _good_document().model_dump()
    del data["subject"]
    with pytest.raises(MetadataError, match=r"subject \(Trích yếu nội dung\) is missing"):
        validate_fields(DocumentFields, data, "Document 2")


def test_exported_json_schemas_accept_and_reject(cli_env: Env, tmp_path: Path) -> None:
    res = cli_env.run("schema", "export", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    doc_schema = json.loads((tmp_path / "tt05-document.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(doc_schema)
    good = _good_document().model_dump()
    jsonschema.validate(good, doc_schema)
    for bad in ({**good, "typeName": "99"}, {**good, "issuedDate": "2026-11-18"},
                {k: v for k, v in good.items() if k != "docCode"}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, doc_schema)
    for name in ("tt05-dossier", "tt02-legacy", "document", "run"):
        schema = json.loads((tmp_path / f"{name}.schema.json").read_text("utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
    assert doc_schema["properties"]["typeName"]["title"] == "Tên loại tài liệu"


def test_legacy_export_in_the_tt02_field_set(cli_env: Env, sample_run: SampleRun,
                                             tmp_path: Path) -> None:
    dossier = next(d for d in sample_run.summary["dossiers"] if len(d["documents"]) == 3)
    target = tmp_path / "legacy.json"
    res = cli_env.run("schema", "legacy", dossier["bundle"], "--out", str(target))
    assert res.returncode == 0, res.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["Hồ sơ"]["Mã hồ sơ"] == dossier["file_code"]
    assert data["Hồ sơ"]["Tổng số văn bản trong hồ sơ"] == 3
    docs = data["Văn bản"]
    assert len(docs) == 3 and {d["Mức độ tin cậy"] for d in docs} == {"Bản số hóa"}
    by_code = {d["Mã lưu trữ tài liệu"]: d for d in docs}
    tb = next(d for d in docs if d["Tên loại văn bản"] == "Thông báo")
    assert tb["Số của văn bản"] and tb["Ngày, tháng, năm văn bản"].count("/") == 2
    assert len(by_code) == 3
    schema = json.loads(res.stdout) if res.stdout.strip().startswith("{") else None
    assert schema is None  # the export goes to the file, a summary line to stdout


# ------------------------------------------------------------------ XMP
def test_xmp_and_docinfo_carry_the_metadata(sample_run: SampleRun) -> None:
    doc = next(d for dossier in sample_run.summary["dossiers"] for d in dossier["documents"]
               if d["metadata"].get("doc_type_code") == "QĐ")
    xmp = read_metadata(Path(doc["pdf"]))
    assert xmp["symbol"] == "QĐ-STP" and xmp["issuer"] == "SỞ TƯ PHÁP"
    assert xmp["docCode" if "docCode" in xmp else "doc_code"].endswith(".0000002")
    with pikepdf.open(doc["pdf"]) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert "Về việc cấp bản sao trích lục hộ tịch" in str(pdf.docinfo["/Title"])
        assert str(pdf.docinfo["/Author"]) == "SỞ TƯ PHÁP"
        raw = pdf.Root.Metadata.read_bytes()
    root = etree.fromstring(raw)
    assert root.find(".//{http://www.aiim.org/pdfa/ns/extension/}schemas") is not None
    form = next(d for dossier in sample_run.summary["dossiers"] for d in dossier["documents"]
                if d["metadata"].get("id_number"))
    assert form["metadata"]["id_number"].encode() not in Path(form["pdf"]).read_bytes()


def test_embed_keeps_nfc_and_replaces_earlier_values(tmp_path: Path) -> None:
    src = tmp_path / "a.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(src)
    embed_metadata(src, tmp_path / "b.pdf", {"subject": "Ha\u0300 No\u0302\u0323i", "number": "1"})
    embed_metadata(tmp_path / "b.pdf", tmp_path / "c.pdf", {"subject": "Huế", "number": "2"})
    meta = read_metadata(tmp_path / "c.pdf")
    assert meta == {"subject": "Huế", "number": "2"}
    assert read_metadata(tmp_path / "b.pdf")["subject"] == "Hà Nội"


# ------------------------------------------------------------------ overrides
def test_override_values_are_normalised_and_recorded() -> None:
    ex = extract(segments_from_text(_doc("QUYẾT ĐỊNH", "Số: l/QĐ-SNV")), 1)
    fixed = apply_overrides(ex, {"number": "15", "issued_date": "18/11/2026",
                                 "doc_type_name": "thông báo"}, "Nguyễn Văn An", "test")
    assert fixed.metadata["number"] == "15" and fixed.metadata["issued_date"] == "2026-11-18"
    assert (fixed.metadata["doc_type_code"], fixed.metadata["tt05_type_code"]) == ("TB", "07")
    assert fixed.confidence["number"] == 1.0
    assert (fixed.overrides[0].field, fixed.overrides[0].operator) == ("number", "Nguyễn Văn An")
    assert fixed.overrides[0].old == ex.metadata.get("number")


@pytest.mark.parametrize(("content", "message"), [
    ('[documents."a.png"]\nnumbr = "1"\n', "'numbr' is not a metadata field"),
    ('[documents."a.png"]\nissued_date = "31/02/2026"\n', "'31/02/2026' is not a date"),
    ('[documents."a.png"]\nid_number = "12345"\n', "12 digits of a CCCD"),
    ('[documents."a.png"\n', "is not valid TOML"),
])
def test_bad_override_files_are_usage_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "digitize-overrides.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageProblem, match=message):
        load_overrides(path)
    with pytest.raises(ValueError):
        normalise("phone", "12")


def _one_dossier(tmp_path: Path) -> Path:
    src = next(p for p in SAMPLES.iterdir() if p.is_dir() and len(list(p.iterdir())) == 3)
    folder = tmp_path / "in" / src.name
    shutil.copytree(src, folder)
    return folder


def test_sidecar_overrides_reach_metadata_pdf_package_and_provenance(
        cli_env: Env, tmp_path: Path) -> None:
    folder = _one_dossier(tmp_path)
    (folder / "digitize-overrides.toml").write_text(
        'operator = "Trần Thị Lan"\n[documents."thong_bao.png"]\n'
        'subject = "Lịch tiếp công dân tháng 12"\nsigner = "Hoàng Văn Nam"\n', encoding="utf-8")
    out = tmp_path / "out"
    res = cli_env.run("run", str(folder), "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    dossier = json.loads(res.stdout)["dossiers"][0]
    doc = next(d for d in dossier["documents"] if d["source"].endswith("thong_bao.png"))
    assert doc["metadata"]["subject"] == "Lịch tiếp công dân tháng 12"
    assert {o["field"] for o in doc["overrides"]} == {"subject", "signer"}
    assert all(o["operator"] == "Trần Thị Lan" for o in doc["overrides"])
    events = [e for e in doc["provenance"] if e["type"] == "metadata modification"]
    assert len(events) == 2 and events[0]["agent"] == "Trần Thị Lan"
    assert read_metadata(Path(doc["pdf"]))["signer"] == "Hoàng Văn Nam"
    ead = Path(dossier["bundle"]) / "representations/rep1/metadata/descriptive"
    assert any("Lịch tiếp công dân tháng 12" in p.read_text(encoding="utf-8")
               for p in ead.glob("EAD_doc_*.xml"))
    assert subprocess.run(["pdfsig", doc["pdf"]], capture_output=True, text=True
                          ).stdout.count("Signature is Valid") == 1
    aip = tmp_path / "aip"
    res = cli_env.run("bundle", str(out / dossier["id"]), "--aip", "--out", str(aip))
    assert res.returncode == 0, res.stderr
    premis = next(aip.rglob("PREMIS.xml")).read_text(encoding="utf-8")
    assert "metadata modification" in premis and "Lịch tiếp công dân tháng 12" in premis


def test_review_walks_the_fields_and_reruns(cli_env: Env, tmp_path: Path) -> None:
    folder = _one_dossier(tmp_path)
    config = tmp_path / "strict.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + '\n[extract]\nmin_field_confidence = 0.995\n'
                        '[review]\noperator = "Phạm Thu Hà"\n', encoding="utf-8")
    out = tmp_path / "out"
    res = cli_env.run("run", str(folder), "--out", str(out), "--json", "--config", str(config))
    assert res.returncode == 0, res.stderr
    flagged = [(Path(d["source"]).name, r.split(":")[0])
               for d in json.loads(res.stdout)["dossiers"][0]["documents"] for r in d["review"]
               if ":" in r and not r.startswith("page")]
    assert len(flagged) >= 2, flagged
    # First answer corrects (after one refused value), the second keeps the value read (a
    # confirmation), the third is skipped, and the input ends: the rest wait, no error.
    name, field = flagged[0]
    typed, expected = {"number": ("99", "99"), "issued_date": ("01/02/2026", "2026-02-01"),
                       "birth_date": ("01/02/2026", "2026-02-01")}.get(
        field, ("Giá trị sửa", "Giá trị sửa"))
    answers = f"{typed}\n\n" + "-\n" * min(1, len(flagged) - 2)
    if field in ("number", "issued_date"):
        answers = "không hợp lệ\n" + answers  # refused with a message, asked again
    res = cli_env.run("review", str(out), "--config", str(config), "--json",
                      input_text=answers)
    assert res.returncode == 0, res.stderr
    assert "unexpected error" not in res.stderr
    summary = json.loads(res.stdout)
    assert summary["answered"] == 2 and summary["fields"] == len(flagged)
    assert "page crop:" in res.stderr and "OCR line" in res.stderr
    crops = list((out / ".review").rglob("*.png"))
    assert crops
    record = json.loads((out / folder.name / "dossier.json").read_text(encoding="utf-8"))
    doc = next(d for d in record["documents"] if Path(d["source"]).name == name)
    assert doc["metadata"][field] == expected
    assert field not in " ".join(doc["review"])
    override = next(o for o in doc["overrides"] if o["field"] == field)
    assert override["operator"] == "Phạm Thu Hà" and override["new"] == expected
    assert any(e["type"] == "metadata modification" and expected in e["detail"]
               for e in doc["provenance"])


def test_review_lists_the_results_whose_code_needs_a_person(cli_env: Env, tmp_path: Path) -> None:
    from digitize.model import DOSSIER_RECORD, DossierResult, ResultRecord, Status

    out = tmp_path / "out"
    note = "result_code: matches no result of procedure 1.004227; give it with --code"
    record = DossierResult(id="000.00.31.H49-261205-0001", status=Status.needs_review, results=[
        ResultRecord(source="/srv/ket qua/gcn.pdf", status=Status.needs_review, review=[note]),
        ResultRecord(source="/srv/ket qua/qd.pdf", status=Status.ok, code="KQ.DD.000001")])
    (out / record.id).mkdir(parents=True)
    (out / record.id / DOSSIER_RECORD).write_text(record.model_dump_json(), encoding="utf-8")
    res = cli_env.run("review", str(out), "--json", input_text="")
    assert res.returncode == 0, res.stderr
    listed = json.loads(res.stdout)["results"]
    assert [(r["dossier"], r["source"], r["notes"]) for r in listed] == [
        (record.id, "/srv/ket qua/gcn.pdf", [note])]  # the one with a code is not
    assert listed[0]["command"].startswith("digitize result add '/srv/ket qua/gcn.pdf' "
                                           f"--dossier {record.id} --out ")
    shown = cli_env.run("review", str(out), input_text="")
    assert shown.returncode == 0 and "gcn.pdf" in shown.stdout and "--code" in shown.stdout
