"""The trust store: the Vietnamese trust anchors built into the package (`vn`), the user's own
store (`user`, where `digitize trust add` puts certificates) and any file or folder the config
or `--trust` names. Vietnamese signers embed only their own certificate, so the store carries
the intermediates as well as the roots."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from asn1crypto import pem, x509

from digitize.errors import UsageProblem
from digitize.fsutil import write_bytes_atomic
from digitize.i18n import _
from digitize.identity import parse_certificates
from digitize.paths import data_dir

BUILTIN = Path(__file__).parent / "trust_vn"
SUFFIXES = {".pem", ".crt", ".cer", ".der", ".p7b", ".p7c"}


def user_store() -> Path:
    return data_dir() / "trust"


def store_path(entry: Path) -> Path:
    """The folder or file an entry of [verify] trust or --trust names."""
    if str(entry) == "vn":
        return BUILTIN
    if str(entry) == "user":
        return user_store()
    return entry


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
    return [path]


def load_store(entries: Sequence[Path]) -> list[x509.Certificate]:
    """Every certificate the entries name, each once; an unreadable file is a usage error."""
    certs: dict[bytes, x509.Certificate] = {}
    for entry in entries:
        path = store_path(entry)
        if not path.exists() and path == user_store():
            continue  # nothing added yet
        for f in _files(path):
            try:
                for cert in parse_certificates(f.read_bytes()):
                    certs.setdefault(cert.sha256, cert)
            except (OSError, ValueError) as exc:
                raise UsageProblem(_("Trust file {f} is not a PEM or DER certificate ({exc}); "
                                     "remove it from the trust store.").format(
                                       f=f, exc=exc)) from exc
    return list(certs.values())


@dataclass(frozen=True)
class StoredCertificate:
    store: str  # vn, user, or the path it came from
    subject: str
    issuer: str
    valid_from: str
    valid_to: str
    sha256: str
    root: bool


def _stored(cert: x509.Certificate, store: str) -> StoredCertificate:
    return StoredCertificate(
        store, cert.subject.native.get("common_name", cert.subject.human_friendly),
        cert.issuer.native.get("common_name", cert.issuer.human_friendly),
        cert["tbs_certificate"]["validity"]["not_before"].native.date().isoformat(),
        cert["tbs_certificate"]["validity"]["not_after"].native.date().isoformat(),
        cert.sha256.hex().upper(), cert.self_signed in ("maybe", "yes"))


def list_store(entries: Sequence[Path]) -> list[StoredCertificate]:
    """What the configured store holds, with where each certificate comes from."""
    shown: list[StoredCertificate] = []
    seen: set[bytes] = set()
    for entry in entries:
        for cert in load_store([entry]):
            if cert.sha256 not in seen:
                seen.add(cert.sha256)
                shown.append(_stored(cert, str(entry)))
    return shown


def add_to_user_store(path: Path) -> list[StoredCertificate]:
    """Copy the certificates of `path` into the user store, one PEM file each, named by their
    SHA-256; returns what was added (already there: not again)."""
    try:
        certs = parse_certificates(path.read_bytes())
    except OSError as exc:
        raise UsageProblem(_("{path} cannot be read ({reason}); check the path.").format(
            path=path, reason=exc.strerror)) from exc
    except ValueError as exc:
        raise UsageProblem(_("Trust file {f} is not a PEM or DER certificate ({exc}); "
                             "remove it from the trust store.").format(f=path, exc=exc)) from exc
    added = []
    for cert in certs:
        target = user_store() / f"{hashlib.sha256(cert.dump()).hexdigest()[:16]}.pem"
        if target.exists():
            continue
        write_bytes_atomic(target, pem.armor("CERTIFICATE", cert.dump()))
        added.append(_stored(cert, "user"))
    return added
