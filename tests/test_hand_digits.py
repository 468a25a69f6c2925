"""The blanks ND 30 leaves for the number and the day, read where they stand whatever the
pen's colour: the ink after "Số:" and before the symbol's slash, cut into glyphs (touching
digits apart, a rule above dropped), read by the learned model of handwritten digits, kept as
a handwritten word the clerk confirms unless a second reader reads the same digits (a network
learned from MNIST's writers on its own cut of the ink, or Tesseract); each model is what its
training command makes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from digitize.extract import extract, segments_from_words
from digitize.ocr import blanks, handcheck, handdigits
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


def _held_out_mnist(n: int) -> tuple[list[np.ndarray], list[int]]:
    """MNIST digits the second reader never learned from (train_handcheck.py holds them
    out), scaled up 3× and cut as a scan's pen ink."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import train_handcheck

    images, digits = train_handcheck.mnist()
    held = np.random.default_rng(train_handcheck.SEED).permutation(len(digits))[
        train_handcheck.TRAIN:][:n]
    inks = []
    for i in held:
        big = np.asarray(Image.fromarray(images[i].astype(np.uint8)).resize(
            (84, 84), Image.Resampling.BILINEAR)) > 110
        inks.append(big[np.ix_(big.any(axis=1), big.any(axis=0))])
    return inks, [int(digits[i]) for i in held]


def _side_by_side(inks: list[np.ndarray], gap: int) -> np.ndarray:
    h = max(i.shape[0] for i in inks) + 10
    out = np.zeros((h, sum(i.shape[1] for i in inks) + max(gap, 0) * len(inks) + 10), dtype=bool)
    x = 5
    for ink in inks:
        out[5:5 + ink.shape[0], x:x + ink.shape[1]] |= ink
        x += ink.shape[1] + gap
    return out


def test_the_second_reader_reads_other_writers_digits_and_gives_up_on_touching_ones() -> None:
    checker = handcheck.model()
    assert checker is not None
    inks, digits = _held_out_mnist(60)
    alone = sum(checker.read(ink) == str(d) for ink, d in zip(inks, digits, strict=True))
    assert alone >= 51, alone  # 85 % of 60 (94.8 % of the 1,000 held out, as they were drawn)
    numbers = [(_side_by_side(inks[k:k + 3], 8), "".join(map(str, digits[k:k + 3])))
               for k in range(0, 60, 3)]
    right = sum(checker.read(ink) == truth for ink, truth in numbers)
    assert right >= 10, right  # of 20 three-digit numbers (a guessing reader: none)
    # Two digits overlapping by a third of a width are one piece: no guess, so no agreement.
    touching = _side_by_side(inks[:2], -inks[0].shape[1] // 3)
    assert handcheck.pieces(touching) is None and checker.read(touching) == ""
    # A stroke that does not touch the rest of its digit (a 5's flag) stays with it.
    five = np.zeros((60, 40), dtype=bool)
    five[10:50, 8:12] = five[28:32, 8:30] = five[28:50, 26:30] = five[46:50, 8:30] = True
    five[4:8, 8:32] = True  # the flag, apart by two rows
    assert len(handcheck.pieces(five) or []) == 1


@pytest.mark.parametrize("second", ["both", "network", "tesseract", "none"])
def test_a_number_written_into_the_blank_is_read_and_checked_by_a_second_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str) -> None:
    # One second reader taken away at a time (its file or its language missing); "none":
    # neither is there, so nothing agrees.
    if second in ("tesseract", "none"):
        monkeypatch.setattr(handcheck, "model", lambda: None)
    if second in ("network", "none"):
        monkeypatch.setattr(blanks, "TESSERACT_READER", "none")
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
        # The second reader read the same ink alike and the model was sure: two readers.
        assert hand[0].agreed and "x_agreed" in done.hocr.read_text(encoding="utf-8")
        assert "number" not in ex.review and ex.confidence["number"] >= 0.95


@pytest.mark.parametrize("script", ["train_digits.py", "train_review.py", "train_handcheck.py"])
def test_a_learned_model_is_what_its_training_command_gives(script: str) -> None:
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "fit", "--check"],
                         capture_output=True, text=True, check=False, cwd=ROOT / "benchmarks")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "is what" in res.stdout


def test_a_damaged_model_file_is_named_and_a_missing_one_is_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken install (a model file cut short, not an object, missing its weights) is one
    sentence naming the file, not a traceback from deep in the OCR worker."""
    from digitize.errors import EnvironmentProblem
    from digitize.shipped import load

    assert load("digitize.ocr", "no_such_model.json", dict) is None
    shipped = (ROOT / "digitize" / "ocr" / "hand_digits.json").read_text(encoding="utf-8")
    for damage in (shipped[: len(shipped) // 2], "[1, 2]", '{"about": {}}'):
        bad = tmp_path / "hand_digits.json"
        bad.write_text(damage, encoding="utf-8")
        monkeypatch.setenv("DIGITIZE_HAND_DIGITS", str(bad))
        handdigits._load.cache_clear()
        with pytest.raises(EnvironmentProblem, match=r"hand_digits\.json is damaged .*make deps"):
            handdigits.model()
    handdigits._load.cache_clear()
