"""How real offices' documents are read: a Word template's "Số: 95     /TTr-UBND" (room left
before the slash for the number the signing software fills in) gives its number and symbol
from the signed file's own text, by `extract` and by `run` alike, and from the hOCR of that
text layer the run keeps; a number written in by hand goes to review with the place to read it
from; a day that disagrees with the signing goes to review; the review model is what its
training command makes of the labelled observations kept in the repository."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from digitize.extract import Segment, extract
from digitize.extract.hocr import segments_from_hocr
from digitize.extract.reviewmodel import shipped
from digitize.extract.signed import dated_by_signature
from digitize.extract.twice import MEASURED, Agreement, Reading
from digitize.ocr.images import read_input
from digitize.ocr.textlayer import pdf_words, write_hocr

from .borndigital import DECISION, born_digital_pdf
from .conftest import Env, counting_tesseract, ocr_calls

# The số line as Word templates leave it: room for the number, typed in at signing, then the
# slash and the symbol further right.
SPACED = tuple(b for x, y, size, text in DECISION for b in (
    ((x, y, size, "Số: 95"), (x + 140, y, size, "/TTr-UBND")) if text.startswith("Số:")
    else ((x, y, size, text.replace("QUYẾT ĐỊNH\n", "TỜ TRÌNH\n")),)))


def _signed(cli_env: Env, tmp_path: Path) -> Path:
    plain = born_digital_pdf(tmp_path / "plain" / "to_trinh.pdf", SPACED)
    res = cli_env.run("sign", str(plain), "--out", str(tmp_path / "signed"), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    return tmp_path / "signed" / plain.name


def test_number_set_apart_from_its_slash_is_read_from_a_text_layer(tmp_path: Path) -> None:
    pdf = born_digital_pdf(tmp_path / "to_trinh.pdf", SPACED)
    page = pdf_words(pdf)[0]
    words = [w for w in page[3] if w.text.endswith("95") or w.text == "/TTr-UBND"]
    assert len(words) == 2 and words[1].left - (words[0].left + words[0].width) > \
        2.5 * words[0].height  # the room is really there: two runs of the line
    hocr = tmp_path / "p.hocr"
    write_hocr(page, hocr)
    segs, pages = segments_from_hocr(hocr)  # the text layer's hOCR, read back
    ex = extract(segs, pages)
    assert ex.metadata["number"] == "95"
    assert ex.metadata["symbol"] == "TTr-UBND"
    assert ex.metadata["doc_type_name"] == "TỜ TRÌNH"
    assert "number" not in ex.review and "symbol" not in ex.review


@pytest.mark.slow
def test_signed_born_digital_pdf_gives_its_number_to_extract_and_run(cli_env: Env,
                                                                      tmp_path: Path) -> None:
    signed = _signed(cli_env, tmp_path)
    res = cli_env.run("extract", str(signed), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    doc = json.loads(res.stdout)[0]
    assert (doc["metadata"]["number"], doc["metadata"]["symbol"]) == ("95", "TTr-UBND")
    inbox = tmp_path / "in" / "HS-1"
    inbox.mkdir(parents=True)
    (inbox / "to_trinh.pdf").write_bytes(signed.read_bytes())
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode in (0, 1), res.stdout + res.stderr
    got = json.loads(res.stdout)["dossiers"][0]["documents"][0]
    assert got["input_signatures"], got  # it came signed: kept, read from its own text
    assert (got["metadata"]["number"], got["metadata"]["symbol"]) == ("95", "TTr-UBND")
    assert "number" not in " ".join(got["review"])


def _seg(text: str, x0: float, y0: float, x1: float, conf: float = 0.97,
         page: int = 0) -> Segment:
    return Segment(text, page, x0, y0, x1, y0 + 0.015, conf, tuple(conf for _ in text.split()))


HEADER = [_seg("ỦY BAN NHÂN DÂN", 0.1, 0.05, 0.35), _seg("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                                                         0.45, 0.05, 0.9),
          _seg("TỈNH QUẢNG NGÃI", 0.1, 0.07, 0.35), _seg("Độc lập - Tự do - Hạnh phúc", 0.5,
                                                          0.07, 0.85)]
BODY = [_seg("CHỈ THỊ", 0.45, 0.2, 0.6), _seg("Về việc tăng cường công tác phòng cháy", 0.3, 0.22,
                                               0.8),
        _seg("TM. ỦY BAN NHÂN DÂN", 0.6, 0.7, 0.85), _seg("CHỦ TỊCH", 0.65, 0.72, 0.8),
        _seg("Nguyễn Văn An", 0.63, 0.8, 0.82)]


@pytest.mark.parametrize("number_line", [
    [_seg("Số:", 0.12, 0.1, 0.17), _seg("/CT-UBND", 0.24, 0.1, 0.34)],  # the pen's ink unread
    [_seg("Số: 44 /CT-UBND", 0.12, 0.1, 0.34)],  # read, but set apart by the pen's blank
])
def test_a_handwritten_number_goes_to_review_with_the_place_to_read_it(
        number_line: list[Segment]) -> None:
    dated = [_seg("Quảng Ngãi, ngày tháng 3 năm 2024", 0.5, 0.1, 0.9)]
    ex = extract([*HEADER, *number_line, *dated, *BODY], 1)
    assert ex.metadata["symbol"] == "CT-UBND"
    assert "number" in ex.review  # never a blank or a pen's guess without the clerk
    box = ex.evidence["number"].box  # the crop the review page draws
    assert box[0] <= 0.12 and box[2] >= 0.3 and box[1] == pytest.approx(0.1)


def test_a_day_that_disagrees_with_the_signing_goes_to_review() -> None:
    line = [_seg("Số: 24/CT-UBND", 0.12, 0.1, 0.34, 0.99)]
    dated = [_seg("Quảng Ngãi, ngày 04 tháng 01 năm 2025", 0.5, 0.1, 0.9, 0.99)]
    ex = extract([*HEADER, *line, *dated, *BODY], 1)
    assert ex.metadata["issued_date"] == "2025-01-04"
    assert "issued_date" not in ex.review
    # Signed on the 24th: a day read as the 4th is a misread pen ("24" read as 04).
    late = dated_by_signature(ex, [date(2025, 1, 24)])
    assert "issued_date" in late.review and late.confidence["issued_date"] <= 0.5
    assert dated_by_signature(ex, [date(2025, 1, 7)]) is ex  # three days later: as offices sign
    assert "issued_date" in dated_by_signature(ex, [date(2025, 1, 2)]).review  # before issue


@pytest.mark.parametrize(("day", "want"), [
    ("45", "2024-03-15"),  # a pen's 1 read as 4: no such day; the 15th is one edit away
    ("154", "2024-03-15"),  # a stroke read as a third digit
    ("", None),  # nothing read in the blank: nothing offered
])
def test_a_day_that_is_no_date_is_read_from_the_days_the_signing_allows(
        day: str, want: str | None) -> None:
    line = [_seg("Số: 24/CT-UBND", 0.12, 0.1, 0.34, 0.99)]
    dated = [_seg(f"Quảng Ngãi, ngày {day} tháng 3 năm 2024", 0.5, 0.1, 0.9, 0.99)]
    segs = [*HEADER, *line, *dated, *BODY]
    ex = extract(segs, 1)
    assert "issued_date" not in ex.metadata
    offered = dated_by_signature(ex, [date(2024, 3, 18)], segs)
    assert offered.metadata.get("issued_date") == want
    assert "issued_date" in offered.review  # a pen's day is confirmed by the clerk
    # A glued day is a day: "ngày 04tháng 02".
    glued = [_seg("Quảng Ngãi, ngày 04tháng 02 năm 2025", 0.5, 0.1, 0.9, 0.99)]
    assert extract([*HEADER, *line, *glued, *BODY], 1).metadata["issued_date"] == "2025-02-04"


def test_the_review_model_prefers_a_text_layer() -> None:
    model = shipped()
    assert model is not None and {"date", "number", "text", "agency"} <= set(model.groups)
    # A value read from the office's own text layer is surer than one OCR read at 0.9.
    assert model.probability("subject", 1.0, "Về việc tăng cường") > \
        model.probability("subject", 0.9, "Về việc tăng cường")


@pytest.mark.slow
def test_a_signed_files_born_digital_pages_are_read_from_their_text(cli_env: Env,
                                                                     tmp_path: Path) -> None:
    """A signed Word export with a scanned attachment after it: not born-digital throughout,
    yet its first page is read from the office's own text, not from an OCR of it."""
    first = born_digital_pdf(tmp_path / "first.pdf", SPACED)
    scan = tmp_path / "scan.pdf"
    Image.new("RGB", (1240, 1754), "white").save(scan, resolution=150)
    mixed = tmp_path / "plain" / "to_trinh.pdf"
    mixed.parent.mkdir()
    with pikepdf.open(first) as pdf, pikepdf.open(scan) as extra:
        pdf.pages.extend(extra.pages)
        pdf.save(mixed)
    res = cli_env.run("sign", str(mixed), "--out", str(tmp_path / "signed"), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    signed = tmp_path / "signed" / mixed.name
    facts = read_input(signed, 150_000_000)
    assert facts.signed and not facts.text_layer and facts.text_pages == (0,)
    inbox = tmp_path / "in" / "HS-2"
    inbox.mkdir(parents=True)
    (inbox / "to_trinh.pdf").write_bytes(signed.read_bytes())
    path, log = counting_tesseract(tmp_path)
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json",
                      extra=path)
    assert res.returncode in (0, 1), res.stdout + res.stderr
    got = json.loads(res.stdout)["dossiers"][0]["documents"][0]
    assert (got["metadata"]["number"], got["metadata"]["symbol"]) == ("95", "TTr-UBND")
    assert got["metadata"]["doc_type_name"] == "TỜ TRÌNH"
    assert ocr_calls(log) == 1  # the scanned attachment only


def test_a_signer_read_with_other_marks_is_offered_as_the_name_the_desk_confirmed(
        tmp_path: Path) -> None:
    from digitize.extract.names import confirmed_signers
    from digitize.model import DOSSIER_RECORD, DocumentResult, DossierResult, Override, Status

    def doc(signer: str, conf: float, fixed: bool = False) -> DocumentResult:
        return DocumentResult(source="a.pdf", status=Status.ok, metadata={"signer": signer},
                              confidence={"signer": conf}, overrides=[Override(
                                  field="signer", new=signer, time="2025-01-01T00:00:00+07:00",
                                  operator="clerk", source="review")] if fixed else [])

    folder = tmp_path / "out" / "HS-1"
    folder.mkdir(parents=True)
    (folder / DOSSIER_RECORD).write_text(DossierResult(id="HS-1", status=Status.ok, documents=[
        doc("Nguyễn Văn Bình", 0.99), doc("Trần Phước Hiền", 0.5, fixed=True),
        doc("Lê Văn Hưng", 0.4)]).model_dump_json(), encoding="utf-8")
    known = confirmed_signers(tmp_path / "out", 0.95)
    assert known == {"Nguyễn Văn Bình", "Trần Phước Hiền"}  # an unconfirmed guess is no name

    signed = [_seg("Trần Phước Hiên", 0.63, 0.8, 0.82, 0.99)]
    ex = extract([*HEADER, *BODY[:-1], *signed], 1, signers=known)
    assert ex.metadata["signer"] == "Trần Phước Hiền"
    assert "signer" in ex.review  # two people may share the letters: the clerk confirms
    assert extract([*HEADER, *BODY[:-1], *signed], 1).metadata["signer"] == "Trần Phước Hiên"


def test_a_received_stamp_beside_the_trich_yeu_stays_out_of_it() -> None:
    # The stamp's frame read as "|", its lines in the margin between the trích yếu's lines.
    lines = [_seg("CHỈ THỊ", 0.52, 0.14, 0.62),
             _seg("[:RuN6 TÊM-CÔNG BẢO & TÍN HỌC | Về việc tăng cường công tác thi hành án",
                  0.01, 0.16, 0.84),
             _seg("CV T86:", 0.03, 0.175, 0.11, 0.68), _seg(".J}LŸ-2", 0.17, 0.178, 0.23, 0.1),
             _seg("trên địa bàn tỉnh Quảng Ngãi", 0.42, 0.18, 0.72),
             _seg("Sang thời gian qua, công tác triển khai thi hành Luật", 0.22, 0.21, 0.92)]
    ex = extract([*HEADER, _seg("Số: 17/CT-UBND", 0.19, 0.11, 0.37), *lines, *BODY[2:]], 1)
    assert ex.metadata["subject"] == ("Về việc tăng cường công tác thi hành án trên địa bàn "
                                      "tỉnh Quảng Ngãi")


def test_the_desks_signers_are_read_again_only_from_records_that_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from digitize.extract import names
    from digitize.model import DOSSIER_RECORD, DocumentResult, DossierResult, Status

    def record(folder: Path, signer: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / DOSSIER_RECORD).write_text(DossierResult(id=folder.name, status=Status.ok,
            documents=[DocumentResult(source="a.pdf", status=Status.ok,
                                      metadata={"signer": signer}, confidence={"signer": 0.99})]
        ).model_dump_json(), encoding="utf-8")

    out = tmp_path / "out"
    record(out / "HS-1", "Nguyễn Văn Bình")
    record(out / "HS-2", "Lê Thị Lan")
    assert names.confirmed_signers(out, 0.95) == {"Nguyễn Văn Bình", "Lê Thị Lan"}
    reads: list[Path] = []
    real = names.read_dossier

    def counted(folder: Path) -> DossierResult:
        reads.append(folder)
        return real(folder)

    monkeypatch.setattr(names, "read_dossier", counted)
    assert names.confirmed_signers(out, 0.95) == {"Nguyễn Văn Bình", "Lê Thị Lan"}
    assert reads == []
    record(out / "HS-2", "Trần Văn Nam")
    os.utime(out / "HS-2" / DOSSIER_RECORD, ns=(1, 1))  # a rewrite within the same tick
    assert names.confirmed_signers(out, 0.95) == {"Nguyễn Văn Bình", "Trần Văn Nam"}
    assert reads == [out / "HS-2"]


def _hocr(tmp_path: Path, lines: list[list[tuple[str, int, int, int, int, str]]]) -> Path:
    """An hOCR page of 2480 × 3508 px: one line per list of (text, x0, y0, x1, conf, ink),
    each word 50 px high; ink "blue" marks a pen's word as the OCR stage does, "agreed" one
    that a second reader read alike."""
    spans = []
    for i, line in enumerate(lines):
        words = " ".join(
            f'<span class="ocrx_word" title="bbox {x0} {y0} {x1} {y0 + 50}; x_wconf {conf}'
            f'{"; x_ink blue" if ink else ""}{"; x_agreed" if ink == "agreed" else ""}">'
            f'{text}</span>'
            for text, x0, y0, x1, conf, ink in line)
        spans.append(f'<div class="ocr_carea" title="bbox 0 0 2480 3508"><span class="ocr_line"'
                     f' id="line_{i}" title="bbox 0 0 2480 3508">{words}</span></div>')
    path = tmp_path / "page.hocr"
    path.write_text('<html xmlns="http://www.w3.org/1999/xhtml"><body><div class="ocr_page" '
                    f'title="bbox 0 0 2480 3508">{"".join(spans)}</div></body></html>',
                    encoding="utf-8")
    return path


def _printed(text: str, x0: int, y0: int, x1: int) -> list[tuple[str, int, int, int, int, str]]:
    words = text.split()
    step = (x1 - x0) // len(words)
    return [(w, x0 + k * step, y0, x0 + (k + 1) * step - 20, 96, "") for k, w in enumerate(words)]


def _pen_dated(tmp_path: Path, day_conf: int, month_conf: int = 96, agreed: bool = False
               ) -> list[Segment]:
    """A Chỉ thị whose number and day a pen wrote in (the hand model's scores: 97 for the
    number, `day_conf` for the day; `agreed`: a second reader read both alike), read back
    from its hOCR."""
    pen = "agreed" if agreed else "blue"
    lines = [_printed("ỦY BAN NHÂN DÂN", 250, 170, 870),
             _printed("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 1100, 170, 2230),
             _printed("TỈNH QUẢNG NGÃI", 250, 240, 870),
             _printed("Độc lập - Tự do - Hạnh phúc", 1240, 240, 2100),
             [("Số:", 300, 350, 380, 96, ""), ("16", 400, 345, 470, 97, pen),
              ("/CT-UBND", 500, 350, 780, 96, "")],
             [*_printed("Quảng Ngãi,", 1200, 350, 1480), ("ngày", 1500, 350, 1600, 96, ""),
              ("16", 1620, 345, 1690, day_conf, pen), ("tháng", 1710, 350, 1830, 96, ""),
              ("01", 1850, 350, 1900, month_conf, ""), ("năm", 1920, 350, 2000, 96, ""),
              ("2025", 2020, 350, 2130, 96, "")],
             _printed("CHỈ THỊ", 1100, 700, 1400),
             _printed("Về việc tăng cường công tác phòng cháy", 700, 770, 1900),
             _printed("TM. ỦY BAN NHÂN DÂN", 1500, 2450, 2100),
             _printed("CHỦ TỊCH", 1620, 2520, 1950),
             _printed("Nguyễn Văn An", 1560, 2800, 2000)]
    return segments_from_hocr(_hocr(tmp_path, lines))[0]


def test_a_pens_sure_day_that_the_signing_allows_is_not_sent_to_review(tmp_path: Path) -> None:
    segs = _pen_dated(tmp_path, 97)
    ex = extract(segs, 1)
    assert (ex.metadata["number"], ex.metadata["issued_date"]) == ("16", "2025-01-16")
    assert {"number", "issued_date"} <= set(ex.review)  # a pen's reading alone: checked
    signed = dated_by_signature(ex, [date(2025, 1, 17)], segs)  # signed the next day
    assert "issued_date" not in signed.review and signed.confidence["issued_date"] >= 0.95
    assert "number" in signed.review  # nothing confirms the pen's number
    # Signed a month later, or a pen's reader that is often wrong: the clerk checks the day.
    assert "issued_date" in dated_by_signature(ex, [date(2025, 2, 17)], segs).review
    assert "issued_date" in dated_by_signature(ex, [date(2025, 1, 17)], segs,
                                               pen_error=0.3).review
    assert "issued_date" in dated_by_signature(ex, [date(2025, 1, 17)], segs,
                                               min_conf=0.99).review


@pytest.mark.parametrize(("day_conf", "month_conf"), [
    (60, 96),  # the hand model unsure of the day
    (97, 30),  # the printed month read badly: the pen is not all that is in doubt
])
def test_a_pens_day_stays_in_review_unless_only_the_pen_held_it_back(
        tmp_path: Path, day_conf: int, month_conf: int) -> None:
    segs = _pen_dated(tmp_path, day_conf, month_conf)
    ex = extract(segs, 1)
    assert ex.metadata["issued_date"] == "2025-01-16" and "issued_date" in ex.review
    assert "issued_date" in dated_by_signature(ex, [date(2025, 1, 17)], segs).review
    # Read alike by a second reader, the same day is still doubted for the same reasons.
    assert "issued_date" in extract(_pen_dated(tmp_path, day_conf, month_conf, True), 1).review


def test_a_pens_sure_digits_that_two_readers_read_alike_are_not_sent_to_review(
        tmp_path: Path) -> None:
    alone = extract(_pen_dated(tmp_path, 97), 1)
    assert {"number", "issued_date"} <= set(alone.review)  # the model alone: checked
    ex = extract(_pen_dated(tmp_path, 97, agreed=True), 1)
    assert (ex.metadata["number"], ex.metadata["issued_date"]) == ("16", "2025-01-16")
    assert not {"number", "issued_date"} & set(ex.review)
    assert ex.confidence["number"] == round(MEASURED.probability(), 3) >= 0.95
    # Readers that often agree on wrong readings: agreeing proves less, the clerk checks.
    doubtful = Agreement(wrong=0.2, agreed_right=0.5, agreed_wrong=0.3)
    assert "number" in extract(_pen_dated(tmp_path, 97, agreed=True), 1,
                               agreement=doubtful).review
    assert Agreement.counted([Reading(True, True, True)] * 8 + [Reading(False, False, True)]
                             ).probability() == pytest.approx(
        (1 - 2 / 11) * (9 / 10) / ((1 - 2 / 11) * (9 / 10) + 2 / 11 * 1 / 3))
