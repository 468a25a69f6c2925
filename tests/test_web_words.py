"""The desk speaks Vietnamese through and through: every page and template, drawn in
Vietnamese (errors included), shows no English message the catalogue translates, no raw field
key, kind or signature code, and no command-line option."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.pofile import read_po
from lxml import html
from starlette.testclient import TestClient

from digitize.i18n import catalogue_path
from digitize.validation.html_report import CODES
from digitize.web.app import HERE
from digitize.web.site import Site
from digitize.web.words import FIELDS, KINDS
from tests.desk import Desk, archive_config, desk_client, site_client
from tests.webclient import csrf_of, finished_job

OPTION = re.compile(r"(?<![\w-])--[a-z]")
SLOT = re.compile(r"\{[^{}]*\}")


def _english_only() -> list[str]:
    """The English pieces (between placeholders, 12 characters or more) of every message the
    Vietnamese catalogue says differently."""
    with open(catalogue_path("vi"), "rb") as fh:
        cat = read_po(fh)
    pieces = []
    for m in cat:
        if m.id and m.string and m.string != m.id:
            pieces += [p.strip() for p in SLOT.split(str(m.id)) if len(p.strip()) >= 12 and
                       re.search(r"[a-z]{3} [a-z]{3}", p)]
    return pieces


def _shown(page: str) -> str:
    """What a clerk reads: the text (no script, no style), the titles, labels and placeholders,
    and the verify report's frame."""
    doc = html.fromstring(page)
    for gone in doc.xpath("//script|//style"):
        gone.drop_tree()
    said = [doc.text_content()]
    said += doc.xpath("//@title|//@alt|//@placeholder|//input[@type='submit']/@value")
    said += [html.fromstring(s).text_content() for s in doc.xpath("//iframe/@srcdoc") if s]
    return " ".join(said)


def _walk(client: TestClient, desk: Desk) -> dict[str, str]:
    rid = desk.record["id"]
    paths = ["/dossiers", "/dossiers?status=needs_review", f"/dossiers/0/{rid}", "/review",
             "/intake", "/verify", "/find?text=quyết", "/find?from=abc", "/report",
             "/report?since=abc", f"/dossiers/0/{rid}/99", "/jobs/999", "/files/0/nothing",
             f"/files/0/{rid}/dossier.json", f"/dossiers/0/{rid}/package"]
    paths += [f"/review/0/{rid}/{n}" for n, d in enumerate(desk.record["documents"])
              if d["review"]]
    paths += [f"/dossiers/0/{rid}/{n}" for n in range(len(desk.record["documents"]))]
    pages = {p: client.get(p).text for p in paths}
    # A refused form, a signed PDF verified without the trusted root, a delivery's result.
    pages["/personal (forged)"] = client.post("/personal", data={"csrf": "x"}).text
    token = csrf_of(client.get, "/verify")
    signed = next(Path(d["pdf"]) for d in desk.record["documents"] if d.get("signature"))
    pages["/verify (untrusted)"] = client.post(
        "/verify", data={"csrf": token},
        files=[("file", ("signed.pdf", signed.read_bytes(), "application/pdf"))]).text
    pages["/send (ask)"] = client.post(f"/dossiers/0/{rid}/send", data={"csrf": token}).text
    sent = client.post(f"/dossiers/0/{rid}/send", data={"csrf": token, "confirm": "1"})
    job = sent.headers.get("location", "/jobs/999")
    pages["/jobs (send)"] = finished_job(client.get, job, tries=120)
    return pages


def test_every_page_is_vietnamese_with_no_codes_or_options(desk: Desk, tmp_path: Path) -> None:
    cfg = archive_config(desk, tmp_path / "archive")
    cfg.verify.trust = []  # the demo root not trusted: the chain's code has to be said
    client = site_client(Site(cfg, [desk.out], 200))
    pages = _walk(client, desk)
    # Every template was drawn.
    drawn = {m for page in pages.values() for m in re.findall(r"<h1>([^<]*)", page)}
    assert len(drawn) >= 8, drawn
    assert len(list((HERE / "templates").glob("*.html"))) <= 16  # a new page: walk it too
    english = _english_only()
    assert len(english) > 300
    codes = [*FIELDS, *KINDS, *CODES, "unknown", "missing or uncertain", "Common Name"]
    problems = []
    for path, page in pages.items():
        text = _shown(page)
        problems += [(path, "English", e) for e in english if e in text]
        problems += [(path, "code", c) for c in codes
                     if re.search(rf"(?<![\w/.-]){re.escape(c)}(?![\w/.-])", text)]
        problems += [(path, "option", m.group()) for m in OPTION.finditer(text)]
    assert not problems, problems[:15]
    # One term for review on every page: the nav's, the statuses' and the queue's.
    assert not [path for path, page in pages.items() if "rà soát" in _shown(page).lower()]
    assert all(">Cần kiểm tra</a>" in page for path, page in pages.items()
               if 'href="/review"' in page), "the nav names review as the statuses do"
    # The list says why a dossier needs attention: the fields of each document to check.
    row = pages["/dossiers"].split(desk.record["id"], 1)[1].split("</tr>", 1)[0]
    assert "chưa đọc được hoặc chưa chắc chắn" in row and "Người ký" in row, row
    assert "Trích yếu nội dung" in pages["/review"] + pages[f"/dossiers/0/{desk.record['id']}/0"]
    assert "không do tổ chức tin cậy cấp" in pages["/verify (untrusted)"] or \
        "không thuộc chuỗi tin cậy" in pages["/verify (untrusted)"]


def test_the_desk_ships_a_typeface_that_draws_vietnamese(desk: Desk) -> None:
    from fontTools.ttLib import TTFont

    client = desk_client(desk)
    css = client.get("/static/style.css").text
    fonts = re.findall(r'url\("(/static/fonts/[\w-]+\.woff)"\)', css)
    assert len(fonts) == 3 and '"Desk Mono", monospace' in css and 'font-family: "Desk Sans"' in css
    letters = "ĐđƠơƯưĨĩŨũ" + "".join(chr(c) for c in range(0x1EA0, 0x1EFA))
    marks = "\u0300\u0301\u0303\u0309\u0323"  # the five tones, as combining marks
    for url in fonts:
        res = client.get(url)
        assert res.status_code == 200 and res.content.startswith(b"wOFF"), url
        font = TTFont(io.BytesIO(res.content))
        cmap = font.getBestCmap()
        assert not [c for c in letters + marks if ord(c) not in cmap], url
        features = {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
        assert {"mark", "mkmk"} <= features, url  # a letter and its marks compose
    assert {p.name for p in (HERE / "static" / "fonts").glob("LICENSE-*")} == {
        "LICENSE-DejaVu.txt", "LICENSE-Noto.txt"}
