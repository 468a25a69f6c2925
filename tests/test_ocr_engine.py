"""Tesseract inside the worker's process (tesserocr) against the `tesseract` command: both read
a sample page and its crops alike, a damaged image and a missing language give the same
one-sentence errors, and nothing Tesseract prints reaches the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from digitize.errors import EnvironmentProblem, InputFileError
from digitize.model import Word
from digitize.ocr import engine, tesseract
from digitize.ocr.reread import HAND_DIGITS

from .conftest import SAMPLES


def _page() -> Path:
    return next(SAMPLES.glob("*/02_quyet_dinh.jpg"))


@pytest.fixture(scope="module")
def title(tmp_path_factory: pytest.TempPathFactory) -> tuple[Word, Word]:
    """The sample page's title, QUYẾT ĐỊNH, as the page pass reads it (read once here for the
    crops of the tests below)."""
    words = tesseract.tsv_words(tesseract.recognise(
        _page(), tmp_path_factory.mktemp("title") / "p", "vie", 200, 120, "page 1"
    ).tsv.read_text(encoding="utf-8"))
    at = next(i for i, w in enumerate(words) if w.text == "QUYẾT")
    return words[at], words[at + 1]


def _words(rec: tesseract.Recognised) -> list[str]:
    return [w.text for w in tesseract.tsv_words(rec.tsv.read_text(encoding="utf-8"))]


def test_the_engine_writes_what_the_command_writes_with_the_same_words(
        path_of, tmp_path: Path) -> None:
    path_of(True)
    inside = tesseract.recognise(_page(), tmp_path / "in", "vie", 200, 120, "page 1")
    path_of(False)
    command = tesseract.recognise(_page(), tmp_path / "cmd", "vie", 200, 120, "page 1")
    for rec in (inside, command):
        assert rec.text_pdf.read_bytes().startswith(b"%PDF")
        assert b"ocrx_word" in rec.hocr.read_bytes()
        assert rec.txt.read_text(encoding="utf-8").strip()
    # tesserocr built on the system's libtesseract (`make deps`): the command's library, the
    # same words and boxes (a wheel with its own Tesseract, 5.5 for Debian's 5.3, reads some
    # words and a line beside a stamp differently).
    assert tesseract.tsv_words(inside.tsv.read_text(encoding="utf-8")) == \
        tesseract.tsv_words(command.tsv.read_text(encoding="utf-8"))
    assert len(_words(inside)) > 100 and "QUYẾT" in _words(inside)


def test_a_crop_reads_alike_in_the_engine_and_by_the_command(
        path_of, title: tuple[Word, Word], tmp_path: Path) -> None:
    first, last = title
    with Image.open(_page()) as img:
        crop = img.convert("L").crop((first.left - 10, first.top - 10,
                                      last.left + last.width + 10, last.top + last.height + 10))
    got = {}
    for inside in (True, False):
        path_of(inside)
        got[inside] = (tesseract.read_line(crop, tmp_path / "c.png", "vie", 200, 60, "crop"),
                       [w.text for w in tesseract.read_words(crop, tmp_path / "c.png", "vie",
                                                             200, 60, "crop")],
                       [c for c, _, _ in tesseract.char_boxes(crop, tmp_path / "c.png", "vie",
                                                              200, 60, "crop")])
        assert not (tmp_path / "c.png").exists()  # the command's copy is removed
    assert got[True] == got[False]
    assert got[True][0] == "QUYẾT ĐỊNH"
    assert "".join(got[True][2]) == "QUYẾTĐỊNH"


def test_a_whitelist_holds_for_one_reading_only(
        path_of, title: tuple[Word, Word], tmp_path: Path) -> None:
    path_of(True)
    with Image.open(_page()) as img:
        page = img.convert("L")
    word = title[0]
    crop = page.crop((word.left - 10, word.top - 10, word.left + word.width + 10,
                      word.top + word.height + 10))
    digits = tesseract.read_line(crop, tmp_path / "c.png", "vie", 200, 60, "crop",
                                 HAND_DIGITS, psm=8)
    assert set(digits) <= set(HAND_DIGITS)
    assert tesseract.read_line(crop, tmp_path / "c.png", "vie", 200, 60, "crop", psm=8) == \
        "QUYẾT"


def test_a_damaged_image_is_one_sentence_and_tesseract_prints_nothing(
        path_of, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    for inside in (True, False):
        path_of(inside)
        with pytest.raises(InputFileError) as exc:
            tesseract.recognise(bad, tmp_path / "out", "vie", 200, 60, "scan.png page 1")
        assert exc.value.message.startswith("Tesseract could not read scan.png page 1 (")
        assert exc.value.message.endswith("scan it again.")
        assert "\n" not in exc.value.message
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_a_missing_language_names_its_package_from_the_engine_path(
        path_of, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path_of(True)
    with pytest.raises(EnvironmentProblem) as exc:
        tesseract.recognise(_page(), tmp_path / "out", "khm", 200, 60, "page 1")
    assert "sudo apt-get install tesseract-ocr-khm" in exc.value.message
    assert "Error opening data file" not in capfd.readouterr().err


def test_one_engine_per_process_and_language(path_of) -> None:
    path_of(True)
    folder = tesseract.tessdata_dir()
    first = engine.engine(folder, "vie")
    assert first is not None
    assert engine.engine(folder, "vie") is first
    assert engine.engine(folder, "eng") not in (None, first)
    assert engine.library_version() == tesseract.version().split()[-1]  # the system's library
