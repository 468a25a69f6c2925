"""The blanks ND 30 leaves for the number and the day, read where they stand whatever the
pen's colour: the ink after "Số:" and before the symbol's slash, cut into glyphs (touching
digits apart, a rule above dropped), read by the learned model of handwritten digits, kept as
a handwritten word the clerk confirms unless a second reader reads the same digits; the model
is what its training command makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digitize.extract import extract, segments_from_words
from digitize.ocr import blanks, handdigits
from digitize.ocr.page import PageTask, prepare_page

from .conftest import ROOT

SERIF = Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
PEN = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-BoldOblique.ttf"


def _ink(text: str, size: int = 90, spacing: int = 0, rule: bool = False) -> np.ndarray:
    font = ImageFont.truetype(str(PEN), size)
    img = Image.new("L", (420, 170), 255)
    draw = ImageDraw.Draw(img)
    x = 20
    for ch in text:
        draw.text((x, 40), ch, font=font, fill=0)
        x += round(draw.textlength(ch, font=font)) + spacing
    if rule:
        draw.line((0, 8, 419, 8), fill=0, width=3)  # an agency's underline above
    # A hand's digits are narrower than a font's: about 0.6 of their height.
    return np.asarray(img.resize((round(img.width * 0.7), img.height))) < 128


def test_touching_digits_are_cut_apart_and_a_rule_is_not_a_digit() -> None:
    ink = _ink("46", spacing=-12, rule=True)
    assert len(handdigits.glyphs(ink)) == 2
    assert len(handdigits.glyphs(_ink("660"))) == 3
    assert len(handdigits.glyphs(_ink("5"))) == 1


@pytest.mark.parametrize("second", ["eng", "none"])
def test_a_number_written_into_the_blank_is_read_and_checked_by_a_second_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str) -> None:
    # "none": the second reader's language is not installed, so nothing agrees.
    monkeypatch.setattr(blanks, "SECOND_READER", second)
    page = Image.new("RGB", (2480, 1200), "white")
    draw = ImageDraw.Draw(page)
    serif = ImageFont.truetype(str(SERIF), 50)
    draw.text((250, 150), "ỦY BAN NHÂN DÂN", font=serif, fill="black")
    draw.text((1150, 150), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=serif, fill="black")
    draw.text((250, 215), "TỈNH QUẢNG NGÃI", font=serif, fill="black")
    draw.text((1350, 215), "Độc lập - Tự do - Hạnh phúc", font=serif, fill="black")
    draw.text((280, 330), "Số:", font=serif, fill="black")
    draw.text((380, 310), "05", font=ImageFont.truetype(str(PEN), 70), fill=(20, 20, 30))
    draw.text((520, 330), "/CT-UBND", font=serif, fill="black")
    draw.text((1250, 330), "Quảng Ngãi, ngày 15 tháng 3 năm 2024", font=serif, fill="black")
    draw.text((1100, 500), "CHỈ THỊ", font=serif, fill="black")
    draw.text((700, 570), "Về việc tăng cường công tác phòng cháy, chữa cháy", font=serif,
              fill="black")
    src = tmp_path / "chi_thi.png"
    page.save(src, dpi=(300, 300))
    work = tmp_path / "work"
    work.mkdir()
    done = prepare_page(PageTask(src, 0, work, "vie", 300, 150_000_000, 120))
    hand = [w for w in done.ocr.words if w.hand]
    assert [w.text for w in hand] == ["05"]  # the model's reading of the drawn digits
    assert 360 <= hand[0].left <= 400  # the blank's ink, not the print around it
    ex = extract(segments_from_words([(0, done.ocr.width, done.ocr.height,
                                       done.ocr.words)]), 1)
    assert ex.metadata["number"] == "05" and ex.metadata["symbol"] == "CT-UBND"
    assert "hand" in done.hocr.read_text(encoding="utf-8")
    if second == "none":
        assert not hand[0].agreed and "number" in ex.review  # the model alone: the clerk checks
    else:
        # Tesseract's digits read the same ink alike and the model was sure: two readers.
        assert hand[0].agreed and "x_agreed" in done.hocr.read_text(encoding="utf-8")
        assert "number" not in ex.review and ex.confidence["number"] >= 0.95


@pytest.mark.parametrize("script", ["train_digits.py", "train_review.py"])
def test_a_learned_model_is_what_its_training_command_gives(script: str) -> None:
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "fit", "--check"],
                         capture_output=True, text=True, check=False, cwd=ROOT / "benchmarks")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "is what" in res.stdout
