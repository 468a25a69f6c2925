"""Sign many PDFs: the key is opened once per process, and file keys (PKCS#12, PEM) sign in
parallel processes; a PKCS#11 token signs in this process, over the one session the clerk's PIN
opened; a remote (CSC) credential signs each round of documents with one authorisation. Each
document fails alone; the rest of the batch goes on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from digitize.errors import DigitizeError, InputFileError
from digitize.i18n import _
from digitize.identity import Identity, KeySpec
from digitize.model import Evidence, SignatureInfo
from digitize.pdfcaps.check import check_pdf
from digitize.procs import worker_init
from digitize.signing.options import SignOptions
from digitize.signing.sign import SigningContext, sign_pdf
from digitize.signing.signer import open_key

if TYPE_CHECKING:
    from digitize.signing.csc import HashRound


@dataclass(frozen=True)
class SignResult:
    source: Path
    target: Path
    signature: SignatureInfo | None = None
    error: str | None = None


_context: SigningContext | None = None


def _init(spec: KeySpec, opts: SignOptions) -> None:
    global _context
    worker_init()
    if _context is None:  # a forked worker has the batch's own; a spawned one opens its copy
        _context = SigningContext(open_key(spec), opts)


def signature_block(pdf: Path) -> Evidence | None:
    """Where the signer's name is printed, read from the PDF's text layer (for `auto`
    placement of the person and agency appearances)."""
    from digitize.extract import extract
    from digitize.extract.pdftext import segments_from_pdf

    try:
        segs, pages = segments_from_pdf(pdf)
    except DigitizeError:
        return None
    return extract(segs, pages).evidence.get("signer")


def _sign(ctx: SigningContext, job: tuple[Path, Path]) -> SignResult:
    src, target = job
    look = ctx.opts.appearance
    try:
        if not src.is_file():
            raise InputFileError(_("{src} does not exist or is not a file.").format(src=src))
        check_pdf(src)  # a file over the limits on input PDFs is refused by name, unread
        block = signature_block(src) if look.profile in ("person", "agency") and \
            look.position == "auto" else None
        return SignResult(src, target, sign_pdf(src, target, ctx, block))
    except InputFileError as exc:
        return SignResult(src, target, error=exc.message)


def _sign_in_worker(job: tuple[Path, Path]) -> SignResult:
    assert _context is not None
    return _sign(_context, job)


def sign_batch(jobs: Sequence[tuple[Path, Path]], identity: Identity, opts: SignOptions,
               workers: int = 1, done: Callable[[SignResult], None] | None = None
               ) -> list[SignResult]:
    """Sign each (source, target) pair; results in the order given."""
    spec = identity.spec
    if spec is not None and spec.kind == "csc":
        return _sign_remote(jobs, identity, opts, done)
    results: list[SignResult] = []
    if workers <= 1 or len(jobs) < 2 or spec is None or not spec.parallel:
        ctx = SigningContext(identity, opts)
        for job in jobs:
            results.append(_sign(ctx, job))
            if done:
                done(results[-1])
        return results
    global _context
    # Bad options fail here, before any worker starts; and workers forked from this process
    # start with this context instead of opening the key again (~60 ms each).
    _context = SigningContext(identity, opts)
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), initializer=_init,
                                 initargs=(spec, opts)) as pool:
            for result in pool.map(_sign_in_worker, jobs, chunksize=4):
                results.append(result)
                if done:
                    done(result)
    finally:
        _context = None  # the next batch may sign with another key
    return results


def _sign_remote(jobs: Sequence[tuple[Path, Path]], identity: Identity, opts: SignOptions,
                 done: Callable[[SignResult], None] | None) -> list[SignResult]:
    """A remote credential signs the documents of each round (up to [signer] csc_batch) with
    one authorisation: each document in its own thread up to its signature, where the round
    collects the hashes and sends them together. A refused PIN, OTP or token stops the batch
    (exit 4); a bad document fails alone."""
    from digitize.signing.csc import CscSigner

    signer = identity.signer
    assert isinstance(signer, CscSigner)
    ctx = SigningContext(identity, opts)
    size = max(1, signer.client.settings.batch)
    results: list[SignResult] = []
    for start in range(0, len(jobs), size):
        chunk = jobs[start:start + size]
        hash_round = signer.start_round(len(chunk))

        def one(job: tuple[Path, Path], hash_round: HashRound = hash_round) -> SignResult:
            signer.join(hash_round)
            try:
                with hash_round.turn():
                    return _sign(ctx, job)
            finally:
                hash_round.leave()

        with ThreadPoolExecutor(max_workers=len(chunk)) as pool:
            for result in pool.map(one, chunk):
                results.append(result)
                if done:
                    done(result)
    return results
