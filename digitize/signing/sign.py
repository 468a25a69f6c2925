"""PAdES signing of one PDF by incremental update, written atomically. Every signed output is
validated before it is returned (pyHanko can report success on files that then fail)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.sign import fields, signers

from digitize.clock import VN_TZ
from digitize.errors import InputFileError, UsageProblem
from digitize.fsutil import atomic_path
from digitize.model import SignatureInfo
from digitize.schemas.xmp import register_prefixes
from digitize.signing.signer import Identity
from digitize.signing.verify import SignatureReport, verify_pdf

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
# Fixed reservation so pyHanko signs once instead of twice to size the signature (DESIGN.md);
# doubled and retried if a signature ever outgrows it.
BYTES_RESERVED = 16384


def _field_name(existing: list[str]) -> str:
    n = 1
    while f"Signature{n}" in existing:
        n += 1
    return f"Signature{n}"


def _sign_once(pdf_signer: signers.PdfSigner, src: Path, target: Path, identity: Identity,
               reserved: int) -> SignatureReport:
    """Sign into a temporary file, validate it, then move it to `target`; nothing is left behind
    on failure."""
    with open(src, "rb") as fh, atomic_path(target) as tmp:
        writer = IncrementalPdfFileWriter(fh, strict=False)
        with open(tmp, "wb") as out:
            pdf_signer.sign_pdf(writer, output=out, bytes_reserved=reserved)
        report = verify_pdf(tmp, trust=list(identity.chain), offline=True)
        last = report.signatures[-1] if report.signatures else None
        if last is None or not last.intact or not last.crypto_valid:
            raise InputFileError(f"The signature made on {src.name} does not validate; "
                                 "the output was discarded.")
    return last


def sign_pdf(src: Path, target: Path, identity: Identity, *, level: str = "B-B",
             reason: str = "", location: str = "") -> SignatureInfo:
    """Sign `src` into `target` (never modifying `src`) and return what was signed."""
    if level not in LEVELS:
        raise UsageProblem(f"Unknown signature level {level}; use one of {', '.join(LEVELS)}.")
    if level != "B-B":
        raise UsageProblem(f"Level {level} needs a timestamp server, which this version cannot "
                           "use yet; sign at B-B.")
    register_prefixes()  # pyHanko rewrites the XMP: keep our namespace's declared prefix
    try:
        with open(src, "rb") as fh:
            existing = [name for name, _, _ in fields.enumerate_sig_fields(
                IncrementalPdfFileWriter(fh, strict=False).prev)]
    except (PdfReadError, OSError) as exc:
        raise InputFileError(f"{src} cannot be signed: it is not a readable PDF ({exc}).") from exc
    meta = signers.PdfSignatureMetadata(
        field_name=_field_name(existing), md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, reason=reason or None,
        location=location or None)
    pdf_signer = signers.PdfSigner(meta, signer=identity.signer)
    for attempt, reserved in enumerate((BYTES_RESERVED, 2 * BYTES_RESERVED, 4 * BYTES_RESERVED)):
        try:
            last = _sign_once(pdf_signer, src, target, identity, reserved)
            break
        except signers.SigningError as exc:
            if "larger than expected" not in str(exc) or attempt == 2:
                raise InputFileError(f"{src.name} could not be signed ({exc}).") from exc
    when = datetime.fromisoformat(last.signing_time) if last.signing_time else None
    cert = identity.certificate
    return SignatureInfo(level=level, signer=identity.common_name, field=meta.field_name or "",
                         signing_time=when.astimezone(VN_TZ).isoformat() if when else "",
                         certificate_serial=format(cert.serial_number, "X"),
                         certificate_subject=cert.subject.human_friendly,
                         certificate_issuer=cert.issuer.human_friendly)
