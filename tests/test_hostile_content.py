"""Issue 37: hostile content and personal data on every path. A signed PDF carrying JavaScript
and an attached program goes through `digitize run` byte for byte, reported as carrying active
content (JSON, PREMIS, the desk's pages), and its unverified signature is never shown as ✓;
personal data stays masked in the desk's tables and page images while hidden; `find` takes
only a whole ID number. Against the real CLI and the real server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import requests
from PIL import Image
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from tests.conftest import DIGITIZE, Env
from tests.servers import serving_desk
from tests.test_web import Desk, desk  # noqa: F401 (the sample dossier the desk serves)
from tests.webclient import csrf_in

CODE = "000.00.31.H49-261204-0037"


def _serve(out: Path, config: Path, env: Env) -> Iterator[str]:
    """`digitize serve OUT` on 127.0.0.1 (uvicorn, as the desk runs it)."""
    with serving_desk(DIGITIZE, out, config, env.vars) as (port, _proc):
        yield f"http://127.0.0.1:{port}"


def _hostile_pdf(path: Path, env: Env) -> Path:
    """A one-page decision with a document-level script, an open action and an attached
    payload.exe, then signed (pyHanko, the demo identity: not trusted by the desk's config,
    so its signature is indeterminate there)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
        Contents=pdf.make_stream(b"BT /F1 28 Tf 60 760 Td (QUYET DINH) Tj 0 -40 Td "
                                 b"(So: 37/QD-UBND) Tj ET")))
    pdf.pages.append(page)
    script = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                  JS=pikepdf.String("app.alert('x');")))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
        Names=pikepdf.Array([pikepdf.String("run"), script])))
    pdf.Root.OpenAction = script
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00" * 64,
                                                              filename="payload.exe")
    plain = io.BytesIO()
    pdf.save(plain)
    signer = signers.SimpleSigner.load_pkcs12(
        str(env.p12), passphrase=env.secret_file.read_bytes().strip())
    assert signer is not None
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(plain),
                     signers.PdfSignatureMetadata(field_name="Signature1"), signer=signer,
                     output=out)
    path.write_bytes(out.getvalue())
    return path


@pytest.fixture(scope="module")
def hostile(cli_env: Env, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, Path, dict, Path]:
    """`digitize run` over a dossier of that one signed file: (input, OUT, --json, config)."""
    top = tmp_path_factory.mktemp("hostile")
    folder = top / "in" / CODE
    folder.mkdir(parents=True)
    source = _hostile_pdf(folder / "quyet_dinh_ky_so.pdf", cli_env)
    out = top / "out"
    config = Path(cli_env.vars["DIGITIZE_CONFIG"])  # no [verify] trust: the demo root unknown
    res = cli_env.run("run", str(folder), "--out", str(out), "--json")
    assert res.returncode in (0, 1), res.stderr
    return source, out, json.loads(res.stdout), config


def test_a_signed_input_with_active_content_is_kept_and_reported(
        hostile: tuple[Path, Path, dict, Path], cli_env: Env) -> None:
    source, out, summary, config = hostile
    [dossier] = summary["dossiers"]
    [doc] = dossier["documents"]
    assert doc["input_signatures"] and doc["input_signatures"][0]["status"] == "indeterminate"
    assert doc["active_content"] == ["javascript", "embedded_files"], doc
    # Kept byte for byte: in the output folder and in the package.
    original = hashlib.sha256(source.read_bytes()).hexdigest()
    assert hashlib.sha256(Path(doc["pdf"]).read_bytes()).hexdigest() == original
    packaged = list(Path(dossier["bundle"]).rglob("representations/rep1/data/*.pdf"))
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in packaged] == [original]
    premis = "\n".join(p.read_text(encoding="utf-8")
                       for p in Path(dossier["bundle"]).rglob("PREMIS.xml"))
    assert "active content in quyet_dinh_ky_so.pdf: javascript, embedded_files (payload.exe)" \
        in premis and "kept byte for byte: the file is signed" in premis
    # The desk: marked on the dossier's page and the document's, and no ✓ for a signature
    # that was not verified.
    for base in _serve(out, config, cli_env):
        page = requests.get(f"{base}/dossiers/0/{CODE}", timeout=60).text
        assert "✓" not in page and "như khi nhận: chưa xác định" in page, page
        assert "chứa mã JavaScript / tệp đính kèm" in page
        doc_page = requests.get(f"{base}/dossiers/0/{CODE}/0", timeout=60).text
        assert "chứa mã JavaScript / tệp đính kèm" in doc_page


def _personal(session: requests.Session, base: str, show: bool) -> None:
    html = session.get(f"{base}/dossiers", timeout=60).text
    token = csrf_in(html)
    assert token
    res = session.post(f"{base}/personal", data={"csrf": token,
                                                 "show": "1" if show else "0",
                                                 "next": "/dossiers"}, timeout=60)
    assert res.status_code == 200


def test_personal_data_is_masked_in_tables_and_page_images(desk: Desk,  # noqa: F811
                                                           cli_env: Env) -> None:
    docs = desk.record["documents"]
    n = next(i for i, d in enumerate(docs) if d["metadata"].get("birth_date"))
    doc = docs[n]
    born, number = doc["metadata"]["birth_date"], doc["metadata"]["id_number"]
    box = doc["evidence"]["id_number"]
    url = f"/dossiers/0/{desk.record['id']}/{n}"
    for base in _serve(desk.out, desk.config, cli_env):
        clerk = requests.Session()
        page = clerk.get(base + url, timeout=60).text
        assert born not in page and number not in page, "shown while hidden"
        masked = Image.open(io.BytesIO(clerk.get(f"{base}{url}/page/{box['page']}.png",
                                                 timeout=60).content)).convert("L")
        _personal(clerk, base, show=True)
        page = clerk.get(base + url, timeout=60).text
        assert born in page and number in page
        shown = Image.open(io.BytesIO(clerk.get(f"{base}{url}/page/{box['page']}.png",
                                                timeout=60).content)).convert("L")
        # The desk's search takes only a whole ID number, as `find` does.
        for partial in ("12", "abc"):
            res = clerk.get(f"{base}/find", params={"id_number": partial}, timeout=60)
            assert res.status_code == 400 and "CCCD" in res.text, partial
    w, h = masked.size
    x0, y0, x1, y1 = box["box"]
    region = (int(x0 * w) + 1, int(y0 * h) + 1, int(x1 * w) - 1, int(y1 * h) - 1)
    assert masked.crop(region).getextrema()[1] < 40, "the ID number's box is not black"
    assert shown.crop(region).getextrema()[1] > 200, "the page shows its ID number when asked"


@pytest.mark.parametrize("partial", ["12", "abc", "4567", "abc031078004567", "999078004567"])
def test_find_takes_only_a_whole_id_number(desk: Desk, cli_env: Env,  # noqa: F811
                                           partial: str) -> None:
    res = cli_env.run("find", "--id-number", partial, "--config", str(desk.config))
    assert res.returncode == 2, res.stdout + res.stderr
    assert "CCCD" in res.stderr and "CMND" in res.stderr
    whole = cli_env.run("find", "--id-number", "031 078 004 567", "--config", str(desk.config))
    assert whole.returncode == 0, whole.stderr


def test_active_content_is_found_wherever_a_viewer_would_run_it() -> None:
    """Not only the name trees: an action written in place in a link annotation, a page's open
    action and an XFA form count too, and a file with none of them reports nothing."""
    from digitize.ocr.activecontent import carries, scan

    pdf = pikepdf.new()
    pdf.add_blank_page()
    assert scan(pdf) == ((), ())
    link = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([link]))
    pdf.pages[0].AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                              JS=pikepdf.String("1")))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(),
                                           XFA=pdf.make_stream(b"<xdp/>"))
    kinds, _files = scan(pdf)
    assert kinds == ("javascript", "launch", "xfa")
    assert carries(kinds) == "carries JavaScript code / launch actions / XFA forms"
