"""At the desk: scanning through SANE's test device, separator sheets and stack splitting,
doctor, init and --version."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from digitize.errors import DigitizeError
from digitize.scan.separator import separator_sheet
from digitize.scan.split import PageKind, classify, plan, split_stack
from tests.conftest import DIGITIZE, SAMPLES, Env


def _page(name: str, size: tuple[int, int] | None = None) -> Image.Image:
    img = Image.open(next(SAMPLES.glob(f"*/{name}"))).convert("L")
    return img.resize(size) if size else img


@pytest.fixture(scope="module")
def pages() -> dict[str, Image.Image]:
    form = _page("01_to_khai.png")
    size = form.size
    sheet = separator_sheet().resize(size)
    return {"form": form, "decision": _page("02_quyet_dinh.jpg", size),
            "notice": _page("thong_bao.png", size), "separator": sheet,
            "separator_qd": separator_sheet("QĐ").resize(size),
            "blank": Image.new("L", size, 255)}


def _stack(pages: dict[str, Image.Image], order: list[str], target: Path) -> Path:
    imgs = [pages[k].copy() for k in order]  # saving marks an image; keep the fixture clean
    if target.suffix == ".pdf":
        imgs[0].save(target, save_all=True, append_images=imgs[1:], resolution=200)
    else:
        imgs[0].save(target, save_all=True, append_images=imgs[1:], compression="tiff_lzw",
                     dpi=(200, 200))
    return target


def _separators_in_pdf(pdf: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "100", "-gray", "-png", str(pdf), f"{tmp}/p"],
                       check=True)
        return sum(1 for p in Path(tmp).glob("p-*.png")
                   for b in zxingcpp.read_barcodes(Image.open(p))
                   if b.text.startswith("DIGITIZE-SEP"))


def test_plan_drops_separators_and_their_blank_backs() -> None:
    c, s, b = PageKind("content"), PageKind("separator"), PageKind("blank")
    typed = PageKind("separator", "TB")
    assert [p.pages for p in plan([c, s, b, c, c, typed, c], "separator")] == [(0,), (3, 4),
                                                                                (6,)]
    assert plan([c, typed, c], "separator")[1].doc_type == "TB"
    assert [p.pages for p in plan([c, b, c, c, b, b, c], "blank")] == [(0,), (2, 3), (6,)]
    assert [p.pages for p in plan([c, b, c], "separator")] == [(0, 1, 2)]  # a blank page inside
    assert plan([s, b], "separator") == []


def test_separator_types_are_named_as_a_clerk_names_them() -> None:
    from digitize.scan.split import doc_type, payload

    assert [doc_type(c).name for c in ("QĐ", "QD", "Quyết định", "TTr")] == \
        ["QUYẾT ĐỊNH", "QUYẾT ĐỊNH", "QUYẾT ĐỊNH", "TỜ TRÌNH"]
    assert payload("CV") == "DIGITIZE-SEP;type=CV"
    with pytest.raises(DigitizeError, match="not a document type"):
        doc_type("XYZ")


def test_classify_reads_sheets_blank_and_content(pages: dict[str, Image.Image]) -> None:
    assert classify(pages["separator"]) == PageKind("separator")
    assert classify(pages["separator_qd"]) == PageKind("separator", "QĐ")
    assert classify(pages["blank"]).kind == "blank"
    assert classify(pages["decision"]).kind == "content"


def test_blank_page_split(pages: dict[str, Image.Image], tmp_path: Path) -> None:
    stack = _stack(pages, ["form", "blank", "decision", "notice", "blank"],
                   tmp_path / "stack.tif")
    before = stack.read_bytes()
    children = split_stack([stack], tmp_path / "dossier", "blank", "stack")
    assert [c.pages for c in children] == [(1,), (3, 4)]
    assert [Image.open(c.path).n_frames for c in children] == [1, 2]
    assert stack.read_bytes() == before
    assert Image.open(children[1].path).info["dpi"] == pytest.approx((200, 200))


def test_pdf_stack_split_keeps_pages_untouched(pages: dict[str, Image.Image],
                                              tmp_path: Path) -> None:
    import pikepdf

    stack = _stack(pages, ["form", "separator", "decision", "separator", "notice"],
                   tmp_path / "stack.pdf")
    children = split_stack([stack], tmp_path / "dossier", "separator", "stack")
    assert [c.pages for c in children] == [(1,), (3,), (5,)]
    with pikepdf.open(stack) as src, pikepdf.open(children[1].path) as child:
        original = src.pages[2].get_images()
        kept = child.pages[0].get_images()
        assert [i.read_raw_bytes() for i in original.values()] == \
               [i.read_raw_bytes() for i in kept.values()]
    assert all(_separators_in_pdf(c.path) == 0 for c in children)


@pytest.mark.slow
def test_two_separator_sheets_make_three_documents_without_them(
        cli_env: Env, pages: dict[str, Image.Image], tmp_path: Path) -> None:
    stack = _stack(pages, ["form", "separator", "blank", "notice", "separator_qd", "decision"],
                   tmp_path / "stack.tif")
    dossier = tmp_path / "scans" / "000.00.31.H49-261123-0008"
    res = cli_env.run("split", str(stack), "--out", str(dossier), "--json")
    assert res.returncode == 0, res.stderr
    children = json.loads(res.stdout)
    assert [c["pages"] for c in children] == [[1], [4], [6]]
    assert children[2]["doc_type"] == "QĐ"
    out = tmp_path / "out"
    res = cli_env.run("run", str(dossier), "--out", str(out), "--json")
    assert res.returncode == 0, res.stderr
    docs = json.loads((out / "summary.json").read_text(encoding="utf-8"))["dossiers"][0][
        "documents"]
    assert len(docs) == 3
    for doc in docs:
        assert doc["metadata"]["page_count"] == 1
        assert _separators_in_pdf(Path(doc["pdf"])) == 0
        capture = next(e for e in doc["provenance"] if e["type"] == "capture")
        assert "digitize split: page" in capture["detail"] and "stack.tif" in capture["detail"]
    assert docs[2]["metadata"]["doc_type_code"] == "QĐ"  # the typed separator


@pytest.mark.slow
def test_scan_from_the_sane_test_device_then_run(cli_env: Env, tmp_path: Path) -> None:
    sane = tmp_path / "sane"
    sane.mkdir()
    (sane / "dll.conf").write_text("test\n")
    env = {"SANE_CONFIG_DIR": str(sane)}
    listed = cli_env.run("scan", "--list", "--json", extra=env)
    assert listed.returncode == 0, listed.stderr
    assert "test:0" in [d["name"] for d in json.loads(listed.stdout)]
    config = tmp_path / "desk.toml"
    config.write_text(f'[agency]\ncode = "000.00.31.H49"\narchive_code = "H49.64.33"\n'
                      f'[scan]\ninbox = "{tmp_path / "scans"}"\n'
                      'options = ["--test-picture=Color pattern"]\n', encoding="utf-8")
    res = cli_env.run("scan", "--config", str(config), "--device", "test:0", "--source",
                      "flatbed", "--pages", "2", "--dpi", "200", "--dossier", "HS-7", "--json",
                      extra=env)
    assert res.returncode == 0, res.stderr
    scanned = json.loads(res.stdout)
    assert scanned["pages"] == 2 and len(scanned["documents"]) == 1
    tif = Path(scanned["documents"][0]["file"])
    with Image.open(tif) as im:
        assert im.n_frames == 2 and round(im.info["dpi"][0]) == 200 and im.mode == "RGB"
    # A test pattern has no text: the run cannot package it (TT 05/2025 needs a subject), but
    # keeps the document so that review can take the clerk's answers, then packages it.
    out = tmp_path / "out"
    res = cli_env.run("run", str(tif.parent), "--out", str(out), "--config", str(config))
    assert res.returncode == 1, res.stdout + res.stderr
    record = json.loads((out / "HS-7" / "dossier.json").read_text(encoding="utf-8"))
    assert record["bundle"] is None and "subject" in record["error"]
    assert record["documents"][0]["status"] == "needs_review"
    assert Path(record["documents"][0]["pdf"]).is_file()
    answers = "Giấy mời\n12\nGM-UBND\n23/11/2026\nMinh Xuân\nỦY BAN NHÂN DÂN XÃ MINH XUÂN\n" \
              "Họp giao ban công tác số hóa\n"
    res = cli_env.run("review", str(out / "HS-7"), "--config", str(config), "--operator",
                      "Nguyễn Văn An", "--json", input_text=answers)
    assert res.returncode == 0, res.stdout + res.stderr
    record = json.loads((out / "HS-7" / "dossier.json").read_text(encoding="utf-8"))
    assert record["bundle"] and Path(record["bundle"]).is_dir()
    doc = record["documents"][0]
    assert doc["metadata"]["page_count"] == 2 and doc["metadata"]["doc_type_code"] == "GM"
    assert {o["operator"] for o in doc["overrides"]} == {"Nguyễn Văn An"}
    found = cli_env.run("find", "giao ban so hoa", "--json")  # review re-indexed it
    assert [h["dossier_id"] for h in json.loads(found.stdout)] == ["HS-7"]
    # A mode the device lacks is a usage error that names what it has; nothing is left.
    bad = cli_env.run("scan", "--config", str(config), "--device", "test:0", "--mode",
                      "lineart", "--dossier", "HS-8", extra=env)
    assert bad.returncode == 2 and "Gray, Color" in bad.stderr
    assert not (tmp_path / "scans" / "HS-8").exists()
    # A jammed feeder before the first page: one sentence with the scanner's reason, nothing left.
    config.write_text(config.read_text(encoding="utf-8").replace(
        "--test-picture=Color pattern", "--read-return-value=SANE_STATUS_JAMMED"),
        encoding="utf-8")
    jam = cli_env.run("scan", "--config", str(config), "--device", "test:0", "--dossier",
                      "HS-9", extra=env)
    assert jam.returncode == 4 and "jammed" in jam.stderr and "Traceback" not in jam.stderr
    assert not (tmp_path / "scans" / "HS-9").exists()
    assert [p.name for p in (tmp_path / "scans").iterdir()] == ["HS-7"]


def _doctor(cli_env: Env, config: Path, extra: dict[str, str] | None = None) -> dict:
    res = cli_env.run("doctor", "--config", str(config), "--json", extra=extra)
    return {"rc": res.returncode, "checks": json.loads(res.stdout)}


def test_doctor_names_the_fix_for_a_missing_language_pack_and_token(
        cli_env: Env, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[agency]\ncode = "000.00.31.H49"\n[ocr]\nlang = "vie+khm"\n'
                      '[signer]\npkcs11_module = "/usr/lib/softhsm/libsofthsm2.so"\n'
                      'token_label = "no-such-token"\n', encoding="utf-8")
    (tmp_path / "tokens").mkdir()  # SoftHSM2 with no token in it
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tmp_path / 'tokens'}\n")
    got = _doctor(cli_env, config, {"SOFTHSM2_CONF": str(conf)})
    assert got["rc"] == 4
    by_name = {c["key"]: c for c in got["checks"]}
    assert by_name["language:khm"]["status"] == "problem"
    assert by_name["language:khm"]["fix"] == "sudo apt-get install tesseract-ocr-khm"
    assert by_name["language:vie"]["status"] == "ok"
    assert by_name["language:eng"]["status"] == "ok"  # the model a hand's digits are read with
    assert by_name["token"]["status"] == "problem"
    assert "softhsm2-util --init-token" in by_name["token"]["fix"]
    config.write_text('[signer]\npkcs11_module = "/nonexistent/libtoken.so"\n'
                      'token_label = "x"\n', encoding="utf-8")
    module = {c["key"]: c for c in _doctor(cli_env, config)["checks"]}["pkcs11"]
    assert module["status"] == "problem" and "apt-get install softhsm2" in module["fix"]


def test_doctor_passes_on_a_ready_desk(cli_env: Env) -> None:
    res = cli_env.run("doctor")
    assert res.returncode == 0, res.stdout
    words = {c["key"]: c for c in json.loads(cli_env.run("doctor", "--json").stdout)}
    assert words["word_list"]["status"] == "ok" and "Viet74K" in words["word_list"]["detail"]


def test_init_from_a_file_writes_a_config_that_run_accepts(cli_env: Env,
                                                          tmp_path: Path) -> None:
    answers = tmp_path / "desk.toml"
    answers.write_text(
        'agency_name = "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"\nagency_code = "000.00.31.H49"\n'
        'archive_code = "H49.64.33"\nprofile = "compact"\nsigner = "p12"\n'
        f'p12 = "{cli_env.p12}"\nsecret_file = "{cli_env.secret_file}"\n'
        f'trust = ["{cli_env.ca_cert}"]\nout = "{tmp_path / "out"}"\n'
        'archive = "https://127.0.0.1:8443/api"\n', encoding="utf-8")
    config = tmp_path / "etc" / "digitize.toml"
    res = cli_env.run("init", "--from", str(answers), "--config", str(config))
    assert res.returncode == 0, res.stderr
    assert cli_env.run("init", "--from", str(answers), "--config", str(config)).returncode == 2
    scans = tmp_path / "scans" / "HS-1"
    scans.mkdir(parents=True)
    (scans / "02_quyet_dinh.jpg").write_bytes(next(SAMPLES.glob("*/02_quyet_dinh.jpg"))
                                              .read_bytes())
    res = cli_env.run("run", str(scans), "--config", str(config), "--json")  # [run] out
    assert res.returncode == 0, res.stderr
    dossier = json.loads(res.stdout)["dossiers"][0]
    doc = dossier["documents"][0]
    assert doc["signature"] is not None
    assert any("profile compact" in e["detail"] for e in doc["provenance"])  # [run] profile
    assert Path(dossier["bundle"]).is_relative_to(tmp_path / "out")
    assert Path(doc["pdf"]).name.startswith("H49.64.33.")  # [agency] archive_code
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('agency_name = "X"\nagency_code = "123"\narchive_code = "H"\n')
    res = cli_env.run("init", "--from", str(wrong), "--config", str(tmp_path / "w.toml"))
    assert res.returncode == 2 and "agency_code" in res.stderr
    assert not (tmp_path / "w.toml").exists()


def test_version_names_tesseract_pyhanko_and_language_data(cli_env: Env) -> None:
    res = cli_env.run("--version")
    assert res.returncode == 0
    assert "pyHanko 0." in res.stdout and "Tesseract 5" in res.stdout
    assert "language data vie: 4.00.00alpha:vie" in res.stdout


def test_init_questions_make_the_same_answers_as_a_file(tmp_path: Path) -> None:
    from digitize.config import load_config
    from digitize.setup.init import ask_answers, write_config

    replies = iter(["ỦY BAN NHÂN DÂN XÃ MINH XUÂN", "123", "", "000.00.31.H49", "H49.64.33",
                    "compact", "pem", "/etc/digitize/k.pem", "/etc/digitize/c.pem", "B-T",
                    "http://127.0.0.1:8080/tsr", "", "out", "", "test:0"])
    asked: list[str] = []

    def ask(question: str, default: str) -> str:
        asked.append(question)
        return next(replies)

    answers = ask_answers(ask)
    assert answers.agency_code == "000.00.31.H49"  # the malformed code was asked again
    assert sum("Agency code" in q for q in asked) == 2
    cfg = write_config(answers, tmp_path / "config.toml")
    again = load_config(tmp_path / "config.toml")
    assert again.signer.key == Path("/etc/digitize/k.pem") and again.signer.level == "B-T"
    assert again.run.profile == "compact" and again.scan.device == "test:0"
    assert cfg.agency.name == "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"


def test_a_driver_that_hangs_after_its_batch_is_stopped(cli_env: Env, tmp_path: Path) -> None:
    """SANE's test backend sometimes hangs on its way out after a jam: once scanimage has
    written that the batch is over, the pages are kept and the scan returns."""
    fake = tmp_path / "bin" / "scanimage"
    fake.parent.mkdir()
    fake.write_text(f"""#!{sys.executable}
import sys, time
from PIL import Image
args = sys.argv[1:]
if "-A" in args:
    print("  --mode Gray|Color [Gray]")
    print("  --source Flatbed|Automatic Document Feeder [Flatbed]")
    print("  --resolution 50..1200dpi [50]")
    sys.exit(0)
pattern = next(a.split("=", 1)[1] for a in args if a.startswith("--batch="))
Image.new("RGB", (800, 1100), "white").save(pattern % 1, dpi=(300, 300))
sys.stderr.write("Scanning page 1\\nBatch terminated, 1 page scanned\\n")
sys.stderr.flush()
time.sleep(300)
""", encoding="utf-8")
    fake.chmod(0o755)
    env = {"PATH": f"{fake.parent}:{cli_env.vars['PATH']}"}
    res = subprocess.run([DIGITIZE, "scan", "--device", "fake", "--dossier", "HS-1", "--inbox",
                          str(tmp_path / "scans"), "--json"], capture_output=True, text=True,
                         env={**cli_env.vars, **env}, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["pages"] == 1


def test_doctor_warns_that_a_hands_digits_read_worse_without_eng(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from digitize.config import Config
    from digitize.ocr import tesseract
    from digitize.setup import doctor

    monkeypatch.setattr(tesseract, "installed_languages", lambda: frozenset({"vie", "osd"}))
    checks = {c.key: c for c in doctor._tesseract(Config())}
    eng = checks["language:eng"]
    assert eng.status == "warning" and eng.fix == "sudo apt-get install tesseract-ocr-eng"
    assert checks["language:vie"].status == "ok"
