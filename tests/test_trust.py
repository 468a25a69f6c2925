"""The trust store: the built-in Vietnamese anchors are exactly the files their README lists,
every bundle format the CA sites publish is read, `trust add` fills the user store that
`verify` uses by default, and real Government Portal signatures verify with no --trust."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from asn1crypto import pem
from cryptography import x509 as cx509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7

from digitize.validation.trust import BUILTIN, parse_certificates

from .conftest import ROOT, Env

REAL = ROOT.parent / "shared" / "real" / "signed"


def test_every_builtin_certificate_matches_its_listed_fingerprint() -> None:
    listed = dict(re.findall(r"^\| (\S+\.pem) \|.*\| ([0-9A-F]{64}) \|", (
        BUILTIN / "README.md").read_text(encoding="utf-8"), re.MULTILINE))
    files = sorted(BUILTIN.glob("*.pem"))
    assert len(files) == len(listed) == 64
    for f in files:
        _, _, der = pem.unarmor(f.read_bytes())
        assert hashlib.sha256(der).hexdigest().upper() == listed[f.name], f.name
    names = {c.subject.native.get("common_name") for f in files
             for c in parse_certificates(f.read_bytes())}
    assert {"Vietnam National Root CA", "RootCA chuyên dùng Chính phủ G2",
            "CA phục vụ các cơ quan Nhà nước G2"} <= names


def _bundle_forms(pems: list[Path]) -> dict[str, bytes]:
    certs = [cx509.load_pem_x509_certificate(p.read_bytes()) for p in pems]
    der = pkcs7.serialize_certificates(certs, Encoding.DER)
    # BER as some CA tools write it: the outer SEQUENCE with an indefinite length.
    assert der[0] == 0x30 and der[1] & 0x80
    header = 2 + (der[1] & 0x7F)
    ber = b"\x30\x80" + der[header:] + b"\x00\x00"
    return {"pem": b"".join(p.read_bytes() for p in pems),
            "der": certs[0].public_bytes(Encoding.DER),
            "p7b-der": der, "p7b-ber": ber,
            "p7b-pem-text": pkcs7.serialize_certificates(certs, Encoding.PEM)}


def test_bundles_in_every_form_the_ca_sites_publish() -> None:
    pems = sorted(BUILTIN.glob("vietnam-national-root-ca-*.pem"))[:2] or sorted(
        BUILTIN.glob("*.pem"))[:2]
    expected = {hashlib.sha256(pem.unarmor(p.read_bytes())[2]).hexdigest() for p in pems}
    for form, data in _bundle_forms(pems).items():
        got = {hashlib.sha256(c.dump()).hexdigest() for c in parse_certificates(data)}
        assert got == (expected if form != "der" else got & expected) and got, form
    with pytest.raises(ValueError):
        parse_certificates(b"not a certificate")


@pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not here")
def test_government_portal_signatures_verify_with_the_builtin_store(cli_env: Env) -> None:
    files = [str(REAL / n) for n in ("qd_729_ttg.pdf", "cv_3722_metro.pdf", "nq_115_ba_vi.pdf")]
    res = cli_env.run("verify", *files, "--offline", "--json")
    assert res.returncode == 0, res.stdout
    for report in json.loads(res.stdout):
        assert report["status"] == "valid"
        assert report["signatures"][0]["signer"] == "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ"
        assert report["signatures"][0]["revocation"] == "not checked"  # offline, none embedded
    # Trusting only another root, the same signatures have no chain to trust.
    only = cli_env.run("verify", files[0], "--offline", "--json", "--trust-only",
                       str(cli_env.ca_cert))
    assert only.returncode == 1
    assert json.loads(only.stdout)[0]["signatures"][0]["sub_indication"] == \
        "NO_CERTIFICATE_CHAIN_FOUND"


def test_trust_add_fills_the_user_store_verify_uses(cli_env: Env, tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"DIGITIZE_DATA_DIR": str(data)}  # a user store of this test's own
    demo = cx509.load_pem_x509_certificate(cli_env.ca_cert.read_bytes())
    bundle = tmp_path / "demo-ca.p7b"
    bundle.write_bytes(pkcs7.serialize_certificates([demo], Encoding.DER))
    signed = tmp_path / "signed"
    copy = next(ROOT.glob("samples/*/don_de_nghi.pdf"))
    res = cli_env.run("sign", str(copy), "--out", str(signed), "--appearance", "none")
    assert res.returncode == 0, res.stderr
    before = cli_env.run("verify", str(signed / copy.name), "--json", "--offline", extra=env)
    assert json.loads(before.stdout)[0]["status"] == "indeterminate"  # the demo is not trusted
    added = cli_env.run("trust", "add", str(bundle), "--json", extra=env)
    assert added.returncode == 0, added.stderr
    assert [c["store"] for c in json.loads(added.stdout)] == ["user"]
    again = cli_env.run("trust", "add", str(bundle), "--json", extra=env)
    assert json.loads(again.stdout) == []  # already there
    listed = json.loads(cli_env.run("trust", "list", "--json", extra=env).stdout)
    assert {c["store"] for c in listed} == {"vn", "user"} and len(listed) == 65
    after = cli_env.run("verify", str(signed / copy.name), "--json", "--offline", extra=env)
    assert after.returncode == 0 and json.loads(after.stdout)[0]["status"] == "valid"
