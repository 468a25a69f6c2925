"""A second, independent corpus of synthetic Vietnamese administrative and legal documents, for
benchmarks/extraction_eval.py --corpus other. It shares no code, templates or word lists with
samples/make_samples.py or benchmarks/eval_corpus.py (written apart, from ND 30/2020 Phụ lục I
and real decrees' layouts): other fonts and sizes (13-14 pt, condensed faces), other margins
and header widths, agency names broken at other places, the trích yếu over one to three lines,
legal documents with a year in the số (21/2026/TT-BCT), numbers and days written into the
printed blank in blue by hand, or left blank (filled in at signing), red seals over the
signature and red "ĐẾN" received-stamps, signature blocks further left or right.

Truth says what is on the page; a number or date written by hand must come out right or be
sent to review (the benchmark counts a reviewed value as reviewed, whatever it is), a blank one
must come out empty. "lines" holds every line of text drawn in black or blue (the red stamps
and seals are not text to read), for benchmarks/page_kinds.py.

    make(folder, n, seed) -> {file name: {"truth": {...}, "variant": {...}}}
"""

from __future__ import annotations

import json
import math
import random
import unicodedata
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

DV = "/usr/share/fonts/truetype/dejavu/"
LIB = "/usr/share/fonts/truetype/liberation2/"
FACES = {  # regular, bold, italic
    "DejaVu Serif Condensed": (DV + "DejaVuSerifCondensed.ttf",
                               DV + "DejaVuSerifCondensed-Bold.ttf",
                               DV + "DejaVuSerifCondensed-Italic.ttf"),
    "DejaVu Sans Condensed": (DV + "DejaVuSansCondensed.ttf",
                              DV + "DejaVuSansCondensed-Bold.ttf",
                              DV + "DejaVuSansCondensed-Oblique.ttf"),
    "Liberation Serif": (LIB + "LiberationSerif-Regular.ttf", LIB + "LiberationSerif-Bold.ttf",
                         LIB + "LiberationSerif-Italic.ttf"),
}
HAND = DV + "DejaVuSans-Oblique.ttf"  # drawn jittered, in blue: a hand's digits
BLUE, RED, INK = (30, 50, 170), (200, 30, 40), (15, 15, 15)

# (parent or "", agency as it is broken over lines, symbol tail, place)
ISSUERS = [
    ("", ["BỘ CÔNG THƯƠNG"], "BCT", "Hà Nội"),
    ("", ["BỘ GIÁO DỤC VÀ ĐÀO TẠO"], "BGDĐT", "Hà Nội"),
    ("", ["CHÍNH PHỦ"], "CP", "Hà Nội"),
    ("", ["THỦ TƯỚNG CHÍNH PHỦ"], "TTg", "Hà Nội"),
    ("", ["ỦY BAN NHÂN DÂN", "TỈNH KHÁNH HÒA"], "UBND", "Khánh Hòa"),
    ("", ["ỦY BAN NHÂN DÂN", "THÀNH PHỐ CẦN THƠ"], "UBND", "Cần Thơ"),
    ("", ["ỦY BAN NHÂN DÂN", "TỈNH LÂM ĐỒNG"], "UBND", "Lâm Đồng"),
    ("UBND TỈNH GIA LAI", ["SỞ TÀI CHÍNH"], "STC", "Gia Lai"),
    ("UBND TỈNH AN GIANG", ["SỞ NỘI VỤ"], "SNV", "An Giang"),
    ("UBND TỈNH NGHỆ AN", ["SỞ KHOA HỌC", "VÀ CÔNG NGHỆ"], "SKHCN", "Nghệ An"),
    ("BỘ TÀI CHÍNH", ["CỤC THUẾ"], "CT", "Hà Nội"),
    ("UBND THÀNH PHỐ HUẾ", ["VĂN PHÒNG"], "VP", "Huế"),
]
ADMIN_TYPES = [("QUYẾT ĐỊNH", "QĐ", "02"), ("KẾ HOẠCH", "KH", "10"), ("BÁO CÁO", "BC", "14"),
               ("THÔNG BÁO", "TB", "07"), ("TỜ TRÌNH", "TTr", "15"), ("GIẤY MỜI", "GM", "26"),
               ("BIÊN BẢN", "BB", "20"), ("CHỈ THỊ", "CT", "03"), ("NGHỊ QUYẾT", "NQ", "01")]
LEGAL_TYPES = [("THÔNG TƯ", "TT", "32"), ("NGHỊ ĐỊNH", "NĐ", "32")]
SUBJECTS = [
    ["Ban hành quy chế quản lý hồ sơ điện tử"],
    ["Triển khai cấp bản sao điện tử từ sổ gốc", "trên địa bàn"],
    ["Kiện toàn tổ công tác chuyển đổi số", "của cơ quan"],
    ["Quy định chi tiết việc lưu trữ tài liệu", "hình thành trong hoạt động", "của cơ quan"],
    ["Tổ chức hội nghị tổng kết công tác năm 2026"],
    ["Phê duyệt danh mục dịch vụ công trực tuyến", "toàn trình"],
]
TITLES = ["CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "BỘ TRƯỞNG", "THỨ TRƯỞNG",
          "CHÁNH VĂN PHÒNG", "CỤC TRƯỞNG", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG"]
FAMILY = ["Lê", "Phan", "Trịnh", "Đoàn", "Vương", "Lương", "Hà", "Tô", "Kiều", "Quách"]
MIDDLE = ["Thị", "Văn", "Quốc", "Minh", "Ngọc", "Hữu", "Thanh"]
GIVEN = ["Khải", "Yến", "Tùng", "Hạnh", "Lộc", "Trâm", "Vinh", "Nhàn", "Thắng", "Uyên"]


def _font(path: str, pt: float, dpi: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, max(6, round(pt * dpi / 72)))


class Sheet:
    def __init__(self, dpi: int) -> None:
        self.dpi = dpi
        self.img = Image.new("RGB", (round(8.27 * dpi), round(11.69 * dpi)), "white")
        self.draw = ImageDraw.Draw(self.img)
        self.text: list[str] = []  # every line drawn in black or blue, in drawing order

    def mm(self, v: float) -> int:
        return round(v / 25.4 * self.dpi)

    def line(self, text: str, x_mm: float, y_mm: float, font: ImageFont.FreeTypeFont,
             centre: bool = False, fill: tuple[int, int, int] = INK) -> float:
        """Draw one line (x is its centre when `centre`); returns the bottom in mm."""
        w = self.draw.textlength(text, font=font)
        x = self.mm(x_mm) - (w / 2 if centre else 0)
        self.draw.text((x, self.mm(y_mm)), text, font=font, fill=fill)
        self.text.append(text)
        return y_mm + font.size * 1.35 / self.dpi * 25.4

    def hand(self, text: str, x_mm: float, y_mm: float, rnd: random.Random) -> None:
        """Digits written by hand in blue ink: slanted, uneven, a little larger."""
        self.text.append(text)
        x = self.mm(x_mm)
        for ch in text:
            f = _font(HAND, rnd.uniform(14, 17), self.dpi)
            glyph = Image.new("L", (f.size * 2, f.size * 2), 0)
            ImageDraw.Draw(glyph).text((f.size // 2, f.size // 3), ch, font=f, fill=255)
            glyph = glyph.rotate(rnd.uniform(-12, 12), resample=Image.Resampling.BICUBIC)
            self.img.paste(Image.new("RGB", glyph.size, BLUE), (x - f.size // 2,
                                                                 self.mm(y_mm) - f.size // 2),
                           glyph)
            x += round(f.size * rnd.uniform(0.5, 0.7))

    def seal(self, cx_mm: float, cy_mm: float, ring: str) -> None:
        r = self.mm(19)
        cx, cy = self.mm(cx_mm), self.mm(cy_mm)
        layer = Image.new("L", self.img.size, 0)
        d = ImageDraw.Draw(layer)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=255, width=max(2, r // 18))
        d.ellipse([cx - r * 0.72, cy - r * 0.72, cx + r * 0.72, cy + r * 0.72], outline=255,
                  width=max(1, r // 30))
        f = _font(FACES["DejaVu Sans Condensed"][1], 7, self.dpi)
        for i, ch in enumerate(ring):
            a = math.pi * (1.1 + 0.8 * i / max(1, len(ring) - 1))
            d.text((cx + r * 0.85 * math.cos(a) - f.size / 3, cy + r * 0.85 * math.sin(a)
                    - f.size / 2), ch, font=f, fill=255)
        d.text((cx - f.size, cy - f.size // 2), "★", font=f, fill=255)
        # Ink over print: the seal darkens the page like a filter (black text stays black).
        tint = Image.new("RGB", self.img.size, "white")
        tint.paste(Image.new("RGB", self.img.size, RED), (0, 0), layer.point(lambda v: v * 0.85))
        self.img = ImageChops.multiply(self.img, tint)
        self.draw = ImageDraw.Draw(self.img)

    def received_stamp(self, x_mm: float, y_mm: float) -> None:
        f = _font(FACES["DejaVu Sans Condensed"][1], 9, self.dpi)
        x, y = self.mm(x_mm), self.mm(y_mm)
        self.draw.rectangle([x, y, x + self.mm(38), y + self.mm(16)], outline=RED,
                            width=max(2, self.dpi // 100))
        self.draw.text((x + self.mm(2), y + self.mm(1.5)), "ĐẾN  Số: ......", font=f, fill=RED)
        self.draw.text((x + self.mm(2), y + self.mm(8)), "Ngày: .........", font=f, fill=RED)


def document(rnd: random.Random, dpi: int) -> tuple[Sheet, dict[str, str], dict[str, object]]:
    face = rnd.choice(list(FACES))
    reg, bold, ital = FACES[face]
    pt = rnd.choice([13, 13.5, 14])
    legal = rnd.random() < 0.2
    name, abbr, tt05 = rnd.choice(LEGAL_TYPES if legal else ADMIN_TYPES)
    # Decrees come from the Government, circulars from ministries; the rest from anyone.
    issuers = [x for x in ISSUERS if x[2] == "CP"] if abbr == "NĐ" else \
        [x for x in ISSUERS if x[1][0].startswith("BỘ")] if abbr == "TT" else ISSUERS
    parent, agency, tail, place = rnd.choice(issuers)
    number, year = str(rnd.randint(1, 4999)), str(rnd.choice([2025, 2026]))
    day, month = rnd.randint(1, 28), rnd.randint(1, 12)
    number_kind = rnd.choices(["printed", "hand", "blank"], [6, 2, 1])[0]
    date_kind = "blank" if number_kind == "blank" else rnd.choices(["printed", "hand"], [4, 1])[0]
    subject = rnd.choice(SUBJECTS)
    title = rnd.choice(TITLES)
    authority = rnd.choice(["", "", "KT. ", "TM. "])
    signer = f"{rnd.choice(FAMILY)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"
    left, right_edge = rnd.uniform(20, 34), rnd.uniform(188, 196)
    header_w = rnd.uniform(62, 80)
    s = Sheet(dpi)
    b, r, i = (_font(bold, pt - 0.5, dpi), _font(reg, pt, dpi), _font(ital, pt, dpi))
    # Header: agency column, quốc hiệu column, each centred on its own axis.
    axis = left + header_w / 2
    y = rnd.uniform(12, 20)
    if parent:
        y = s.line(parent, axis, y, _font(reg, pt - 1, dpi), centre=True)
    for part in agency:
        y = s.line(part, axis, y, b, centre=True)
    qaxis = (left + header_w + right_edge) / 2 + rnd.uniform(-3, 3)
    y2 = s.line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", qaxis, rnd.uniform(12, 20),
                _font(bold, pt - 1.5, dpi), centre=True)
    y2 = s.line("Độc lập - Tự do - Hạnh phúc", qaxis, y2, _font(bold, pt - 0.5, dpi),
                centre=True)
    y = max(y, y2) + rnd.uniform(3, 7)
    symbol = f"{abbr}-{tail}"
    shown = f"{year}/{symbol}" if legal else symbol
    if number_kind == "printed":
        s.line(f"Số: {number}/{shown}", axis, y, r, centre=True)
    else:
        gap = "          "
        s.line(f"Số:{gap}/{shown}", axis, y, r, centre=True)
        if number_kind == "hand":
            w = s.draw.textlength(f"Số:{gap}/{shown}", font=r) / dpi * 25.4
            s.hand(number, axis - w / 2 + 9, y + 2.5, rnd)
    when = f"{place}, ngày {day:02d} tháng {month:02d} năm {year}"
    if date_kind == "printed":
        s.line(when, qaxis, y, i, centre=True)
    else:
        blank = f"{place}, ngày      tháng      năm {year}"
        s.line(blank, qaxis, y, i, centre=True)
        if date_kind == "hand":
            w = s.draw.textlength(blank, font=i) / dpi * 25.4
            start = qaxis - w / 2 + s.draw.textlength(f"{place}, ngày ", font=i) / dpi * 25.4
            s.hand(str(day), start, y + 2.5, rnd)
            s.hand(str(month), start + s.draw.textlength("      tháng ", font=i) / dpi * 25.4,
                   y + 2.5, rnd)
    y += rnd.uniform(10, 16)
    mid = (left + right_edge) / 2
    y = s.line(name, mid, y, _font(bold, pt + 1, dpi), centre=True)
    for part in subject:
        y = s.line(part, mid, y, _font(bold, pt, dpi), centre=True)
    y += rnd.uniform(6, 10)
    body = ["Căn cứ Luật Lưu trữ ngày 21 tháng 6 năm 2024;",
            f"Căn cứ Tờ trình số {rnd.randint(10, 999)}/TTr-{tail} ngày 02 tháng 3 năm {year};",
            "Theo đề nghị của cơ quan chuyên môn,",
            "Điều 1. Nội dung thực hiện theo phụ lục kèm theo văn bản này.",
            "Điều 2. Văn bản này có hiệu lực kể từ ngày ký."]
    for text in body:
        y = s.line(text, left + rnd.uniform(0, 10), y, r)
    y += rnd.uniform(8, 14)
    sx = rnd.uniform(128, 150)
    lines = [f"{authority}{'ỦY BAN NHÂN DÂN' if authority == 'TM. ' else title}"] if authority \
        else []
    signer_title = title if authority != "KT. " else ("PHÓ " + title if not title.startswith(
        "PHÓ") else title)
    if authority == "KT. ":
        lines.append(signer_title)
    elif authority == "TM. ":
        lines.append(title)
    else:
        lines.append(title)
    ys = y
    for text in lines:
        ys = s.line(text, sx, ys, b, centre=True)
    s.line("Nơi nhận:", left, y, _font(ital, pt - 1, dpi))
    s.line("- Như trên;", left, y + 6, _font(reg, pt - 2, dpi))
    s.line("- Lưu: VT.", left, y + 11, _font(reg, pt - 2, dpi))
    sealed = rnd.random() < 0.6
    if sealed:
        s.seal(sx - rnd.uniform(8, 16), ys + 12, agency[-1])
    s.line(signer, sx, ys + rnd.uniform(24, 32), b, centre=True)
    stamped = rnd.random() < 0.4
    if stamped:
        s.received_stamp(left + rnd.uniform(0, 8), y + rnd.uniform(28, 40))
    truth = {"doc_kind": "van_ban", "doc_type_name": name, "doc_type_code": abbr,
             "tt05_type_code": tt05, "number": "" if number_kind == "blank" else number,
             "symbol": symbol, "issued_date": "" if date_kind == "blank"
             else f"{year}-{month:02d}-{day:02d}",
             "place": place, "issuer": " ".join(agency), "subject": " ".join(subject),
             "signer": signer, "signer_title": signer_title}
    if legal:
        truth["number_year"] = year
    if parent:
        truth["parent_issuer"] = parent
    variant = {"face": face, "pt": pt, "dpi": dpi, "number": number_kind, "date": date_kind,
               "legal": legal, "seal": sealed, "stamp": stamped}
    return s, truth, variant


def _scan(img: Image.Image, rnd: random.Random) -> Image.Image:
    img = img.rotate(rnd.uniform(-1.5, 1.5), resample=Image.Resampling.BICUBIC,
                     fillcolor="white")
    if rnd.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(rnd.uniform(0.4, 0.9)))
    return img


def make(folder: Path, n: int, seed: int = 1) -> dict[str, dict]:
    """Write n scans into folder and their truth beside it (<folder>.truth.json)."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, dict] = {}
    for k in range(n):
        dpi = rnd.choice([200, 240, 300])
        sheet, truth, variant = document(rnd, dpi)
        img = _scan(sheet.img, rnd)
        name = f"other_{k:03d}.jpg"
        img.save(folder / name, quality=rnd.choice([70, 85, 95]), dpi=(dpi, dpi))
        out[name] = {"truth": {key: unicodedata.normalize("NFC", v) for key, v in truth.items()},
                     "variant": variant,
                     "lines": [unicodedata.normalize("NFC", t) for t in sheet.text]}
    (folder.parent / f"{folder.name}.truth.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return out
