"""End to end over samples/: text layer, orientation, metadata, signatures (pyHanko and pdfsig),
package fixity and METS validity, and untouched inputs. Independent tools check our outputs."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from lxml import etree

from digitize.schemas.xsd import mets_schema
from digitize.validation.verify import load_trust, verify_pdf

from .conftest import SampleRun

pytestmark = pytest.mark.slow

METS = "{http://www.loc.gov/METS/}"
HREF = "{http://www.w3.org/1999/xlink}href"


def _docs(run: SampleRun) -> dict[str, dict]:
    """Documents of the run keyed like truth.json: '<dossier folder>/<file name>'."""
    out = {}
    for dossier in run.summary["dossiers"]:
        for doc in dossier["documents"]:
            src = Path(doc["source"])
            out[f"{src.parent.name}/{src.name}"] = doc
    return out


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_every_sample_document_is_processed_and_signed(sample_run: SampleRun) -> None:
    docs = _docs(sample_run)
    assert set(docs) == set(sample_run.truth)
    for key, doc in docs.items():
        assert doc["status"] in ("ok", "needs_review"), (key, doc.get("error"))
        assert doc["signature"]["level"] == "B-B"
        assert doc["signature"]["signing_time"].endswith("+07:00")
    assert sample_run.summary["totals"]["failed"] == 0
    assert sample_run.summary["totals"]["signed"] == len(sample_run.truth)


def test_inputs_are_byte_identical_after_the_run(sample_run: SampleRun) -> None:
    assert sample_run.before == sample_run.after


def test_text_layer_has_the_expected_vietnamese_text_in_nfc(sample_run: SampleRun) -> None:
    for key, doc in _docs(sample_run).items():
        text = subprocess.run(["pdftotext", "-layout", doc["pdf"], "-"], capture_output=True,
                              text=True, check=True).stdout
        assert unicodedata.is_normalized("NFC", text), key
        flat = _squash(text)
        for phrase in sample_run.truth[key]["expected_text"]:
            assert _squash(phrase) in flat, (key, phrase)


def test_page_count_and_order_are_kept(sample_run: SampleRun) -> None:
    for key, doc in _docs(sample_run).items():
        info = subprocess.run(["pdfinfo", doc["pdf"]], capture_output=True, text=True,
                              check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
        assert pages == sample_run.truth[key]["page_count"], key
        assert doc["metadata"]["page_count"] == pages


@pytest.mark.parametrize("name", ["thong_bao.png", "scan_0001.jpg"])
def test_rotated_scans_come_out_upright(sample_run: SampleRun, name: str, tmp_path: Path) -> None:
    """Render the output page and ask Tesseract's orientation detection, independently of the
    text layer, whether the picture itself is upright and portrait."""
    doc = next(d for k, d in _docs(sample_run).items() if k.endswith(name))
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "100", "-png", "-singlefile", doc["pdf"], str(png)],
                   check=True)
    osd = subprocess.run(["tesseract", f"{png}.png", "-", "--psm", "0", "--dpi", "100"],
                         capture_output=True, text=True, check=False,
                         env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout
    assert re.search(r"^Rotate: 0$", osd, re.MULTILINE), osd
    info = subprocess.run(["pdfinfo", doc["pdf"]], capture_output=True, text=True,
                          check=True).stdout
    w, h = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert h > w


def test_extracted_fields_equal_the_sample_truth(sample_run: SampleRun) -> None:
    for key, doc in _docs(sample_run).items():
        truth = sample_run.truth[key]["metadata"]
        assert doc["doc_kind"] == truth["doc_kind"], key
        for field, value in truth.items():
            if field == "doc_kind":
                continue
            assert doc["metadata"].get(field) == value, (key, field)
            assert 0 < doc["confidence"][field] <= 1


def test_signatures_are_valid_for_pyhanko_and_pdfsig(sample_run: SampleRun, cli_env) -> None:
    trust = load_trust([cli_env.ca_cert])
    for key, doc in _docs(sample_run).items():
        report = verify_pdf(Path(doc["pdf"]), trust, offline=True)
        assert report.status.value == "valid", (key, report)
        assert report.signatures[0].coverage == "ENTIRE_FILE"
        pdfsig = subprocess.run(["pdfsig", doc["pdf"]], capture_output=True, text=True,
                                check=False).stdout
        assert "Signature Validation: Signature is Valid." in pdfsig, (key, pdfsig)
        assert "Total document signed" in pdfsig


def _mets_entries(mets: Path) -> list[tuple[Path, str, int]]:
    doc = etree.parse(str(mets))
    entries = []
    for el in doc.iter(f"{METS}file", f"{METS}mdRef"):
        href = el.get(HREF) if el.tag == f"{METS}mdRef" else el.find(f"{METS}FLocat").get(HREF)
        entries.append((mets.parent / href, el.get("CHECKSUM"), int(el.get("SIZE"))))
    return entries


def test_packages_match_their_mets_checksums_and_validate(sample_run: SampleRun) -> None:
    schema = mets_schema()
    for dossier in sample_run.summary["dossiers"]:
        pkg = Path(dossier["bundle"])
        assert re.fullmatch(r"uuid-[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", pkg.name)
        mets_files = [pkg / "METS.xml", pkg / "representations" / "rep1" / "METS.xml"]
        listed: set[Path] = set()
        for mets in mets_files:
            schema.assertValid(etree.parse(str(mets)))
            for path, checksum, size in _mets_entries(mets):
                assert path.is_file(), path
                assert hashlib.sha256(path.read_bytes()).hexdigest().upper() == checksum
                assert path.stat().st_size == size
                listed.add(path.resolve())
        on_disk = {p.resolve() for p in pkg.rglob("*") if p.is_file()}
        assert on_disk - listed == {(pkg / "METS.xml").resolve()}
        root = etree.parse(str(pkg / "METS.xml")).getroot()
        assert root.get("OBJID") == pkg.name
        hdr = root.find(f"{METS}metsHdr")
        assert hdr.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "SIP"
        data = sorted(p.name for p in (pkg / "representations" / "rep1" / "data").iterdir())
        code = dossier["file_code"]
        assert data == [f"{code}.{i}.pdf" for i in range(1, len(data) + 1)]
        eads = list((pkg / "representations/rep1/metadata/descriptive").glob("EAD_doc_*.xml"))
        assert len(eads) == len(data)


def test_ocr_text_and_metadata_json_sit_beside_the_package(sample_run: SampleRun) -> None:
    for dossier in sample_run.summary["dossiers"]:
        folder = Path(dossier["bundle"]).parent
        for doc in dossier["documents"]:
            txt = Path(doc["text_file"])
            assert txt.parent == folder and txt.read_text(encoding="utf-8").strip()
            assert txt.with_suffix(".json").is_file()
        assert (folder / "dossier.json").is_file()
    assert (sample_run.out / "summary.json").is_file()
    leftovers = [p for p in sample_run.out.rglob("*") if ".part" in p.name or
                 p.name.startswith((".staging", ".old-"))]
    assert leftovers == []


def test_verify_command_on_the_output(sample_run: SampleRun, cli_env) -> None:
    trusted = cli_env.run("verify", str(sample_run.out), "--trust", str(cli_env.ca_cert),
                          "--json")
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr
    import json

    reports = json.loads(trusted.stdout)
    assert len(reports) == len(sample_run.summary["dossiers"])
    assert all(r["kind"] == "package" and r["status"] == "valid" for r in reports)
    untrusted = cli_env.run("verify", str(sample_run.out), "--json")
    assert untrusted.returncode == 1
    assert {r["status"] for r in json.loads(untrusted.stdout)} == {"indeterminate"}


def test_verify_of_an_output_folder_leaves_a_run_s_own_folders_alone(
        sample_run: SampleRun, cli_env, tmp_path: Path) -> None:
    """A nightly `verify OUT` while a run works there: the run's staging folder holds a
    package being made (here one whose PDF no longer matches its checksum) and its work
    folder PDFs; they are no one's to verify and are gone a moment later. Only the desk's
    packages are verified."""
    import json

    out = tmp_path / "out"
    shutil.copytree(sample_run.out, out)
    dossier = Path(sample_run.summary["dossiers"][0]["bundle"]).parent
    staging = out / f".staging-{dossier.name}-x"
    shutil.copytree(out / dossier.name, staging)
    pdf = next(staging.glob("uuid-*/representations/rep1/data/*.pdf"))
    pdf.write_bytes(pdf.read_bytes()[:-100])
    res = cli_env.run("verify", str(out), "--trust", str(cli_env.ca_cert), "--json",
                      "--no-eark")
    assert res.returncode == 0, res.stdout + res.stderr
    reports = json.loads(res.stdout)
    assert len(reports) == len(sample_run.summary["dossiers"])
    assert not any(".staging-" in r["path"] for r in reports)


def test_verify_catches_a_changed_file_in_a_package(sample_run: SampleRun, cli_env,
                                                   tmp_path: Path) -> None:
    import json

    pkg = Path(sample_run.summary["dossiers"][0]["bundle"])
    copy = tmp_path / pkg.name
    shutil.copytree(pkg, copy)
    pdf = next((copy / "representations/rep1/data").glob("*.pdf"))
    raw = bytearray(pdf.read_bytes())
    raw[len(raw) // 3] ^= 0xFF  # inside the first signed byte range (scan image data)
    pdf.write_bytes(bytes(raw))
    res = cli_env.run("verify", str(copy), "--trust", str(cli_env.ca_cert), "--json")
    assert res.returncode == 1
    report = json.loads(res.stdout)[0]
    assert report["status"] == "invalid"
    assert any("SHA-256" in r for r in report["reasons"])
    bad = next(d for d in report["documents"] if d["path"].endswith(pdf.name))
    assert bad["status"] == "invalid"


def test_run_json_matches_the_published_schema(sample_run: SampleRun, cli_env,
                                               tmp_path: Path) -> None:
    import json

    import jsonschema

    res = cli_env.run("schema", "export", "--out", str(tmp_path))
    assert res.returncode == 0, res.stderr
    schema = json.loads((tmp_path / "run.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(sample_run.summary, schema)
    assert (tmp_path / "mets1_12.xsd").is_file()
