"""A varied corpus of synthetic scanned Vietnamese documents with their true metadata, for
benchmarks/extraction_eval.py.

Every administrative document type of ND 30 (and the others the TT 05/2025 typeName list names)
and the one-stop desk's application forms, from agencies of many provinces and levels, with
signature blocks KT./TM./TL./Q., several fonts, 150-300 dpi, skew, specks, JPEG quality and
page rotation. All names, numbers and agencies are invented. Layout rules follow ND 30 Phụ lục I;
the drawing code is shared with samples/make_samples.py, the content is not.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import _load_generator
from PIL import Image, ImageFilter, ImageFont

gen = _load_generator()
FONTS = {
    "Liberation Serif": ("/usr/share/fonts/truetype/liberation2/LiberationSerif-{}.ttf",
                         {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic",
                          "BoldItalic": "BoldItalic"}),
    "Liberation Sans": ("/usr/share/fonts/truetype/liberation2/LiberationSans-{}.ttf",
                        {"Regular": "Regular", "Bold": "Bold", "Italic": "Italic",
                         "BoldItalic": "BoldItalic"}),
    "DejaVu Serif": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif{}.ttf",
                     {"Regular": "", "Bold": "-Bold", "Italic": "-Italic",
                      "BoldItalic": "-BoldItalic"}),
}

PROVINCES = ["Tuyên Quang", "Cao Bằng", "Lào Cai", "Thái Nguyên", "Nghệ An", "Hà Tĩnh",
             "Quảng Ngãi", "Gia Lai", "Đắk Lắk", "Khánh Hòa", "Lâm Đồng", "Đồng Nai",
             "An Giang", "Cà Mau", "Quảng Ninh", "Ninh Bình", "Hưng Yên", "Phú Thọ",
             "Lạng Sơn", "Điện Biên", "Sơn La", "Lai Châu", "Thanh Hóa", "Quảng Trị",
             "Tây Ninh", "Đồng Tháp", "Vĩnh Long", "Bắc Ninh"]
COMMUNES = ["Minh Xuân", "Hòa An", "Tân Phú", "Phú Lộc", "Yên Sơn", "Đông Hưng", "Nghĩa Hành",
            "Bình Minh", "Thạch Hà", "Quỳnh Lưu", "Cẩm Giàng", "Lộc Ninh", "Ea Kar", "Mường Lay"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh"]
MIDDLE = ["Văn", "Thị", "Minh", "Hữu", "Đức", "Thanh", "Ngọc", "Quang", "Thu", "Hồng", "Xuân",
          "Thị Thu", "Văn Đức", "Bảo", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hiếu", "Hùng", "Hương", "Lan",
         "Long", "Mai", "Nam", "Nga", "Phúc", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng",
         "Trang", "Tuấn", "Việt", "Yến", "Khôi", "Nhung", "Đạt", "Oanh"]

# (parent, issuer, abbreviation, heads: (title, deputy title), place kind)
AGENCIES: list[tuple[str, str, str, tuple[str, str], str]] = [
    ("UBND TỈNH {p}", "SỞ TƯ PHÁP", "STP", ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "p"),
    ("UBND TỈNH {p}", "SỞ XÂY DỰNG", "SXD", ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "p"),
    ("UBND TỈNH {p}", "SỞ NỘI VỤ", "SNV", ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "p"),
    ("UBND TỈNH {p}", "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG", "SNNMT", ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
     "p"),
    ("UBND TỈNH {p}", "SỞ Y TẾ", "SYT", ("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"), "p"),
    ("UBND TỈNH {p}", "BAN QUẢN LÝ CÁC KHU CÔNG NGHIỆP", "BQL", ("TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
     "p"),
    ("", "ỦY BAN NHÂN DÂN TỈNH {P}", "UBND", ("CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "p"),
    ("", "ỦY BAN NHÂN DÂN XÃ {C}", "UBND", ("CHỦ TỊCH", "PHÓ CHỦ TỊCH"), "c"),
    ("UBND XÃ {C}", "CÔNG AN XÃ {C}", "CAX", ("TRƯỞNG CÔNG AN", "PHÓ TRƯỞNG CÔNG AN"), "c"),
    ("BỘ NỘI VỤ", "CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC", "VTLTNN", ("CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG"),
     "hn"),
    ("", "BỘ TƯ PHÁP", "BTP", ("BỘ TRƯỞNG", "THỨ TRƯỞNG"), "hn"),
    ("SỞ GIÁO DỤC VÀ ĐÀO TẠO {P}", "TRƯỜNG THPT {C}", "THPT", ("HIỆU TRƯỞNG", "PHÓ HIỆU TRƯỞNG"),
     "c"),
]
# tên loại, abbreviation, TT 05/2025 typeName code
TYPES = [("NGHỊ QUYẾT", "NQ", "01"), ("QUYẾT ĐỊNH", "QĐ", "02"), ("CHỈ THỊ", "CT", "03"),
         ("QUY CHẾ", "QC", "04"), ("QUY ĐỊNH", "QyĐ", "05"), ("THÔNG CÁO", "TC", "06"),
         ("THÔNG BÁO", "TB", "07"), ("HƯỚNG DẪN", "HD", "08"), ("CHƯƠNG TRÌNH", "CTr", "09"),
         ("KẾ HOẠCH", "KH", "10"), ("PHƯƠNG ÁN", "PA", "11"), ("ĐỀ ÁN", "ĐA", "12"),
         ("DỰ ÁN", "DA", "13"), ("BÁO CÁO", "BC", "14"), ("TỜ TRÌNH", "TTr", "15"),
         ("GIẤY ỦY QUYỀN", "GUQ", "16"), ("PHIẾU GỬI", "PG", "17"), ("PHIẾU CHUYỂN", "PC", "18"),
         ("PHIẾU BÁO", "PB", "19"), ("BIÊN BẢN", "BB", "20"), ("HỢP ĐỒNG", "HĐ", "21"),
         ("CÔNG VĂN", "", "22"), ("CÔNG ĐIỆN", "CĐ", "23"), ("BẢN GHI NHỚ", "GN", "24"),
         ("BẢN THỎA THUẬN", "TTh", "25"), ("GIẤY MỜI", "GM", "26"),
         ("GIẤY GIỚI THIỆU", "GGT", "27"), ("GIẤY NGHỈ PHÉP", "GNP", "28"),
         ("GIẤY CHỨNG NHẬN", "GCN", "32")]
TOPICS = ["triển khai số hóa hồ sơ thủ tục hành chính", "cấp bản sao trích lục hộ tịch",
          "kiện toàn Bộ phận Một cửa", "phòng, chống thiên tai năm {y}",
          "tổ chức Hội nghị tổng kết công tác văn thư, lưu trữ", "thu hồi đất để thực hiện dự án",
          "cải cách hành chính giai đoạn {y}-{y2}", "quản lý và sử dụng con dấu",
          "tiếp nhận hồ sơ trực tuyến toàn trình", "bảo vệ dữ liệu cá nhân của công dân",
          "điều chỉnh quy hoạch sử dụng đất", "hỗ trợ hộ nghèo đón Tết",
          "kiểm tra công tác lưu trữ tại các cơ quan", "tuyển dụng viên chức năm {y}",
          "phân cấp thẩm quyền giải quyết thủ tục hành chính", "đầu tư xây dựng trường mầm non",
          "cấp giấy phép xây dựng nhà ở riêng lẻ", "chỉnh lý tài liệu tồn đọng"]
FORMS = [("ĐƠN ĐỀ NGHỊ", "cấp giấy phép xây dựng"), ("TỜ KHAI", "đăng ký khai sinh"),
         ("ĐƠN ĐỀ NGHỊ", "cấp bản sao trích lục hộ tịch"), ("TỜ KHAI", "đăng ký kết hôn"),
         ("ĐƠN ĐỀ NGHỊ", "cấp giấy chứng nhận quyền sử dụng đất"),
         ("TỜ KHAI", "cấp phiếu lý lịch tư pháp"), ("ĐƠN ĐỀ NGHỊ", "xác nhận tình trạng hôn nhân"),
         ("TỜ KHAI", "đăng ký thường trú"), ("ĐƠN ĐỀ NGHỊ", "hỗ trợ học nghề"),
         ("GIẤY ĐỀ NGHỊ", "đăng ký hộ kinh doanh"), ("ĐƠN XIN", "trích lục bản đồ địa chính")]


@dataclass(frozen=True)
class Variant:
    font: str
    dpi: int
    skew: float
    specks: int
    jpeg_quality: int | None  # None: PNG
    turn: int  # degrees clockwise the page lies turned
    blur: bool


def _use_font(name: str) -> None:
    pattern, styles = FONTS[name]

    def font(size_pt: float, dpi: int, bold: bool = False,
             italic: bool = False) -> ImageFont.FreeTypeFont:
        style = {(False, False): "Regular", (True, False): "Bold", (False, True): "Italic",
                 (True, True): "BoldItalic"}[(bold, italic)]
        return ImageFont.truetype(pattern.format(styles[style]), round(size_pt * dpi / 72))

    gen.font = font  # Page.text looks the function up in its module at call time


def _name(rnd: random.Random) -> str:
    return f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"


def _date_line(place: str, d: int, m: int, y: int) -> str:
    return gen.vb_date(place, d, m, y)


def _wrap(p: Any, text: str, size: float, bold: bool, width: float) -> list[str]:
    """Break `text` into lines that fit `width` pixels, as a typist breaks a long name."""
    f = gen.font(size, p.dpi, bold)
    lines: list[str] = []
    for word in text.split():
        if lines and p.draw.textlength(f"{lines[-1]} {word}", font=f) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _header(p: Any, parent: str, issuer: str, number_line: str, date_line: str) -> None:
    split = p.left + round((p.right - p.left) * 0.40)
    width = split - p.left - p.mm(3)
    top = p.y
    left = ([(line, False) for line in _wrap(p, parent, 12.5, False, width)] if parent else [])
    left += [(line, True) for line in _wrap(p, issuer, 12.5, True, width)]
    y = top
    for line, bold in left:
        y = p.text(line, size=12.5, bold=bold, align="center", x1=split, y=y, advance=False)
    yr = p.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align="center",
                x0=split, y=top, advance=False)
    yr = p.text("Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align="center", x0=split, y=yr,
                advance=False)
    p.y = max(y, yr) + p.mm(4)
    p.text(number_line, size=13, align="center", x1=split, advance=False)
    p.text(date_line, size=13, italic=True, align="center", x0=split)
    p.gap(5)


def _body(p: Any, rnd: random.Random, topic: str) -> None:
    lines = [f"Căn cứ Luật Tổ chức chính quyền địa phương ngày {rnd.randint(1, 28)} tháng "
             f"{rnd.randint(1, 12)} năm {rnd.randint(2015, 2025)};",
             f"Căn cứ Nghị định số {rnd.randint(10, 180)}/{rnd.randint(2018, 2025)}/NĐ-CP của "
             "Chính phủ;",
             f"Nhằm thực hiện tốt công tác {topic}, đề nghị các cơ quan, đơn vị phối hợp "
             "thực hiện nghiêm túc các nội dung sau đây."]
    for s in lines[: rnd.randint(1, 3)]:
        p.para(s)
    for i in range(rnd.randint(1, 3)):
        p.para(f"{i + 1}. Tổ chức thực hiện đúng tiến độ, báo cáo kết quả trước ngày "
               f"{rnd.randint(1, 28)} tháng {rnd.randint(1, 12)}.")


def _signature(p: Any, rnd: random.Random, heads: tuple[str, str], collective: str
               ) -> tuple[list[str], str]:
    """The signature block's lines and the true chức vụ."""
    title, deputy = heads
    # TM. (on behalf of a collective) only where the issuer is one: an Ủy ban nhân dân.
    form = rnd.choice(["", "KT", "TL", "Q"] + (["TM", "TM"] if collective else []))
    if form == "KT":
        return [f"KT. {title}", deputy], deputy
    if form == "TM":
        return [f"TM. {collective}", title], title
    if form == "TL":
        return [f"TL. {title}", "CHÁNH VĂN PHÒNG"], "CHÁNH VĂN PHÒNG"
    if form == "Q":
        return [f"Q. {title}"], title
    return [title], title


def administrative(rnd: random.Random, dpi: int, kind: tuple[str, str, str]) -> tuple[Any, dict]:
    name, abbr, tt05 = kind
    parent, issuer, org_abbr, heads, place_kind = rnd.choice(AGENCIES)
    prov, commune = rnd.choice(PROVINCES), rnd.choice(COMMUNES)
    fill = {"p": prov.upper(), "P": prov.upper(), "C": commune.upper()}
    parent = parent.format(**fill)
    issuer = issuer.format(**fill)
    place = {"p": prov, "c": commune, "hn": "Hà Nội"}[place_kind]
    y = rnd.randint(2019, 2026)
    d, m = rnd.randint(1, 28), rnd.randint(1, 12)
    number = str(rnd.randint(1, 999)) if rnd.random() < 0.7 else f"{rnd.randint(1, 9):02d}"
    unit = rnd.choice(["VP", "KT", "TH", "NV", "HCTP", "TCCB"])
    symbol = f"{org_abbr}-{unit}" if not abbr else f"{abbr}-{org_abbr}"
    topic = rnd.choice(TOPICS).format(y=y, y2=y + 4)
    p = gen.Page(dpi)
    p.y = p.mm(rnd.uniform(12, 22))
    _header(p, parent, issuer, f"Số: {number}/{symbol}", _date_line(place, d, m, y))
    if not abbr:  # công văn: trích yếu under the number, "V/v …", then Kính gửi
        split = p.left + round((p.right - p.left) * 0.40)
        subject = topic[:1].lower() + topic[1:]
        p.y -= p.mm(4)
        for line in _wrap(p, f"V/v {subject}", 12, False, split - p.left):
            p.text(line, size=12, align="center", x1=split)
        p.gap(4)
        p.text(f"Kính gửi: {rnd.choice(['Các sở, ban, ngành', 'UBND các xã, phường'])}",
               size=13, align="center")
        p.gap(2)
        truth_subject = subject
    else:
        p.text(name, size=14, bold=True, align="center")
        subject = (f"Về việc {topic}" if abbr in {"QĐ", "NQ", "CT"} and rnd.random() < 0.7
                   else topic[:1].upper() + topic[1:])
        for line in _wrap(p, subject, 14, True, p.right - p.left - p.mm(20)):
            p.text(line, size=14, bold=True, align="center")
        p.gap(6)
        truth_subject = subject
    _body(p, rnd, topic)
    collective = "ỦY BAN NHÂN DÂN" if issuer.startswith("ỦY BAN") else ""
    block, title = _signature(p, rnd, heads, collective)
    signer = _name(rnd)
    gen.signature_block(p, block, signer, ["Nơi nhận:", "- Như trên;", "- Lưu: VT."])
    truth = {
        "doc_kind": "van_ban", "doc_type_name": name, "doc_type_code": abbr or "CV",
        "tt05_type_code": tt05, "number": number, "symbol": symbol,
        "issued_date": f"{y:04d}-{m:02d}-{d:02d}", "place": place, "issuer": issuer,
        "subject": truth_subject, "signer": signer, "signer_title": title,
    }
    if parent:
        truth["parent_issuer"] = parent
    return p, truth


def form(rnd: random.Random, dpi: int, kind: tuple[str, str]) -> tuple[Any, dict]:
    prefix, procedure = kind
    title = f"{prefix} {procedure.upper()}"
    prov, commune = rnd.choice(PROVINCES), rnd.choice(COMMUNES)
    applicant = _name(rnd)
    shown_name = applicant.upper() if rnd.random() < 0.6 else applicant
    by, bm, bd = rnd.randint(1950, 2005), rnd.randint(1, 12), rnd.randint(1, 28)
    id_number = f"0{rnd.randint(1, 96):02d}{rnd.randint(0, 1)}{by % 100:02d}" \
                f"{rnd.randint(0, 999999):06d}"
    phone = f"0{rnd.choice([3, 7, 8, 9])}{rnd.randint(10000000, 99999999)}"
    address = f"Thôn {rnd.choice(GIVEN)} {rnd.randint(1, 9)}, xã {commune}, tỉnh {prov}"
    y, m, d = rnd.randint(2020, 2026), rnd.randint(1, 12), rnd.randint(1, 28)
    p = gen.Page(dpi)
    p.y = p.mm(rnd.uniform(12, 22))
    gen.form_header(p)
    p.text(title, size=15 if len(title) < 40 else 13.5, bold=True,
           align="center")
    p.gap(4)
    p.text(f"Kính gửi: Ủy ban nhân dân xã {commune}", size=13, align="center")
    p.gap(4)
    labels = [
        f"{rnd.choice(['Họ và tên', 'Họ và tên người yêu cầu', 'Họ tên người đề nghị'])}: "
        f"{shown_name}",
        f"{rnd.choice(['Ngày sinh', 'Ngày, tháng, năm sinh', 'Sinh ngày'])}: "
        f"{bd:02d}/{bm:02d}/{by}",
        f"{rnd.choice(['Số CCCD', 'Số định danh cá nhân', 'Số căn cước'])}: {id_number}",
        f"{rnd.choice(['Địa chỉ', 'Nơi cư trú', 'Nơi thường trú'])}: {address}",
        f"{rnd.choice(['Số điện thoại', 'Điện thoại liên hệ'])}: "
        f"{phone[:4]} {phone[4:7]} {phone[7:]}",
    ]
    for s in labels:
        p.text(s, size=13)
    p.gap(3)
    p.para(f"Tôi đề nghị cơ quan có thẩm quyền giải quyết việc {procedure} theo quy định. Tôi "
           "cam đoan những nội dung trên là đúng sự thật.")
    p.gap(4)
    p.text(_date_line(commune, d, m, y), size=13, italic=True, align="right")
    p.text("Người làm đơn", size=13, bold=True, align="right", x1=p.right - p.mm(15))
    p.gap(18)
    p.text(applicant, size=13, align="right", x1=p.right - p.mm(12))
    truth = {
        "doc_kind": "don", "doc_type_name": title, "applicant_name": shown_name,
        "birth_date": f"{by:04d}-{bm:02d}-{bd:02d}", "id_number": id_number, "phone": phone,
        "address": address, "procedure_name": procedure[:1].upper() + procedure[1:],
        "issued_date": f"{y:04d}-{m:02d}-{d:02d}", "place": commune,
    }
    return p, truth


def _degrade(img: Image.Image, v: Variant, seed: int) -> Image.Image:
    if v.blur:
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    if v.skew:
        img = gen.skew(img, v.skew)
    img = gen.specks(img, seed=seed, n=v.specks)
    if v.turn:
        img = img.rotate(-v.turn, expand=True)
    return img


def make(folder: Path, n: int, seed: int = 2026) -> dict[str, dict]:
    """Write n scans into folder; return {file name: {"truth": …, "variant": …}}."""
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds: list[tuple[str, Any]] = [("vb", t) for t in TYPES] + [("don", f) for f in FORMS]
    out: dict[str, dict] = {}
    for i in range(n):
        kind = kinds[i % len(kinds)]
        v = Variant(font=rnd.choice(list(FONTS)), dpi=rnd.choice([150, 200, 200, 240, 300]),
                    skew=rnd.uniform(-3, 3) if rnd.random() < 0.6 else 0.0,
                    specks=rnd.randint(0, 120), jpeg_quality=rnd.choice([None, 45, 60, 75, 90]),
                    turn=rnd.choice([0] * 8 + [90, 180, 270]), blur=rnd.random() < 0.25)
        _use_font(v.font)
        page, truth = (administrative(rnd, v.dpi, kind[1]) if kind[0] == "vb"
                       else form(rnd, v.dpi, kind[1]))
        img = _degrade(page.img, v, seed + i)
        name = f"doc_{i:03d}" + (".png" if v.jpeg_quality is None else ".jpg")
        if v.jpeg_quality is None:
            img.save(folder / name, dpi=(v.dpi, v.dpi))
        else:
            img.convert("L").save(folder / name, quality=v.jpeg_quality, dpi=(v.dpi, v.dpi))
        truth = {k: unicodedata.normalize("NFC", str(val)) for k, val in truth.items()}
        out[name] = {"truth": truth, "variant": v.__dict__}
    (folder.parent / f"{folder.name}.truth.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1), encoding="utf-8")
    return out
