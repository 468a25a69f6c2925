"""Signing identities. A Signer is loaded once (key and chain kept in memory) and used for the
whole batch, so a token PIN or PKCS#12 password is asked for once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asn1crypto import x509
from pyhanko.sign import signers

from digitize.errors import CredentialError


@dataclass(frozen=True)
class Identity:
    """A loaded signer with the certificates that make its chain."""

    signer: signers.Signer
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    source: str

    @property
    def subject(self) -> str:
        return self.certificate.subject.human_friendly

    @property
    def common_name(self) -> str:
        return str(self.certificate.subject.native.get("common_name", self.subject))


def load_pkcs12(path: Path, secret: bytes) -> Identity:
    if not path.is_file():
        raise CredentialError(f"Signing key file {path} does not exist; check signer.p12 in the "
                              "config or --p12, or run 'make demo' to create the demo identity.")
    try:
        signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=secret)
    except (ValueError, OSError) as exc:
        raise CredentialError(f"Cannot open {path}: wrong password or not a PKCS#12 file; check "
                              "the password (DIGITIZE_SECRET or the secret file).") from exc
    if signer is None or signer.signing_cert is None:
        raise CredentialError(f"Cannot open {path}: wrong password or not a PKCS#12 file; check "
                              "the password (DIGITIZE_SECRET or the secret file).")
    chain = tuple(signer.cert_registry)
    return Identity(signer, signer.signing_cert, chain, str(path))
