"""Signed PDFs handed in (a decision as the Government Portal publishes it, a document an agency
signed): never rasterised or signed over, kept byte for byte in the package, their signatures
checked and reported (in the result, the package's PREMIS, and by `digitize verify`), their
metadata read from their pages."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT, Env, copy_sample, tree_hashes
from .eark import CHECKER, EARK_VENV, assert_conforms

pytestmark = pytest.mark.slow
REAL = ROOT.parent / "shared" / "real" / "signed"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not here (shared/ holds "
                                "the real signed PDFs next to the repository)")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@needs_real
def test_signed_inputs_are_kept_byte_for_byte_and_reported(cli_env: Env, tmp_path: Path) -> None:
    inbox = tmp_path / "in" / "HS-01"
    inbox.mkdir(parents=True)
    # One signed by the demo identity (trusted below), two real ones whose root is not trusted.
    copy_sample("thong_bao.png", tmp_path / "scan" / "thong_bao.png")
    ocr = cli_env.run("ocr", str(tmp_path / "scan"), "--out", str(tmp_path / "ocr"), "--json")
    plain = Path(json.loads(ocr.stdout)[0]["pdf"])
    signed = cli_env.run("sign", str(plain), "--out", str(tmp_path / "signed"), "--json")
    assert signed.returncode == 0, signed.stdout + signed.stderr
    shutil.copyfile(tmp_path / "signed" / plain.name, inbox / "1_thong_bao_signed.pdf")
    for name in ("qd_729_ttg.pdf", "nq_115_ba_vi.pdf"):
        shutil.copyfile(REAL / name, inbox / f"2_{name}")
    config = tmp_path / "config.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + f'\n[verify]\ntrust = ["{cli_env.ca_cert}"]\n', encoding="utf-8")
    before = tree_hashes(tmp_path / "in")
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json",
                      "--config", str(config))
    assert res.returncode == 0, res.stdout + res.stderr
    dossier = json.loads(res.stdout)["dossiers"][0]
    assert dossier["bundle"], dossier["error"]
    docs = {Path(d["source"]).name: d for d in dossier["documents"]}
    for name, doc in docs.items():
        assert doc["signature"] is None, name  # not signed over
        assert doc["input_signatures"], name
        assert _sha(Path(doc["pdf"])) == _sha(inbox / name), name  # the same bytes, packaged
        assert doc["pdf"].startswith(dossier["bundle"] + "/representations/rep1/data/")
    ours = docs["1_thong_bao_signed.pdf"]["input_signatures"]
    assert [s["status"] for s in ours] == ["valid"]
    assert "DEMO" in ours[0]["signer"]
    portal = docs["2_qd_729_ttg.pdf"]["input_signatures"]
    assert portal[0]["signer"] == "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ"
    assert portal[0]["status"] == "indeterminate"  # its root is not in this trust store
    # Metadata from the pages: a Quyết định, whose handwritten number goes to review.
    assert docs["2_qd_729_ttg.pdf"]["metadata"]["doc_type_name"] == "QUYẾT ĐỊNH"
    assert tree_hashes(tmp_path / "in") == before
    # `digitize verify` of the package reports each file's signatures.
    check = cli_env.run("verify", dossier["bundle"], "--offline", "--json",
                        "--trust", str(cli_env.ca_cert))
    files = {Path(f["path"]).name: f for f in json.loads(check.stdout)[0]["documents"]}
    signers = {s["signer"] for f in files.values() for s in f["signatures"]}
    assert "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ" in signers and any("DEMO" in s for s in signers)
    # The archival package records the check in PREMIS.
    aip = cli_env.run("bundle", str(tmp_path / "out" / "HS-01"), "--out", str(tmp_path / "aip"),
                      "--aip", "--json")
    assert aip.returncode == 0, aip.stdout + aip.stderr
    premis = next((tmp_path / "aip").rglob("PREMIS.xml")).read_text(encoding="utf-8")
    assert "kept byte for byte, not re-signed" in premis
    if CHECKER.is_file() and EARK_VENV.is_dir():  # a dossier of signed inputs, SIP and AIP
        assert_conforms(Path(dossier["bundle"]))
        assert_conforms(next((tmp_path / "aip").glob("uuid-*")))


@needs_real
def test_the_desk_countersigns_signed_inputs_when_configured(cli_env: Env, tmp_path: Path
                                                             ) -> None:
    """[signer] countersign_inputs: the desk's signature goes on by incremental update — the
    original is the packaged file's first bytes, and its signatures stay as they were."""
    inbox = tmp_path / "in" / "HS-02"
    inbox.mkdir(parents=True)
    original = REAL / "qd_729_ttg.pdf"
    shutil.copyfile(original, inbox / "1_qd_729_ttg.pdf")
    config = tmp_path / "config.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "\n[signer]\ncountersign_inputs = true\n", encoding="utf-8")
    before = tree_hashes(tmp_path / "in")
    res = cli_env.run("run", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--json",
                      "--config", str(config))
    assert res.returncode == 0, res.stdout + res.stderr
    assert tree_hashes(tmp_path / "in") == before  # the input is never modified
    dossier = json.loads(res.stdout)["dossiers"][0]
    assert dossier["bundle"], dossier["error"]
    [doc] = dossier["documents"]
    assert doc["signature"] and "DEMO" in doc["signature"]["signer"]
    packaged = Path(doc["pdf"]).read_bytes()
    kept = original.read_bytes()
    assert len(packaged) > len(kept) and packaged[:len(kept)] == kept  # an incremental update
    check = cli_env.run("verify", doc["pdf"], "--offline", "--json", "--trust",
                        str(cli_env.ca_cert))
    sigs = json.loads(check.stdout)[0]["signatures"]
    assert len(sigs) == len(doc["input_signatures"]) + 1
    ours = sigs[-1]
    assert "DEMO" in ours["signer"] and ours["status"] == "valid", ours
    before_ours = {s["field"]: s["status"] for s in doc["input_signatures"]}
    assert {s["field"]: s["status"] for s in sigs[:-1]} == before_ours  # unchanged verdicts
    assert all(s["intact"] for s in sigs), sigs
    premis = next((tmp_path / "out").rglob("PREMIS.xml")).read_text(encoding="utf-8")
    assert f"the original is the file's first {len(kept)} bytes" in premis
