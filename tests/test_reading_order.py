"""The page's text in reading order: the header's left column (agency, Số line) before its right
column (quốc hiệu, motto, place and date), Nơi nhận before the signature block; a received
stamp's words marked in the hOCR and kept out of the text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from digitize.model import Word
from digitize.ocr.order import column_bands, frames, reading_order, reading_text, stamp_words

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
LEFT = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI", "Số: 15/QĐ-UBND"]
RIGHT = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
         "Quảng Ngãi, ngày 5 tháng 3 năm 2026"]
BODY = ["QUYẾT ĐỊNH", "Về việc phê duyệt kế hoạch chuyển đổi số năm 2026 của tỉnh",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"]


def _header_page(stamp: bool) -> Image.Image:
    """A page whose header's columns share their baselines (Tesseract reads them across),
    with a ruled received stamp under the date when `stamp`."""
    font, bold = ImageFont.truetype(SERIF, 30), ImageFont.truetype(BOLD, 30)
    page = Image.new("RGB", (1654, 1400), "white")
    d = ImageDraw.Draw(page)
    for i, (left, right) in enumerate(zip(LEFT, RIGHT, strict=True)):
        y = 120 + 60 * i
        d.text((130, y), left, font=bold if i < 2 else font, fill="black")
        d.text((760, y), right, font=bold if i < 2 else font, fill="black")
    if stamp:
        d.rectangle((900, 340, 1400, 470), outline="black", width=4)
        d.text((930, 360), "ĐẾN Số: 2716", font=bold, fill="black")
        d.text((930, 410), "Ngày: 12 tháng 3", font=font, fill="black")
    for i, line in enumerate(BODY):
        d.text((130 if i else 700, 560 + 60 * i), line, font=bold if i == 0 else font,
               fill="black")
    return page


def _w(text: str, left: int, top: int, line: int, block: int = 1, conf: float = 95) -> Word:
    return Word(text=text, left=left, top=top, width=25 * len(text), height=30, conf=conf,
                block=block, par=1, line=line)


def test_a_header_read_across_is_split_at_the_gutter() -> None:
    # Tesseract's lines run across both columns; in a band of two columns the left column's
    # lines come first, then the right's, then the page below the band.
    words = [_w("CHÍNH", 100, 100, 1), _w("PHỦ", 260, 100, 1), _w("CỘNG", 900, 100, 1),
             _w("HÒA", 1040, 100, 1), _w("Số:", 100, 160, 2), _w("15/NQ-CP", 200, 160, 2),
             _w("Hà", 900, 160, 2), _w("Nội", 980, 160, 2),
             _w("NGHỊ", 600, 300, 1, block=2), _w("QUYẾT", 740, 300, 1, block=2)]
    lines = reading_order(words, [(90, 200, 700)])
    assert reading_text(lines) == "CHÍNH PHỦ\nSố: 15/NQ-CP\nCỘNG HÒA\nHà Nội\nNGHỊ QUYẾT\n"
    # Words either side close together are a line of text, not two columns.
    close = [_w("Căn", 600, 100, 1), _w("cứ", 690, 100, 1), _w("Luật", 760, 100, 1),
             _w("số", 600, 160, 2), _w("một", 760, 160, 2)]
    assert reading_text(reading_order(close, [(90, 200, 700)])) == "Căn cứ Luật\nsố một\n"


def test_bands_and_frames_are_found_in_the_ink() -> None:
    from digitize.ocr.cleanup import ink_mask

    ink = ink_mask(_header_page(stamp=True))
    bands = column_bands(ink)
    # From the header's top down to the first line set across the gutter ("Về việc …").
    assert len(bands) == 1 and bands[0][0] < 130 and 240 < bands[0][1] < 680
    assert 430 < bands[0][2] < 760
    assert [(x0 // 10, y0 // 10) for x0, y0, _, _ in frames(ink)] == [(89, 33)]
    assert frames(ink_mask(_header_page(stamp=False))) == []
    inside = _w("ĐẾN", 930, 360, 1, block=5, conf=40)
    hand = inside.model_copy(update={"hand": True})
    assert stamp_words(ink, [inside, hand, _w("QUYẾT", 700, 560, 1)]) == \
        {(930, 360, 1005, 390): "frame"}


@pytest.mark.slow
def test_the_text_file_reads_the_left_column_first_and_leaves_the_stamp_out(
        tmp_path: Path) -> None:
    from digitize.ocr.page import PageTask, prepare_page

    _header_page(stamp=True).save(tmp_path / "qd.png", dpi=(200, 200))
    work = tmp_path / "work"
    work.mkdir()
    done = prepare_page(PageTask(tmp_path / "qd.png", 0, work, "vie", 200, 150_000_000, 120))
    text = done.ocr.text
    at = [text.find(line.split()[-1]) for line in [*LEFT, *RIGHT]]
    assert all(a >= 0 for a in at), text
    assert at == sorted(at), text  # agency, its province, Số; then quốc hiệu, motto, date
    assert text.find("QUYẾT") > at[-1] and "2716" not in text and "ĐẾN" not in text, text
    hocr = done.hocr.read_text(encoding="utf-8")
    assert "x_stamp frame" in hocr and "2716" in hocr  # marked, kept as evidence


def test_tesseract_reads_with_the_shipped_best_vie_model(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    import hashlib

    from digitize.config import Config
    from digitize.ocr import tesseract
    from digitize.setup.doctor import _vie_model

    assert hashlib.sha256(tesseract.BEST_VIE.read_bytes()).hexdigest() == \
        tesseract.BEST_VIE_SHA256
    assert tesseract.apt_package("Vietnamese") == "tesseract-ocr-script-viet"
    assert Config().ocr.lang == "vie" and not Config().ocr.best_vie
    assert _vie_model(False).status == "ok"
    folder = tesseract.data_folder()
    tesseract.use_best_vie(True)
    try:
        assert folder is not None and tesseract.tessdata_dir() == folder
        assert {"osd", "vie"} <= tesseract.installed_languages()
    finally:
        tesseract.use_best_vie(False)
    assert tesseract.tessdata_dir() != folder
    assert (folder / "vie.traineddata").read_bytes() == tesseract.BEST_VIE.read_bytes()
    assert _vie_model(True).status == "ok"
    # A user's own TESSDATA_PREFIX wins, and doctor says the best model is not in use.
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    tesseract.data_folder.cache_clear()
    try:
        assert tesseract.data_folder() is None and _vie_model(True).status == "warning"
    finally:
        monkeypatch.delenv("TESSDATA_PREFIX")
        tesseract.data_folder.cache_clear()


def test_rules_are_the_opening_by_a_line_both_ways() -> None:
    # inkgrid.rules finds runs from their ends (rows) and by doubling over packed bits
    # (columns); both must be exactly the opening by a line, as scipy's running min and max.
    import numpy as np
    from scipy import ndimage

    from digitize.ocr.inkgrid import rules

    rng = np.random.default_rng(7)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(1, 70, 2))
        length = int(rng.integers(1, 40))
        ink = rng.random((h, w)) < rng.random()
        for axis in (0, 1):
            least = ndimage.minimum_filter1d(ink.astype(np.uint8), length, axis=axis,
                                             mode="constant", cval=0)
            want = ndimage.maximum_filter1d(least, length, axis=axis, mode="constant", cval=0,
                                            origin=-1 if length % 2 == 0 else 0).astype(bool)
            assert (rules(ink, length, axis) == want).all(), (h, w, length, axis)
