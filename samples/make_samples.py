"""Make the synthetic sample dossiers in samples/ and their ground truth (samples/truth.json).

Each dossier holds an application form (đơn / tờ khai) and administrative documents laid out
as Nghị định 30/2020/NĐ-CP prescribes, in the formats a desk scanner produces: PNG, JPEG,
multi-page TIFF (CCITT G4) and a scanned PDF written by Pillow (whose odd xref is typical of
scanner PDFs). Some pages are rotated or skewed as real scans are. All people, numbers and
agencies are invented.

Run: python samples/make_samples.py [--out DIR]
(needs Pillow and the Liberation 2 fonts, Debian package fonts-liberation2)
The output is deterministic, so re-running it gives the same files.
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_procedures import write as write_procedures

HERE = Path(__file__).resolve().parent
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
A4_MM = (210, 297)


def font(size_pt: float, dpi: int, bold: bool = False,
         italic: bool = False) -> ImageFont.FreeTypeFont:
    style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
             (True, True): "BoldItalic"}[(bold, italic)]
    path = FONT_DIR / f"LiberationSerif-{style}.ttf"
    return ImageFont.truetype(str(path), round(size_pt * dpi / 72))


@dataclass
class Page:
    """A blank A4 page with a cursor; coordinates in pixels at `dpi`."""

    dpi: int
    img: Image.Image = field(init=False)
    y: int = field(init=False)
    lines: list[str] = field(init=False, default_factory=list)  # the text drawn, in order

    def __post_init__(self) -> None:
        w, h = (round(mm / 25.4 * self.dpi) for mm in A4_MM)
        self.img = Image.new("L", (w, h), 255)
        self.draw = ImageDraw.Draw(self.img)
        self.left = self.mm(30)
        self.right = w - self.mm(15)
        self.y = self.mm(20)

    def mm(self, v: float) -> int:
        return round(v / 25.4 * self.dpi)

    def text(self, s: str, *, size: float = 13, bold: bool = False, italic: bool = False,
             align: str = "left", x0: int | None = None, x1: int | None = None,
             advance: bool = True, y: int | None = None) -> int:
        f = font(size, self.dpi, bold, italic)
        x0 = self.left if x0 is None else x0
        x1 = self.right if x1 is None else x1
        width = self.draw.textlength(s, font=f)
        x = {"left": x0, "center": x0 + (x1 - x0 - width) / 2, "right": x1 - width}[align]
        top = self.y if y is None else y
        self.draw.text((x, top), s, font=f, fill=0)
        self.lines.append(s)
        line_h = round(size * self.dpi / 72 * 1.45)
        if advance:
            self.y = top + line_h
        return top + line_h

    def para(self, s: str, *, size: float = 13, indent_mm: float = 10) -> None:
        """Justified-looking left-aligned paragraph with a first-line indent, wrapped to width."""
        f = font(size, self.dpi)
        words, line, first = s.split(), "", True
        for w in words:
            x0 = self.left + (self.mm(indent_mm) if first else 0)
            trial = f"{line} {w}".strip()
            if self.draw.textlength(trial, font=f) > self.right - x0:
                self.text(line, size=size, x0=x0)
                line, first = w, False
            else:
                line = trial
        if line:
            self.text(line, size=size, x0=self.left + (self.mm(indent_mm) if first else 0))

    def gap(self, mm: float) -> None:
        self.y += self.mm(mm)


def nd30_header(p: Page, parent: str, issuer: str, number_line: str, date_line: str) -> None:
    """Quốc hiệu on the right, agency on the left, number and date below (ND 30, Phụ lục I)."""
    split = p.left + round((p.right - p.left) * 0.40)
    p.text(parent, size=12, align="center", x1=split, advance=False)
    p.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align="center", x0=split)
    left_y = p.text(issuer, size=12, bold=True, align="center", x1=split, y=p.y, advance=False)
    p.text("Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align="center", x0=split)
    p.y = max(p.y, left_y) + p.mm(4)
    p.text(number_line, size=13, align="center", x1=split, advance=False)
    p.text(date_line, size=13, italic=True, align="center", x0=split)
    p.gap(6)


def signature_block(p: Page, lines: list[str], name: str, left_lines: list[str]) -> None:
    split = p.left + round((p.right - p.left) * 0.45)
    start = p.y + p.mm(4)
    p.y = start
    for s in lines:
        p.text(s, size=13, bold=True, align="center", x0=split)
    p.gap(22)
    p.text(name, size=13, bold=True, align="center", x0=split)
    y_right = p.y
    p.y = start
    for i, s in enumerate(left_lines):
        p.text(s, size=11 if i else 12, bold=i == 0, italic=i == 0, x1=split)
    p.y = max(p.y, y_right)


def form_header(p: Page) -> None:
    p.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=13, bold=True, align="center")
    p.text("Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align="center")
    p.gap(8)


# ----------------------------------------------------------------------------- documents
@dataclass
class Doc:
    file: str
    truth: dict[str, object]
    phrases: list[str]
    pages: list[Page]


def vb_date(place: str, d: int, m: int, y: int) -> str:
    # ND 30: days below 10 and months 1-2 are zero-padded.
    month = f"{m:02d}" if m < 3 else str(m)
    return f"{place}, ngày {d:02d} tháng {month} năm {y}"


def quyet_dinh(dpi: int) -> Doc:
    p = Page(dpi)
    nd30_header(p, "UBND TỈNH TUYÊN QUANG", "SỞ TƯ PHÁP", "Số: 15/QĐ-STP",
                vb_date("Tuyên Quang", 18, 11, 2026))
    p.text("QUYẾT ĐỊNH", size=14, bold=True, align="center")
    subject = "Về việc cấp bản sao trích lục hộ tịch cho công dân"
    p.text(subject, size=14, bold=True, align="center")
    p.gap(6)
    p.text("GIÁM ĐỐC SỞ TƯ PHÁP", size=14, bold=True, align="center")
    p.gap(4)
    body = [
        "Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014;",
        "Căn cứ Nghị định số 123/2015/NĐ-CP ngày 15 tháng 11 năm 2015 của Chính phủ quy định "
        "chi tiết một số điều và biện pháp thi hành Luật Hộ tịch;",
        "Xét đề nghị của công dân và hồ sơ kèm theo,",
    ]
    for s in body:
        p.para(s)
    p.text("QUYẾT ĐỊNH:", size=14, bold=True, align="center")
    p.para("Điều 1. Cấp bản sao trích lục hộ tịch cho bà Nguyễn Thị Hồng Nhung, sinh ngày "
           "12 tháng 3 năm 1990, nơi cư trú tại xã Minh Xuân, tỉnh Tuyên Quang.")
    p.para("Điều 2. Quyết định này có hiệu lực kể từ ngày ký.")
    signature_block(p, ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"], "Lê Văn Thành",
                    ["Nơi nhận:", "- Như Điều 1;", "- Lưu: VT, HCTP."])
    return Doc("02_quyet_dinh.jpg", {
        "doc_kind": "van_ban", "doc_type_name": "QUYẾT ĐỊNH", "doc_type_code": "QĐ",
        "number": "15", "symbol": "QĐ-STP", "issued_date": "2026-11-18", "place": "Tuyên Quang",
        "issuer": "SỞ TƯ PHÁP", "parent_issuer": "UBND TỈNH TUYÊN QUANG", "subject": subject,
        "signer": "Lê Văn Thành", "signer_title": "PHÓ GIÁM ĐỐC",
    }, [subject, "Căn cứ Luật Hộ tịch ngày 20 tháng 11 năm 2014",
        "Quyết định này có hiệu lực kể từ ngày ký"], [p])


def to_khai_khai_sinh(dpi: int) -> Doc:
    p = Page(dpi)
    form_header(p)
    title = "TỜ KHAI ĐĂNG KÝ KHAI SINH"
    p.text(title, size=15, bold=True, align="center")
    p.gap(4)
    p.text("Kính gửi: Ủy ban nhân dân xã Minh Xuân, tỉnh Tuyên Quang", size=13, align="center")
    p.gap(4)
    for s in [
        "Họ và tên người yêu cầu: NGUYỄN THỊ HỒNG NHUNG",
        "Ngày, tháng, năm sinh: 12/03/1990",
        "Số định danh cá nhân (CCCD): 008190012345",
        "Nơi cư trú: Thôn Làng Chùa, xã Minh Xuân, tỉnh Tuyên Quang",
        "Số điện thoại: 0912 345 678",
        "Quan hệ với người được khai sinh: Mẹ",
        "Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
        "Họ, chữ đệm, tên: TRẦN MINH KHÔI",
        "Ngày, tháng, năm sinh: 02/11/2026",
        "Giới tính: Nam    Dân tộc: Kinh    Quốc tịch: Việt Nam",
        "Nơi sinh: Bệnh viện Đa khoa tỉnh Tuyên Quang",
    ]:
        p.text(s, size=13)
    p.gap(4)
    p.para("Tôi cam đoan nội dung đề nghị đăng ký khai sinh trên đây là đúng sự thật và chịu "
           "trách nhiệm trước pháp luật về cam đoan của mình.")
    p.gap(4)
    p.text("Minh Xuân, ngày 20 tháng 11 năm 2026", size=13, italic=True, align="right")
    p.text("Người yêu cầu", size=13, bold=True, align="right", x1=p.right - p.mm(15))
    p.gap(18)
    p.text("Nguyễn Thị Hồng Nhung", size=13, align="right")
    return Doc("01_to_khai.png", {
        "doc_kind": "don", "doc_type_name": title, "applicant_name": "NGUYỄN THỊ HỒNG NHUNG",
        "birth_date": "1990-03-12", "id_number": "008190012345", "phone": "0912345678",
        "procedure_name": "Đăng ký khai sinh", "issued_date": "2026-11-20", "place": "Minh Xuân",
    }, ["Thôn Làng Chùa, xã Minh Xuân, tỉnh Tuyên Quang", "Bệnh viện Đa khoa tỉnh Tuyên Quang"],
        [p])


def don_xay_dung(dpi: int) -> Doc:
    p = Page(dpi)
    form_header(p)
    title = "ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP XÂY DỰNG"
    p.text(title, size=15, bold=True, align="center")
    p.text("(Sử dụng cho nhà ở riêng lẻ)", size=13, italic=True, align="center")
    p.gap(4)
    p.text("Kính gửi: Ủy ban nhân dân xã Hòa An", size=13, align="center")
    p.gap(4)
    for s in [
        "1. Thông tin về chủ đầu tư:",
        "Họ và tên: TRẦN VĂN BÌNH",
        "Ngày sinh: 05/07/1978",
        "Số CCCD: 031078004567",
        "Địa chỉ: Số 12, đường Lê Lợi, xã Hòa An, tỉnh Cao Bằng",
        "Số điện thoại: 0987 654 321",
        "2. Thông tin công trình:",
        "Địa điểm xây dựng: Thửa đất số 125, tờ bản đồ số 07, xã Hòa An",
        "Loại công trình: Nhà ở riêng lẻ, 03 tầng",
        "Diện tích xây dựng tầng 1: 96 m2. Tổng diện tích sàn: 270 m2",
    ]:
        p.text(s, size=13)
    p.gap(3)
    p.para("Tôi xin cam kết làm theo đúng giấy phép được cấp, nếu sai tôi xin hoàn toàn chịu "
           "trách nhiệm và bị xử lý theo quy định của pháp luật.")
    p.gap(4)
    p.text("Hòa An, ngày 19 tháng 11 năm 2026", size=13, italic=True, align="right")
    p.text("Người làm đơn", size=13, bold=True, align="right", x1=p.right - p.mm(15))
    p.gap(18)
    p.text("Trần Văn Bình", size=13, align="right", x1=p.right - p.mm(12))
    return Doc("don_de_nghi.pdf", {
        "doc_kind": "don", "doc_type_name": title, "applicant_name": "TRẦN VĂN BÌNH",
        "birth_date": "1978-07-05", "id_number": "031078004567", "phone": "0987654321",
        "procedure_name": "Cấp giấy phép xây dựng", "issued_date": "2026-11-19",
        "place": "Hòa An",
    }, ["Thửa đất số 125, tờ bản đồ số 07", "Nhà ở riêng lẻ, 03 tầng"], [p])


def cong_van(dpi: int) -> Doc:
    p = Page(dpi)
    nd30_header(p, "UBND TỈNH CAO BẰNG", "UBND XÃ HÒA AN", "Số: 45/UBND-KT",
                vb_date("Hòa An", 21, 11, 2026))
    subject = "thẩm định hồ sơ cấp giấy phép xây dựng nhà ở riêng lẻ"
    # "V/v" sits under the number on the left (ND 30, công văn).
    split = p.left + round((p.right - p.left) * 0.40)
    p.y -= p.mm(4)
    p.text("V/v thẩm định hồ sơ cấp giấy phép", size=12, align="center", x1=split)
    p.text("xây dựng nhà ở riêng lẻ", size=12, align="center", x1=split)
    p.gap(6)
    p.text("Kính gửi: Phòng Kinh tế, Hạ tầng và Đô thị", size=14, align="center")
    p.gap(4)
    paras = [
        "Ủy ban nhân dân xã Hòa An nhận được hồ sơ đề nghị cấp giấy phép xây dựng nhà ở riêng "
        "lẻ của ông Trần Văn Bình, địa chỉ số 12, đường Lê Lợi, xã Hòa An.",
        "Căn cứ Luật Xây dựng và các văn bản hướng dẫn thi hành, Ủy ban nhân dân xã đề nghị "
        "Phòng Kinh tế, Hạ tầng và Đô thị thẩm định hồ sơ và có ý kiến bằng văn bản.",
        "Hồ sơ gồm: đơn đề nghị cấp giấy phép xây dựng; bản sao giấy chứng nhận quyền sử dụng "
        "đất; bản vẽ thiết kế xây dựng công trình.",
    ]
    for s in paras:
        p.para(s, size=14)
    p2 = Page(dpi)
    p2.para("Thời hạn trả lời trước ngày 28 tháng 11 năm 2026 để Ủy ban nhân dân xã kịp trả kết "
            "quả cho công dân theo đúng quy định.", size=14)
    p2.para("Trân trọng cảm ơn./.", size=14)
    signature_block(p2, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Hoàng Văn Đức",
                    ["Nơi nhận:", "- Như trên;", "- Lưu: VT."])
    return Doc("cong_van.tif", {
        "doc_kind": "van_ban", "doc_type_name": "CÔNG VĂN", "doc_type_code": "CV",
        "number": "45", "symbol": "UBND-KT", "issued_date": "2026-11-21", "place": "Hòa An",
        "issuer": "UBND XÃ HÒA AN", "parent_issuer": "UBND TỈNH CAO BẰNG", "subject": subject,
        "signer": "Hoàng Văn Đức", "signer_title": "CHỦ TỊCH",
    }, ["Phòng Kinh tế, Hạ tầng và Đô thị", "Thời hạn trả lời trước ngày 28 tháng 11 năm 2026"],
        [p, p2])


def thong_bao(dpi: int) -> Doc:
    p = Page(dpi)
    nd30_header(p, "UBND TỈNH CAO BẰNG", "UBND XÃ HÒA AN", "Số: 08/TB-UBND",
                vb_date("Hòa An", 22, 11, 2026))
    p.text("THÔNG BÁO", size=14, bold=True, align="center")
    subject = "Kết quả giải quyết hồ sơ cấp giấy phép xây dựng"
    p.text(subject, size=14, bold=True, align="center")
    p.gap(6)
    p.para("Ủy ban nhân dân xã Hòa An thông báo hồ sơ đề nghị cấp giấy phép xây dựng của ông "
           "Trần Văn Bình đã được giải quyết. Đề nghị ông đến Bộ phận Một cửa để nhận kết quả.",
           size=14)
    signature_block(p, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"], "Hoàng Văn Đức",
                    ["Nơi nhận:", "- Ông Trần Văn Bình;", "- Lưu: VT."])
    return Doc("thong_bao.png", {
        "doc_kind": "van_ban", "doc_type_name": "THÔNG BÁO", "doc_type_code": "TB",
        "number": "08", "symbol": "TB-UBND", "issued_date": "2026-11-22", "place": "Hòa An",
        "issuer": "UBND XÃ HÒA AN", "parent_issuer": "UBND TỈNH CAO BẰNG", "subject": subject,
        "signer": "Hoàng Văn Đức", "signer_title": "CHỦ TỊCH",
    }, [subject, "Bộ phận Một cửa để nhận kết quả"], [p])


def don_trich_luc(dpi: int) -> Doc:
    p = Page(dpi)
    form_header(p)
    title = "ĐƠN ĐỀ NGHỊ CẤP BẢN SAO TRÍCH LỤC HỘ TỊCH"
    p.text(title, size=15, bold=True, align="center")
    p.gap(4)
    p.text("Kính gửi: Sở Tư pháp tỉnh Tuyên Quang", size=13, align="center")
    p.gap(4)
    for s in [
        "Họ và tên người yêu cầu: PHẠM THỊ LAN",
        "Ngày sinh: 09/01/1985",
        "Số định danh cá nhân: 008185009876",
        "Nơi cư trú: Tổ 5, phường Phan Thiết, tỉnh Tuyên Quang",
        "Điện thoại: 0868 111 222",
        "Đề nghị cấp bản sao trích lục khai sinh cho bản thân, số lượng: 02 bản.",
    ]:
        p.text(s, size=13)
    p.gap(4)
    p.text("Tuyên Quang, ngày 17 tháng 11 năm 2026", size=13, italic=True, align="right")
    p.text("Người yêu cầu", size=13, bold=True, align="right", x1=p.right - p.mm(15))
    p.gap(18)
    p.text("Phạm Thị Lan", size=13, align="right", x1=p.right - p.mm(20))
    return Doc("scan_0001.jpg", {
        "doc_kind": "don", "doc_type_name": title, "applicant_name": "PHẠM THỊ LAN",
        "birth_date": "1985-01-09", "id_number": "008185009876", "phone": "0868111222",
        "procedure_name": "Cấp bản sao trích lục hộ tịch", "issued_date": "2026-11-17",
        "place": "Tuyên Quang",
    }, ["Tổ 5, phường Phan Thiết, tỉnh Tuyên Quang"], [p])


def to_trinh(dpi: int) -> Doc:
    p = Page(dpi)
    nd30_header(p, "SỞ TƯ PHÁP TỈNH TUYÊN QUANG", "PHÒNG HỘ TỊCH", "Số: 27/TTr-PHT",
                vb_date("Tuyên Quang", 18, 11, 2026))
    p.text("TỜ TRÌNH", size=14, bold=True, align="center")
    subject = "Về việc cấp bản sao trích lục hộ tịch"
    p.text(subject, size=14, bold=True, align="center")
    p.gap(4)
    p.text("Kính gửi: Giám đốc Sở Tư pháp", size=14, align="center")
    p.gap(4)
    for s in [
        "Ngày 17 tháng 11 năm 2026, Phòng Hộ tịch nhận được đơn đề nghị cấp bản sao trích lục "
        "hộ tịch của bà Phạm Thị Lan, nơi cư trú tại phường Phan Thiết, tỉnh Tuyên Quang.",
        "Qua kiểm tra, thông tin khai sinh của bà Phạm Thị Lan có trong Cơ sở dữ liệu hộ tịch "
        "điện tử. Hồ sơ đầy đủ, hợp lệ theo quy định.",
    ]:
        p.para(s, size=14)
    p2 = Page(dpi)
    p2.para("Phòng Hộ tịch kính trình Giám đốc Sở xem xét, quyết định cấp 02 bản sao trích lục "
            "khai sinh cho bà Phạm Thị Lan.", size=14)
    signature_block(p2, ["TRƯỞNG PHÒNG"], "Đỗ Thị Mai",
                    ["Nơi nhận:", "- Như trên;", "- Lưu: PHT."])
    return Doc("scan_0002.pdf", {
        "doc_kind": "van_ban", "doc_type_name": "TỜ TRÌNH", "doc_type_code": "TTr",
        "number": "27", "symbol": "TTr-PHT", "issued_date": "2026-11-18", "place": "Tuyên Quang",
        "issuer": "PHÒNG HỘ TỊCH", "parent_issuer": "SỞ TƯ PHÁP TỈNH TUYÊN QUANG",
        "subject": subject, "signer": "Đỗ Thị Mai", "signer_title": "TRƯỞNG PHÒNG",
    }, [subject, "Cơ sở dữ liệu hộ tịch điện tử",
        "quyết định cấp 02 bản sao trích lục khai sinh"], [p, p2])


# ----------------------------------------------------------------------------- scanning effects
def specks(img: Image.Image, seed: int, n: int = 40) -> Image.Image:
    rnd = random.Random(seed)
    d = ImageDraw.Draw(img)
    for _ in range(n):
        x, y = rnd.randrange(img.width), rnd.randrange(img.height)
        r = rnd.choice([1, 1, 2])
        d.ellipse((x, y, x + r, y + r), fill=90)
    return img


def skew(img: Image.Image, degrees: float) -> Image.Image:
    return img.rotate(degrees, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)


def save(doc: Doc, folder: Path, dpi: int, *, effect=None) -> None:
    pages = [effect(p.img) if effect else p.img for p in doc.pages]
    path = folder / doc.file
    ext = path.suffix.lower()
    if ext == ".png":
        pages[0].save(path, dpi=(dpi, dpi), optimize=True)
    elif ext == ".jpg":
        pages[0].convert("RGB").save(path, quality=82, dpi=(dpi, dpi))
    elif ext == ".tif":
        bw = [im.point(lambda v: 255 if v > 160 else 0).convert("1") for im in pages]
        bw[0].save(path, compression="group4", dpi=(dpi, dpi), save_all=True,
                   append_images=bw[1:])
    elif ext == ".pdf":
        when = datetime(2026, 11, 20, 8, 30, tzinfo=UTC).utctimetuple()  # reproducible output
        pages[0].save(path, "PDF", resolution=float(dpi), save_all=True,
                      append_images=pages[1:], creationDate=when, modDate=when)
    else:
        raise ValueError(ext)


def main(out: Path = HERE) -> None:
    truth: dict[str, dict[str, object]] = {}

    def add(dossier: str, doc: Doc, dpi: int, effect=None, note: str = "") -> None:
        folder = out / dossier
        folder.mkdir(exist_ok=True)
        save(doc, folder, dpi, effect=effect)
        key = f"{dossier}/{doc.file}"
        truth[key] = {
            "metadata": {k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
                         for k, v in doc.truth.items()},
            "expected_text": [unicodedata.normalize("NFC", s) for s in doc.phrases],
            "page_count": len(doc.pages),
            "pages_text": ["\n".join(unicodedata.normalize("NFC", ln) for ln in p.lines)
                           for p in doc.pages],
            "scan": note,
        }

    d1, d2, d3 = ("000.00.31.H49-261120-0001", "000.00.31.H49-261120-0002",
                  "000.00.31.H49-261120-0003")
    add(d1, to_khai_khai_sinh(200), 200, note="PNG, 200 dpi, upright")
    add(d1, quyet_dinh(200), 200, effect=lambda im: specks(skew(im, 2.0), 1),
        note="JPEG, 200 dpi, skewed 2 degrees, specks")
    add(d2, don_xay_dung(200), 200, note="scanned PDF written by Pillow, 200 dpi")
    add(d2, cong_van(300), 300, note="multi-page TIFF (CCITT G4), 300 dpi, 2 pages")
    add(d2, thong_bao(200), 200, effect=lambda im: im.transpose(Image.Transpose.ROTATE_180),
        note="PNG, 200 dpi, upside down (rotated 180 degrees)")
    add(d3, don_trich_luc(200), 200, effect=lambda im: im.transpose(Image.Transpose.ROTATE_90),
        note="JPEG, 200 dpi, rotated 90 degrees")
    add(d3, to_trinh(200), 200, note="scanned PDF, 200 dpi, 2 pages")
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")
    write_procedures(out / "procedures.csv")  # the desk's catalogue for `make demo`


if __name__ == "__main__":
    main(Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else HERE)
