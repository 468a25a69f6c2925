"""PDFs as scanners and other tools write them: MRC pages (a JPEG background under a CCITT or
JBIG2 text mask), sandwich PDFs with the vendor's invisible OCR layer, JBIG2 with shared
globals, and the bad PDFs a citizen can bring (password-protected, truncated, no pages). Each
gives its documented result; our text layer replaces the vendor's, whose words never survive."""

from __future__ import annotations

import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from digitize.ocr.images import load_page, render_dpi
from digitize.ocr.pdfpage import page_makeup

from .conftest import ROOT, Env, python_within, tree_hashes
from .mrc import VENDOR_TEXT, mrc_pdf

REAL = ROOT.parent / "shared" / "real" / "scanner-pdfs"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not here (shared/ holds "
                                "the real scanner PDFs next to the repository)")
MAX_PIXELS = 150_000_000


def test_an_mrc_page_is_rendered_at_its_mask_resolution(tmp_path: Path) -> None:
    pdf = mrc_pdf(tmp_path / "mrc.pdf")
    with pikepdf.open(pdf) as doc:
        makeup = page_makeup(doc.pages[0])
    assert len(makeup.images) == 2 and makeup.scan_image() is None  # background + mask
    assert not makeup.visible_text  # the vendor's layer is invisible (Tr 3)
    assert render_dpi(makeup, MAX_PIXELS) == 300
    page = load_page(pdf, 0, 300, MAX_PIXELS)
    assert page.dpi == 300 and page.image.size == (2480, 3509)
    # The megapixel cap lowers the resolution instead of refusing the page.
    assert render_dpi(makeup, 3_000_000) == 176


@needs_real
def test_sandwich_page_is_its_scan_image_and_the_vendor_layer_is_ignored() -> None:
    with pikepdf.open(REAL / "sandwich.pdf") as doc:
        makeup = page_makeup(doc.pages[0])
    scan = makeup.scan_image()
    assert scan is not None and not makeup.visible_text
    page = load_page(REAL / "sandwich.pdf", 0, 300, MAX_PIXELS)
    assert page.image.size == (2550, 3300) and round(page.dpi) == 300


def test_a_page_with_visible_text_is_rendered(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                              BaseFont=pikepdf.Name.Helvetica)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
                              Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                              Contents=pikepdf.Stream(pdf, b"BT /F1 24 Tf 72 700 Td (Hello) Tj ET"))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(tmp_path / "born.pdf")
    with pikepdf.open(tmp_path / "born.pdf") as doc:
        makeup = page_makeup(doc.pages[0])
    assert makeup.visible_text and makeup.scan_image() is None
    assert load_page(tmp_path / "born.pdf", 0, 300, MAX_PIXELS).dpi == 300


def _bad_pdfs(folder: Path, good: Path) -> dict[str, str]:
    """File name -> the phrase its error must hold (empty: it must succeed)."""
    with pikepdf.open(good) as src:
        src.save(folder / "locked.pdf", encryption=pikepdf.Encryption(user="citizen",
                                                                      owner="agency"))
        src.save(folder / "owner-only.pdf", encryption=pikepdf.Encryption(user="",
                                                                          owner="agency"))
    data = good.read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 3])
    empty = pikepdf.new()
    empty.save(folder / "no-pages.pdf")
    return {"locked.pdf": "password-protected", "owner-only.pdf": "",
            "truncated.pdf": "truncated.pdf", "no-pages.pdf": "has no pages"}


@pytest.mark.slow
@needs_real
def test_scanner_pdfs_through_ocr(cli_env: Env, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox" / "HS-MRC"
    inbox.mkdir(parents=True)
    mrc_pdf(inbox / "mrc-ccitt.pdf")
    mrc_pdf(inbox / "mrc-jbig2.pdf", "jbig2", REAL / "jbig2.pdf")
    for name in ("sandwich.pdf", "jbig2global.pdf"):
        shutil.copyfile(REAL / name, inbox / name)
    # An image dictionary that claims 8 bits a pixel for 1-bit JBIG2 data (fuzzing found it,
    # seed 4242, mutant 444): pikepdf's decode raised its own error, reported as a bug; poppler
    # draws the page.
    (inbox / "claims-8-bits.pdf").write_bytes((REAL / "jbig2.pdf").read_bytes().replace(
        b"/BitsPerComponent 1", b"/BitsPerComponent 8", 1))
    bad = tmp_path / "inbox" / "HS-BAD"
    bad.mkdir()
    expected = _bad_pdfs(bad, inbox / "mrc-ccitt.pdf")
    before = tree_hashes(tmp_path / "inbox")
    res = cli_env.run("ocr", str(tmp_path / "inbox"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 1, res.stderr  # the bad ones fail, alone
    assert "Traceback" not in res.stderr and "please report" not in res.stdout + res.stderr
    docs = {Path(d["source"]).name: d for d in json.loads(res.stdout)}
    for name in ("mrc-ccitt.pdf", "mrc-jbig2.pdf", "sandwich.pdf", "jbig2global.pdf",
                 "owner-only.pdf", "claims-8-bits.pdf"):
        doc = docs[name]
        assert doc["status"] != "failed", (name, doc["error"])
        text = Path(doc["text_file"]).read_text(encoding="utf-8")
        layer = subprocess.run(["pdftotext", doc["pdf"], "-"], capture_output=True, text=True,
                               check=True).stdout
        assert "XVENDORX" not in text and "XVENDORX" not in layer, name
        assert VENDOR_TEXT.split()[0] not in layer
        if name.startswith("mrc-ccitt"):
            assert "QUYẾT ĐỊNH" in unicodedata.normalize("NFC", layer)
    for name, phrase in expected.items():
        if phrase:
            doc = docs[name]
            assert doc["status"] == "failed" and phrase in doc["error"], (name, doc["error"])
            assert name in doc["error"] and "\n" not in doc["error"]
    assert tree_hashes(tmp_path / "inbox") == before  # inputs never touched


_DRAW_FIRST_PAGE = """
import sys
from pathlib import Path
from digitize.errors import InputFileError
from digitize.ocr import images, jbig2
jbig2.DECODE_TIMEOUT_S = 2
images.RENDER_TIMEOUT_S = 4
try:
    page = images.load_page(Path(sys.argv[1]), 0, 300, 150_000_000)
except InputFileError as exc:
    print("refused", exc)
else:
    print("drawn", page.image.width, page.image.height)
"""


def _damaged(data: bytes, how: str) -> bytes:
    if how == "repeated":  # a stretch of the JBIG2 data repeated: jbig2dec loops, poppler not
        return data[:9583] + data[6880:9583] + data[9583:]
    flipped = bytearray(data)  # two bits flipped: jbig2dec and poppler both loop
    flipped[5280] ^= 0x08
    flipped[17682] ^= 0x04
    return bytes(flipped)


@needs_real
@pytest.mark.parametrize(("how", "outcome"), [("repeated", "drawn 1000 1520"),
                                              ("flipped", "refused")])
def test_a_jbig2_stream_that_sets_its_decoders_looping_ends_in_time(
        tmp_path: Path, how: str, outcome: str) -> None:
    """Damaged JBIG2 data (found by benchmarks/fuzz.py) sets jbig2dec, and sometimes poppler
    too, looping for ever, taking memory as they go; pikepdf waited on jbig2dec with no limit
    and the render had five minutes, holding the worker, and the batch, with them. Now each has
    a deadline (shortened here) and a memory cap: poppler draws what jbig2dec could not, and a
    page neither can draw is refused in one sentence."""
    damaged = tmp_path / f"{how}.pdf"
    damaged.write_bytes(_damaged((REAL / "jbig2.pdf").read_bytes(), how))
    status, out, err = python_within(_DRAW_FIRST_PAGE, str(damaged))
    assert status == 0 and out.startswith(outcome), err
    if outcome == "refused":
        assert "cannot be rendered" in out and str(damaged) in out
