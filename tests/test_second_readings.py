"""Second readings of a page (issue 18), with the real Tesseract: the header's left column
read apart from the quốc hiệu where the page pass garbled or missed a line of it, its words
put into the page's hOCR in place of the page pass's, and a pen's digits read with the
model that reads digits best, one by one where the reading ran them together."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from digitize.model import Word

from .hocrpage import one_line_page

SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
SERIF_BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
SANS_ITALIC = "/usr/share/fonts/truetype/liberation2/LiberationSans-Italic.ttf"
DEJAVU_OBLIQUE = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf"


def _header(tmp: Path, agency: str = "BỘ CÔNG THƯƠNG"
            ) -> tuple[Image.Image, dict[str, tuple[int, int, int, int]]]:
    """A first page's head as ND 30 sets it, 200 dpi: the agency and the number on the
    left, the quốc hiệu and the date on the right, the title across; with each line's box."""
    page = Image.new("RGB", (1650, 900), "white")
    d = ImageDraw.Draw(page)
    bold, plain = ImageFont.truetype(SERIF_BOLD, 34), ImageFont.truetype(SERIF, 34)
    boxes = {}
    for key, text, x, y, font in (
            ("agency", agency, 150, 120, bold),
            ("number", "Số: 127/TB-BCT", 170, 230, plain),
            ("quoc", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 820, 110, bold),
            ("motto", "Độc lập - Tự do - Hạnh phúc", 930, 160, bold),
            ("date", "Hà Nội, ngày 5 tháng 3 năm 2026", 880, 230, plain),
            ("title", "THÔNG BÁO VỀ VIỆC TỔ CHỨC HỘI NGHỊ", 480, 380, bold),
            ("body", "Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;", 150, 500, plain)):
        d.text((x, y), text, font=font, fill=(12, 12, 12))
        boxes[key] = tuple(int(v) for v in d.textbbox((x, y), text, font=font))
    return page, boxes  # type: ignore[return-value]


def _words(text: str, box: tuple[int, int, int, int], conf: float, line: int) -> list[Word]:
    """One line's words as the page pass gives them: the line's box split by characters."""
    x0, y0, x1, y1 = box
    out, at, per = [], x0, (x1 - x0) / max(1, len(text))
    for part in text.split():
        width = round(per * len(part))
        out.append(Word(text=part, left=round(at), top=y0, width=width, height=y1 - y0,
                        conf=conf, block=1, par=1, line=line))
        at += width + per
    return out


def test_the_left_header_column_ends_at_the_gutter_and_above_the_title(tmp_path: Path) -> None:
    from digitize.ocr.cleanup import ink_mask
    from digitize.ocr.columns import STRIP, left_column

    page, boxes = _header(tmp_path)
    box = left_column(ink_mask(page))
    assert box is not None
    x0, y0, x1, y1 = box
    assert x0 == 0 and y0 <= boxes["quoc"][1]
    assert boxes["number"][2] < x1 < boxes["date"][0]  # in the gutter between the columns
    assert boxes["number"][3] <= y1  # the number in
    below = ink_mask(page).crop((0, boxes["number"][3], x1, y1)).getbbox()
    assert below is None or below[3] - below[1] <= STRIP  # the title out, but for a speck
    # A page with no two columns at its head (a form, a letter's second page): no column.
    plain = Image.new("RGB", (1650, 900), "white")
    ImageDraw.Draw(plain).text((480, 120), "THÔNG BÁO VỀ VIỆC TỔ CHỨC HỘI NGHỊ",
                               font=ImageFont.truetype(SERIF_BOLD, 34), fill=(12, 12, 12))
    assert left_column(ink_mask(plain)) is None


def test_a_header_line_the_page_pass_missed_is_read_from_its_column(tmp_path: Path) -> None:
    from digitize.ocr.cleanup import ink_mask
    from digitize.ocr.columns import reread_left_column

    page, boxes = _header(tmp_path)
    # The page pass read no word for the agency's line (as it does for CHÍNH PHỦ beside a
    # quốc hiệu set a little higher), and read the rest.
    rest = [*_words("Số: 127/TB-BCT", boxes["number"], 93, 2),
            *_words("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", boxes["quoc"], 95, 1),
            *_words("THÔNG BÁO VỀ VIỆC TỔ CHỨC HỘI NGHỊ", boxes["title"], 95, 3)]
    out, gone, lines = reread_left_column(page, ink_mask(page), tuple(rest), tmp_path / "p",
                                          "vie", 200, 60, "test")
    # The number's line stays as the page pass read it (a pen's digits are read from its
    # boxes): only the agency's line is put in.
    assert [" ".join(w.text for w in line) for line in lines] == ["BỘ CÔNG THƯƠNG"]
    assert gone == set() and all(w in out for w in rest)
    assert [w.text for w in out][:3] == ["BỘ", "CÔNG", "THƯƠNG"]
    assert not list(tmp_path.glob("p-column*"))  # its crop is not left behind
    # The agency read across into the quốc hiệu and garbled: its words are taken out.
    garbled = _words("BỘ CÔNG) THƯỜNG_", boxes["agency"], 38, 0)
    out, gone, lines = reread_left_column(page, ink_mask(page), (*garbled, *rest),
                                          tmp_path / "p", "vie", 200, 60, "test")
    assert gone == {(w.left, w.top, w.left + w.width, w.top + w.height) for w in garbled}
    assert [w.text for w in out][:3] == ["BỘ", "CÔNG", "THƯƠNG"] and len(out) == 3 + len(rest)
    # A department's name begins "SỞ" (Số without its mark): read in, as any agency's.
    page, boxes = _header(tmp_path, "SỞ NỘI VỤ")
    rest = [*_words("Số: 127/TB-SNV", boxes["number"], 93, 2), *rest[2:]]
    _, _, lines = reread_left_column(page, ink_mask(page), tuple(rest), tmp_path / "p", "vie",
                                     200, 60, "test")
    assert [" ".join(w.text for w in line) for line in lines] == ["SỞ NỘI VỤ"]
    page, boxes = _header(tmp_path)
    rest = [*_words("Số: 127/TB-BCT", boxes["number"], 93, 2), *rest[2:]]
    # Every line read, every word sure: the page pass's words stand, nothing is read again.
    whole = (*_words("BỘ CÔNG THƯƠNG", boxes["agency"], 96, 0), *rest)
    again = reread_left_column(page, ink_mask(page), whole, tmp_path / "p", "vie", 200, 60,
                               "test")
    assert again == (whole, set(), [])


def test_the_columns_words_take_the_page_pass_words_place_in_the_hocr(tmp_path: Path) -> None:
    from digitize.extract.hocr import segments_from_hocr
    from digitize.ocr.hocr import mark_hand, replace_words

    page = one_line_page(tmp_path / "p.hocr", [((10, 10, 200, 40), 41, "GIÁO)"),
                                               ((600, 10, 900, 40), 96, "CỘNG")])
    new = [Word(text=t, left=x, top=12, width=80, height=28, conf=95, block=900, par=1, line=1)
           for t, x in (("BỘ", 10), ("GIÁO", 100), ("DỤC", 190))]
    replace_words(page, {(10, 10, 200, 40)}, [new])
    segs, _ = segments_from_hocr(page)
    assert sorted(" ".join(s.text for s in segs).split()) == ["BỘ", "CỘNG", "DỤC", "GIÁO"]
    # The words put in are Tesseract's own kind: a pen's mark finds them as it finds those.
    mark_hand(page, {(190, 12, 270, 40): "12"})
    assert "x_ink blue'>12</span>" in page.read_text(encoding="utf-8")


def _pen(text: str, gap: int, face: str = SANS_ITALIC) -> Image.Image:
    """Digits as a hand writes them: slanted, each turned a little, black on white, `gap`
    pixels apart."""
    font = ImageFont.truetype(face, 46)
    glyphs = []
    for n, ch in enumerate(text):
        g = Image.new("L", (60, 70), 0)
        ImageDraw.Draw(g).text((8, 4), ch, font=font, fill=255)
        glyphs.append(g.rotate((-7, 5, -3, 8)[n % 4], resample=Image.Resampling.BICUBIC))
    boxes = [g.getbbox() or (0, 0, 1, 1) for g in glyphs]
    width = sum(b[2] - b[0] for b in boxes) + gap * (len(text) - 1) + 40
    out = Image.new("L", (width, 110), 255)
    x = 20
    for g, (a, _, b, _) in zip(glyphs, boxes, strict=True):
        out.paste(0, (x - a, 20), g)
        x += b - a + gap
    return out


def test_a_hands_digits_are_read_as_digits_one_by_one_where_run_together(tmp_path: Path
                                                                          ) -> None:
    from digitize.ocr.reread import read_digits

    # Tesseract reads the 111 as one line "11": its digits stand apart, and are read alone.
    for text, gap, face in (("1029", 6, SANS_ITALIC), ("11", 14, SANS_ITALIC),
                            ("4318", 4, SANS_ITALIC), ("7", 0, SANS_ITALIC),
                            ("111", 12, DEJAVU_OBLIQUE)):
        image = _pen(text, gap, face)
        path = tmp_path / "hand.png"
        image.save(path)
        assert read_digits(image, path, "vie", 300, 60, "test") == text, text
        assert not list(tmp_path.glob("hand-glyph*"))


def test_what_the_pen_left_of_the_numbers_slash_is_read_as_the_slash(tmp_path: Path) -> None:
    from digitize.config import OcrConfig
    from digitize.ocr.cleanup import Inks
    from digitize.ocr.reread import _hand_text

    # The pen's 6 crossed the slash before the year: what is left of it reads as a 7.
    printed = Image.new("L", (420, 90), 255)
    ImageDraw.Draw(printed).text((20, 20), "72025/TT-BCT", font=ImageFont.truetype(SERIF, 40),
                                 fill=0)
    inks = Inks(_pen("3826", 6), printed, True)
    # vie+Vietnamese: the best vie alone reads this print's TT as 11.
    lang = "vie+Vietnamese" if OcrConfig().best_vie else "vie"
    assert _hand_text(inks, tmp_path / "hand.png", lang, 300, 60, "test") == \
        "3826/2025/TT-BCT"
