"""PAdES signing of one PDF by incremental update (ETSI EN 319 142-1 levels B-B, B-T, B-LT,
B-LTA), written atomically, with an optional visible appearance and certification (DocMDP).

A SigningContext holds what a batch reuses: the opened key, the timestamper, the validation
context (which keeps the OCSP responses and CRLs it fetched) and the appearance. Every signed
output is validated at the level asked for before it is kept (pyHanko can report success on files
that then fail), and the reservation grows when a signature outgrows it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfReadError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError

from digitize.clock import VN_TZ
from digitize.errors import CredentialError, InputFileError, UsageProblem
from digitize.fsutil import atomic_path
from digitize.i18n import _
from digitize.identity import Identity
from digitize.model import Evidence, SignatureInfo
from digitize.schemas.xmpns import register_prefixes
from digitize.signing.appearance import field_spec, place, stamp_style
from digitize.signing.options import SignOptions
from digitize.validation.trust import load_store
from digitize.validation.verify import SignatureReport, verify_pdf
from digitize.validation.visual import annotations, is_signature_widget, media_size, page_tree

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
# Fixed reservation so pyHanko signs once instead of twice to size the signature (DESIGN.md);
# doubled and retried if a signature ever outgrows it. B-LT/B-LTA embed more (timestamp chain).
# pyHanko's validator reads the /Contents hex string character by character, so a smaller
# reservation is also a faster check (a B-B signature with its chain is about 4 KB).
BYTES_RESERVED = {"B-B": 8192, "B-T": 16384, "B-LT": 16384, "B-LTA": 16384}


def signed_copies(pdfs: list[Path], out_dir: Path) -> list[tuple[Path, Path]]:
    """Each PDF with where its signed copy goes; refused when that would overwrite it."""
    work: list[tuple[Path, Path]] = []
    for pdf in pdfs:
        target = out_dir / pdf.name
        if target.resolve() == pdf.resolve():
            raise UsageProblem(_("--out would overwrite {path}; choose another folder.")
                               .format(path=pdf))
        work.append((pdf, target))
    return work


class _VietnamTimeSigner(signers.PdfSigner):
    """The signing time (signed attribute and the appearance's %(ts)s) in Vietnam time, so the
    visible time reads +07:00 whatever the machine's zone."""

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = datetime.now(VN_TZ).replace(microsecond=0)
        return session


class SigningContext:
    """What one batch reuses across documents."""

    def __init__(self, identity: Identity, opts: SignOptions) -> None:
        if opts.level not in LEVELS:
            raise UsageProblem(_("Unknown signature level {level}; use one of {items}.").format(
                                   level=opts.level, items=', '.join(LEVELS)))
        if opts.level != "B-B" and not opts.tsa_url:
            raise UsageProblem(_("Level {level} needs a time-stamping server: set [signer] "
                                 "tsa_url in the config or pass --tsa URL.").format(
                                   level=opts.level))
        self.identity = identity
        self.opts = opts
        self.style = stamp_style(opts.appearance, signer=identity.common_name)
        roots = [c for c in identity.chain if c.self_signed == "maybe" or c.self_signed == "yes"]
        # The trust store (64 Vietnamese anchors: ~0.15 s to register) matters to the check of
        # a new signature only from B-T on (its timestamp must validate); B-B is checked intact
        # and cryptographically valid against the signer's own chain.
        if opts.level != "B-B":
            roots.extend(load_store(opts.trust))
        self.trust = roots
        self.timestamper: Any = None
        self.validation_context: Any = None
        if opts.level != "B-B":  # the network clients (requests: ~0.1 s to import) only then
            from pyhanko_certvalidator import ValidationContext

            from digitize.answers import DEADLINE_TIMEOUTS
            from digitize.validation.fetch import (
                FetchPolicy,
                GuardedFetcherBackend,
                GuardedTimeStamper,
            )

            # The TSA is the desk's choice and the OCSP and CRL addresses come from its own
            # chain and the TSA's, so any address is allowed; but a server that answers slowly
            # or without end must not hold a batch (or `watch`) for ever: each request gets
            # verification's overall deadline and size cap. The validation context lives for
            # one batch and answers repeat requests from its cache, so its request budget is
            # spent once, not per document.
            fetch = FetchPolicy(allow_private=True, timeout_s=opts.timeout_s,
                                deadline_s=DEADLINE_TIMEOUTS * opts.timeout_s)
            self.timestamper = GuardedTimeStamper(opts.tsa_url, fetch)
            if opts.level in ("B-LT", "B-LTA"):
                self.validation_context = ValidationContext(
                    trust_roots=roots, other_certs=list(identity.chain), allow_fetching=True,
                    revocation_mode="hard-fail", fetcher_backend=GuardedFetcherBackend(fetch))
        register_prefixes()  # pyHanko rewrites the XMP: keep our namespace's declared prefix

    def _meta(self, name: str) -> signers.PdfSignatureMetadata:
        lt = self.opts.level in ("B-LT", "B-LTA")
        return signers.PdfSignatureMetadata(
            field_name=name, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
            reason=self.opts.reason or None, location=self.opts.location or None,
            certify=self.opts.certify,
            docmdp_permissions=fields.MDPPerm.FILL_FORMS,
            embed_validation_info=lt, validation_context=self.validation_context,
            use_pades_lta=self.opts.level == "B-LTA")


def _field_name(existing: list[str]) -> str:
    n = 1
    while f"Signature{n}" in existing:
        n += 1
    return f"Signature{n}"


@dataclass(frozen=True)
class _Existing:
    names: list[str]  # signature fields
    sizes: list[tuple[float, float]]  # page sizes, points
    certified: bool
    taken: dict[int, list[tuple[float, float, float, float]]]  # visible signatures per page


def _read(src: Path, fh: Any) -> tuple[PdfFileReader, _Existing]:
    """The source's reader (the first signing attempt writes from it: the file is parsed once)
    and what is on it already."""
    try:
        reader = PdfFileReader(fh, strict=False)
        names = [name for name, _, _ in fields.enumerate_sig_fields(reader)]
        pages = [page for _, page in page_tree(reader)]
        sizes = [media_size(page) for page in pages]
        root = reader.root
        certified = "/Perms" in root and "/DocMDP" in root["/Perms"]
        taken: dict[int, list[tuple[float, float, float, float]]] = {}
        for i, page in enumerate(pages):
            for _num, annot in annotations(page):
                if not is_signature_widget(annot) or "/Rect" not in annot:
                    continue
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                if x1 > x0 and y1 > y0:
                    taken.setdefault(i, []).append((x0, y0, x1, y1))
    except (PdfReadError, OSError, KeyError, ValueError, TypeError, AttributeError) as exc:
        raise _unreadable(src, exc) from exc
    return reader, _Existing(names, sizes, certified, taken)


def _unreadable(src: Path, exc: BaseException) -> InputFileError:
    return InputFileError(_("{src} cannot be signed: it is not a readable PDF ({exc}).").format(
                              src=src, exc=exc))


def _sign_once(ctx: SigningContext, pdf_signer: signers.PdfSigner, src: Path, fh: Any,
               target: Path, reserved: int, reader: PdfFileReader | None) -> SignatureReport:
    """Sign the open source `fh` into a temporary file, validate it, then move it to `target`;
    nothing is left behind on failure. `reader` is the source already parsed (None: parse it
    again)."""
    with atomic_path(target) as tmp:
        writer = IncrementalPdfFileWriter.from_reader(reader) if reader is not None else \
            IncrementalPdfFileWriter(fh, strict=False)
        with open(tmp, "wb") as out:
            pdf_signer.sign_pdf(writer, output=out, bytes_reserved=reserved)
        report = verify_pdf(tmp, trust=ctx.trust or list(ctx.identity.chain), offline=True,
                            levels=True, own_output=True)
        last = report.signatures[-1] if report.signatures else None
        if last is None or not last.intact or not last.crypto_valid:
            raise InputFileError(_("The signature made on {name} does not validate; the output "
                                   "was discarded.").format(name=src.name))
        if LEVELS.index(last.level or "B-B") < LEVELS.index(ctx.opts.level):
            raise InputFileError(_("The signature made on {name} reached only {level}, not "
                                   "{level2} ({value}); the output was discarded.").format(
                                     name=src.name, level=last.level, level2=ctx.opts.level,
                                     value='; '.join(last.reasons) or 'no detail'))
    return last


def _network_trouble(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return any(word in text for word in ("timestamp", "timeout", "connection", "fetch", "ocsp",
                                         "crl", "refused", "unreachable", "http"))


def sign_pdf(src: Path, target: Path, ctx: SigningContext,
             block: Evidence | None = None) -> SignatureInfo:
    """Sign `src` into `target` (never modifying `src`) and return what was signed. `block` is
    where the OCR stage found the signature block (for `auto` placement)."""
    try:
        fh = open(src, "rb")  # noqa: SIM115 (closed below; the reader reads from it throughout)
    except OSError as exc:
        raise _unreadable(src, exc) from exc
    with fh:
        return _sign_source(src, fh, target, ctx, block)


def _sign_source(src: Path, fh: Any, target: Path, ctx: SigningContext,
                 block: Evidence | None) -> SignatureInfo:
    reader: PdfFileReader | None
    reader, found = _read(src, fh)
    certified = found.certified
    if certified and ctx.opts.certify:
        raise InputFileError(_("{name} is certified already; a document can be certified once. "
                               "Sign it without --certify.").format(name=src.name))
    meta = ctx._meta(_field_name(found.names))
    spec = None
    # A certified document (DocMDP, form filling allowed) may be signed but not given a new
    # visible field: that would break its certification. Later signatures are invisible.
    style = None if certified else ctx.style
    if style is not None:
        spec = field_spec(meta.field_name or "Signature1",
                          place(ctx.opts.appearance, found.sizes, block, found.taken))
    pdf_signer = _VietnamTimeSigner(meta, signer=ctx.identity.signer, timestamper=ctx.timestamper,
                                    stamp_style=style, new_field_spec=spec)
    reserved = BYTES_RESERVED[ctx.opts.level]
    attempt = 0
    while True:
        try:
            # A failed attempt may have changed the reader's objects: the next one reads anew.
            first, reader = reader, None
            last = _sign_once(ctx, pdf_signer, src, fh, target, reserved, first)
            break
        except SigningError as exc:
            if "larger than expected" in str(exc) and reserved < 8 * BYTES_RESERVED["B-LTA"]:
                reserved *= 2
                continue
            if not _network_trouble(exc):
                raise InputFileError(_("{name} could not be signed ({exc}).").format(
                                         name=src.name, exc=exc)) from exc
            error: BaseException = exc
        except (InputFileError, CredentialError):
            raise
        except Exception as exc:  # TSA, OCSP or CRL unreachable, or answering garbage
            if not _network_trouble(exc):
                raise InputFileError(_("{name} could not be signed ({__name__}: {exc}).").format(
                                         name=src.name, __name__=type(exc).__name__,
                                         exc=exc)) from exc
            error = exc
        attempt += 1
        if attempt >= ctx.opts.retries:
            raise InputFileError(
                _("{name} was not signed: the time-stamping or revocation server did not answer "
                  "after {attempt} tries ({__name__}: {error}). Check [signer] tsa_url and the "
                  "network, then sign it again.").format(
                    name=src.name, attempt=attempt, __name__=type(error).__name__,
                    error=error)) from error
        time.sleep(ctx.opts.backoff_s * 2 ** (attempt - 1))
    when = datetime.fromisoformat(last.signing_time) if last.signing_time else None
    cert = ctx.identity.certificate
    return SignatureInfo(level=last.level or ctx.opts.level, signer=ctx.identity.common_name,
                         field=meta.field_name or "",
                         signing_time=when.astimezone(VN_TZ).isoformat() if when else "",
                         certificate_serial=format(cert.serial_number, "X"),
                         certificate_subject=cert.subject.human_friendly,
                         certificate_issuer=cert.issuer.human_friendly)
