"""What a signing identity is, whichever key store holds it: how to open the key (KeySpec), the
loaded signer with its chain (Identity), and the certificate checks every key store shares. The
loaders (`signer` for files, `pkcs11` for tokens) build on this module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from asn1crypto import pem, x509
from pyhanko.sign import signers

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


def identity_from(signer: signers.Signer | None, where: str, spec: KeySpec | None
                  ) -> Identity:
    """The identity of a loaded signer, refused when it has no certificate or one outside its
    validity period."""
    if signer is None or signer.signing_cert is None:
        raise CredentialError(_("Cannot open {where}: wrong password or not a key file; check "
                                "the password (DIGITIZE_SECRET or the secret file).").format(
                                  where=where))
    check_validity(signer.signing_cert, where)
    return Identity(signer, signer.signing_cert, tuple(signer.cert_registry), where, spec)
