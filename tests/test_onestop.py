"""Delivery to the provincial one-stop system, through the real CLI, to a one-stop system of the
tests' own on 127.0.0.1 (tests/onestop_receiver.py) that checks every dossier against a JSON
Schema written apart from the mapping: the records of a real run (complete, missing a
component; one whose components await review and one that failed are not sent), sent once, then
"already there", then updated — never a second copy; the journal; results and reused components;
NFC end to end; a 401, a hang and garbage exit 4 with one sentence and the rest of the batch goes
on; an error answer fails that dossier alone."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from jsonschema import Draft202012Validator

from digitize.bundle.onestop_map import RecordOptions, dossier_record, onestop_time
from digitize.bundle.upload_common import UploadError
from digitize.model import DocumentResult, DossierResult, ResultRecord, Status
from samples.make_procedures import write

from .conftest import Env
from .onestop_receiver import SCHEMA, OnestopSystem, running_onestop
from .test_procedures import COMPLETE, EXTRA, LAND, LAND_NAME, MISSING, UNKNOWN, _dossiers

TOKEN = "mot-cua-2026"
FILES = "https://so-hoa.xa-minh-xuan.gov.vn/tep"
RECORD_SCHEMA = {"$defs": json.loads(SCHEMA.read_text(encoding="utf-8"))["$defs"],
                 "$ref": "#/$defs/HoSo"}  # one dossier, as the receiver checks each


@pytest.fixture
def onestop() -> Iterator[OnestopSystem]:
    with running_onestop(TOKEN) as server:
        yield server


def _config(env: Env, tmp: Path, onestop: str = "", files_url: str = FILES,
            extra: str = "") -> Path:
    config = tmp / "config.toml"
    config.write_text(Path(env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8") +
                      f'\n[procedures]\nfile = "{tmp / "catalogue.json"}"\n'
                      f'[upload]\njournal = "{tmp / "uploads.jsonl"}"\n'
                      f'[onestop]\nurl = "{onestop}"\nfiles_url = "{files_url}"\n{extra}\n',
                      encoding="utf-8")
    return config


def _send(env: Env, config: Path, *paths: Path, to: str = "onestop",
          token: str = TOKEN) -> tuple[int, dict[str, dict], str]:
    res = env.run("upload", *map(str, paths), "--to", to, "--config", str(config), "--json",
                  extra={"DIGITIZE_ONESTOP_TOKEN": token})
    receipts = json.loads(res.stdout) if res.stdout.strip().startswith("[") else []
    return res.returncode, {Path(r["bundle"]).name: r for r in receipts}, res.stderr


def _one_sentence(text: str) -> str:
    text = " ".join(text.split())
    assert "Traceback" not in text and text.count(". ") <= 1, text
    return text


def test_a_real_run_is_sent_once_then_already_there_then_updated(
        cli_env: Env, onestop: OnestopSystem, tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, onestop.url)
    assert cli_env.run("procedures", "import", str(write(tmp_path / "tthc.csv")), "--config",
                       str(config)).returncode == 0
    inbox, out = _dossiers(tmp_path), tmp_path / "out"
    run = [str(inbox), "--out", str(out), "--config", str(config), "--received",
           str(tmp_path / "tiep_nhan.csv")]
    assert cli_env.run("run", *run).returncode == 1  # UNKNOWN's procedure fails it

    rc, receipts, err = _send(cli_env, config, out)
    assert rc == 1, err  # two are not sent, the others are
    assert {k: r["status"] for k, r in receipts.items()} == {
        COMPLETE: "uploaded", MISSING: "uploaded", EXTRA: "failed", UNKNOWN: "failed"}
    assert "review" in receipts[EXTRA]["error"] and "uy_quyen.pdf" in receipts[EXTRA]["error"]
    assert "not finished" in receipts[UNKNOWN]["error"]
    assert receipts[COMPLETE]["target"] == f"onestop+{onestop.url}"
    assert sorted(onestop.records) == [COMPLETE, MISSING]

    validator = Draft202012Validator(RECORD_SCHEMA)
    for code, parts in ((COMPLETE, ["DD01", "DD02", "DD03"]), (MISSING, ["DD01", "DD03"])):
        record = onestop.records[code]
        assert not list(validator.iter_errors(record)), code
        assert (record["MaHoSo"], record["MaTTHC"], record["TenTTHC"]) == (code, LAND, LAND_NAME)
        assert record["NgayTiepNhan"] == "20261201000000"
        assert record["HoSoCoThanhPhanSoHoa"] == 1 and record["DanhSachGiayToKetQua"] == []
        files = record["TaiLieuNop"]
        assert sorted(f["MaThanhPhanHoSo"] for f in files) == parts  # DD02 missing: not sent
        dossier = json.loads((out / code / "dossier.json").read_text(encoding="utf-8"))
        packaged = sorted(Path(d["pdf"]).resolve() for d in dossier["documents"])
        for f in files:
            assert (f["DuocSoHoa"], f["DuocTaiSuDung"]) == (1, 0)
            assert f["DuongDanTaiTepTin"].startswith(FILES + "/")
            linked = out / unquote(f["DuongDanTaiTepTin"][len(FILES) + 1:])
            assert linked.resolve() in packaged and linked.name == f["TenTepDinhKem"]
        assert unicodedata.is_normalized("NFC", json.dumps(record, ensure_ascii=False))

    rc, again, err = _send(cli_env, config, out / COMPLETE, out / MISSING)
    assert rc == 0 and {r["status"] for r in again.values()} == {"already there"}, err
    assert again[COMPLETE]["sha256"] == receipts[COMPLETE]["sha256"]
    assert onestop.ops == [("add", COMPLETE), ("add", MISSING)]

    # The clerk settles EXTRA's components; the desk's files move to another address.
    (out / ".overrides").mkdir(exist_ok=True)
    (out / ".overrides" / f"{EXTRA}.toml").write_text(
        '[documents."hon_nhan.pdf"]\ncomponent_code = "-"\n'
        '[documents."uy_quyen.pdf"]\ncomponent_code = "DD04"\n', encoding="utf-8")
    assert cli_env.run("run", *run).returncode == 1
    moved = _config(cli_env, tmp_path, onestop.url, files_url="https://tep.example.gov.vn/x/")
    rc, third, err = _send(cli_env, moved, out)
    assert rc == 1, err
    assert {k: r["status"] for k, r in third.items()} == {
        COMPLETE: "updated", MISSING: "updated", EXTRA: "uploaded", UNKNOWN: "failed"}
    assert sorted(onestop.records) == [COMPLETE, MISSING, EXTRA]  # one record each
    assert onestop.ops[2:] == [("update", COMPLETE), ("update", MISSING), ("add", EXTRA)]
    links = [f["DuongDanTaiTepTin"] for f in onestop.records[COMPLETE]["TaiLieuNop"]]
    assert all(link.startswith(f"https://tep.example.gov.vn/x/{COMPLETE}/uuid-") for link in links)
    extra = {f["MaThanhPhanHoSo"] for f in onestop.records[EXTRA]["TaiLieuNop"]}
    assert extra == {"DD01", "DD02", "DD03", "DD04", ""}  # the document that is no component

    journal = [json.loads(line) for line in
               (tmp_path / "uploads.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(Path(j["bundle"]).name, j["status"]) for j in journal] == [
        (COMPLETE, "uploaded"), (MISSING, "uploaded"), (COMPLETE, "already there"),
        (MISSING, "already there"), (COMPLETE, "updated"), (MISSING, "updated"),
        (EXTRA, "uploaded")]
    assert all(j["target"] == f"onestop+{onestop.url}" and j["time"] for j in journal)
    assert TOKEN not in (tmp_path / "uploads.jsonl").read_text(encoding="utf-8")


def _made(out: Path, code: str, procedure: str = "Đăng ký khai sinh", reused: bool = False,
          results: bool = False) -> Path:
    """A finished dossier's output folder as `run` leaves it (its record and package files)."""
    folder = out / code
    data = folder / "uuid-0D5C1E52-3A0B-4C61-9E0F-7B2A3C4D5E6F" / "representations" / "rep1" \
        / "data"
    data.mkdir(parents=True)
    docs = []
    for n, component in enumerate(("KS01", "KS02"), 1):
        pdf = data / f"H49.64.33.2026.{code[-11:]}.{n}.pdf"
        pdf.write_bytes(b"%PDF-1.7\n% test\n")
        docs.append(DocumentResult(
            source=f"/in/{code}/{n}.pdf", status=Status.needs_review, pdf=str(pdf),
            metadata={"component_code": component, "from_national_store": n == 1},
            review=["number: missing or uncertain"],
            reused_from="/archive/2025/giay-chung-sinh.pdf" if reused and n == 2 else None))
    made = []
    if results:
        pdf = folder / "ket-qua" / "Giấy khai sinh.pdf"
        pdf.parent.mkdir()
        pdf.write_bytes(b"%PDF-1.7\n% result\n")
        made = [ResultRecord(source=str(pdf), status=Status.ok, code="KQ.HT.000001",
                             name="Giấy khai sinh", pdf=str(pdf), signed=True),
                ResultRecord(source="/in/none.pdf", status=Status.failed, code="KQ.HT.000009",
                             name="no file")]
    record = DossierResult(id=code, status=Status.needs_review, dossier_code=code,
                           bundle=str(data.parent.parent.parent), procedure_code="1.000001",
                           procedure=procedure, received="2026-12-02", documents=docs,
                           results=made)
    (folder / "dossier.json").write_text(record.model_dump_json(), encoding="utf-8")
    return folder


A, B = "000.00.31.H49-261202-0001", "000.00.31.H49-261202-0002"


def test_results_reuse_and_nfc_reach_the_system(cli_env: Env, onestop: OnestopSystem,
                                                tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, onestop.url)
    nfd = unicodedata.normalize("NFD", "Đăng ký khai sinh")
    folder = _made(tmp_path / "out", A, procedure=nfd, reused=True, results=True)
    rc, receipts, err = _send(cli_env, config, folder)  # the receiver refuses NFD text
    assert rc == 0 and receipts[A]["status"] == "uploaded", err
    record = onestop.records[A]
    assert record["TenTTHC"] == "Đăng ký khai sinh" and record["NgayTiepNhan"] == \
        "20261202000000"
    assert [(f["MaThanhPhanHoSo"], f["DuocSoHoa"], f["DuocTaiSuDung"], f["DuocLayTuKhoDMQG"])
            for f in record["TaiLieuNop"]] == [("KS01", 1, 0, 1), ("KS02", 1, 1, 0)]
    assert record["DanhSachGiayToKetQua"] == [{
        "TenGiayTo": "Giấy khai sinh", "MaThanhPhanHoSo": "", "MaGiayToKetQua": "KQ.HT.000001",
        "DuongDanTepTinKetQua": f"{FILES}/{A}/ket-qua/Gi%E1%BA%A5y%20khai%20sinh.pdf"}]


def test_a_refused_token_exits_4_with_one_sentence(cli_env: Env, onestop: OnestopSystem,
                                                   tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, onestop.url)
    out = tmp_path / "out"
    _made(out, A), _made(out, B)
    rc, receipts, err = _send(cli_env, config, out, token="wrong-token")
    assert rc == 4 and receipts == {}, err
    assert "refused the token" in _one_sentence(err) and "wrong-token" not in err
    assert onestop.records == {} and not (tmp_path / "uploads.jsonl").exists()


@pytest.mark.parametrize(("slow", "said"), [("hang_for", "no answer within 0.5 s"),
                                            ("trickle_for", "no answer within 1.5 s")])
def test_a_hang_or_a_trickle_times_out_exit_4_and_the_rest_goes_on(
        cli_env: Env, onestop: OnestopSystem, tmp_path: Path, slow: str, said: str) -> None:
    """A system that never answers A meets the timeout; one that answers a byte every 0.2 s
    (each within the 0.5 s timeout, for ever) meets the deadline of three timeouts an answer
    has (before it, A was sent after minutes of waiting on every request)."""
    config = _config(cli_env, tmp_path, onestop.url, extra="timeout_s = 0.5\nretries = 2")
    out = tmp_path / "out"
    _made(out, A), _made(out, B)
    setattr(onestop, slow, {A})
    rc, receipts, err = _send(cli_env, config, out)
    assert rc == 4, err
    assert receipts[A]["status"] == "failed" and receipts[B]["status"] == "uploaded"
    sentence = _one_sentence(receipts[A]["error"])
    assert said in sentence and "2 tries" in sentence
    assert sorted(onestop.records) == [B]  # nothing of A, nothing half-sent


def test_garbage_exits_4_and_an_error_answer_fails_that_dossier_alone(
        cli_env: Env, onestop: OnestopSystem, tmp_path: Path) -> None:
    config = _config(cli_env, tmp_path, onestop.url)
    out = tmp_path / "out"
    _made(out, A), _made(out, B)
    onestop.mode = "garbage"
    rc, receipts, err = _send(cli_env, config, out)
    assert rc == 4 and {r["status"] for r in receipts.values()} == {"failed"}, err
    assert "did not answer as a one-stop system does" in _one_sentence(receipts[A]["error"])
    assert onestop.records == {}
    onestop.mode = ""
    onestop.refuse = {A: "Thủ tục 1.000001 chưa được cấu hình cho đơn vị"}
    onestop.fail_next = 1  # a 500 first: tried again
    rc, receipts, err = _send(cli_env, config, out)
    assert rc == 1, err
    assert receipts[B]["status"] == "uploaded" and receipts[A]["status"] == "failed"
    assert "chưa được cấu hình" in receipts[A]["error"] and sorted(onestop.records) == [B]


def test_a_password_in_the_url_or_no_files_url_is_a_usage_error(cli_env: Env,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    _made(out, A)
    rc, _r, err = _send(cli_env, _config(cli_env, tmp_path), out,
                        to="onestop+https://motcua:hunter2@127.0.0.1/api")
    assert rc == 2 and "hunter2" not in err
    rc, _r, err = _send(cli_env, _config(cli_env, tmp_path, files_url=""), out,
                        to="onestop+http://127.0.0.1:9/api")
    assert rc == 2 and "files_url" in err


def test_the_mapping_follows_the_province(tmp_path: Path) -> None:
    assert onestop_time("2026-12-01") == "20261201000000"
    assert onestop_time("2026-12-05T01:20:26.773+00:00") == "20261205082026"
    folder = _made(tmp_path, A)
    dossier = DossierResult.model_validate_json((folder / "dossier.json").read_text("utf-8"))
    opts = RecordOptions(FILES, "000.00.31.H49", {"NgayTiepNhan": "NgayNhan",
                                                  "TaiLieuNop": "DanhSachTepDinhKem"},
                         {"KenhThucHien": 1})
    record = dossier_record(dossier, folder, opts)
    assert record["NgayNhan"] == "20261202000000" and "NgayTiepNhan" not in record
    assert len(record["DanhSachTepDinhKem"]) == 2 and record["KenhThucHien"] == 1
    unsure = dossier.model_copy(update={"documents": [dossier.documents[0].model_copy(
        update={"review": ["component_code: fits 'KS01' (0.7)"]})]})
    with pytest.raises(UploadError, match="waits for review"):
        dossier_record(unsure, folder, opts)
    (Path(dossier.documents[1].pdf or "")).unlink()
    with pytest.raises(UploadError, match="missing"):
        dossier_record(dossier, folder, opts)
