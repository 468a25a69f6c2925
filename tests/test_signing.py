"""Signing (issue 6) against a real local PKI (certomancer on 127.0.0.1: CA, OCSP, CRL, TSA) and a
real PKCS#11 token (SoftHSM2): every key source at every PAdES level, validated with pyHanko's
validators and pdfsig; countersigning and certification; appearances checked on the rendered
page; the error cases leave no output."""

from __future__ import annotations

import asyncio
import hashlib
import http.server
import json
import socket
import subprocess
import time
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops
from pyhanko.sign import signers

from digitize.answers import send_answer
from digitize.devtools.loopback import serving
from digitize.devtools.testpki import PASSWORD
from digitize.identity import load_certs
from digitize.signing.signer import KeptKeySigner, load_pkcs12
from digitize.validation.verify import verify_pdf

from .conftest import Signing, key_args, sign_with

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


def _pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("source", ["p12", "pem", "pkcs11"])
def test_every_key_source_at_every_level(signing: Signing, tmp_path: Path, source: str,
                                         level: str) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, source, "--level", level)
    assert res.returncode == 0, res.stderr + res.stdout
    row = json.loads(res.stdout)[0]
    assert row["signature"]["level"] == level
    assert row["signature"]["signing_time"].endswith("+07:00")
    signed = tmp_path / signing.pdf.name
    roots = load_certs(signing.pki.root_pem)
    report = verify_pdf(signed, roots, offline=True, levels=True)
    sig = report.signatures[0]
    assert (report.status.value, sig.level, sig.signer) == ("valid", level,
                                                            "SỞ TƯ PHÁP TỈNH TEST"), sig.reasons
    # Without the root it is not "valid".
    assert verify_pdf(signed, [], offline=True).status.value == "indeterminate"
    assert "Signature #1" in (text := _pdfsig(signed)) and \
        text.split("Signature #2")[0].count("Signature is Valid") == 1
    with pikepdf.open(signed) as pdf:  # still PDF/A-2b
        assert pdf.open_metadata()["pdfaid:part"] == "2"
    assert subprocess.run(["qpdf", "--check", str(signed)], capture_output=True).returncode == 0


def test_batch_signs_in_parallel_with_one_key_load(signing: Signing, tmp_path: Path) -> None:
    sources = []
    for i in range(4):
        sources.append(tmp_path / f"doc{i}.pdf")
        sources[-1].write_bytes(signing.pdf.read_bytes())
    args, secret = key_args(signing, "p12")
    res = signing.env.run("sign", *map(str, sources), "--out", str(tmp_path / "out"), *args,
                          "--jobs", "2", "--level", "B-T", "--tsa", signing.pki.tsa_url,
                          "--json", extra={"DIGITIZE_SECRET": secret})
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [Path(r["source"]).name for r in rows] == [p.name for p in sources]
    assert all(r["signature"]["level"] == "B-T" for r in rows)


def test_countersigning_keeps_both_signatures_valid(signing: Signing, tmp_path: Path) -> None:
    first = sign_with(signing, signing.pdf, tmp_path / "clerk", "pem", "--level", "B-T",
                  label="clerk")
    assert first.returncode == 0, first.stderr
    second = sign_with(signing, tmp_path / "clerk" / signing.pdf.name, tmp_path / "head", "pkcs11",
                   "--level", "B-LTA")
    assert second.returncode == 0, second.stderr
    signed = tmp_path / "head" / signing.pdf.name
    report = verify_pdf(signed, load_certs(signing.pki.root_pem), offline=True, levels=True)
    assert [s.status.value for s in report.signatures] == ["valid", "valid"]
    assert [s.signer for s in report.signatures] == ["Nguyễn Văn Một Cửa",
                                                     "SỞ TƯ PHÁP TỈNH TEST"]
    assert _pdfsig(signed).count("Signature is Valid") >= 2


def test_certify_once_then_only_approvals(signing: Signing, tmp_path: Path) -> None:
    res = sign_with(signing, signing.pdf, tmp_path / "c", "p12", "--certify")
    assert res.returncode == 0, res.stderr
    certified = tmp_path / "c" / signing.pdf.name
    with pikepdf.open(certified) as pdf:
        assert "/DocMDP" in pdf.Root.Perms
    again = sign_with(signing, certified, tmp_path / "c2", "p12", "--certify")
    assert again.returncode == 1 and "certified already" in json.loads(again.stdout)[0]["error"]
    assert not (tmp_path / "c2" / signing.pdf.name).exists()
    approval = sign_with(signing, certified, tmp_path / "c3", "pem", label="clerk")
    assert approval.returncode == 0, approval.stderr
    report = verify_pdf(tmp_path / "c3" / signing.pdf.name, load_certs(signing.pki.root_pem))
    assert [s.status.value for s in report.signatures] == ["valid", "valid"]


def _render(pdf: Path, dpi: int = 72) -> Image.Image:
    out = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", str(dpi), "-gray", "-png",
                    "-singlefile", str(pdf), str(out)], check=True)
    with Image.open(f"{out}.png") as im:
        return im.convert("L").copy()


def _changed_box(before: Image.Image, after: Image.Image) -> tuple[int, int, int, int] | None:
    diff = ImageChops.difference(before, after).point(lambda v: 255 if v > 40 else 0)
    return diff.getbbox()


def _field_rect(pdf_path: Path) -> tuple[float, float, float, float]:
    with pikepdf.open(pdf_path) as pdf:
        page = pdf.pages[0]
        height = float(page.mediabox[3])
        widget = next(a for a in page.Annots if a.get("/FT") == "/Sig" or "/Parent" in a
                      or a.get("/Subtype") == "/Widget")
        x0, y0, x1, y1 = (float(v) for v in widget.Rect)
    return x0, height - y1, x1, height - y0  # top-left origin, points = pixels at 72 dpi


def test_copy_appearance_shows_the_copy_form_agency_and_time_top_right(signing: Signing,
                                                                        tmp_path: Path) -> None:
    """ND 30's electronic copy of a paper document: "SAO LỤC", the copying agency and the
    signing time, Times/Liberation Serif 10 pt, black, no image, top right of page 1 — judged on
    the rendered page, read back by OCR."""
    res = sign_with(signing, signing.pdf, tmp_path, "p12", "--appearance", "copy",
                    "--copy-form", "sao lục")
    assert res.returncode == 0, res.stderr
    signed = tmp_path / signing.pdf.name
    before, after = _render(signing.pdf, 300), _render(signed, 300)
    changed = _changed_box(before, after)
    assert changed is not None, "nothing visible was added"
    cx0, cy0, cx1, cy1 = changed
    assert cx0 > after.width * 0.55 and cy1 < after.height * 0.12  # top right of page 1
    crop = after.crop((cx0 - 6, cy0 - 6, cx1 + 6, cy1 + 6))
    assert crop.getextrema()[0] < 60  # black text, not grey or coloured
    crop.save(tmp_path / "stamp.png")
    read = subprocess.run(["tesseract", str(tmp_path / "stamp.png"), "-", "-l", "vie",
                           "--psm", "6"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in read.splitlines() if line.strip()]
    assert "".join(lines[0].split()).startswith("SAOLỤC"), read  # the first line
    assert "MINH XUÂN" in read.upper(), read  # the agency of the test config
    assert "+07:00" in read.replace(" ", ""), read  # ISO 8601, Vietnam time
    # A line is 10 pt: at 300 dpi about 42 px from one baseline to the next.
    assert 3 * 30 < cy1 - cy0 < 3 * 60
    fonts = subprocess.run(["pdffonts", str(signed)], capture_output=True, text=True).stdout
    assert "LiberationSerif" in fonts
    with pikepdf.open(signed) as pdf:  # no image in the appearance
        widget = next(a for a in pdf.pages[0].Annots if "/AP" in a)
        resources = widget.AP.N.get("/Resources", {})
        assert "/XObject" not in resources or not any(
            x.get("/Subtype") == "/Image" for x in resources.XObject.values())
    assert "Signature is Valid" in _pdfsig(signed)
    wrong = sign_with(signing, signing.pdf, tmp_path / "bad", "p12", "--appearance", "copy",
                      "--copy-form", "BẢN SAO")
    assert wrong.returncode == 2 and "SAO Y, SAO LỤC, TRÍCH SAO" in wrong.stderr
    assert not (tmp_path / "bad" / signing.pdf.name).exists()


def test_archive_appearance_top_right_of_page_one(signing: Signing, tmp_path: Path) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "p12", "--appearance", "archive")
    assert res.returncode == 0, res.stderr
    signed = tmp_path / signing.pdf.name
    before, after = _render(signing.pdf), _render(signed)
    changed = _changed_box(before, after)
    assert changed is not None, "nothing visible was added"
    x0, y0, x1, y1 = _field_rect(signed)
    assert x0 > before.width * 0.55 and y1 < before.height * 0.15  # top right
    cx0, cy0, cx1, cy1 = changed
    assert cx0 >= x0 - 2 and cy0 >= y0 - 2 and cx1 <= x1 + 2 and cy1 <= y1 + 2
    # The text: agency name and the time with +07:00, in an embedded Liberation Serif.
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-x", str(int(x0)), "-y",
                           str(int(y0)), "-W", str(int(x1 - x0)), "-H", str(int(y1 - y0)),
                           str(signed), "-"], capture_output=True, text=True).stdout
    assert "+07:00" in text
    assert "MINH XUÂN" in unicodedata.normalize("NFC", text).upper(), text  # the agency, intact
    # The field is sized from the font's advance widths: text drawn with wrong widths would not
    # fill it (too narrow) or would be cut off at its edge (too wide).
    assert (cx1 - cx0) > 0.8 * (x1 - x0 - 8), (changed, (x0, y0, x1, y1))
    fonts = subprocess.run(["pdffonts", str(signed)], capture_output=True, text=True).stdout
    assert "LiberationSerif" in fonts and " yes " in fonts.split("LiberationSerif")[1][:80]


def test_a_countersignature_goes_below_the_first(signing: Signing, tmp_path: Path) -> None:
    first = sign_with(signing, signing.pdf, tmp_path / "a", "p12", "--appearance", "archive")
    assert first.returncode == 0, first.stderr
    second = sign_with(signing, tmp_path / "a" / signing.pdf.name, tmp_path / "b", "pem",
                       "--appearance", "archive", label="clerk")
    assert second.returncode == 0, second.stderr
    with pikepdf.open(tmp_path / "b" / signing.pdf.name) as pdf:
        rects = [[float(v) for v in a.Rect] for a in pdf.pages[0].Annots if "/Rect" in a]
    assert len(rects) == 2
    (ax0, ay0, ax1, ay1), (bx0, by0, bx1, by1) = rects
    assert not (ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1)  # no overlap
    assert by1 <= ay0  # the second below the first


def test_person_appearance_over_the_signature_block(signing: Signing, tmp_path: Path) -> None:
    ink = tmp_path / "chu_ky.png"
    img = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    for x in range(20, 280):
        img.putpixel((x, 60 + (x % 40) // 4), (20, 40, 200, 255))  # a blue stroke
    img.save(ink)
    config = tmp_path / "person.toml"
    config.write_text(Path(signing.env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + f'\n[signer]\nsignature_image = "{ink}"\n'
                        'signer_title = "PHÓ GIÁM ĐỐC"\n', encoding="utf-8")
    hocr = signing.pdf  # the OCR'd page: `auto` finds the signer's name in its text layer
    res = sign_with(signing, hocr, tmp_path / "p", "p12", "--appearance", "person", "--config",
                str(config), "--position", "1:330,120,560,220")
    assert res.returncode == 0, res.stderr
    signed = tmp_path / "p" / signing.pdf.name
    changed = _changed_box(_render(signing.pdf), _render(signed))
    assert changed is not None
    x0, y0, x1, y1 = _field_rect(signed)
    assert (round(x0), round(x1)) == (330, 560)
    cx0, cy0, cx1, cy1 = changed
    assert cx0 >= x0 - 2 and cy0 >= y0 - 2 and cx1 <= x1 + 2 and cy1 <= y1 + 2


def test_person_appearance_auto_finds_the_signature_block(signing: Signing,
                                                          tmp_path: Path) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "p12", "--appearance", "person")
    assert res.returncode == 0, res.stderr
    signed = tmp_path / signing.pdf.name
    x0, y0, x1, _ = _field_rect(signed)
    page = _render(signing.pdf)
    # The Quyết định's signer, Lê Văn Thành, signs in the right half, below the text.
    assert x0 > page.width * 0.4 and y0 > page.height * 0.4
    changed = _changed_box(page, _render(signed))
    assert changed is not None and changed[0] >= x0 - 2 and changed[2] <= x1 + 2


def test_wrong_pin_exits_4_and_writes_nothing(signing: Signing, tmp_path: Path) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "pkcs11", secret="0000")
    assert res.returncode == 4, res.stderr
    assert "Wrong PIN" in " ".join(res.stderr.split()) and "0000" not in res.stderr + res.stdout
    assert not list(tmp_path.iterdir())


def test_wrong_password_exits_4(signing: Signing, tmp_path: Path) -> None:
    for source in ("p12", "pem"):
        res = sign_with(signing, signing.pdf, tmp_path, source, secret="not-it")
        assert res.returncode == 4 and "wrong password" in " ".join(res.stderr.split())
        assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) <= 3
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(("label", "says"), [("expired", "has expired"),
                                             ("future", "is not valid yet")])
def test_certificate_outside_its_dates_is_refused(signing: Signing, tmp_path: Path, label: str,
                                                  says: str) -> None:
    res = sign_with(signing, signing.pdf, tmp_path, "p12", label=label)
    message = " ".join(res.stderr.split())
    assert res.returncode == 4 and says in message and "Vietnam time" in message
    assert not list(tmp_path.iterdir())


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_tsa_fails_each_document_after_retries(signing: Signing,
                                                            tmp_path: Path) -> None:
    config = tmp_path / "fast.toml"
    config.write_text(Path(signing.env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "\n[signer]\nretries = 2\ntimeout_s = 2\n", encoding="utf-8")
    second = tmp_path / "second.pdf"
    second.write_bytes(signing.pdf.read_bytes())
    args, secret = key_args(signing, "p12")
    res = signing.env.run("sign", str(signing.pdf), str(second), "--out", str(tmp_path / "o"),
                          *args, "--level", "B-T", "--tsa",
                          f"http://127.0.0.1:{_closed_port()}/tsa", "--config", str(config),
                          "--json", extra={"DIGITIZE_SECRET": secret})
    assert res.returncode == 1, res.stderr
    rows = json.loads(res.stdout)
    assert len(rows) == 2 and all(r["status"] == "failed" for r in rows)
    assert "after 2 tries" in rows[0]["error"]
    assert not list((tmp_path / "o").glob("*.pdf")) if (tmp_path / "o").exists() else True
    assert not list(tmp_path.rglob("*.part"))


def test_a_tsa_that_never_finishes_its_answer_fails_the_document_in_time(
        signing: Signing, tmp_path: Path) -> None:
    """A time-stamping server that trickles its answer a byte at a time, each within the read
    timeout, held a batch (and `watch`) for as long as it kept going: the timeout was per read.
    Now each request has an overall deadline (three timeouts)."""
    class Trickling(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            send_answer(self, 200, b"0" * (1 << 20), "application/timestamp-reply", 0.2)

        def log_message(self, *args: object) -> None:
            pass

    config = tmp_path / "fast.toml"
    config.write_text(Path(signing.env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "\n[signer]\nretries = 1\ntimeout_s = 1\n", encoding="utf-8")
    args, secret = key_args(signing, "p12")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickling)
    with serving(server):
        started = time.monotonic()
        res = signing.env.run("sign", str(signing.pdf), "--out", str(tmp_path / "o"), *args,
                              "--level", "B-T", "--tsa",
                              f"http://127.0.0.1:{server.server_address[1]}/tsa",
                              "--config", str(config), "--json",
                              extra={"DIGITIZE_SECRET": secret}, timeout=90)
    assert time.monotonic() - started < 60
    assert res.returncode == 1, res.stderr
    rows = json.loads(res.stdout)
    assert rows[0]["status"] == "failed" and "slower than 3" in rows[0]["error"]
    assert not list(tmp_path.rglob("*.pdf")) and not list(tmp_path.rglob("*.part"))


def test_level_above_b_b_without_tsa_is_a_usage_error(signing: Signing, tmp_path: Path) -> None:
    args, secret = key_args(signing, "p12")
    res = signing.env.run("sign", str(signing.pdf), "--out", str(tmp_path), *args, "--level",
                          "B-LT", extra={"DIGITIZE_SECRET": secret})
    assert res.returncode == 2 and "time-stamping server" in " ".join(res.stderr.split())


@pytest.mark.parametrize("text", [b"<48656c6c6f>", b"<48 65\n6c\t6C 6f>", b"<4>", b"<>",
                                  b"<aBcD\r\n>", b"<" + b"0a1B" * 20000 + b">"])
def test_fast_hex_reader_reads_what_pyhanko_reads(text: bytes) -> None:
    import io

    from digitize.validation import fasthex

    ours, theirs = io.BytesIO(text + b" /Next"), io.BytesIO(text + b" /Next")
    assert fasthex.read_hex_string(ours) == fasthex._ORIGINAL(theirs)
    assert ours.tell() == theirs.tell()


def test_fast_hex_reader_refuses_what_pyhanko_refuses() -> None:
    import io

    from pyhanko.pdf_utils.misc import PdfStreamError

    from digitize.validation import fasthex

    for bad in (b"<48zz>", b"<4865"):
        with pytest.raises(PdfStreamError):
            fasthex.read_hex_string(io.BytesIO(bad))


def test_fast_name_equality_answers_as_asn1crypto() -> None:
    """Identical encodings are equal at once; equivalent names (case, spaces, a printable vs a
    UTF-8 string) and different ones still get asn1crypto's RFC 5280 answer."""
    from asn1crypto import x509

    from digitize.validation import fastnames

    a = x509.Name.build({"country_name": "VN", "common_name": "SỞ TƯ PHÁP TỈNH TEST"})
    same = x509.Name.load(a.dump())
    folded = x509.Name.build({"country_name": "VN", "common_name": "sở tư  pháp tỉnh test"})
    printable = x509.Name.build({"country_name": "VN", "common_name": "Digitize Test Root"},
                                use_printable=True)
    utf8 = x509.Name.build({"country_name": "VN", "common_name": "digitize test root"})
    other = x509.Name.build({"country_name": "VN", "common_name": "SỞ TƯ PHÁP TỈNH KHÁC"})
    # A name inside a GeneralName (as in a signing-certificate attribute's issuer) is encoded
    # with the choice's tag: its bytes differ from the same name's in a certificate.
    general = x509.GeneralName(name="directory_name", value=x509.Name.load(a.dump())).chosen
    pairs = [(a, same), (a, folded), (printable, utf8), (a, other), (utf8, other), (a, "VN"),
             (general, a), (a, general), (general, other)]
    for x, y in pairs:
        assert fastnames.name_equal(x, y) == fastnames._ORIGINAL(x, y), (x, y)
    assert fastnames.name_equal(a, same) and fastnames.name_equal(printable, utf8)
    assert fastnames.name_equal(general, a) and general.dump() != a.dump()
    assert not fastnames.name_equal(a, other)


def test_kept_signed_attributes_are_the_bytes_pyhanko_writes(signing: Signing) -> None:
    """A batch's signed attributes are made once and given each document's digest: for any
    digest (and digest length) they must be what pyHanko itself would have written."""
    ours = load_pkcs12(signing.pki.signer("signer").p12, PASSWORD.encode()).signer
    assert isinstance(ours, KeptKeySigner)
    for algorithm in ("sha256", "sha512", "sha256"):
        for n in range(3):
            digest = hashlib.new(algorithm, f"document {n}".encode()).digest()
            kept = asyncio.run(ours.signed_attrs(digest, algorithm, use_pades=True))
            plain = asyncio.run(signers.SimpleSigner.signed_attrs(ours, digest, algorithm,
                                                                  use_pades=True))
            assert kept.dump() == plain.dump()
            assert kept[1]["values"][0].native == digest
    assert ours._templates is not None and len(ours._templates) == 2
