"""A plainly upright page is read without Tesseract's orientation detection and comes out the
same; a page turned any other way, or one wrongly taken for upright, is read with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from digitize.model import Word
from digitize.ocr import tesseract
from digitize.ocr.cleanup import as_grey, estimate_skew, orientation_from_hocr
from digitize.ocr.orientation import looks_upright, read_well

from .conftest import SAMPLES


def _sample(name: str) -> Path:
    return next(SAMPLES.glob(f"*/{name}"))


def _upright(img: Image.Image, dpi: int) -> bool:
    grey = as_grey(img)
    return looks_upright(grey, dpi, estimate_skew(grey))


@pytest.mark.parametrize("name", ["02_quyet_dinh.jpg", "cong_van.tif", "01_to_khai.png"])
def test_an_upright_page_looks_upright_and_the_same_page_turned_does_not(name: str) -> None:
    with Image.open(_sample(name)) as img:
        img.load()
        dpi = round(img.info.get("dpi", (200, 200))[0])
    assert _upright(img, dpi)
    for turn in (90, 180, 270):
        assert not _upright(img.rotate(turn, expand=True), dpi), turn


def test_a_blank_page_and_a_shaded_one_do_not_look_upright() -> None:
    assert not _upright(Image.new("L", (1700, 2200), 255), 200)
    assert not _upright(Image.new("L", (1700, 2200), 180), 200)


def _word(text: str, conf: float, width: int = 40, height: int = 12) -> Word:
    return Word(text=text, left=0, top=0, width=width, height=height, conf=conf, block=1,
                par=1, line=1)


def test_a_reading_is_text_when_most_of_its_words_are_read_sure() -> None:
    assert read_well([_word(w, 95) for w in ("Ủy", "ban", "nhân", "dân", "tỉnh")])
    # A page read the wrong way up: marks and letters at middling confidence.
    assert not read_well([_word(w, c) for w, c in
                          (("ưp([[", 31), ("EA", 44), ("'T", 20), ("uạẨnb", 52), ("ugA", 95))])
    assert not read_well([_word("Số", 96), _word("15", 96)])  # too little to tell
    # Read sure but down the page: a page turned a quarter, its lines read as vertical text.
    assert not read_well([_word(w, 95, 12, 40) for w in ("Ủy", "ban", "nhân", "dân", "tỉnh")])


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The page segmentation modes of the page passes made."""
    made: list[int] = []
    real = tesseract._page_pass

    def page_pass(*args: object, psm: int) -> tesseract.Recognised:
        made.append(psm)
        return real(*args, psm=psm)  # type: ignore[arg-type]

    monkeypatch.setattr(tesseract, "_page_pass", page_pass)
    return made


def _read(page: Path, base: Path, upright: bool) -> tesseract.Recognised:
    return tesseract.recognise(page, base, "vie", 200, 120, "page 1", upright=upright)


@pytest.mark.parametrize("inside", [True, False], ids=["in-process", "command"])
def test_an_upright_page_is_read_once_without_detection_and_reads_the_same(
        inside: bool, path_of, passes: list[int], tmp_path: Path) -> None:
    path_of(inside)
    page = _sample("02_quyet_dinh.jpg")
    without = _read(page, tmp_path / "without", True)
    assert passes == [3]
    detected = _read(page, tmp_path / "with", False)
    assert passes == [3, 1]
    assert without.hocr.read_bytes() == detected.hocr.read_bytes()
    assert without.tsv.read_text(encoding="utf-8") == detected.tsv.read_text(encoding="utf-8")


def test_an_upside_down_page_taken_for_upright_is_read_again_with_detection(
        passes: list[int], tmp_path: Path) -> None:
    page = _sample("thong_bao.png")  # the samples' upside-down page
    rec = _read(page, tmp_path / "p", True)
    assert passes == [3, 1]
    assert orientation_from_hocr(rec.hocr) == 180
    words = tesseract.tsv_words(rec.tsv.read_text(encoding="utf-8"))
    assert read_well(words) and "THÔNG" in {w.text for w in words}


def test_a_page_turned_a_quarter_taken_for_upright_is_read_again_with_detection(
        passes: list[int], tmp_path: Path) -> None:
    """Without orientation detection Tesseract reads this page's lines as vertical text, as
    sure as an upright page's, with no line angle in the hOCR: kept, the page would be taken
    for upright."""
    turned = tmp_path / "turned.png"
    with Image.open(_sample("02_quyet_dinh.jpg")) as img:
        img.rotate(270, expand=True).save(turned, dpi=img.info.get("dpi", (200, 200)))
    rec = _read(turned, tmp_path / "p", True)
    assert passes == [3, 1]
    assert orientation_from_hocr(rec.hocr) in (90, 270)
    assert rec.hocr.read_bytes() == _read(turned, tmp_path / "detected", False).hocr.read_bytes()
