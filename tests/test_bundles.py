"""Packages leave the desk intact and arrive exactly once: package checks catch tampering,
AIPs carry PREMIS, bags validate with bagit-python, zips are reproducible, and uploads survive
a failing archive without losing or doubling a bundle."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import bagit
import pytest
from lxml import etree

from digitize.bundle.check import check_package
from digitize.bundle.receiver import Receiver
from digitize.bundle.upload import UploadError, upload_http
from digitize.schemas.xsd import mets_schema

from .conftest import Env, SampleRun

pytestmark = pytest.mark.slow
TOKEN = "s3cret-token"
METS = "{http://www.loc.gov/METS/}"
CSIP = "{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}"
PREMIS = "{http://www.loc.gov/premis/v3}"


def _dossier_folder(run: SampleRun, i: int = 1) -> Path:
    return Path(run.summary["dossiers"][i]["bundle"]).parent


def _package_copy(run: SampleRun, tmp: Path) -> Path:
    pkg = Path(run.summary["dossiers"][1]["bundle"])
    return Path(shutil.copytree(pkg, tmp / pkg.name))


def _bundle(cli_env: Env, folder: Path, out: Path, *flags: str) -> Path:
    """`digitize bundle FOLDER --out OUT FLAGS --json`, which must succeed: the bundle's path."""
    res = cli_env.run("bundle", str(folder), "--out", str(out), *flags, "--json")
    assert res.returncode == 0, res.stderr
    return Path(json.loads(res.stdout)[0]["bundle"])


def test_package_checks_catch_tampering(sample_run: SampleRun, tmp_path: Path) -> None:
    good = _package_copy(sample_run, tmp_path / "good")
    assert check_package(good).ok

    changed = _package_copy(sample_run, tmp_path / "changed")
    pdf = next((changed / "representations/rep1/data").glob("*.pdf"))
    pdf.write_bytes(pdf.read_bytes() + b"%")
    assert any("does not match its SHA-256" in p for p in check_package(changed).problems)

    missing = _package_copy(sample_run, tmp_path / "missing")
    next((missing / "representations/rep1/data").glob("*.pdf")).unlink()
    assert any("listed in METS.xml but missing" in p for p in check_package(missing).problems)

    wrong = _package_copy(sample_run, tmp_path / "wrong")
    mets = wrong / "representations/rep1/METS.xml"
    tree = etree.parse(str(mets))
    tree.find(f".//{METS}file").set("CHECKSUM", "0" * 64)
    tree.write(str(mets))
    problems = check_package(wrong).problems
    assert any("does not match its SHA-256" in p for p in problems)  # rep1/METS.xml itself
    assert any("data/" in p and "SHA-256" in p for p in problems)

    ead = _package_copy(sample_run, tmp_path / "ead")
    doc = next((ead / "representations/rep1/metadata/descriptive").glob("EAD_doc_*.xml"))
    doc.write_text(doc.read_text(encoding="utf-8").replace("<typeName>", "<typeNam>")
                   .replace("</typeName>", "</typeNam>"), encoding="utf-8")
    assert any("typeNam" in p for p in check_package(ead).problems)


def test_bundle_zip_is_reproducible(cli_env: Env, sample_run: SampleRun,
                                    tmp_path: Path) -> None:
    folder = _dossier_folder(sample_run)
    digests = []
    for n in (1, 2):
        zipped = _bundle(cli_env, folder, tmp_path / f"z{n}", "--zip")
        digests.append(hashlib.sha256(zipped.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_aip_carries_premis_and_validates(cli_env: Env, sample_run: SampleRun,
                                          tmp_path: Path) -> None:
    aip = _bundle(cli_env, _dossier_folder(sample_run), tmp_path, "--aip")
    root = etree.parse(str(aip / "METS.xml"))
    mets_schema().assertValid(root)
    assert root.find(f"{METS}metsHdr").get(f"{CSIP}OAISPACKAGETYPE") == "AIP"
    ref = root.find(f".//{METS}amdSec/{METS}digiprovMD/{METS}mdRef")
    assert ref.get("MDTYPE") == "PREMIS"
    assert check_package(aip).ok, check_package(aip).problems
    premis = etree.parse(str(aip / "metadata/preservation/PREMIS.xml"))
    types = [e.text for e in premis.iter(f"{PREMIS}eventType")]
    for kind in ("capture", "ocr", "metadata extraction", "signing", "packaging"):
        assert kind in types, kind
    objects = premis.findall(f"{PREMIS}object")
    assert len(objects) == len(sample_run.summary["dossiers"][1]["documents"])
    names = {o.findtext(f"{PREMIS}originalName") for o in objects}
    assert names == {"cong_van.tif", "don_de_nghi.pdf", "thong_bao.png"}
    agents = " ".join(a.text for a in premis.iter(f"{PREMIS}agentName"))
    assert "tesseract" in agents and "DEMO — NOT FOR PRODUCTION" in agents


def test_bagit_bag_validates_and_verifies(cli_env: Env, sample_run: SampleRun,
                                          tmp_path: Path) -> None:
    bag_dir = _bundle(cli_env, _dossier_folder(sample_run), tmp_path, "--bagit")
    bag = bagit.Bag(str(bag_dir))
    bag.validate()
    assert set(bag.algorithms) == {"sha256", "sha512"}
    assert bag.info["External-Identifier"] == "000.00.31.H49-261120-0002"
    assert bag.info["Source-Organization"] == "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"
    assert "Payload-Oxum" in bag.info and "Bagging-Date" in bag.info
    ok = cli_env.run("verify", str(bag_dir), "--trust", str(cli_env.ca_cert), "--json")
    assert ok.returncode == 0, ok.stdout
    assert json.loads(ok.stdout)[0]["kind"] == "bag"
    victim = next((bag_dir / "data").rglob("*.pdf"))
    victim.write_bytes(victim.read_bytes()[:-10])
    bad = cli_env.run("verify", str(bag_dir), "--trust", str(cli_env.ca_cert), "--json")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)[0]
    assert report["status"] == "invalid" and report["reasons"][0].startswith("BagIt")


@pytest.fixture
def zipped(cli_env: Env, sample_run: SampleRun, tmp_path: Path) -> Path:
    return _bundle(cli_env, _dossier_folder(sample_run), tmp_path / "transfer", "--zip")


def _changed_copy(bundle: Path, tmp: Path) -> Path:
    other = tmp / "changed" / bundle.name
    other.parent.mkdir()
    other.write_bytes(bundle.read_bytes() + b"\0")
    return other


def test_upload_to_a_folder_once(cli_env: Env, zipped: Path, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    first = cli_env.run("upload", str(zipped), "--to", str(archive), "--json")
    again = cli_env.run("upload", str(zipped), "--to", str(archive), "--json")
    assert first.returncode == again.returncode == 0, first.stderr
    assert json.loads(first.stdout)[0]["status"] == "uploaded"
    assert json.loads(again.stdout)[0]["status"] == "already there"
    assert (archive / zipped.name).read_bytes() == zipped.read_bytes()
    assert [p.name for p in archive.iterdir()] == [zipped.name]
    changed = _changed_copy(zipped, tmp_path)
    refused = cli_env.run("upload", str(changed), "--to", str(archive), "--json")
    assert refused.returncode == 1 and "--replace" in json.loads(refused.stdout)[0]["error"]
    replaced = cli_env.run("upload", str(changed), "--to", str(archive), "--replace", "--json")
    assert json.loads(replaced.stdout)[0]["status"] == "replaced"
    assert (archive / zipped.name).read_bytes() == changed.read_bytes()
    journal = Path(cli_env.vars["XDG_STATE_HOME"]) / "digitize" / "uploads.jsonl"
    statuses = [json.loads(line)["status"] for line in journal.read_text().splitlines()]
    assert statuses[-3:] == ["uploaded", "already there", "replaced"]


@pytest.fixture
def receiver(tmp_path: Path):
    server = Receiver(tmp_path / "archive-store", token=TOKEN)
    server.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("faults", [("drop",), ("500", "500"), ("slow",),
                                    ("wrong_checksum",), ("drop", "500", "drop")])
def test_http_upload_survives_a_failing_archive(receiver: Receiver, zipped: Path,
                                                faults: tuple[str, ...]) -> None:
    receiver.inject(*faults)
    d = upload_http(zipped, receiver.url, TOKEN, replace=False, backoff=0.01,
                    chunk_size=64 * 1024)
    assert d.status == "uploaded"
    assert not receiver.faults  # every injected fault was met
    stored = receiver.store / zipped.name
    assert stored.read_bytes() == zipped.read_bytes()
    assert sorted(p.name for p in receiver.store.iterdir()) == [".partial", zipped.name]
    assert list((receiver.store / ".partial").iterdir()) == []
    again = upload_http(zipped, receiver.url, TOKEN, replace=False, backoff=0.01)
    assert again.status == "already there"


def test_http_upload_cuts_an_answer_trickled_without_end_and_sends_again(
        receiver: Receiver, zipped: Path) -> None:
    """The archive sends its receipt a byte every 0.2 s, each within the timeout (22 s for
    the whole): the answer has a deadline of three timeouts, so completion is asked again
    within seconds (before, the upload waited as long as the archive kept sending)."""
    receiver.inject("trickle")
    started = time.monotonic()
    d = upload_http(zipped, receiver.url, TOKEN, replace=False, backoff=0.01, timeout=0.5,
                    chunk_size=64 * 1024)
    assert time.monotonic() - started < 10
    # The receipt was lost on the way: asked again, the archive says it holds those bytes.
    assert d.status == "already there" and not receiver.faults
    assert (receiver.store / zipped.name).read_bytes() == zipped.read_bytes()


def test_http_upload_resumes_where_the_archive_stopped(receiver: Receiver, zipped: Path
                                                       ) -> None:
    data = zipped.read_bytes()
    part = receiver.store / ".partial" / zipped.name
    part.write_bytes(data[: len(data) // 3])  # what a crashed earlier run left there
    before = receiver.requests
    upload_http(zipped, receiver.url, TOKEN, replace=False, backoff=0.01,
                chunk_size=32 * 1024)
    assert (receiver.store / zipped.name).read_bytes() == data
    sent_chunks = receiver.requests - before - 1  # minus the completion
    assert sent_chunks == -(-(len(data) - len(data) // 3) // (32 * 1024))


def test_http_upload_refuses_changed_bytes_without_replace(receiver: Receiver, zipped: Path,
                                                           tmp_path: Path) -> None:
    upload_http(zipped, receiver.url, TOKEN, replace=False, backoff=0.01)
    changed = _changed_copy(zipped, tmp_path)
    with pytest.raises(UploadError, match="--replace"):
        upload_http(changed, receiver.url, TOKEN, replace=False, backoff=0.01)
    assert (receiver.store / zipped.name).read_bytes() == zipped.read_bytes()
    d = upload_http(changed, receiver.url, TOKEN, replace=True, backoff=0.01)
    assert d.status == "replaced"
    assert (receiver.store / zipped.name).read_bytes() == changed.read_bytes()


def test_http_upload_with_a_wrong_token_says_so(receiver: Receiver, zipped: Path) -> None:
    with pytest.raises(UploadError, match="refused the token"):
        upload_http(zipped, receiver.url, "sai", replace=False, backoff=0.01)
    with pytest.raises(UploadError, match="cannot carry"):
        upload_http(zipped, receiver.url, "bí-mật", replace=False, backoff=0.01)
    assert not (receiver.store / zipped.name).exists()


def test_upload_cli_over_http_with_token_from_env(cli_env: Env, receiver: Receiver,
                                                  zipped: Path, tmp_path: Path) -> None:
    journal = tmp_path / "uploads.jsonl"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[upload]\njournal = "{journal}"\n', encoding="utf-8")
    res = cli_env.run("upload", str(zipped), "--to", receiver.url, "--config", str(cfg),
                      "--json", extra={"DIGITIZE_UPLOAD_TOKEN": TOKEN})
    assert res.returncode == 0, res.stdout + res.stderr
    assert TOKEN not in res.stdout + res.stderr
    line = json.loads(journal.read_text(encoding="utf-8").splitlines()[0])
    assert line["status"] == "uploaded" and line["sha256"] == hashlib.sha256(
        zipped.read_bytes()).hexdigest().upper()
