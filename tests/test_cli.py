"""The command-line contract: help texts, exit codes 2/3/4, secrets never in argv, JSON alone on
stdout, and the single-purpose commands (ocr, extract, sign, bundle, schema export)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from digitize.cli import app

from .conftest import Env, copy_sample

COMMANDS = ["run", "ocr", "extract", "sign", "verify", "bundle", "schema"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_explains_itself(cli_env: Env, command: str) -> None:
    res = cli_env.run(command, "--help")
    assert res.returncode == 0, res.stderr
    assert "Usage" in res.stdout
    assert len(res.stdout) > 300


def test_top_level_help_lists_commands_and_exit_codes(cli_env: Env) -> None:
    res = cli_env.run("--help")
    assert res.returncode == 0
    for command in COMMANDS:
        assert command in res.stdout
    assert "130 interrupted" in res.stdout


def test_a_command_loads_only_its_own_module(cli_env: Env) -> None:
    """`digitize sign` imports the signing stack only (start-up is what a clerk signing one
    dossier feels); help and unknown names still know every command."""
    assert app.wanted(["--ui-lang", "vi", "sign", "a.pdf"]) == "sign"
    assert app.wanted(["index", "sync"]) == "index"
    for argv in ([], ["--help"], ["nosuch"], ["--version"]):
        assert app.wanted(argv) is None
    assert sorted(app.MODULES) == sorted(app.COMMANDS)
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "digitize", "sign", "--help"],
                         capture_output=True, text=True, env=cli_env.vars, timeout=120)
    assert res.returncode == 0 and "--p12" in res.stdout
    loaded = {line.rsplit("|", 1)[-1].strip() for line in res.stderr.splitlines()
              if line.startswith("import time:")}
    assert "digitize.signing.sign" in loaded  # (importlib's own imports are not listed)
    for other in ("digitize.cli.ocr", "digitize.cli.bundle", "digitize.cli.serve",
                  "digitize.ocr", "digitize.bundle", "digitize.web", "fontTools", "pikepdf"):
        assert other not in loaded, other
    listed = cli_env.run("nosuch")
    assert listed.returncode == 2 and "nosuch" in listed.stderr


def test_unknown_option_is_a_usage_error(cli_env: Env, tmp_path: Path) -> None:
    res = cli_env.run("run", str(tmp_path), "--out", str(tmp_path / "o"), "--frobnicate")
    assert res.returncode == 2


def test_folder_without_scans_exits_3(cli_env: Env, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "readme.txt").write_text("không có bản scan")
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--no-sign")
    assert res.returncode == 3
    assert "No scans" in res.stderr and "Traceback" not in res.stderr


def test_missing_input_exits_3(cli_env: Env, tmp_path: Path) -> None:
    res = cli_env.run("run", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--no-sign")
    assert res.returncode == 3
    assert "does not exist" in res.stderr


def test_missing_language_pack_exits_4_naming_the_package(cli_env: Env, tmp_path: Path) -> None:
    img = copy_sample("01_to_khai.png", tmp_path / "in" / "a.png")
    res = cli_env.run("run", str(img), "--out", str(tmp_path / "o"), "--no-sign",
                      "--lang", "vie+khm")
    assert res.returncode == 4
    assert "sudo apt-get install tesseract-ocr-khm" in res.stderr
    assert not (tmp_path / "o").exists()


def test_wrong_password_exits_4_before_any_work(cli_env: Env, tmp_path: Path) -> None:
    img = copy_sample("01_to_khai.png", tmp_path / "in" / "a.png")
    res = cli_env.run("run", str(img), "--out", str(tmp_path / "o"), "--p12", str(cli_env.p12),
                      extra={"DIGITIZE_SECRET": "sai-mat-khau"})
    assert res.returncode == 4
    assert "wrong password" in res.stderr
    assert "sai-mat-khau" not in res.stderr + res.stdout
    assert not (tmp_path / "o").exists()


def test_no_secret_and_no_terminal_exits_4(cli_env: Env, tmp_path: Path) -> None:
    img = copy_sample("01_to_khai.png", tmp_path / "in" / "a.png")
    res = cli_env.run("run", str(img), "--out", str(tmp_path / "o"), "--p12", str(cli_env.p12),
                      input_text="")
    assert res.returncode == 4
    assert "DIGITIZE_SECRET" in res.stderr


def test_broken_config_is_a_usage_error(cli_env: Env, tmp_path: Path) -> None:
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[ocr]\njobs = 'many'\n", encoding="utf-8")
    res = cli_env.run("run", str(tmp_path), "--out", str(tmp_path / "o"), "--config", str(cfg))
    assert res.returncode == 2
    assert "ocr.jobs" in res.stderr and "Traceback" not in res.stderr


def test_sign_then_countersign_keeps_both_signatures_valid(cli_env: Env, tmp_path: Path) -> None:
    src = tmp_path / "unsigned.pdf"
    copy_sample("don_de_nghi.pdf", tmp_path / "scan.pdf")
    ocr = cli_env.run("ocr", str(tmp_path / "scan.pdf"), "--out", str(tmp_path / "ocr"),
                      "--json")
    assert ocr.returncode == 0, ocr.stderr
    docs = json.loads(ocr.stdout)
    assert docs[0]["signature"] is None
    Path(docs[0]["pdf"]).replace(src)
    before = src.read_bytes()
    first = cli_env.run("sign", str(src), "--out", str(tmp_path / "s1"), "--p12",
                        str(cli_env.p12), "--secret-file", str(cli_env.secret_file), "--json")
    assert first.returncode == 0, first.stderr
    assert src.read_bytes() == before
    signed = tmp_path / "s1" / "unsigned.pdf"
    second = cli_env.run("sign", str(signed), "--out", str(tmp_path / "s2"), "--p12",
                         str(cli_env.p12), "--secret-file", str(cli_env.secret_file), "--json")
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)[0]["signature"]["field"] == "Signature2"
    res = cli_env.run("verify", str(tmp_path / "s2" / "unsigned.pdf"), "--trust",
                      str(cli_env.ca_cert), "--json")
    assert res.returncode == 0, res.stdout
    report = json.loads(res.stdout)[0]
    assert [s["status"] for s in report["signatures"]] == ["valid", "valid"]


def test_sign_refuses_an_unreadable_pdf_without_output(cli_env: Env, tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really\n")
    res = cli_env.run("sign", str(bad), "--out", str(tmp_path / "s"), "--p12", str(cli_env.p12),
                      "--secret-file", str(cli_env.secret_file), "--json")
    assert res.returncode == 1
    assert json.loads(res.stdout)[0]["status"] == "failed"
    assert not (tmp_path / "s" / "bad.pdf").exists()
    assert not list(tmp_path.rglob("*.part"))


def test_verify_an_unsigned_pdf_is_invalid(cli_env: Env, tmp_path: Path) -> None:
    copy_sample("scan_0002.pdf", tmp_path / "plain.pdf")
    res = cli_env.run("verify", str(tmp_path / "plain.pdf"), "--json")
    assert res.returncode == 1
    report = json.loads(res.stdout)[0]
    assert report["status"] == "invalid" and "NO_SIGNATURE" in report["reasons"][0]


def test_extract_reads_a_text_file(cli_env: Env, tmp_path: Path) -> None:
    txt = tmp_path / "cv.txt"
    txt.write_text(
        "UBND TỈNH CAO BẰNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "UBND XÃ HÒA AN Độc lập - Tự do - Hạnh phúc\n"
        "Số: 45/UBND-KT Hòa An, ngày 21 tháng 11 năm 2026\n"
        "V/v thẩm định hồ sơ cấp giấy phép\nxây dựng nhà ở riêng lẻ\n\n"
        "Kính gửi: Phòng Kinh tế, Hạ tầng và Đô thị\n", encoding="utf-8")
    res = cli_env.run("extract", str(txt), "--json")
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)[0]
    assert doc["metadata"]["doc_type_name"] == "CÔNG VĂN"
    assert doc["metadata"]["number"] == "45" and doc["metadata"]["symbol"] == "UBND-KT"
    assert doc["metadata"]["issued_date"] == "2026-11-21"
    assert doc["metadata"]["subject"] == "thẩm định hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ"


def test_bundle_zips_a_checked_package(cli_env: Env, sample_run, tmp_path: Path) -> None:
    dossier = Path(sample_run.summary["dossiers"][0]["bundle"]).parent
    res = cli_env.run("bundle", str(dossier), "--out", str(tmp_path), "--zip", "--json")
    assert res.returncode == 0, res.stderr
    zpath = Path(json.loads(res.stdout)[0]["bundle"])
    with zipfile.ZipFile(zpath) as zf:
        names = zf.namelist()
    assert any(n.endswith("/METS.xml") for n in names)
    verify = cli_env.run("verify", str(zpath), "--trust", str(cli_env.ca_cert), "--json")
    assert verify.returncode == 0, verify.stdout
    assert json.loads(verify.stdout)[0]["kind"] == "package"


def test_json_logs_name_the_dossier_and_document(cli_env: Env, tmp_path: Path) -> None:
    copy_sample("thong_bao.png", tmp_path / "in" / "HS-1" / "a.png")
    (tmp_path / "in" / "HS-1" / "b.jpg").write_text("không phải ảnh")
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "o"), "--json",
                      "--no-sign", "--log-format", "json")
    assert res.returncode == 1
    json.loads(res.stdout)  # stdout stays one JSON document
    records = [json.loads(line) for line in res.stderr.splitlines()]
    failed = next(r for r in records if r.get("document", "").endswith("b.jpg"))
    assert failed["level"] == "warning" and failed["dossier"] == "HS-1"
    assert "is not a PNG, JPEG or TIFF" in failed["message"]
    assert failed["time"].endswith("+07:00")
    done = [r for r in records if r["message"].startswith("dossier ")]
    assert len(done) == 1 and done[0]["level"] == "warning"
    assert done[0]["message"].startswith("dossier incomplete: No package yet: a document failed.")
