"""Remote signing over the CSC API (issue 20) against a real HTTP service on 127.0.0.1
(digitize.devtools.csctest, keys from the test PKI): a batch is authorised once (one OTP) and
signed in one signHash call, for v1 and v2 and with OAuth2 client credentials; every failure a
clerk can meet (wrong PIN or OTP, an expired token, a service that times out or answers
garbage) exits 4 with one sentence, writes nothing and shows no secret; a credential that allows
fewer signatures than the batch is authorised in rounds; a CSC-signed file countersigned with a
PKCS#11 token keeps both signatures valid."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from digitize.devtools.csctest import CscService, credential_from_files, serve_csc
from digitize.devtools.testpki import PASSWORD
from digitize.identity import load_certs
from digitize.validation.verify import verify_pdf

from .conftest import Signing, sign_with

PIN, OTP = "123456", "654321"


@pytest.fixture
def csc(signing: Signing) -> Iterator[CscService]:
    files = signing.pki.signer("signer")
    cred = credential_from_files(files.key_pem, files.cert_pem, files.chain_pem,
                                 PASSWORD.encode())
    with serve_csc({"mysign-01": cred}) as svc:
        yield svc


def _docs(signing: Signing, folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        out.append(folder / f"ho_so_{i}.pdf")
        out[-1].write_bytes(signing.pdf.read_bytes())
    return out


def _sign(signing: Signing, svc: CscService, docs: list[Path], out: Path, api: str = "v1",
          extra_cfg: str = "", env: dict[str, str] | None = None
          ) -> subprocess.CompletedProcess[str]:
    cfg = out.parent / f"csc-{out.name}.toml"
    cfg.write_text(f'[agency]\nname = "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"\n[signer]\nsource = "csc"\n'
                   f'csc_url = "{svc.url}"\ncsc_api = "{api}"\n{extra_cfg}', encoding="utf-8")
    secrets = {"DIGITIZE_CSC_TOKEN": next(iter(svc.tokens)), "DIGITIZE_SECRET": PIN,
               "DIGITIZE_OTP": OTP, **(env or {})}
    return signing.env.run("sign", *map(str, docs), "--out", str(out), "--config", str(cfg),
                           "--json", extra=secrets)


def _valid(signing: Signing, pdf: Path) -> list[str]:
    report = verify_pdf(pdf, load_certs(signing.pki.root_pem), offline=True, levels=True)
    return [s.status.value for s in report.signatures]


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_batch_is_authorised_once_and_signed_in_one_call(signing: Signing, csc: CscService,
                                                           tmp_path: Path, api: str) -> None:
    docs = _docs(signing, tmp_path / "in", 3)
    res = _sign(signing, csc, docs, tmp_path / "out", api)
    assert res.returncode == 0, res.stderr + res.stdout
    rows = json.loads(res.stdout)
    assert [r["status"] for r in rows] == ["ok"] * 3
    assert rows[0]["signature"]["signer"] == "SỞ TƯ PHÁP TỈNH TEST"
    assert csc.calls[f"{api}/credentials/authorize"] == 1
    assert csc.calls[f"{api}/signatures/signHash"] == 1
    for doc in docs:
        signed = tmp_path / "out" / doc.name
        assert _valid(signing, signed) == ["valid"]
        pdfsig = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in pdfsig
        assert doc.read_bytes() == signing.pdf.read_bytes()  # the input is never modified


def test_oauth2_client_credentials_instead_of_a_token(signing: Signing, csc: CscService,
                                                      tmp_path: Path) -> None:
    csc.clients["digitize-desk"] = "s3cret-client"
    docs = _docs(signing, tmp_path / "in", 2)
    res = _sign(signing, csc, docs, tmp_path / "out", "v2",
                'csc_client_id = "digitize-desk"\n',
                env={"DIGITIZE_CSC_TOKEN": "", "DIGITIZE_CSC_CLIENT_SECRET": "s3cret-client"})
    assert res.returncode == 0, res.stderr
    assert csc.calls["/oauth2/token"] == 1 and csc.calls["v2/credentials/authorize"] == 1


@pytest.mark.parametrize(("env", "words"), [
    ({"DIGITIZE_SECRET": "000000"}, "PIN"),
    ({"DIGITIZE_OTP": "111111"}, "OTP"),
])
def test_a_wrong_pin_or_otp_exits_4_and_writes_nothing(signing: Signing, csc: CscService,
                                                       tmp_path: Path, env: dict[str, str],
                                                       words: str) -> None:
    docs = _docs(signing, tmp_path / "in", 2)
    res = _sign(signing, csc, docs, tmp_path / "out", env=env)
    assert res.returncode == 4, res.stderr
    assert words in res.stderr and "nothing was signed" in res.stderr
    assert "Traceback" not in res.stderr
    assert not list((tmp_path / "out").glob("*"))  # not even a temporary file
    for secret in (*env.values(), next(iter(csc.tokens))):
        assert secret not in res.stderr + res.stdout


def test_an_expired_token_exits_4_with_the_fix(signing: Signing, csc: CscService,
                                               tmp_path: Path) -> None:
    token = next(iter(csc.tokens))
    csc.expired.add(token)
    res = _sign(signing, csc, _docs(signing, tmp_path / "in", 1), tmp_path / "out")
    assert res.returncode == 4
    assert "expired" in res.stderr and "new token" in res.stderr and token not in res.stderr
    assert not list((tmp_path / "out").glob("*"))


def test_a_service_that_never_answers_exits_4_in_time(signing: Signing, csc: CscService,
                                                      tmp_path: Path) -> None:
    csc.delay_s = 5
    start = time.monotonic()
    res = _sign(signing, csc, _docs(signing, tmp_path / "in", 2), tmp_path / "out",
                extra_cfg="timeout_s = 1\n")
    assert res.returncode == 4 and "did not answer" in res.stderr, res.stderr
    assert time.monotonic() - start < 20
    assert not list((tmp_path / "out").glob("*"))


def test_a_service_that_trickles_its_answer_exits_4_in_time(signing: Signing, csc: CscService,
                                                            tmp_path: Path) -> None:
    """A byte every 0.3 s is within a 1 s timeout for ever: each answer has a deadline of three
    timeouts in all (before, the batch waited as long as the service kept sending)."""
    csc.trickle_s = 0.3
    start = time.monotonic()
    res = _sign(signing, csc, _docs(signing, tmp_path / "in", 2), tmp_path / "out",
                extra_cfg="timeout_s = 1\n")
    assert res.returncode == 4 and "did not answer" in res.stderr, res.stderr
    assert "3.0 s" in " ".join(res.stderr.split())
    assert time.monotonic() - start < 30
    assert not list((tmp_path / "out").glob("*"))


def test_a_service_answering_garbage_exits_4(signing: Signing, csc: CscService,
                                             tmp_path: Path) -> None:
    csc.garbage = True
    res = _sign(signing, csc, _docs(signing, tmp_path / "in", 2), tmp_path / "out")
    assert res.returncode == 4 and "not JSON" in res.stderr, res.stderr
    assert not list((tmp_path / "out").glob("*"))


def test_fewer_signatures_allowed_than_the_batch_means_more_rounds(
        signing: Signing, csc: CscService, tmp_path: Path) -> None:
    csc.credentials["mysign-01"].multisign = 2
    docs = _docs(signing, tmp_path / "in", 5)
    res = _sign(signing, csc, docs, tmp_path / "out")
    assert res.returncode == 0, res.stderr
    assert [r["status"] for r in json.loads(res.stdout)] == ["ok"] * 5
    # 2 + 2 + 1: the service was never asked for more than the credential allows.
    assert csc.calls["v1/credentials/authorize"] == 3 == csc.calls["v1/signatures/signHash"]
    assert all(_valid(signing, tmp_path / "out" / d.name) == ["valid"] for d in docs)


def test_a_csc_signature_countersigned_on_a_token_keeps_both_valid(
        signing: Signing, csc: CscService, tmp_path: Path) -> None:
    doc = _docs(signing, tmp_path / "in", 1)[0]
    assert _sign(signing, csc, [doc], tmp_path / "remote").returncode == 0
    res = sign_with(signing, tmp_path / "remote" / doc.name, tmp_path / "head", "pkcs11")
    assert res.returncode == 0, res.stderr
    signed = tmp_path / "head" / doc.name
    assert _valid(signing, signed) == ["valid", "valid"]
    pdfsig = subprocess.run(["pdfsig", str(signed)], capture_output=True, text=True).stdout
    assert pdfsig.count("Signature is Valid") == 2
