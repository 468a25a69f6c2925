"""Signing identities from a PKCS#12 file, a PEM key with its certificate chain, or a PKCS#11 token
(USB token, HSM; SoftHSM2 in tests). An identity is opened once for a whole batch, so a PIN or
password is asked for once; its KeySpec lets pool workers open their own copy of a file key."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from asn1crypto import pem, x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign import signers
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from digitize.clock import VN_TZ
from digitize.errors import CredentialError
from digitize.i18n import _

KeyKind = Literal["p12", "pem", "pkcs11"]


@dataclass(frozen=True)
class KeySpec:
    """How to open a signing key. Picklable: pool workers open their own (never for PKCS#11,
    whose one session is the one login the clerk gave)."""

    kind: KeyKind
    path: Path | None = None  # the PKCS#12 file, or the PEM key
    cert: Path | None = None
    chain: tuple[Path, ...] = ()
    module: str | None = None  # PKCS#11 library
    token_label: str | None = None
    key_label: str | None = None
    key_id: bytes | None = None
    secret: bytes = field(default=b"", repr=False)  # password or PIN: never printed

    @property
    def parallel(self) -> bool:
        return self.kind != "pkcs11"

    def open(self) -> Identity:
        if self.kind == "p12":
            assert self.path is not None
            return load_pkcs12(self.path, self.secret, self)
        if self.kind == "pem":
            assert self.path is not None and self.cert is not None
            return load_pem(self)
        from digitize.signing.pkcs11 import open_pkcs11

        return open_pkcs11(self)


@dataclass(frozen=True)
class Identity:
    """A loaded signer with the certificates that make its chain."""

    signer: signers.Signer
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    source: str
    spec: KeySpec | None = None

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly

    @property
    def common_name(self) -> str:
        return str(self.certificate.subject.native.get("common_name", self.subject))

    def close(self) -> None:
        session = getattr(self.signer, "pkcs11_session", None)
        if session is not None:
            session.close()


class KeptKeySigner(signers.SimpleSigner):
    """A SimpleSigner that converts its private key once. pyHanko's converts it from DER on
    every signature (about 50 ms for RSA-2048 here, more than the signature itself)."""

    _kept: Any = None

    @classmethod
    def keeping(cls, signer: signers.SimpleSigner) -> KeptKeySigner:
        return cls(signing_cert=signer.signing_cert, signing_key=signer.signing_key,
                   cert_registry=signer.cert_registry,
                   signature_mechanism=signer.signature_mechanism)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            name = mechanism.signature_algo
        except ValueError:
            name = mechanism["algorithm"].native
        if self._kept is None:
            self._kept = serialization.load_der_private_key(self.signing_key.dump(), None)
        key, digest = self._kept, get_pyca_cryptography_hash(digest_algorithm)
        if name == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if name == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # other schemes: pyHanko's own way


def load_certs(path: Path) -> list[x509.Certificate]:
    """Certificates of a PEM (one or many) or DER file."""
    data = path.read_bytes()
    if pem.detect(data):
        return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def check_validity(cert: x509.Certificate, where: str,
                   now: dt.datetime | None = None) -> None:
    """Refuse a certificate outside its validity period, naming both dates."""
    now = now or dt.datetime.now(dt.UTC)
    start, end = cert.not_valid_before, cert.not_valid_after
    shown = f"valid from {start.astimezone(VN_TZ):%d/%m/%Y %H:%M} to " \
            f"{end.astimezone(VN_TZ):%d/%m/%Y %H:%M} (Vietnam time)"
    name = cert.subject.native.get("common_name", cert.subject.human_friendly)
    if now < start:
        raise CredentialError(_("The signing certificate '{name}' ({where}) is not valid yet: it "
                                "is {shown}. Wait until then or use another certificate.").format(
                                  name=name, where=where, shown=shown))
    if now > end:
        raise CredentialError(_("The signing certificate '{name}' ({where}) has expired: it was "
                                "{shown}. Renew it with your certificate provider.").format(
                                  name=name, where=where, shown=shown))


def _identity(signer: signers.Signer | None, where: str, spec: KeySpec | None) -> Identity:
    if signer is None or signer.signing_cert is None:
        raise CredentialError(_("Cannot open {where}: wrong password or not a key file; check "
                                "the password (DIGITIZE_SECRET or the secret file).").format(
                                  where=where))
    check_validity(signer.signing_cert, where)
    if type(signer) is signers.SimpleSigner:
        signer = KeptKeySigner.keeping(signer)
    chain = tuple(signer.cert_registry)
    return Identity(signer, signer.signing_cert, chain, where, spec)


def load_pkcs12(path: Path, secret: bytes, spec: KeySpec | None = None) -> Identity:
    if not path.is_file():
        raise CredentialError(_("Signing key file {path} does not exist; check signer.p12 in the "
                                "config or --p12, or run 'make demo' to create the demo "
                                "identity.").format(
                                  path=path))
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=secret)
    except (ValueError, OSError) as exc:
        raise CredentialError(_("Cannot open {path}: wrong password or not a PKCS#12 file; check "
                                "the password (DIGITIZE_SECRET or the secret file).").format(
                                  path=path)) from exc
    return _identity(signer, str(path), spec or KeySpec("p12", path, secret=secret))


def load_pem(spec: KeySpec) -> Identity:
    """A PEM (or DER) private key, its certificate, and the CA certificates of its chain."""
    assert spec.path is not None and spec.cert is not None
    for f in (spec.path, spec.cert, *spec.chain):
        if not f.is_file():
            raise CredentialError(_("Signing file {f} does not exist; check --key/--cert/--chain "
                                    "or [signer] key/cert/chain in the config.").format(f=f))
    try:
        signer = signers.SimpleSigner.load(
            str(spec.path), str(spec.cert), ca_chain_files=[str(c) for c in spec.chain],
            key_passphrase=spec.secret or None)
    except (ValueError, OSError, TypeError) as exc:
        raise CredentialError(_("Cannot open {path}: wrong password or not a key matching "
                                "{name}; check the password and the files.").format(
                                  path=spec.path, name=spec.cert.name)) from exc
    return _identity(signer, str(spec.path), spec)
