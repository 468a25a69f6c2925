"""OCR stage: pages come out upright and level whatever way they were scanned, page order is
kept, outputs carry the PDF/A-2b markers and pass qpdf, scans keep their bytes (JPEG) or are
stored losslessly (G4), blank pages are flagged or dropped, the compact profile is smaller."""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from .conftest import SAMPLES, Env

pytestmark = pytest.mark.slow


def _ocr(cli_env: Env, inputs: list[Path], out: Path, *extra: str) -> list[dict]:
    res = cli_env.run("ocr", *map(str, inputs), "--out", str(out), "--json",
                      "--show-personal-data", *extra)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _rendered_geometry(pdf: str, tmp: Path) -> tuple[str, float, float, float]:
    """Independent look at the output: render page 1, OCR the picture again, and return
    Tesseract's orientation verdict, the median baseline angle (degrees) and the page size."""
    png = tmp / "render"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", pdf, str(png)], check=True)
    one_thread = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # 4x faster on Debian's build
    osd = subprocess.run(["tesseract", f"{png}.png", "-", "--psm", "0", "--dpi", "150"],
                         capture_output=True, text=True, check=False, env=one_thread).stdout
    rotate = re.search(r"^Rotate: (\d+)", osd, re.MULTILINE)
    subprocess.run(["tesseract", f"{png}.png", str(png), "-l", "vie", "--dpi", "150", "hocr"],
                   capture_output=True, check=True, env=one_thread)
    hocr = Path(f"{png}.hocr").read_text(encoding="utf-8")
    slopes = [float(s) for s in re.findall(r"baseline (-?[\d.]+) ", hocr)]
    with Image.open(f"{png}.png") as im:
        w, h = im.size
    angle = math.degrees(math.atan(statistics.median(slopes))) if slopes else 99.0
    return (rotate.group(1) if rotate else "?"), angle, w, h


TURNS = [(90, 0.0), (180, 0.0), (270, 0.0), (0, 3.5), (0, -4.5), (90, 2.5)]


@pytest.fixture(scope="module")
def turned(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The form page turned and skewed every way, OCR'd in one run (pages in parallel)."""
    base = tmp_path_factory.mktemp("turned")
    page = Image.open(next(SAMPLES.glob("*/01_to_khai.png"))).convert("L")
    sources = []
    for turn, skew in TURNS:
        scan = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        scan = scan.rotate(-turn, expand=True) if turn else scan  # clockwise, as sideways
        sources.append(base / "in" / f"scan_{turn}_{skew}.png")
        sources[-1].parent.mkdir(exist_ok=True)
        scan.save(sources[-1], dpi=(200, 200))
    return {Path(d["source"]).name: d for d in _ocr(cli_env, sources, base / "out")}


@pytest.mark.parametrize(("turn", "skew"), TURNS)
def test_pages_come_out_upright_and_level(turned: dict[str, dict], tmp_path: Path, turn: int,
                                          skew: float) -> None:
    doc = turned[f"scan_{turn}_{skew}.png"]
    rotate, angle, w, h = _rendered_geometry(doc["pdf"], tmp_path)
    assert rotate == "0"
    assert abs(angle) < 0.4, angle
    assert h > w
    assert doc["metadata"]["id_number"] == "008190012345"


def test_multipage_inputs_keep_page_count_and_order(cli_env: Env, tmp_path: Path) -> None:
    tif = next(SAMPLES.glob("*/cong_van.tif"))
    pdf = next(SAMPLES.glob("*/scan_0002.pdf"))
    docs = {Path(d["source"]).name: d for d in _ocr(cli_env, [tif, pdf], tmp_path / "out")}
    for name, first, second in [
        ("cong_van.tif", "Kính gửi: Phòng Kinh tế", "Thời hạn trả lời"),
        ("scan_0002.pdf", "Kính gửi: Giám đốc Sở Tư pháp", "Phòng Hộ tịch kính trình"),
    ]:
        out = docs[name]["pdf"]
        pages = [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), out, "-"],
                                capture_output=True, text=True, check=True).stdout
                 for i in (1, 2)]
        assert first in pages[0] and second in pages[1], name
        with pikepdf.open(out) as p:
            assert len(p.pages) == 2


def test_pdfa_markers_and_qpdf_check(cli_env: Env, tmp_path: Path) -> None:
    srcs = [next(SAMPLES.glob(f"*/{n}")) for n in ("02_quyet_dinh.jpg", "cong_van.tif",
                                                    "don_de_nghi.pdf")]
    for doc in _ocr(cli_env, srcs, tmp_path / "out"):
        out = doc["pdf"]
        check = subprocess.run(["qpdf", "--check", out], capture_output=True, text=True)
        assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout
        with pikepdf.open(out) as pdf:
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert not pdf.is_encrypted
            intent = pdf.Root.OutputIntents[0]
            assert intent.S == "/GTS_PDFA1" and intent.DestOutputProfile.N == 3
            icc = intent.DestOutputProfile.read_bytes()
            assert icc[36:40] == b"acsp" and icc[16:20] == b"RGB "  # an ICC profile for RGB
            assert "/Filter" not in pdf.Root.Metadata
            for page in pdf.pages:
                assert "/Group" not in page.obj  # no transparency group
                for font in page.Resources.Font.values():
                    descendant = font.DescendantFonts[0]
                    assert "/FontFile2" in descendant.FontDescriptor


def _images(pdf_path: str) -> list[pikepdf.Object]:
    with pikepdf.open(pdf_path) as pdf:
        return [(img.Filter, img.read_raw_bytes()) for page in pdf.pages
                for img in page.get_images().values()]


def test_scans_are_stored_without_quality_loss(cli_env: Env, tmp_path: Path) -> None:
    jpg = next(SAMPLES.glob("*/scan_0001.jpg"))  # sideways: turned by the matrix, not re-encoded
    tif = next(SAMPLES.glob("*/cong_van.tif"))
    png = next(SAMPLES.glob("*/thong_bao.png"))
    docs = {Path(d["source"]).name: d for d in _ocr(cli_env, [jpg, tif, png], tmp_path / "o")}
    [(flt, raw)] = _images(docs["scan_0001.jpg"]["pdf"])
    assert flt == "/DCTDecode" and raw == jpg.read_bytes()
    assert {f for f, _ in _images(docs["cong_van.tif"]["pdf"])} == {"/CCITTFaxDecode"}
    with pikepdf.open(docs["cong_van.tif"]["pdf"]) as pdf, Image.open(tif) as original:
        for i, page in enumerate(pdf.pages):
            original.seek(i)
            g4 = pikepdf.PdfImage(next(iter(page.get_images().values()))).as_pil_image()
            assert g4.convert("1").tobytes() == original.convert("1").tobytes()
    with pikepdf.open(docs["thong_bao.png"]["pdf"]) as pdf:
        img = next(iter(pdf.pages[0].get_images().values()))
        pixels = pikepdf.PdfImage(img).as_pil_image()
    with Image.open(png) as original:
        assert pixels.tobytes() == original.convert("L").tobytes()


def test_blank_page_is_flagged_and_can_be_dropped(cli_env: Env, tmp_path: Path) -> None:
    page = Image.open(next(SAMPLES.glob("*/thong_bao.png"))).convert("L")
    blank = Image.new("L", page.size, 255)
    for x, y in [(100, 200), (900, 1500), (1200, 300)]:  # a few specks, as scanners leave
        blank.paste(60, (x, y, x + 2, y + 2))
    src = tmp_path / "in" / "with_blank.tif"
    src.parent.mkdir()
    page.save(src, save_all=True, append_images=[blank], dpi=(200, 200), compression="tiff_lzw")
    kept = _ocr(cli_env, [src], tmp_path / "a")[0]
    assert kept["status"] == "needs_review"
    assert "page 2: looks blank" in kept["review"]
    assert kept["metadata"]["page_count"] == 2
    dropped = _ocr(cli_env, [src], tmp_path / "b", "--drop-blank")[0]
    assert "page 2: looks blank (dropped)" in dropped["review"]
    with pikepdf.open(dropped["pdf"]) as pdf:
        assert len(pdf.pages) == 1
    assert dropped["metadata"]["page_count"] == 1


def test_compact_profile_is_smaller_and_bilevel(cli_env: Env, tmp_path: Path) -> None:
    srcs = [next(SAMPLES.glob(f"*/{n}")) for n in ("02_quyet_dinh.jpg", "thong_bao.png")]
    archive = _ocr(cli_env, srcs, tmp_path / "a")
    compact = _ocr(cli_env, srcs, tmp_path / "c", "--profile", "compact")
    for a, c in zip(archive, compact, strict=True):
        assert Path(c["pdf"]).stat().st_size < Path(a["pdf"]).stat().st_size / 2
        assert {f for f, _ in _images(c["pdf"])} == {"/CCITTFaxDecode"}
        assert "dpi" not in " ".join(c["review"])  # the 200 dpi rule is the archive's


def test_hocr_has_word_boxes_and_confidences_per_page(cli_env: Env, tmp_path: Path) -> None:
    doc = _ocr(cli_env, [next(SAMPLES.glob("*/scan_0002.pdf"))], tmp_path / "o")[0]
    hocr = Path(doc["hocr_file"]).read_text(encoding="utf-8")
    assert len(re.findall(r"class=['\"]ocr_page['\"]", hocr)) == 2
    assert "x_wconf" in hocr and ">Phòng<" in hocr and ">tịch<" in hocr
    ids = re.findall(r"id=['\"]([^'\"]+)['\"]", hocr)
    assert len(ids) == len(set(ids))


def test_low_resolution_pages_are_read_at_twice_their_size(tmp_path: Path) -> None:
    from digitize.ocr.page import PageTask, prepare_page

    with Image.open(next(SAMPLES.glob("*/thong_bao.png"))) as im:
        low = im.resize((im.width // 2, im.height // 2), Image.Resampling.LANCZOS)
    low.save(tmp_path / "low.png", dpi=(100, 100))  # a 100-dpi phone-grade scan
    work = tmp_path / "work"
    work.mkdir()
    page = prepare_page(PageTask(tmp_path / "low.png", 0, work, "vie", 300, 150_000_000, 120))
    ocr = page.ocr
    assert (ocr.width, ocr.height) == low.size  # boxes in the page's own pixels
    assert ocr.words and all(w.left + w.width <= low.width + 1 and w.top + w.height <=
                             low.height + 1 for w in ocr.words)
    assert "UBND XÃ HÒA AN" in ocr.text and "Hòa An" in ocr.text
    with pikepdf.open(page.text_pdf) as text_page:  # the text layer keeps the page's size
        box = [float(v) for v in text_page.pages[0].mediabox]
    assert abs(box[2] - low.width / 100 * 72) < 2 and abs(box[3] - low.height / 100 * 72) < 2


LOADED_PROBE = """
import os, sys
import digitize.cli.app as app
def leave(code=0):
    print(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
    sys.stdout.flush()
    os._exit(code)
app.leave = leave
sys.argv = ["digitize", *sys.argv[1:]]
app.main()
"""


def test_a_run_that_signs_nothing_never_loads_the_signing_stack(tmp_path: Path) -> None:
    # pyHanko and fpdf2 cost ~0.4 s to import: a clerk's `digitize ocr` of one page, and every
    # run of a batch that is not signed, does without them.
    page = SAMPLES / "000.00.31.H49-261120-0001" / "02_quyet_dinh.jpg"
    res = subprocess.run([sys.executable, "-c", LOADED_PROBE, "ocr", str(page), "--out",
                          str(tmp_path / "out"), "--json"], capture_output=True, text=True,
                         timeout=300, env={**os.environ, "OMP_THREAD_LIMIT": "1"})
    assert res.returncode == 0, res.stderr[-2000:]
    loaded = set(res.stdout.strip().splitlines()[-1].split())
    assert "digitize" in loaded and "PIL" in loaded  # the probe saw the run's own modules
    assert not {"pyhanko", "pyhanko_certvalidator", "fpdf"} & loaded
