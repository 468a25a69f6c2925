"""Signing identities from a PKCS#12 file or a PEM key with its certificate chain, and the one
door to every key store (`open_key`: files here, PKCS#11 tokens in `pkcs11`). An identity is
opened once for a whole batch, so a password or PIN is asked for once; its KeySpec lets pool
workers open their own copy of a file key."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign import signers
from pyhanko.sign.attributes import SigningCertificateV2Provider
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from digitize.errors import CredentialError
from digitize.i18n import _
from digitize.identity import Identity, KeySpec, identity_from


def open_key(spec: KeySpec) -> Identity:
    """Open the key a KeySpec names (in a pool worker, its own copy of a file key)."""
    if spec.kind == "p12":
        assert spec.path is not None
        return load_pkcs12(spec.path, spec.secret, spec)
    if spec.kind == "pem":
        assert spec.path is not None and spec.cert is not None
        return load_pem(spec)
    from digitize.signing.pkcs11 import open_pkcs11

    return open_pkcs11(spec)


# Stands for the message digest in the signed attributes a KeptKeySigner keeps.
_MARKER = hashlib.sha256(b"digitize: the message digest goes here").digest()


class KeptKeySigner(signers.SimpleSigner):
    """A SimpleSigner that converts its private key once (pyHanko's converts it from DER on
    every signature: about 50 ms for RSA-2048 here, more than the signature itself), and that
    builds the signed attributes of a batch once.

    The PAdES signed attributes (content type, message digest, signing-certificate-v2) differ
    from one document to the next only in the digest; asn1crypto took ~11 ms per signature to
    assemble them. pyHanko makes them once with a marker in the digest's place, and each
    signature takes that DER with its own digest in it: the same bytes pyHanko would write
    (a test compares them). Any other attribute (a signature policy, dry runs) goes to
    pyHanko as before."""

    _kept: Any = None
    _templates: dict[tuple[str, int], tuple[bytes, bytes]] | None = None

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
            # The key was checked when it was loaded from its file, moments ago in this
            # process (pyHanko loads it with cryptography); checking the RSA key again cost
            # ~50 ms, as much as the rest of signing one document.
            self._kept = serialization.load_der_private_key(
                self.signing_key.dump(), None, unsafe_skip_rsa_key_validation=True)
        key, digest = self._kept, get_pyca_cryptography_hash(digest_algorithm)
        if name == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), digest)
        if name == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(digest))
        return super().sign_raw(data, digest_algorithm)  # other schemes: pyHanko's own way

    async def signed_attrs(self, data_digest: bytes, digest_algorithm: str,
                           attr_settings: PdfCMSSignedAttributes | None = None,
                           content_type: str = "data", use_pades: bool = False,
                           timestamper: Any = None, dry_run: bool = False,
                           is_pdf_sig: bool = True) -> cms.CMSAttributes:
        args = {"digest_algorithm": digest_algorithm, "attr_settings": attr_settings,
                "content_type": content_type, "use_pades": use_pades,
                "timestamper": timestamper, "is_pdf_sig": is_pdf_sig}
        provs = self._signed_attr_providers(
            data_digest=data_digest, digest_algorithm=digest_algorithm,
            attr_settings=attr_settings or PdfCMSSignedAttributes(), timestamper=timestamper,
            use_cades=use_pades, is_pdf_sig=is_pdf_sig)
        if dry_run or content_type != "data" or any(
                type(p) is not SigningCertificateV2Provider for p in provs):
            return await super().signed_attrs(data_digest, dry_run=dry_run, **args)
        key = (digest_algorithm, len(data_digest))
        templates = self._templates = self._templates or {}
        if key not in templates:
            marker = (_MARKER * 4)[:len(data_digest)]
            der = (await super().signed_attrs(marker, **args)).dump()
            if der.count(marker) != 1:
                return await super().signed_attrs(data_digest, **args)
            head, tail = der.split(marker)
            templates[key] = head, tail
        head, tail = templates[key]
        return cms.CMSAttributes.load(head + data_digest + tail)


@contextmanager
def _quiet_loading() -> Iterator[None]:
    """pyHanko logs a wrong password as an error with its traceback; the CredentialError raised
    instead says it in one sentence."""
    log = logging.getLogger("pyhanko.sign.signers.pdf_cms")
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        log.setLevel(level)


def _file_identity(signer: signers.SimpleSigner | None, where: str, spec: KeySpec | None
                   ) -> Identity:
    found = identity_from(signer, where, spec)
    if type(found.signer) is signers.SimpleSigner:
        return replace(found, signer=KeptKeySigner.keeping(found.signer))
    return found


def load_pkcs12(path: Path, secret: bytes, spec: KeySpec | None = None) -> Identity:
    if not path.is_file():
        raise CredentialError(_("Signing key file {path} does not exist; check signer.p12 in the "
                                "config or --p12, or run 'make demo' to create the demo "
                                "identity.").format(
                                  path=path))
    try:
        with _quiet_loading():
            signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=secret)
    except (ValueError, OSError) as exc:
        raise CredentialError(_("Cannot open {path}: wrong password or not a PKCS#12 file; check "
                                "the password (DIGITIZE_SECRET or the secret file).").format(
                                  path=path)) from exc
    return _file_identity(signer, str(path), spec or KeySpec("p12", path, secret=secret))


def load_pem(spec: KeySpec) -> Identity:
    """A PEM (or DER) private key, its certificate, and the CA certificates of its chain."""
    assert spec.path is not None and spec.cert is not None
    for f in (spec.path, spec.cert, *spec.chain):
        if not f.is_file():
            raise CredentialError(_("Signing file {f} does not exist; check --key/--cert/--chain "
                                    "or [signer] key/cert/chain in the config.").format(f=f))
    try:
        with _quiet_loading():
            signer = signers.SimpleSigner.load(
                str(spec.path), str(spec.cert), ca_chain_files=[str(c) for c in spec.chain],
                key_passphrase=spec.secret or None)
    except (ValueError, OSError, TypeError) as exc:
        raise CredentialError(_("Cannot open {path}: wrong password or not a key matching "
                                "{name}; check the password and the files.").format(
                                  path=spec.path, name=spec.cert.name)) from exc
    return _file_identity(signer, str(spec.path), spec)
