"""Packages as archives check them: E-ARK CSIP 2.1 by E-ARK's own validator (SIP and AIP), the
dossier cover and index written into the documentation, and `digitize verify` reporting the
E-ARK rules beside fixity and signatures; documents outside a dossier as SIP_tailieu."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from lxml import etree

from digitize.bundle.eark import check_eark
from digitize.bundle.sheets import INDEX_COLUMNS, number_and_symbol
from digitize.bundle.sip import package_fields
from digitize.pipeline.inputs import LOOSE_MARKER
from digitize.schemas.tt05 import DocumentFields

from .conftest import Env, SampleRun, copy_sample
from .eark import CHECKER, EARK_VENV, assert_conforms, eark_findings, needs_checker

METS = "{http://www.loc.gov/METS/}"


def assert_conforms_if_here(pkg: Path) -> None:
    if CHECKER.is_file() and EARK_VENV.is_dir():
        assert_conforms(pkg)


def _packages(run: SampleRun) -> list[Path]:
    return sorted(m.parent for m in run.out.glob("*/uuid-*/METS.xml"))


@needs_checker
def test_sample_packages_and_their_aip_conform(cli_env: Env, sample_run: SampleRun,
                                               tmp_path: Path) -> None:
    packages = _packages(sample_run)
    assert len(packages) == len(sample_run.summary["dossiers"])
    for pkg in packages:
        assert_conforms(pkg)
    ours = check_eark(packages)
    assert all(r.ran and r.conforms for r in ours), [r.model_dump() for r in ours]
    bundled = cli_env.run("bundle", str(packages[0].parent), "--aip", "--out", str(tmp_path))
    assert bundled.returncode == 0, bundled.stdout + bundled.stderr
    aip = next(tmp_path.glob("uuid-*"))
    assert_conforms(aip)
    hdr = etree.parse(str(aip / "METS.xml")).getroot().find(f"{METS}metsHdr")
    assert hdr.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OAISPACKAGETYPE") == "AIP"


@needs_checker
def test_a_package_that_breaks_csip_is_caught_and_verify_says_which_rule(
        cli_env: Env, sample_run: SampleRun, tmp_path: Path) -> None:
    pkg = shutil.copytree(_packages(sample_run)[0], tmp_path / _packages(sample_run)[0].name)
    mets = pkg / "METS.xml"
    tree = etree.parse(str(mets))
    tree.getroot().set("TYPE", "OTHER")  # the vocabulary's term is "Other"
    for div in tree.getroot().iter(f"{METS}div"):
        if div.get("LABEL") == "Documentation":
            div.getparent().remove(div)
            break
    tree.write(str(mets), xml_declaration=True, encoding="UTF-8")
    found = eark_findings(pkg)
    assert {"CSIP2", "CSIP95"} <= found.errors
    ours = check_eark([pkg])[0]
    failed = {r.rule for r in ours.rules if r.severity == "ERROR" and not r.known}
    assert {"CSIP2", "CSIP95"} <= failed and not ours.conforms
    res = cli_env.run("verify", str(pkg), "--offline", "--json", "--trust", str(cli_env.ca_cert))
    assert res.returncode == 1
    report = json.loads(res.stdout)[0]
    assert report["status"] == "invalid"
    assert any("CSIP2" in r and "CSIP95" in r for r in report["reasons"]), report["reasons"]
    plain = cli_env.run("verify", str(pkg), "--offline", "--trust", str(cli_env.ca_cert))
    assert "E-ARK CSIP 2.1" in plain.stdout and "CSIP95" in plain.stdout
    skipped = cli_env.run("verify", str(pkg), "--offline", "--no-eark", "--json",
                          "--trust", str(cli_env.ca_cert))
    assert json.loads(skipped.stdout)[0]["eark"] is None


def test_verify_reports_conformance_of_a_good_package(cli_env: Env, sample_run: SampleRun
                                                      ) -> None:
    res = cli_env.run("verify", str(_packages(sample_run)[0]), "--offline", "--json",
                      "--trust", str(cli_env.ca_cert))
    report = json.loads(res.stdout)[0]
    assert res.returncode == 0, res.stdout
    eark = report["eark"]
    if eark["ran"]:
        assert eark["errors"] == 0 and eark["warnings"] == 0
        assert {r["rule"] for r in eark["rules"]} <= {"CSIP63", "SIP2", "SIP14"}
        assert all(r["known"] for r in eark["rules"] if r["severity"] == "ERROR")
    else:  # no validator here: said so, and the package is still judged on the rest
        assert "eark-validator" in eark["note"]


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def test_generated_cover_and_index_read_back_with_the_dossiers_rows(sample_run: SampleRun
                                                                    ) -> None:
    for pkg in _packages(sample_run):
        dossier, docs = package_fields(pkg)
        index, cover = pkg / "documentation" / "MucLucVanBan.pdf", \
            pkg / "documentation" / "BiaHoSo.pdf"
        for pdf in (index, cover):
            subprocess.run(["qpdf", "--check", str(pdf)], check=True, capture_output=True)
        text = " ".join(_text(index).split())
        assert "MỤC LỤC VĂN BẢN" in text and all(c in text for c in INDEX_COLUMNS)
        assert dossier.fileCode in text
        for n, doc in enumerate(docs, 1):
            row = [str(n), number_and_symbol(doc), doc.issuedDate, doc.organName]
            assert all(v in text for v in row if v), (row, text)
            # The trích yếu may wrap inside its cell: each of its words is there.
            assert all(w in text for w in doc.subject.split()), doc.subject
        front = " ".join(_text(cover).split())
        assert dossier.fileCode in front and f"Số lượng tờ: {dossier.numberOfPaper}" in front
        assert " ".join(dossier.title.split()[:3]) in front
        # The documentation is listed in the METS, and no cover or index became a document.
        data = list((pkg / "representations" / "rep1" / "data").glob("*.pdf"))
        assert len(data) == len(docs)


@needs_checker
def test_loose_documents_make_one_sip_tailieu_each_that_verify_and_eark_accept(
        cli_env: Env, tmp_path: Path) -> None:
    inbox = tmp_path / "in" / "nop_le"
    copy_sample("cong_van.tif", inbox / "cong_van.tif")
    copy_sample("thong_bao.png", inbox / "thong_bao.png")
    (inbox / LOOSE_MARKER).write_text("", encoding="utf-8")  # the folder marker, no --loose
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    dossier = json.loads(res.stdout)["dossiers"][0]
    assert dossier["loose"] and dossier["bundle"] is None
    bundles = [Path(d["bundle"]) for d in dossier["documents"]]
    assert len(set(bundles)) == 2
    for doc, pkg in zip(dossier["documents"], bundles, strict=True):
        assert Path(doc["pdf"]).is_relative_to(pkg) and Path(doc["pdf"]).is_file()
        assert_conforms(pkg)
        root = etree.parse(str(pkg / "METS.xml")).getroot()
        assert root.get("{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}OTHERTYPE") == "Tài liệu"
        none, [fields] = package_fields(pkg)
        assert none is None and len(DocumentFields.model_fields) == 21
        assert fields.docId == Path(doc["pdf"]).stem
        sheet = " ".join(_text(pkg / "documentation" / "ThongTinTaiLieu.pdf").split())
        assert fields.docId in sheet and "Trích yếu nội dung" in sheet
        assert all(w in sheet for w in fields.subject.split())
    check = cli_env.run("verify", str(tmp_path / "out"), "--offline", "--json",
                        "--trust", str(cli_env.ca_cert))
    assert check.returncode == 0, check.stdout
    reports = json.loads(check.stdout)
    assert len(reports) == 2 and all(r["eark"]["ran"] and r["eark"]["errors"] == 0
                                     for r in reports)
    assert all(r["status"] == "valid" and len(r["documents"]) == 1 for r in reports)
    aip = cli_env.run("bundle", str(tmp_path / "out" / "nop_le"), "--aip", "--out",
                      str(tmp_path / "aip"))
    assert aip.returncode == 0, aip.stdout + aip.stderr
    for pkg in (tmp_path / "aip").glob("uuid-*"):
        assert_conforms(pkg)
    legacy = cli_env.run("schema", "legacy", str(bundles[0]))
    assert legacy.returncode != 0 and "SIP_tailieu" in legacy.stderr


def _scan(pdf: Path, target: Path) -> None:
    """A sheet as a desk scans it: the printed page at 200 dpi."""
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf),
                    str(target.with_suffix(""))], check=True)


def test_a_scanned_cover_and_index_are_used_not_packaged_and_checked_against_the_documents(
        cli_env: Env, sample_run: SampleRun, tmp_path: Path) -> None:
    from digitize.bundle.sheets import write_cover, write_index
    from digitize.extract.review import pending

    made = next(p for p in _packages(sample_run) if "0002" in p.parent.name)
    dossier, docs = package_fields(made)
    assert dossier is not None and len(docs) == 3 and docs[2].codeNumber
    title = "Hồ sơ cấp phép xây dựng nhà ở riêng lẻ của ông Trần Văn Bình"
    cover_fields = dossier.model_copy(update={"title": title, "maintenance": "04"})
    wrong = docs[2].model_copy(update={"codeNumber": str(int(docs[2].codeNumber) + 1)})
    inbox = tmp_path / "in" / "000.00.31.H49-261120-0002"
    write_cover(cover_fields, "ỦY BAN NHÂN DÂN XÃ MINH XUÂN", tmp_path / "cover.pdf")
    write_index(dossier, [*docs[:2], wrong], tmp_path / "index.pdf")
    inbox.mkdir(parents=True)
    _scan(tmp_path / "cover.pdf", inbox / "00_bia.png")
    _scan(tmp_path / "index.pdf", inbox / "01_muc_luc.png")
    for name in ("cong_van.tif", "don_de_nghi.pdf", "thong_bao.png"):
        copy_sample(name, inbox / name)
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json")
    assert res.returncode == 0, res.stdout + res.stderr
    result = json.loads(res.stdout)["dossiers"][0]
    pkg = Path(result["bundle"])
    # Neither sheet is a document: three PDFs in the data, numbered from 1.
    data = sorted(p.name for p in (pkg / "representations" / "rep1" / "data").glob("*.pdf"))
    assert len(data) == 3 and data[0].endswith(".1.pdf"), data
    kinds = {Path(d["source"]).name: d["sheet"] for d in result["documents"]}
    assert kinds["00_bia.png"] == "cover" and kinds["01_muc_luc.png"] == "index"
    assert kinds["thong_bao.png"] is None
    # The dossier's fields come from its cover; cover and index are the scanned ones.
    got, got_docs = package_fields(pkg)
    assert got is not None and got.title == title and got.maintenance == "04"
    assert len(got_docs) == 3
    for name in ("BiaHoSo.pdf", "MucLucVanBan.pdf"):
        images = subprocess.run(["pdfimages", "-list", str(pkg / "documentation" / name)],
                                capture_output=True, text=True, check=True).stdout
        assert len(images.splitlines()) > 2, name  # the scan, not a generated sheet
    assert_conforms_if_here(pkg)
    # The deliberate mismatch goes to review with both values; the rows that agree do not.
    notes = {Path(d["source"]).name: d["review"] for d in result["documents"]}
    index_note = [n for n in notes["thong_bao.png"] if "index of documents" in n]
    assert index_note and index_note[0].startswith("number:"), notes["thong_bao.png"]
    assert f"'{docs[2].codeNumber}'" in index_note[0] and f"'{wrong.codeNumber}'" in \
        index_note[0]
    assert not [n for n in notes["cong_van.tif"] if "index of documents" in n], notes
    items = [i for i in pending(tmp_path / "out") if i.field == "number"
             and Path(i.doc.source).name == "thong_bao.png"]
    assert items and wrong.codeNumber in items[0].notes[0]


@needs_checker
def test_doctor_finds_the_validator(cli_env: Env) -> None:
    res = cli_env.run("doctor", "--json")
    checks = {c["key"]: c for c in json.loads(res.stdout)}
    assert checks["eark"]["status"] == "ok" and "python" in checks["eark"]["detail"]
    missing = cli_env.run("doctor", "--json", extra={"DIGITIZE_EARK_PYTHON": "/nonexistent"})
    # A named interpreter that is not there falls back to the checkout's .venv-eark.
    assert {c["key"]: c for c in json.loads(missing.stdout)}["eark"]["status"] == "ok"
