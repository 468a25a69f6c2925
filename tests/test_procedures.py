"""The desk's procedure catalogue and each dossier's components, through the real CLI: the
generated catalogue imported from CSV and XLSX (headers with and without marks, columns named
in the config), bad files refused with their row number and nothing written; and a real run of
born-digital dossiers of one procedure, complete, missing a required component, with an extra
and an unsure document, and one whose procedure is not in the catalogue."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from lxml import etree

from samples.make_procedures import rows, write

from .borndigital import Block, born_digital_pdf
from .conftest import Env
from .eark import assert_conforms, needs_checker

LAND = "2.000004"
LAND_NAME = "Đăng ký biến động quyền sử dụng đất"
GCN = ("DD02", "Bản gốc Giấy chứng nhận quyền sử dụng đất đã cấp")
METS = "{http://www.loc.gov/METS/}"


def _config(env: Env, folder: Path, extra: str = "") -> Path:
    """The session's config with a catalogue of this test's own (never the session's)."""
    config = folder / "config.toml"
    config.write_text(Path(env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + f'\n[procedures]\nfile = "{folder / "catalogue.json"}"\n{extra}',
                      encoding="utf-8")
    return config


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_generated_catalogue_imports_from_csv_and_xlsx(cli_env: Env, tmp_path: Path,
                                                           kind: str) -> None:
    config = _config(cli_env, tmp_path)
    res = cli_env.run("procedures", "import", str(write(tmp_path / f"tthc.{kind}")),
                      "--config", str(config), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["procedures"] == 5
    listed = json.loads(cli_env.run("procedures", "list", "--json", "--config",
                                    str(config)).stdout)
    assert [p["code"] for p in listed["procedures"]] == ["1.000001", "1.000002", "1.000003",
                                                         LAND, "2.000005"]
    shown = cli_env.run("procedures", "show", LAND, "--json", "--config", str(config))
    land = json.loads(shown.stdout)
    assert land["name"] == LAND_NAME and land["field"] == "Đất đai"
    parts = {c["code"]: c for c in land["components"]}
    assert list(parts) == ["DD01", "DD02", "DD03", "DD04"]
    assert parts["DD02"]["name"] == GCN[1] and parts["DD02"]["originals"] == 1
    assert parts["DD03"]["copies"] == 1 and parts["DD04"]["required"] is False
    assert all(unicodedata.is_normalized("NFC", c["name"]) for c in land["components"])
    assert land["results"] == [{"code": "KQ.DD.000001",
                                "name": "Giấy chứng nhận quyền sử dụng đất"}]
    table = cli_env.run("procedures", "show", LAND, "--config", str(config))
    assert "DD02" in table.stdout and "Bản gốc Giấy chứng nhận" in table.stdout
    unknown = cli_env.run("procedures", "show", "9.999999", "--config", str(config))
    assert unknown.returncode == 2 and "9.999999" in unknown.stderr


def test_headers_without_marks_and_columns_named_in_the_config(cli_env: Env,
                                                                tmp_path: Path) -> None:
    table = rows()
    table[0] = ["STT", "Ma thu tuc", "Ten thu tuc", "Linh vuc", "Muc do", "Ma giay to nop",
                "Ten thanh phan ho so", "So ban chinh", "So ban sao", "Bat buoc", "Ten ket qua",
                "Ma ket qua"]
    source = write(tmp_path / "tthc.csv", table)
    config = _config(cli_env, tmp_path)
    refused = cli_env.run("procedures", "import", str(source), "--config", str(config))
    assert refused.returncode == 3 and "component_code" in refused.stderr
    config = _config(cli_env, tmp_path, 'columns = {component_code = "Mã giấy tờ nộp"}\n')
    res = cli_env.run("procedures", "import", str(source), "--config", str(config), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["components"] == 15


def _bad(table: list[list[str]], case: str) -> int:
    """Spoil `table` as `case` says; the spreadsheet row number of the bad row."""
    if case == "missing column":
        for row in table:
            del row[6]  # Tên thành phần hồ sơ
        return 1
    if case == "duplicate code":
        table[5][5] = table[4][5]  # two components of 1.000002 with the same code
        return 6
    if case == "component without code":
        table[8][5] = ""
        return 9
    table[10][1] = "2.00004"  # a code a spreadsheet read as a number
    return 11


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
@pytest.mark.parametrize("case", ["missing column", "duplicate code", "component without code",
                                  "numeric code"])
def test_a_bad_catalogue_is_refused_with_its_row_and_nothing_is_written(
        cli_env: Env, tmp_path: Path, case: str, kind: str) -> None:
    config = _config(cli_env, tmp_path)
    good = cli_env.run("procedures", "import", str(write(tmp_path / "good.csv")), "--config",
                       str(config))
    assert good.returncode == 0, good.stderr
    stored = (tmp_path / "catalogue.json").read_bytes()
    table = rows()
    row = _bad(table, case)
    source = write(tmp_path / f"bad.{kind}", table)
    res = cli_env.run("procedures", "import", str(source), "--config", str(config))
    assert res.returncode == 3, res.stderr
    message = " ".join(res.stderr.split())
    assert str(source) in message and "Traceback" not in res.stderr
    assert case == "missing column" or f"row {row}" in message, message
    assert (tmp_path / "catalogue.json").read_bytes() == stored  # the old one, whole
    assert not list(tmp_path.glob(".catalogue.json.*"))


# Born-digital pages of a land registration dossier, as the citizen hands them in.
HEAD: Block = (300, 770, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
PAGES: dict[str, tuple[Block, ...]] = {
    "don.pdf": (HEAD, (90, 700, 14, "ĐƠN ĐĂNG KÝ BIẾN ĐỘNG ĐẤT ĐAI, TÀI SẢN GẮN LIỀN VỚI ĐẤT"),
                (60, 600, 12, "Kính gửi: Văn phòng đăng ký đất đai tỉnh Quảng Ngãi\n"
                              "Họ và tên người sử dụng đất: NGUYỄN VĂN BÌNH\n"
                              "Địa chỉ: thôn An Phú, xã Tịnh Khê, tỉnh Quảng Ngãi\n"
                              "Nội dung biến động: chuyển nhượng quyền sử dụng đất")),
    "gcn.pdf": (HEAD, (150, 700, 16, "GIẤY CHỨNG NHẬN\nQUYỀN SỬ DỤNG ĐẤT"),
                (60, 560, 12, "Người sử dụng đất: ông Nguyễn Văn Bình\n"
                              "Thửa đất số: 125, tờ bản đồ số: 12\n"
                              "Địa chỉ: thôn An Phú, xã Tịnh Khê, tỉnh Quảng Ngãi")),
    "cccd.pdf": (HEAD, (200, 700, 16, "CĂN CƯỚC CÔNG DÂN"),
                 (60, 600, 12, "Họ và tên: NGUYỄN VĂN BÌNH\nNgày sinh: 12/03/1980\n"
                               "Quê quán: xã Tịnh Khê, tỉnh Quảng Ngãi")),
    "hon_nhan.pdf": (HEAD, (120, 700, 14, "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"),
                     (60, 600, 12, "Ủy ban nhân dân xã Tịnh Khê xác nhận ông Nguyễn Văn Bình\n"
                                   "hiện đang có vợ là bà Trần Thị Hoa.")),
    "uy_quyen.pdf": (HEAD, (150, 700, 14, "VĂN BẢN THỎA THUẬN ỦY QUYỀN"),
                     (60, 600, 12, "Bên ủy quyền: bà Trần Thị Hoa\n"
                                   "Bên được ủy quyền: ông Nguyễn Văn Bình")),
}
COMPLETE, MISSING, EXTRA, UNKNOWN = (f"000.00.31.H49-261201-000{n}" for n in range(1, 5))
DOSSIERS = {COMPLETE: ("don.pdf", "gcn.pdf", "cccd.pdf"), MISSING: ("don.pdf", "cccd.pdf"),
            EXTRA: ("don.pdf", "gcn.pdf", "cccd.pdf", "hon_nhan.pdf", "uy_quyen.pdf"),
            UNKNOWN: ("cccd.pdf",)}


def _dossiers(root: Path) -> Path:
    made = {name: born_digital_pdf(root / "pages" / name, blocks)
            for name, blocks in PAGES.items()}
    for dossier, names in DOSSIERS.items():
        for name in names:
            (root / "in" / dossier).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(made[name], root / "in" / dossier / name)
    # One dossier says its procedure in its folder (as the web intake writes it); the received
    # list gives the others, by code or by name, and names one the catalogue does not have.
    (root / "in" / MISSING / ".procedure").write_text(LAND + "\n", encoding="utf-8")
    (root / "tiep_nhan.csv").write_text(
        "Mã hồ sơ;Ngày tiếp nhận;Mã TTHC\n"
        f"{COMPLETE};01/12/2026;{LAND}\n{EXTRA};01/12/2026;{LAND_NAME.lower()}\n"
        f"{UNKNOWN};01/12/2026;9.999999\n", encoding="utf-8-sig")
    return root / "in"


def _docs(record: dict) -> dict[str, dict]:
    return {Path(d["source"]).name: d for d in record["documents"]}


def _component_notes(doc: dict) -> list[str]:
    return [n for n in doc["review"] if n.startswith("component_code:")]


@pytest.mark.slow
def test_dossiers_know_their_procedure_and_components(cli_env: Env, tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path)
    assert cli_env.run("procedures", "import", str(write(tmp_path / "tthc.xlsx")), "--config",
                       str(config)).returncode == 0
    inbox, out = _dossiers(tmp_path), tmp_path / "out"
    wrong = cli_env.run("run", str(inbox), "--out", str(out), "--config", str(config),
                        "--procedure", "9.999998")
    assert wrong.returncode == 2 and "9.999998" in wrong.stderr and not out.exists()
    res = cli_env.run("run", str(inbox), "--out", str(out), "--config", str(config), "--json",
                      "--received", str(tmp_path / "tiep_nhan.csv"))
    assert res.returncode == 1, res.stderr  # the dossier of an unknown procedure failed
    summary = {d["id"]: d for d in json.loads(res.stdout)["dossiers"]}
    records = {k: json.loads((out / k / "dossier.json").read_text(encoding="utf-8"))
               for k in DOSSIERS}

    # The rest of the batch went on; the unknown procedure is one sentence naming it.
    assert summary[UNKNOWN]["status"] == "failed" and summary[UNKNOWN]["bundle"] is None
    assert "9.999999" in summary[UNKNOWN]["error"] and "Traceback" not in res.stderr
    assert _docs(records[UNKNOWN])["cccd.pdf"]["pdf"]  # its document is kept, signed
    for dossier in (COMPLETE, MISSING, EXTRA):
        assert summary[dossier]["procedure_code"] == records[dossier]["procedure_code"] == LAND
        assert records[dossier]["bundle"], dossier

    # Each document carries its component code, sure where its title says it.
    for dossier in (COMPLETE, MISSING, EXTRA):
        docs = _docs(records[dossier])
        expected = {"don.pdf": "DD01", "gcn.pdf": "DD02", "cccd.pdf": "DD03"}
        for name, code in expected.items():
            if name in docs:
                assert docs[name]["metadata"]["component_code"] == code, (dossier, name)
                assert docs[name]["confidence"]["component_code"] >= 0.95
                assert not _component_notes(docs[name]), docs[name]["review"]
    assert records[COMPLETE]["missing_components"] == []
    assert not records[COMPLETE]["review"]

    # The missing one is named, in --json and in the record; the dossier is not complete.
    gone = {"code": GCN[0], "name": GCN[1]}
    assert summary[MISSING]["missing_components"] == records[MISSING]["missing_components"] \
        == [gone]
    assert unicodedata.is_normalized("NFC", records[MISSING]["missing_components"][0]["name"])
    assert records[MISSING]["status"] == "needs_review"
    assert any(GCN[1] in note for note in records[MISSING]["review"])
    table = cli_env.run("report", str(out), "--json")
    assert json.loads(table.stdout)["missing_components"] == [
        {"dossier": MISSING, "procedure_code": LAND, "missing": [gone]}]

    # The extra document matches nothing, the unsure one is matched but sent to review.
    extra = _docs(records[EXTRA])
    assert "component_code" not in extra["hon_nhan.pdf"]["metadata"]
    assert extra["hon_nhan.pdf"]["status"] == "needs_review"
    assert _component_notes(extra["hon_nhan.pdf"])
    unsure = extra["uy_quyen.pdf"]
    assert unsure["metadata"]["component_code"] == "DD04"
    assert unsure["confidence"]["component_code"] < 0.95 and _component_notes(unsure)
    assert unsure["status"] == "needs_review" and records[EXTRA]["missing_components"] == []

    # The package says it: each document's division has its component code, its EAD_doc
    # names it, the dossier's EAD names the procedure and what is missing.
    pkg = Path(records[COMPLETE]["bundle"])
    rep = etree.parse(str(pkg / "representations" / "rep1" / "METS.xml"))
    assert sorted(d.get("TYPE") for d in rep.iter(f"{METS}div") if d.get("DMDID")) == \
        ["DD01", "DD02", "DD03"]
    root = etree.parse(str(pkg / "METS.xml"))
    assert [a.text for a in root.iter(f"{METS}altRecordID")
            if a.get("TYPE") == "PROCEDURECODE"] == [LAND]
    described = [p.read_text(encoding="utf-8") for p in
                 (pkg / "representations" / "rep1" / "metadata" / "descriptive").glob("*.xml")]
    assert any(f"Thành phần hồ sơ DD02: {GCN[1]}" in text for text in described)
    lacking = Path(records[MISSING]["bundle"]) / "metadata" / "descriptive" / "EAD.xml"
    assert f"Thiếu thành phần hồ sơ: {GCN[1]} (DD02)" in lacking.read_text(encoding="utf-8")

    # The clerk settles both in review: the extra one is no component, the unsure one is.
    (out / ".overrides").mkdir(exist_ok=True)
    (out / ".overrides" / f"{EXTRA}.toml").write_text(
        'operator = "Nguyễn Thị Lan"\n[documents."hon_nhan.pdf"]\ncomponent_code = "-"\n'
        '[documents."uy_quyen.pdf"]\ncomponent_code = "DD04"\n', encoding="utf-8")
    again = cli_env.run("run", str(inbox), "--out", str(out), "--config", str(config), "--json",
                        "--received", str(tmp_path / "tiep_nhan.csv"))
    assert again.returncode == 1, again.stderr
    settled = _docs(json.loads((out / EXTRA / "dossier.json").read_text(encoding="utf-8")))
    assert not _component_notes(settled["hon_nhan.pdf"])
    assert settled["hon_nhan.pdf"]["metadata"]["component_code"] == "-"
    assert settled["uy_quyen.pdf"]["confidence"]["component_code"] == 1.0
    assert not _component_notes(settled["uy_quyen.pdf"])
    assert any(o["field"] == "component_code" for o in settled["uy_quyen.pdf"]["overrides"])


@needs_checker
@pytest.mark.slow
def test_a_package_with_component_codes_passes_e_ark(cli_env: Env, tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path)
    assert cli_env.run("procedures", "import", str(write(tmp_path / "tthc.csv")), "--config",
                       str(config)).returncode == 0
    folder = tmp_path / "in" / COMPLETE
    for name in DOSSIERS[COMPLETE]:
        born_digital_pdf(folder / name, PAGES[name])
    res = cli_env.run("run", str(folder), "--out", str(tmp_path / "out"), "--config",
                      str(config), "--procedure", LAND, "--json")
    assert res.returncode == 0, res.stderr
    dossier = json.loads(res.stdout)["dossiers"][0]
    assert dossier["missing_components"] == [] and dossier["procedure_code"] == LAND
    assert_conforms(Path(dossier["bundle"]))
