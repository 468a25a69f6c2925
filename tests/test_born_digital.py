"""Born-digital PDFs (a Word or LibreOffice export): told apart from scans, their own text kept
without OCR, their archival copy made from the file itself (fonts and all) as PDF/A-2b and
signed; files whose fonts are not embedded, or `--force-ocr`, are read as scans."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pikepdf
import pytest

from digitize.ocr.images import read_input
from digitize.ocr.pdfpage import page_makeup
from digitize.ocr.textlayer import not_archivable, readable

from .borndigital import born_digital_pdf, unembedded_pdf
from .conftest import ROOT, Env, counting_tesseract, ocr_calls
from .eark import CHECKER, EARK_VENV, assert_conforms

SCANNER = ROOT.parent / "shared" / "real" / "scanner-pdfs"
MAX_PX = 150_000_000


def test_readable_tells_unicode_text_from_legacy_font_mojibake() -> None:
    text = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM. Độc lập - Tự do - Hạnh phúc. "
            "Quyết định về việc phê duyệt kế hoạch năm 2026.")
    assert readable(text)
    # The same line typed in a TCVN3 (ABC) font and extracted without a Unicode map.
    assert not readable("Céng hoµ x· héi chñ nghÜa ViÖt Nam. §éc lËp - Tù do - H¹nh phóc. "
                        "QuyÕt ®Þnh vÒ viÖc phª duyÖt kÕ ho¹ch n¨m 2026.")
    assert not readable("(cid:12)(cid:40)(cid:41) " * 20)
    assert not readable("Trang 1")  # too little to be a document's text


def test_born_digital_pages_are_told_from_scans(tmp_path: Path) -> None:
    pdf = born_digital_pdf(tmp_path / "qd.pdf")
    with pikepdf.open(pdf) as doc:
        makeup = page_makeup(doc.pages[0])  # the text is inside form XObjects: followed
        assert makeup.visible_text and makeup.born_digital()
        assert not_archivable(doc) is None
    facts = read_input(pdf, MAX_PX)
    assert facts.text_layer and not facts.signed and facts.not_archivable is None
    old = unembedded_pdf(tmp_path / "old.pdf", ["CONG VAN so 12/UBND-VP ve viec bao cao",
                                               "Kinh gui: So Noi vu tinh Quang Ngai"])
    facts = read_input(old, MAX_PX)
    assert facts.text_layer and facts.not_archivable == "the font /Helvetica is not embedded"


@pytest.mark.skipif(not SCANNER.is_dir(), reason=f"{SCANNER} is not here")
def test_a_scanners_invisible_ocr_layer_is_not_born_digital_text() -> None:
    facts = read_input(SCANNER / "sandwich.pdf", MAX_PX)
    assert not facts.text_layer


@pytest.mark.slow
def test_born_digital_pdf_keeps_its_text_and_fonts_and_is_signed(cli_env: Env,
                                                                 tmp_path: Path) -> None:
    inbox, out = tmp_path / "in" / "HS-01", tmp_path / "out"
    born_digital_pdf(inbox / "1_qd.pdf")
    unembedded_pdf(inbox / "2_old.pdf", ["CONG VAN so 12/UBND-VP ve viec bao cao ket qua",
                                         "Kinh gui: So Noi vu tinh Quang Ngai"])
    before = {p.name: p.read_bytes() for p in inbox.iterdir()}
    path, log = counting_tesseract(tmp_path)
    run = cli_env.run("run", str(tmp_path / "in"), "--out", str(out), "--json", extra=path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert ocr_calls(log) == 1  # the page of the file without embedded fonts, nothing else
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == before
    dossier = json.loads(run.stdout)["dossiers"][0]
    assert dossier["bundle"]
    if CHECKER.is_file() and EARK_VENV.is_dir():
        assert_conforms(Path(dossier["bundle"]))
    doc = next(d for d in dossier["documents"] if d["source"].endswith("1_qd.pdf"))
    assert doc["metadata"]["number"] == "123" and doc["metadata"]["symbol"] == "QĐ-UBND"
    text = Path(doc["text_file"]).read_text(encoding="utf-8")
    assert "Căn cứ Tờ trình số 52/TTr-STTTT ngày 10 tháng 3 năm 2026" in text
    fonts = subprocess.run(["pdffonts", doc["pdf"]], capture_output=True, text=True,
                           check=True).stdout
    assert "LiberationSerif" in fonts and "GlyphLess" not in fonts  # its own fonts, no OCR
    with pikepdf.open(doc["pdf"]) as pdf:
        meta = pdf.open_metadata()
        assert (meta.get("pdfaid:part"), meta.get("pdfaid:conformance")) == ("2", "B")
        assert "/OutputIntents" in pdf.Root
    checked = cli_env.run("verify", doc["pdf"], "--trust", str(cli_env.ca_cert), "--json")
    assert json.loads(checked.stdout)[0]["status"] == "valid", checked.stdout
    ocr_event = next(e for e in doc["provenance"] if e["type"] == "ocr")
    assert ocr_event["detail"].startswith("born-digital: its own text read, no OCR")
    forced = cli_env.run("ocr", str(inbox / "1_qd.pdf"), "--out", str(tmp_path / "forced"),
                         "--force-ocr", "--json", extra=path)
    assert forced.returncode == 0, forced.stdout + forced.stderr
    # --force-ocr reads the born-digital page as a scan: one page pass more, or two where its
    # first reading is no upright text (this test's page, drawn with its own odd spacing, is).
    assert ocr_calls(log) in (2, 3)
