"""A local test PKI on 127.0.0.1 (certomancer): a root CA with OCSP responder, CRL and time-stamping
authority, and signers that are valid, revoked, expired, not yet valid, or from a second root
nobody trusts. For tests, benchmarks and trying the PAdES levels out — never for production.

    with start_test_pki(folder) as pki:
        pki.tsa_url, pki.root_pem, pki.signer("signer").p12 ...

Run: python -m digitize.devtools.testpki FOLDER   (serves until Ctrl-C and prints where things are)
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from asn1crypto import pem
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from digitize.devtools.loopback import serving
from digitize.i18n import _

ARCH = "digitize-test"
PASSWORD = "digitize-test"  # of the PKCS#12 files and PEM keys this PKI writes; test use only
PIN = "2468"  # of the SoftHSM token the tests make
KEYS = ("root", "ocsp", "tsa", "signer", "clerk", "revoked", "expired", "future", "other-root",
        "stranger", "other-tsa")


@dataclass(frozen=True)
class SignerFiles:
    label: str
    key_pem: Path  # PKCS#8, encrypted with PASSWORD
    cert_pem: Path
    chain_pem: Path  # the issuing CA
    p12: Path  # key, certificate and chain, PASSWORD


@dataclass
class LocalPki:
    folder: Path
    url: str
    root_pem: Path
    other_root_pem: Path
    tsa_url: str
    other_tsa_url: str
    arch: Any

    def signer(self, label: str) -> SignerFiles:
        base = self.folder / "signers" / label
        return SignerFiles(label, base / "key.pem", base / "cert.pem", base / "chain.pem",
                           base / "signer.p12")


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _ext_ku(*usages: str) -> dict:
    return {"id": "key_usage", "critical": True,
            "smart-value": {"schema": "key-usage", "params": list(usages)}}


def _config(prefix: str, now: dt.datetime) -> dict:
    valid = {"valid-from": _iso(now - dt.timedelta(days=1)),
             "valid-to": _iso(now + dt.timedelta(days=730))}
    ca = {"validity": {"valid-from": _iso(now - dt.timedelta(days=30)),
                       "valid-to": _iso(now + dt.timedelta(days=3650))},
          "extensions": [{"id": "basic_constraints", "critical": True, "value": {"ca": True}},
                         _ext_ku("digital_signature", "key_cert_sign", "crl_sign")]}
    signer_ext = [_ext_ku("digital_signature", "non_repudiation"),
                  {"id": "crl_distribution_points",
                   "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names":
                                                                           ["root"]}}},
                  {"id": "authority_information_access",
                   "smart-value": {"schema": "aia-urls", "params": {"ocsp-responder-names":
                                                                       ["root"]}}}]
    tsa_ext = [_ext_ku("digital_signature"),
               {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]}]
    certs: dict[str, dict] = {
        "root": {"subject": "root", "issuer": "root", **ca},
        "other-root": {"subject": "other-root", "issuer": "other-root", **ca},
        "ocsp": {"issuer": "root", "validity": valid,
                 "extensions": [_ext_ku("digital_signature"),
                                {"id": "extended_key_usage", "critical": True,
                                 "value": ["ocsp_signing"]}, {"id": "ocsp_no_check"}]},
        "tsa": {"issuer": "root", "validity": valid, "extensions": tsa_ext},
        "other-tsa": {"issuer": "other-root", "validity": valid, "extensions": tsa_ext},
        "signer": {"issuer": "root", "validity": valid, "extensions": signer_ext},
        "clerk": {"issuer": "root", "validity": valid, "extensions": signer_ext},
        "revoked": {"issuer": "root", "validity": valid, "extensions": signer_ext,
                    "revocation": {"revoked-since": _iso(now - dt.timedelta(hours=12)),
                                   "reason": "key_compromise"}},
        "expired": {"issuer": "root", "extensions": signer_ext,
                    "validity": {"valid-from": _iso(now - dt.timedelta(days=800)),
                                 "valid-to": _iso(now - dt.timedelta(days=70))}},
        "future": {"issuer": "root", "extensions": signer_ext,
                   "validity": {"valid-from": _iso(now + dt.timedelta(days=30)),
                                "valid-to": _iso(now + dt.timedelta(days=760))}},
        "stranger": {"issuer": "other-root", "validity": valid, "extensions": signer_ext},
    }
    names = {"root": "digitize Test Root CA", "other-root": "Untrusted Test Root CA",
             "ocsp": "digitize Test OCSP", "tsa": "digitize Test TSA",
             "other-tsa": "Untrusted Test TSA", "signer": "SỞ TƯ PHÁP TỈNH TEST",
             "clerk": "Nguyễn Văn Một Cửa", "revoked": "Revoked Signer",
             "expired": "Expired Signer", "future": "Future Signer",
             "stranger": "Stranger Signer"}
    return {
        "external-url-prefix": prefix,
        "keysets": {ARCH: {"path-prefix": ".", "keys": {k: {"path": f"{k}.key.pem"}
                                                         for k in KEYS}}},
        "pki-architectures": {ARCH: {
            "keyset": ARCH,
            "entity-defaults": {"country-name": "VN", "organization-name": "digitize test PKI"},
            "entities": {k: {"common-name": v} for k, v in names.items()},
            "certs": certs,
            "services": {
                "ocsp": {"root": {"for-issuer": "root", "responder-cert": "ocsp",
                                  "signing-key": "ocsp"}},
                "crl-repo": {"root": {"for-issuer": "root", "signing-key": "root",
                                      "simulated-update-schedule": "P7D"}},
                "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"},
                                  "other-tsa": {"signing-key": "other-tsa",
                                                "signing-cert": "other-tsa"}},
            },
        }},
    }


def _write_keys(folder: Path) -> dict[str, rsa.RSAPrivateKey]:
    folder.mkdir(parents=True, exist_ok=True)
    keys = {}
    for label in KEYS:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        (folder / f"{label}.key.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        keys[label] = key
    return keys


def _export(folder: Path, arch: Any, keys: dict[str, rsa.RSAPrivateKey]) -> None:
    from certomancer.registry import CertLabel
    from cryptography import x509

    def cert(label: str) -> x509.Certificate:
        return x509.load_der_x509_certificate(arch.get_cert(CertLabel(label)).dump())

    for label in ("signer", "clerk", "revoked", "expired", "future", "stranger"):
        issuer = "other-root" if label == "stranger" else "root"
        base = folder / "signers" / label
        base.mkdir(parents=True, exist_ok=True)
        enc = serialization.BestAvailableEncryption(PASSWORD.encode())
        (base / "key.pem").write_bytes(keys[label].private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc))
        (base / "cert.pem").write_bytes(cert(label).public_bytes(serialization.Encoding.PEM))
        (base / "chain.pem").write_bytes(cert(issuer).public_bytes(serialization.Encoding.PEM))
        (base / "signer.p12").write_bytes(pkcs12.serialize_key_and_certificates(
            label.encode(), keys[label], cert(label), [cert(issuer)], enc))
    for label in ("root", "other-root"):
        (folder / f"{label}.pem").write_bytes(pem.armor(
            "CERTIFICATE", arch.get_cert(CertLabel(label)).dump()))


def _keep_keys() -> None:
    """certomancer converts its responder's key from DER, with a full RSA key check, for every
    OCSP response and time-stamp token (~50 ms each, most of what the test PKI cost per
    signed document). A real TSA or OCSP responder holds its key open; so does this one, once
    the key has been checked the first time."""
    from certomancer import crypto_utils

    base = crypto_utils.CRYPTO_BACKEND
    if getattr(base, "keeps_keys", False):
        return

    class KeptKeyBackend(type(base)):  # type: ignore[misc]
        keeps_keys = True
        _keys: ClassVar[dict[bytes, Any]] = {}

        def generic_sign(self, private_key: Any, tbs_bytes: bytes, sd_algo: Any) -> bytes:
            from cryptography.hazmat.primitives import hashes
            from cryptography.hazmat.primitives.asymmetric import padding

            der = private_key.dump()
            key = self._keys.get(der)
            if key is None:
                key = self._keys[der] = serialization.load_der_private_key(der, None)
            if sd_algo.signature_algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
                return key.sign(tbs_bytes, padding.PKCS1v15(),
                                getattr(hashes, sd_algo.hash_algo.upper())())
            return super().generic_sign(private_key, tbs_bytes, sd_algo)

    crypto_utils.CRYPTO_BACKEND = KeptKeyBackend()


@contextmanager
def start_test_pki(folder: Path) -> Iterator[LocalPki]:
    """Create the PKI in `folder`, serve it on 127.0.0.1 (an ephemeral port) while the block
    runs."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore
    from certomancer.registry import ArchLabel, CertomancerConfig, ServiceLabel
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _keep_keys()

    app: dict[str, Callable[..., Any]] = {}

    def dispatch(environ: dict, start_response: Callable[..., Any]) -> Any:
        return app["wsgi"](environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    prefix = f"http://127.0.0.1:{server.server_port}"
    keys = _write_keys(folder / "keys")
    cfg = CertomancerConfig(_config(prefix, dt.datetime.now(dt.UTC)),
                            key_search_dir=str(folder / "keys"))
    arch = cfg.get_pki_arch(ArchLabel(ARCH))
    _export(folder, arch, keys)
    app["wsgi"] = Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)
    tsa = arch.service_registry.get_tsa_info(ServiceLabel("tsa")).url
    other_tsa = arch.service_registry.get_tsa_info(ServiceLabel("other-tsa")).url
    with serving(server):
        yield LocalPki(folder, prefix, folder / "root.pem", folder / "other-root.pem", tsa,
                       other_tsa, arch)


SOFTHSM_MODULES = ("/usr/lib/softhsm/libsofthsm2.so",
                   "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so")
TOKEN_LABEL = "digitize-test"


@dataclass(frozen=True)
class SoftToken:
    module: str
    label: str
    key_label: str
    conf: Path  # SOFTHSM2_CONF for every process that uses the token
    chain: Path


def softhsm_token(folder: Path, files: SignerFiles, label: str = TOKEN_LABEL) -> SoftToken:
    """A SoftHSM2 token in `folder` holding the signer's key and certificate (label "signer"),
    logged in with PIN. Sets SOFTHSM2_CONF for this process and its children."""
    import os
    import subprocess

    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    module = next((m for m in SOFTHSM_MODULES if Path(m).is_file()), None)
    if module is None:
        raise RuntimeError(_("SoftHSM2 is not installed (Debian package softhsm2)."))
    tokens = folder / "tokens"
    tokens.mkdir(parents=True, exist_ok=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n", encoding="utf-8")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    def util(*args: str) -> None:
        subprocess.run(["softhsm2-util", *args], check=True, capture_output=True)

    util("--init-token", "--free", "--label", label, "--so-pin", "12345678", "--pin", PIN)
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(files.key_pem.read_bytes(), PASSWORD.encode())
    plain = folder / "import.key.pem"
    plain.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
    try:
        util("--import", str(plain), "--token", label, "--label", "signer", "--id", "01",
             "--pin", PIN)
    finally:
        plain.unlink()
    der = pem.unarmor(files.cert_pem.read_bytes())[2]
    from asn1crypto import x509 as asn1_x509

    parsed = asn1_x509.Certificate.load(der)
    with pkcs11.lib(module).get_token(token_label=label).open(user_pin=PIN, rw=True) as s:
        s.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                         Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                         Attribute.VALUE: der, Attribute.LABEL: "signer",
                         Attribute.SUBJECT: parsed.subject.dump(),
                         Attribute.ISSUER: parsed.issuer.dump(),
                         Attribute.SERIAL_NUMBER: parsed["tbs_certificate"]["serial_number"].dump(),
                         Attribute.ID: b"\x01", Attribute.TOKEN: True})
    return SoftToken(module, label, "signer", conf, files.chain_pem)


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "test-pki")
    with start_test_pki(folder) as pki:
        print(f"test PKI at {pki.url}; root {pki.root_pem}; TSA {pki.tsa_url}; signers in "
              f"{folder / 'signers'} (password {PASSWORD!r}). Ctrl-C stops it.")
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
