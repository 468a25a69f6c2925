"""Validate the PAdES signatures of a PDF with pyHanko and report, per signature, who signed,
when, whether the bytes are intact, whether the chain reaches a trusted root, and an overall
indication in the ETSI TS 119 102-1 style: valid / invalid / indeterminate."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from asn1crypto import pem, x509
from pydantic import BaseModel, Field
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from digitize.clock import VN_TZ
from digitize.errors import UsageProblem

POLICY = ("pyHanko validation; trust: the configured store and --trust only; revocation: "
          "soft-fail (checked when the certificate names an OCSP/CRL source, unless --offline)")

logging.getLogger("pyhanko").setLevel(logging.ERROR)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)


class Indication(StrEnum):
    valid = "valid"
    invalid = "invalid"
    indeterminate = "indeterminate"


class SignatureReport(BaseModel):
    field: str
    signer: str = ""  # common name
    signer_subject: str = ""
    signer_serial: str = ""
    issuer: str = ""
    signing_time: str | None = None
    intact: bool = False
    crypto_valid: bool = False
    trusted: bool = False
    coverage: str = ""
    level: str = ""
    status: Indication
    reasons: list[str] = Field(default_factory=list)


class FileReport(BaseModel):
    path: str
    kind: str = "pdf"
    status: Indication
    signatures: list[SignatureReport] = Field(default_factory=list)
    reasons: list[str] = Field(default_factory=list)
    policy: str = POLICY


def load_trust(paths: Sequence[Path]) -> list[x509.Certificate]:
    """Certificates from PEM/DER files, or every *.pem/*.crt/*.cer/*.der file of a folder."""
    certs: list[x509.Certificate] = []
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in
                       {".pem", ".crt", ".cer", ".der"}) if path.is_dir() else [path]
        for f in files:
            try:
                data = f.read_bytes()
                if pem.detect(data):
                    certs.extend(x509.Certificate.load(der) for _, _, der in pem.unarmor(
                        data, multiple=True))
                else:
                    certs.append(x509.Certificate.load(data))
            except (OSError, ValueError) as exc:
                raise UsageProblem(f"Trust file {f} is not a PEM or DER certificate ({exc}); "
                                   "remove it from the trust store.") from exc
    return certs


def has_signature_timestamp(sig: EmbeddedPdfSignature) -> bool:
    """Whether the signature carries an RFC 3161 signature timestamp (unsigned attribute)."""
    attrs = sig.signer_info["unsigned_attrs"]
    if not attrs.native:
        return False
    return any(a["type"].native == "signature_time_stamp_token" for a in attrs)


def _good(st: Any) -> bool:
    return bool(st is not None and st.intact and st.valid and st.trusted)


def reached_level(reader: PdfFileReader, sig: EmbeddedPdfSignature, st: Any,
                  roots: Sequence[x509.Certificate]) -> tuple[str, list[str]]:
    """The PAdES baseline level (ETSI EN 319 142-1) the signature reaches, each step checked
    with pyHanko's validator: B-T a valid signature timestamp; B-LT the document's DSS alone
    (no network, revocation required) validates the signer; B-LTA a later document timestamp
    covering that DSS validates too."""
    if not has_signature_timestamp(sig):
        return "B-B", []
    if not _good(getattr(st, "timestamp_validity", None)):
        return "B-B", ["the signature timestamp does not validate (untrusted or altered TSA "
                       "token)"]
    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return "B-T", []
    vc = dss.as_validation_context({"trust_roots": list(roots), "allow_fetching": False,
                                    "revocation_mode": "hard-fail"})
    try:
        lt = validate_pdf_signature(sig, signer_validation_context=vc)
    except (SignatureValidationError, ValueError, KeyError) as exc:
        return "B-T", [f"the DSS does not validate the signer offline: {exc}"]
    if not _good(lt):
        return "B-T", ["the DSS lacks the certificates or revocation data to validate the "
                       "signer offline"]
    for ts in reader.embedded_timestamp_signatures:
        if ts.signed_revision <= sig.signed_revision:
            continue
        try:
            if _good(validate_pdf_timestamp(ts, validation_context=vc)):
                return "B-LTA", []
        except (SignatureValidationError, ValueError, KeyError):
            continue
    return "B-LT", []


def _report(sig: EmbeddedPdfSignature, vc: ValidationContext, reader: PdfFileReader,
            roots: Sequence[x509.Certificate], levels: bool) -> SignatureReport:
    name = getattr(sig, "field_name", "") or ""
    try:
        st = validate_pdf_signature(sig, signer_validation_context=vc)
    except (SignatureValidationError, ValueError, KeyError) as exc:
        return SignatureReport(field=name, status=Indication.invalid,
                               reasons=[f"signature cannot be validated: {exc}"])
    cert = st.signing_cert
    reasons: list[str] = []
    whole = st.coverage in (SignatureCoverageLevel.ENTIRE_FILE,
                            SignatureCoverageLevel.ENTIRE_REVISION)
    modified_ok = st.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
        st.modification_level is not None and st.modification_level.value <= 2)
    if not st.intact:
        reasons.append("HASH_FAILURE: the signed bytes were changed")
    if not st.valid:
        reasons.append("SIG_CRYPTO_FAILURE: the signature value does not match")
    if not whole:
        reasons.append("the signature does not cover the whole revision")
    elif not modified_ok:
        reasons.append("later revisions change the content, not only form fields or annotations")
    if st.intact and st.valid and whole and modified_ok:
        if st.trusted:
            status = Indication.valid
        else:
            status = Indication.indeterminate
            reasons.append("NO_CERTIFICATE_CHAIN_FOUND: the signer's certificate does not chain "
                           "to a trusted root; add the root with --trust or verify.trust")
    else:
        status = Indication.invalid
    when = st.signer_reported_dt
    level, notes = reached_level(reader, sig, st, roots) if levels else (
        "B-T" if has_signature_timestamp(sig) else "B-B", [])
    reasons += notes
    return SignatureReport(
        field=name, signer=str(cert.subject.native.get("common_name", "")) if cert else "",
        signer_subject=cert.subject.human_friendly if cert else "",
        signer_serial=format(cert.serial_number, "X") if cert else "",
        issuer=cert.issuer.human_friendly if cert else "",
        signing_time=when.astimezone(VN_TZ).isoformat() if when else None, intact=st.intact,
        crypto_valid=st.valid, trusted=st.trusted, coverage=st.coverage.name if st.coverage
        else "", level=level, status=status, reasons=reasons)


def overall(statuses: Sequence[Indication]) -> Indication:
    if not statuses or Indication.invalid in statuses:
        return Indication.invalid
    if Indication.indeterminate in statuses:
        return Indication.indeterminate
    return Indication.valid


def verify_pdf(path: Path, trust: Sequence[x509.Certificate], offline: bool = True,
               levels: bool = False) -> FileReport:
    """Validate every signature in `path` (document timestamps count towards B-LTA, they are
    not signatures). A file without signatures is reported invalid. With `levels`, the PAdES
    level each signature reaches is checked step by step (slower)."""
    vc = ValidationContext(trust_roots=list(trust), allow_fetching=not offline,
                           revocation_mode="soft-fail")
    try:
        with open(path, "rb") as fh:
            reader = PdfFileReader(fh, strict=False)
            sigs = [_report(s, vc, reader, trust, levels)
                    for s in reader.embedded_regular_signatures]
    except (PdfReadError, OSError, ValueError) as exc:
        return FileReport(path=str(path), status=Indication.invalid,
                          reasons=[f"not a readable PDF: {exc}"])
    if not sigs:
        return FileReport(path=str(path), status=Indication.invalid,
                          reasons=["NO_SIGNATURE: the file carries no signature"])
    return FileReport(path=str(path), status=overall([s.status for s in sigs]), signatures=sigs)
