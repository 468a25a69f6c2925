"""The demo signing identity that `make demo` uses: a self-signed CA and a signer certificate,
both named "DEMO — NOT FOR PRODUCTION", in a password-protected PKCS#12 outside the repository,
with its password in a mode-600 file beside it. Never trusted unless added to a trust store.

Run: python -m digitize.signing.demo   (creates it when absent, prints where it is)
     python -m digitize.signing.demo --ca-path   (prints the demo root to pass to --trust)
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from digitize.fsutil import write_bytes_atomic
from digitize.paths import data_dir

DEMO_NAME = "DEMO — NOT FOR PRODUCTION"


@dataclass(frozen=True)
class DemoIdentity:
    p12: Path
    secret_file: Path
    ca_cert: Path

    def exists(self) -> bool:
        return self.p12.is_file() and self.secret_file.is_file() and self.ca_cert.is_file()


def demo_identity(folder: Path | None = None) -> DemoIdentity:
    base = folder or data_dir() / "demo"
    return DemoIdentity(base / "demo-signer.p12", base / "demo-signer.p12.secret",
                        base / "demo-ca.pem")


def _name(cn: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "digitize demo"),
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
    ])


def create_demo_identity(folder: Path | None = None) -> DemoIdentity:
    """Create the demo identity if it is absent; return where it is."""
    ident = demo_identity(folder)
    if ident.exists():
        return ident
    ident.p12.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(ident.p12.parent, 0o700)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(f"{DEMO_NAME} Root CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                       False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder().subject_name(_name(DEMO_NAME)).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3 * 365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), False)
            .sign(ca_key, hashes.SHA256()))
    password = secrets.token_urlsafe(24)
    blob = pkcs12.serialize_key_and_certificates(
        DEMO_NAME.encode(), key, cert, [ca],
        serialization.BestAvailableEncryption(password.encode()))
    # The secret first, owner-only, so the key file is never there without it.
    write_bytes_atomic(ident.secret_file, password.encode())
    os.chmod(ident.secret_file, 0o600)
    write_bytes_atomic(ident.ca_cert, ca.public_bytes(serialization.Encoding.PEM))
    write_bytes_atomic(ident.p12, blob)
    os.chmod(ident.p12, 0o600)
    return ident


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    existed = demo_identity().exists()
    ident = create_demo_identity()
    if "--ca-path" in args:
        print(ident.ca_cert)
        return
    state = "uses the existing" if existed else "created a new"
    print(f"digitize: {state} demo signing identity ({DEMO_NAME}) at {ident.p12}")


if __name__ == "__main__":
    main()
