"""What a signing identity is, whichever key store holds it: how to open the key (KeySpec), the
loaded signer with its chain (Identity), and the certificate checks every key store shares. The
loaders (`signer` for files, `pkcs11` for tokens) build on this module."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from asn1crypto import cms, pem, x509

from digitize.clock import VN_TZ
from digitize.errors import CredentialError
from digitize.i18n import _

if TYPE_CHECKING:
    from pyhanko.sign import signers

    from digitize.signing.csc import CscSettings

KeyKind = Literal["p12", "pem", "pkcs11", "csc"]


@dataclass(frozen=True)
class KeySpec:
    """How to open a signing key. Picklable: pool workers open their own (never for PKCS#11,
    whose one session is the one login the clerk gave, nor for a remote credential, whose
    batch is authorised once)."""

    kind: KeyKind
    path: Path | None = None  # the PKCS#12 file, or the PEM key
    cert: Path | None = None
    chain: tuple[Path, ...] = ()
    module: str | None = None  # PKCS#11 library
    token_label: str | None = None
    key_label: str | None = None
    key_id: bytes | None = None
    secret: bytes = field(default=b"", repr=False)  # password or PIN: never printed
    csc: CscSettings | None = None  # a remote credential (signing.csc)

    @property
    def parallel(self) -> bool:
        return self.kind in ("p12", "pem")


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


def parse_certificates(data: bytes) -> list[x509.Certificate]:
    """Certificates of a PEM file (one or many), a DER certificate, or a PKCS#7 bundle (.p7b as
    the CA sites publish them: DER, BER, or PEM text saved under that name)."""
    if pem.detect(data):
        found: list[x509.Certificate] = []
        for kind, _headers, der in pem.unarmor(data, multiple=True):
            found += _pkcs7(der) if kind in ("PKCS7", "CMS") else [x509.Certificate.load(der)]
        return found
    try:
        cert = x509.Certificate.load(data)
        cert.native  # noqa: B018 - parses it whole: a PKCS#7 bundle fails here
        return [cert]
    except ValueError:
        return _pkcs7(data)


def _pkcs7(der: bytes) -> list[x509.Certificate]:
    info = cms.ContentInfo.load(der)  # asn1crypto reads BER (indefinite lengths) too
    if info["content_type"].native != "signed_data":
        raise ValueError("a PKCS#7 file without certificates")
    return [c.chosen for c in info["content"]["certificates"]
            if isinstance(c.chosen, x509.Certificate)]


def load_certs(path: Path) -> list[x509.Certificate]:
    """Certificates of a file: PEM (one or many), DER, or a PKCS#7 bundle."""
    return parse_certificates(path.read_bytes())


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
