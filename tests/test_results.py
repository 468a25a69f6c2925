"""The procedure's results digitized into their dossiers, through the real CLI and the web desk:
a result matched to its code in the catalogue (or named), signed as the desk's copy or kept
byte for byte when an agency signed it, in its own file group of the re-made package, which
`digitize verify` and E-ARK's validator pass; a result for a dossier that is not there, or a
code the procedure does not issue, refused with nothing written; results kept through a later
run of the dossier; the same file added again replaces its record."""

from __future__ import annotations

import json
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from digitize.config import load_config
from digitize.web.site import Site
from samples.make_procedures import write

from .borndigital import Block, born_digital_pdf
from .conftest import Env, tree_hashes
from .desk import site_client
from .eark import CHECKER, EARK_VENV, assert_conforms
from .test_procedures import COMPLETE, DOSSIERS, HEAD, LAND, PAGES, _config
from .webclient import csrf_of, finished_job

METS = "{http://www.loc.gov/METS/}"
XLINK = "{http://www.w3.org/1999/xlink}href"
GCN_RESULT = ("KQ.DD.000001", "Giấy chứng nhận quyền sử dụng đất")
# The certificate the desk hands back, born-digital; and a decision an agency signed.
CERTIFICATE: tuple[Block, ...] = (
    HEAD, (50, 740, 12, "ỦY BAN NHÂN DÂN\nTỈNH QUẢNG NGÃI"),
    (150, 660, 16, "GIẤY CHỨNG NHẬN\nQUYỀN SỬ DỤNG ĐẤT"),
    (60, 560, 12, "Người sử dụng đất: ông Nguyễn Văn Bình\nThửa đất số: 125, tờ bản đồ số: 12"))


@dataclass(frozen=True)
class Desk:
    config: Path
    inbox: Path
    out: Path
    root: Path

    @property
    def dossier(self) -> Path:
        return self.out / COMPLETE


@pytest.fixture(scope="module")
def desk(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """A land registration dossier with all its components, run and packaged."""
    root = tmp_path_factory.mktemp("results")
    config = _config(cli_env, root, f'[scan]\ninbox = "{root / "inbox"}"\n')
    assert cli_env.run("procedures", "import", str(write(root / "tthc.csv")), "--config",
                       str(config)).returncode == 0
    inbox = root / "in"
    for name in DOSSIERS[COMPLETE]:
        born_digital_pdf(inbox / COMPLETE / name, PAGES[name])
    res = cli_env.run("run", str(inbox), "--out", str(root / "out"), "--config", str(config),
                      "--procedure", LAND)
    assert res.returncode == 0, res.stderr
    return Desk(config, inbox, root / "out", root)


def _record(desk: Desk) -> dict:
    return json.loads((desk.dossier / "dossier.json").read_text(encoding="utf-8"))


def _rep_mets(bundle: str) -> etree._ElementTree:
    return etree.parse(str(Path(bundle) / "representations" / "rep1" / "METS.xml"))


def _groups(mets: etree._ElementTree) -> dict[str, list[str]]:
    """File group USE -> the data files it lists."""
    return {g.get("USE"): [loc.get(XLINK) for loc in g.iter(f"{METS}FLocat")]
            for g in mets.iter(f"{METS}fileGrp")}


def _add(env: Env, desk: Desk, source: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return env.run("result", "add", str(source), "--dossier", COMPLETE, "--out", str(desk.out),
                   "--config", str(desk.config), "--json", *args)


@pytest.mark.slow
def test_bad_results_are_refused_and_nothing_is_written(cli_env: Env, desk: Desk) -> None:
    certificate = born_digital_pdf(desk.root / "bad" / "gcn_ketqua.pdf", CERTIFICATE)
    before = tree_hashes(desk.out)
    cases = [
        (("result", "add", str(certificate), "--dossier", "000.00.31.H49-261201-0099"), 3,
         "000.00.31.H49-261201-0099"),
        (("result", "add", str(desk.root / "bad" / "khong_co.pdf"), "--dossier", COMPLETE), 3,
         "khong_co.pdf"),
        (("result", "add", str(certificate), "--dossier", COMPLETE, "--code", "KQ.XX.999999"),
         2, "KQ.XX.999999"),
    ]
    for args, code, named in cases:
        res = cli_env.run(*args, "--out", str(desk.out), "--config", str(desk.config))
        message = " ".join(res.stderr.split())
        assert res.returncode == code, (args, res.stderr)
        assert named in message and "Traceback" not in res.stderr, message
        assert message.count(". ") <= 1, message  # one sentence
    assert tree_hashes(desk.out) == before  # nothing half-written


@pytest.mark.slow
def test_results_are_signed_packaged_in_their_own_group_and_verify(
        cli_env: Env, desk: Desk, tmp_path: Path) -> None:
    before = _record(desk)
    docs = [Path(d["pdf"]).name for d in before["documents"]]
    certificate = born_digital_pdf(tmp_path / "gcn_ketqua.pdf", CERTIFICATE)
    res = _add(cli_env, desk, certificate)
    assert res.returncode == 0, res.stderr
    shown = json.loads(res.stdout)["result"]
    assert (shown["code"], shown["name"]) == GCN_RESULT
    assert shown["confidence"]["result_code"] >= 0.95 and shown["signed"] is True
    assert shown["signature"]["signer"] and unicodedata.is_normalized("NFC", shown["name"])

    # An agency's signed decision: kept byte for byte, its signature reported, not re-signed.
    plain = born_digital_pdf(tmp_path / "plain" / "quyet_dinh.pdf")
    signed = cli_env.run("sign", str(plain), "--out", str(tmp_path / "signed"), "--json")
    assert signed.returncode == 0, signed.stderr
    agency = tmp_path / "signed" / plain.name
    res = _add(cli_env, desk, agency, "--code", GCN_RESULT[0])
    assert res.returncode == 0, res.stderr
    kept = json.loads(res.stdout)["result"]
    assert kept["signed"] is True and kept["signature"] is None and kept["input_signatures"]
    assert Path(kept["pdf"]).read_bytes() == agency.read_bytes()

    record = _record(desk)
    assert [r["code"] for r in record["results"]] == [GCN_RESULT[0]] * 2
    assert [Path(d["pdf"]).name for d in record["documents"]] == docs  # the documents stay
    groups = _groups(_rep_mets(record["bundle"]))
    assert [Path(h).name for h in groups["Data"]] == docs
    assert [Path(h).name for h in groups["Results"]] == [
        Path(r["pdf"]).name for r in record["results"]]
    assert all(Path(r["pdf"]).parent.parent.parent.parent == Path(record["bundle"])
               for r in record["results"])
    divs = {d.get("LABEL"): d for d in _rep_mets(record["bundle"]).iter(f"{METS}div")}
    assert [d.get("TYPE") for d in divs["Results"]] == [GCN_RESULT[0]] * 2
    described = [p.read_text(encoding="utf-8") for p in (Path(record["bundle"]) / "representations"
                 / "rep1" / "metadata" / "descriptive").glob("*.xml")]
    assert sum(f"Kết quả giải quyết {GCN_RESULT[0]}: {GCN_RESULT[1]}" in t
               for t in described) == 2

    # The same file again replaces its record; the package passes verify and E-ARK.
    again = _add(cli_env, desk, certificate, "--code", GCN_RESULT[0])
    assert again.returncode == 0, again.stderr
    record = _record(desk)
    assert len(record["results"]) == 2
    check = cli_env.run("verify", record["bundle"], "--offline", "--no-eark", "--trust",
                        str(cli_env.ca_cert), "--json")
    assert check.returncode == 0, check.stdout + check.stderr
    report = json.loads(check.stdout)[0]
    assert report["status"] == "valid" and len(report["documents"]) == len(docs) + 2
    if CHECKER.is_file() and (EARK_VENV / "bin" / "python").is_file():
        assert_conforms(Path(record["bundle"]))

    # A later run of the dossier (a document added) keeps its results, after the documents.
    born_digital_pdf(desk.inbox / COMPLETE / "uy_quyen.pdf", PAGES["uy_quyen.pdf"])
    rerun = cli_env.run("run", str(desk.inbox), "--out", str(desk.out), "--config",
                        str(desk.config), "--procedure", LAND, "--json")
    assert rerun.returncode == 0, rerun.stderr
    record = _record(desk)
    assert len(record["documents"]) == len(docs) + 1 and len(record["results"]) == 2
    groups = _groups(_rep_mets(record["bundle"]))
    code = record["file_code"]
    assert [Path(h).name for h in groups["Results"]] == [f"{code}.5.pdf", f"{code}.6.pdf"]
    by_source = {Path(r["source"]).name: r for r in record["results"]}
    assert Path(by_source[agency.name]["pdf"]).read_bytes() == agency.read_bytes()
    assert Path(by_source[certificate.name]["text_file"]).read_text(
        encoding="utf-8").count("QUYỀN SỬ DỤNG ĐẤT")
    (desk.inbox / COMPLETE / "uy_quyen.pdf").unlink()


@pytest.mark.slow
def test_a_result_uploaded_on_the_dossier_page(desk: Desk, tmp_path: Path) -> None:
    client = site_client(Site(load_config(desk.config), [desk.out], 20))
    page = f"/dossiers/0/{COMPLETE}"
    assert 'id="add-result"' in client.get(page).text
    certificate = born_digital_pdf(tmp_path / "ket_qua_web.pdf", CERTIFICATE)
    upload = {"file": ("Giấy chứng nhận.pdf", certificate.read_bytes(), "application/pdf")}
    assert client.post(f"{page}/result", data={"csrf": "forged"}, files=upload
                       ).status_code == 403
    missing = client.post("/dossiers/0/000.00.31.H49-261201-0099/result",
                          data={"csrf": csrf_of(client.get, page)}, files=upload)
    assert missing.status_code == 404
    count = len(_record(desk)["results"])
    res = client.post(f"{page}/result", data={"csrf": csrf_of(client.get, page),
                                              "code": GCN_RESULT[0]}, files=upload)
    assert res.status_code == 303, res.text
    job = finished_job(client.get, res.headers["location"])
    assert 'data-state="done"' in job, job
    record = _record(desk)
    assert len(record["results"]) == count + 1
    added = record["results"][-1]
    assert added["code"] == GCN_RESULT[0] and added["signed"]
    assert ".results" in Path(added["source"]).parts  # kept apart from the dossier's scans
    assert GCN_RESULT[0] in client.get(page).text
    # The web report shows QĐ 766's figures: the one dossier received, both digitized.
    report = " ".join(client.get("/report").text.split())
    assert "QĐ 766/QĐ-TTg" in report and "100.0%" in report
