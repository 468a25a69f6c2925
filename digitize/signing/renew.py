"""Long-term renewal (PAdES B-LTA): before certificates or timestamps expire, add current
validation data (certificates, OCSP responses, CRLs) for every signature and document timestamp
to the DSS, then a new document timestamp over all of it. Earlier signatures stay valid: only
validation data and a timestamp are added, by incremental update.

For packages, every PDF is renewed, the METS checksums are brought up to date, and the event is
recorded in the package's PREMIS (an AIP) and in the dossier record beside it (a run's output).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from asn1crypto import x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext

from digitize import __version__
from digitize.bundle.check import refresh_checksums
from digitize.bundle.premis import add_event
from digitize.bundle.transfer import find_package
from digitize.clock import now_vn
from digitize.errors import InputFileError, UsageProblem
from digitize.fsutil import atomic_path, write_bytes_atomic
from digitize.i18n import _
from digitize.model import DOSSIER_RECORD, Event, read_dossier
from digitize.pdfcaps.check import check_pdf
from digitize.validation.fetch import FetchPolicy, GuardedFetcherBackend, GuardedTimeStamper
from digitize.validation.verify import FileReport, Indication, load_trust, verify_pdf

EVENT = "validation data renewal"


def _step(data: bytes, work: Callable[[PdfFileReader, io.BytesIO], object]) -> bytes:
    """One incremental update: `work` reads `data` and writes the next revision."""
    out = io.BytesIO()
    work(PdfFileReader(io.BytesIO(data), strict=False), out)
    return out.getvalue()


def renew_pdf(src: Path, target: Path, tsa_url: str, trust: Sequence[x509.Certificate],
              fetch: FetchPolicy | None = None) -> FileReport:
    """Write `src` renewed to `target` (may be the same path) and return the check of the
    result: every signature as before, and B-LTA reached. Certificates, OCSP answers and CRLs
    are fetched under `fetch` (default: public addresses only, see validation.fetch), as
    verification fetches them: the addresses come from the file's certificates. The TSA is the
    operator's choice: any address, with the same timeout and size cap."""
    fetch = fetch or FetchPolicy()
    check_pdf(src)  # a file over the limits on input PDFs is refused by name, unread
    before = verify_pdf(src, trust, offline=True)
    if not before.signatures:
        raise InputFileError(_("{name} carries no signature to renew.").format(name=src.name))
    vc = ValidationContext(trust_roots=list(trust), allow_fetching=True,
                           revocation_mode="hard-fail",
                           fetcher_backend=GuardedFetcherBackend(fetch))
    data = src.read_bytes()
    stamper = PdfTimeStamper(GuardedTimeStamper(tsa_url, replace(fetch, allow_private=True)))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        count = len(reader.embedded_regular_signatures)
        if any(s.level == "B-B" for s in before.signatures) and not \
                reader.embedded_timestamp_signatures:
            # A signature without a timestamp first gets its time from a document timestamp.
            data = _step(data, lambda r, out: stamper.timestamp_pdf(
                IncrementalPdfFileWriter(io.BytesIO(data)), "sha256", vc, output=out))
        for i in range(count):
            data = _step(data, lambda r, out, i=i: add_validation_info(
                r.embedded_regular_signatures[i], vc, output=out))
        data = _step(data, lambda r, out: stamper.update_archival_timestamp_chain(
            r, vc, in_place=False, output=out))
    except InputFileError:
        raise
    except Exception as exc:  # the TSA, OCSP or CRL did not answer, or a chain is incomplete
        raise InputFileError(_("{name} could not be renewed ({__name__}: {exc}); check [signer] "
                               "tsa_url, the network and the trust store.").format(
                                 name=src.name, __name__=type(exc).__name__, exc=exc)) from exc
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
        after = verify_pdf(tmp, trust, offline=True, levels=True)
        worse = [s.field for s, b in zip(after.signatures, before.signatures, strict=False)
                 if b.status is Indication.valid and s.status is not Indication.valid]
        if worse or any(s.level != "B-LTA" for s in after.signatures):
            raise InputFileError(_("Renewing {name} did not give valid B-LTA signatures "
                                   "({value}); the file was left as it was.").format(
                                     name=src.name, value=', '.join(worse) or 'level not reached'))
    return after


def renew_package(pkg: Path, tsa_url: str, trust: Sequence[x509.Certificate],
                  fetch: FetchPolicy | None = None) -> list[FileReport]:
    """Renew every PDF of a package in place, whole or not at all."""
    pdfs = sorted((pkg / "representations" / "rep1" / "data").glob("*.pdf"))
    if not pdfs:
        raise InputFileError(_("{pkg} holds no PDF to renew.").format(pkg=pkg))
    with tempfile.TemporaryDirectory(prefix=".renew-", dir=pkg.parent) as tmp:
        staged = Path(tmp) / pkg.name
        shutil.copytree(pkg, staged)
        reports = [renew_pdf(p, staged / p.relative_to(pkg), tsa_url, trust, fetch)
                   for p in pdfs]
        event = Event(type=EVENT, time=now_vn(), agent=f"digitize {__version__}",
                      detail=f"DSS and a document timestamp added to {len(pdfs)} PDFs "
                             f"(PAdES B-LTA); TSA {tsa_url}")
        premis = staged / "metadata" / "preservation" / "PREMIS.xml"
        if premis.is_file():
            add_event(premis, event, [staged / p.relative_to(pkg) for p in pdfs], staged)
        for mets in sorted(staged.rglob("METS.xml"), key=lambda m: -len(m.parts)):
            refresh_checksums(mets)  # representations first, then the root that lists them
        old = pkg.with_name(f".old-{pkg.name}")
        pkg.rename(old)
        staged.rename(pkg)
        shutil.rmtree(old, ignore_errors=True)
    record = pkg.parent / DOSSIER_RECORD
    if record.is_file():
        dossier = read_dossier(pkg.parent)
        dossier.provenance.append(event)
        write_bytes_atomic(record, dossier.model_dump_json(indent=2).encode())
    for r, p in zip(reports, pdfs, strict=True):
        r.path = str(p)
    return reports


@dataclass(frozen=True)
class Renewal:
    """One path given to `renew`: the reports of the PDFs it renewed, or why it failed."""

    path: Path
    files: list[FileReport]
    error: str = ""


def renew_paths(paths: Sequence[Path], out_dir: Path | None, tsa_url: str,
                trust_files: Sequence[Path], fetch: FetchPolicy) -> list[Renewal]:
    """Renew each signed PDF (into `out_dir`, else in place) or package (always in place, whole
    or not at all), trusting the roots in `trust_files` and fetching under `fetch`; a path that
    fails does not stop the others."""
    if not tsa_url:
        raise UsageProblem(_("Renewal needs a time-stamping server: pass --tsa URL or set "
                             "[signer] tsa_url."))
    trust = load_trust(trust_files)
    done: list[Renewal] = []
    for p in paths:
        try:
            pkg = find_package(p) if p.is_dir() else None
            if p.is_dir() and pkg is None:
                raise InputFileError(_("{path} is not a package or a dossier's output "
                                       "folder.").format(path=p))
            reports = renew_package(pkg, tsa_url, trust, fetch) if pkg else [
                renew_pdf(p, (out_dir / p.name) if out_dir else p, tsa_url, trust, fetch)]
            done.append(Renewal(p, reports))
        except InputFileError as exc:
            done.append(Renewal(p, [], exc.message))
    return done
