"""Mutate real inputs and feed them to the stages that read files: no traceback, no hang, no
"unexpected error" on any.

The seeds are the real PDFs and images of ../shared/real/ (scans, scanner PDFs with JBIG2 and
CCITT, signed PDFs) and the samples. Each mutant is one of: bit flips, a truncation, a chunk
duplicated or deleted, a damaged xref or stream (bytes after "xref" or "stream" overwritten),
an edited signature (/ByteRange numbers or /Contents hex changed). Each is read as `digitize`
reads a file: `ocr`'s input stage (opening it, counting pages, telling born-digital from scan,
drawing page 1 as pixels, its skew and whether it looks upright), `extract` (its text layer,
the metadata) and `verify` (every signature). A typed error (DigitizeError: the one plain
sentence a user sees) is a pass; any other exception or a stage over TIMEOUT seconds is a
failure, printed with the mutant's seed.
Mutants are made from (SEED, n), so any failure can be made again.

    .venv/bin/python benchmarks/fuzz.py [--n 10000] [--seed 1] [--jobs 2] [--no-draw]
                                        [--max-kb 3000]

tests/test_fuzz_real.py runs 1,000 of them in CI; `make fuzz` runs 10,000.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import re
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from digitize.ocr.jbig2 import DECODE_TIMEOUT_S
from digitize.procs import RENDER_TIMEOUT_S

ROOT = Path(__file__).resolve().parent.parent
SEEDS_FROM = (ROOT.parent / "shared" / "real", ROOT / "samples")
SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
MAX_SEED_BYTES = 3_000_000  # larger seeds make slow mutants and add nothing new
# Seconds a stage may take on one mutant before it counts as a hang: past the deadlines the
# product itself gives a damaged page (a JBIG2 decode, then poppler's render), with a margin;
# a mutant that meets both deadlines and is then refused is no hang.
TIMEOUT = int(DECODE_TIMEOUT_S + RENDER_TIMEOUT_S) + 30
SEED = 1
MUTATIONS = ("flip", "truncate", "duplicate", "delete", "xref", "stream", "byterange",
             "contents")


def seeds(most: int = MAX_SEED_BYTES) -> list[Path]:
    """The seed files, none over `most` bytes."""
    return [p for base in SEEDS_FROM if base.is_dir() for p in sorted(base.rglob("*"))
            if p.suffix.lower() in SUFFIXES and p.is_file() and p.stat().st_size <= most]


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    """`data` changed by one mutation of `kind`."""
    buf = bytearray(data)
    n = len(buf)
    if kind == "flip":
        for _ in range(rng.randint(1, 16)):
            i = rng.randrange(n)
            buf[i] ^= 1 << rng.randrange(8)
        return bytes(buf)
    if kind == "truncate":
        return bytes(buf[: rng.randrange(max(1, n))])
    a = rng.randrange(n)
    b = min(n, a + rng.randint(1, 4096))
    if kind == "duplicate":
        return bytes(buf[:b] + buf[a:b] + buf[b:])
    if kind == "delete":
        return bytes(buf[:a] + buf[b:])
    marks = {"xref": rb"xref|startxref|/XRef", "stream": rb"stream\r?\n",
             "byterange": rb"/ByteRange\s*\[", "contents": rb"/Contents\s*<"}
    hits = [m.end() for m in re.finditer(marks[kind], data)]
    if not hits:
        return mutate(data, "flip", rng)
    at = rng.choice(hits)
    if kind in ("byterange",):
        # A number of the range changed: the signature then covers other bytes.
        digits = re.search(rb"\d+", data[at:at + 64])
        if digits:
            start, end = at + digits.start(), at + digits.end()
            value = str(max(0, int(digits.group()) + rng.choice((-7, -1, 1, 13, 4096))))
            return data[:start] + value.encode() + data[end:]
    span = rng.randint(1, 64)
    noise = bytes(rng.randrange(256) for _ in range(span)) if kind != "contents" else \
        bytes(rng.choice(b"0123456789abcdef") for _ in range(span))
    return bytes(buf[:at] + noise + buf[at + span:])


@dataclass(frozen=True)
class Outcome:
    index: int
    seed_file: str
    kind: str
    failures: tuple[str, ...]  # "stage: what went wrong"
    seconds: float


class _Hang(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _Hang


def _stages(path: Path, draw: bool) -> Iterator[tuple[str, object]]:
    from digitize.config import Config
    from digitize.extract.files import extract_file
    from digitize.ocr.cleanup import as_grey, estimate_skew
    from digitize.ocr.images import load_page, read_input
    from digitize.ocr.orientation import looks_upright
    from digitize.validation.verify import verify_pdf

    def ocr_input() -> object:
        facts = read_input(path, 150_000_000)
        if not (facts.pages and draw):
            return facts
        page = load_page(path, 0, 300, 150_000_000)
        grey = as_grey(page.image)
        return looks_upright(grey, page.dpi, estimate_skew(grey))

    yield "ocr", ocr_input
    yield "extract", lambda: extract_file(path, Config())
    if path.suffix.lower() == ".pdf":
        yield "verify", lambda: verify_pdf(path, [], offline=True)


def quiet_worker() -> None:
    """A worker's log goes where the command line's does (libraries' records, tracebacks and
    all, nowhere a clerk looks): set once when the worker starts."""
    from digitize.cli.app import quiet_libraries

    quiet_libraries()


def run_one(job: tuple[int, str, str, int, str, bool]) -> Outcome:
    """One mutant through every stage, in a worker process started by `quiet_worker`."""
    from digitize.errors import DigitizeError

    index, seed_file, kind, seed, workdir, draw = job
    rng = random.Random(f"{seed}:{index}")
    source = Path(seed_file)
    path = Path(workdir) / f"mutant-{index}{source.suffix.lower()}"
    path.write_bytes(mutate(source.read_bytes(), kind, rng))
    failures = []
    t0 = time.perf_counter()
    signal.signal(signal.SIGALRM, _alarm)
    for stage, call in _stages(path, draw):
        signal.alarm(TIMEOUT)
        try:
            result = call()  # type: ignore[operator]
            error = getattr(result, "error", None)
            if isinstance(error, str) and "Unexpected error" in error:
                failures.append(f"{stage}: {error}")
        except DigitizeError as exc:
            if "Unexpected error" in str(exc):
                failures.append(f"{stage}: {exc}")
        except _Hang:
            failures.append(f"{stage}: over {TIMEOUT} s")
        except Exception as exc:  # the harness's point: anything untyped is a failure
            last = traceback.extract_tb(exc.__traceback__)[-1]
            failures.append(f"{stage}: {type(exc).__name__}: {exc} ({last.filename}:"
                            f"{last.lineno})")
        finally:
            signal.alarm(0)
    path.unlink(missing_ok=True)
    return Outcome(index, source.name, kind, tuple(failures), time.perf_counter() - t0)


def _plan(files: list[Path], n: int, seed: int) -> list[tuple[Path, str]]:
    rng = random.Random(seed)
    return [(rng.choice(files), rng.choice(MUTATIONS)) for _ in range(n)]


def mutant(index: int, seed: int = SEED, most: int = MAX_SEED_BYTES) -> tuple[Path, bytes]:
    """Mutant `index` of a run with `seed` (and seeds up to `most` bytes), made again."""
    source, kind = _plan(seeds(most), index + 1, seed)[index]
    return source, mutate(source.read_bytes(), kind, random.Random(f"{seed}:{index}"))


def fuzz(n: int, seed: int = SEED, jobs: int = 2, draw: bool = True,
         most: int = MAX_SEED_BYTES) -> list[Outcome]:
    """`n` mutants of the seeds up to `most` bytes through the stages; `draw` False leaves
    out drawing page 1 as pixels (poppler's part, the slowest: CI's quick run)."""
    files = seeds(most)
    if not files:
        raise SystemExit(f"no seed files under {', '.join(map(str, SEEDS_FROM))}")
    with tempfile.TemporaryDirectory(prefix="digitize-fuzz-") as work:
        plan = [(i, str(f), kind, seed, work, draw) for i, (f, kind) in
                enumerate(_plan(files, n, seed))]
        done: list[Outcome] = []
        with multiprocessing.get_context("fork").Pool(jobs, initializer=quiet_worker,
                                                     maxtasksperchild=50) as pool:
            for outcome in pool.imap_unordered(run_one, plan, chunksize=4):
                done.append(outcome)
                if outcome.failures:  # at once: a long run's findings are not lost to a stop
                    print(f"mutant {outcome.index} of {outcome.seed_file} ({outcome.kind}, "
                          f"--seed {seed}): {'; '.join(outcome.failures)}", file=sys.stderr,
                          flush=True)
                if len(done) % 500 == 0:  # a long run says how far it is, on stderr
                    print(f"{len(done)} of {n} mutants, "
                          f"{sum(bool(o.failures) for o in done)} failed", file=sys.stderr,
                          flush=True)
        return done


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-draw", action="store_true", help="leave out drawing page 1")
    ap.add_argument("--max-kb", type=int, default=MAX_SEED_BYTES // 1000,
                    help="seed files up to this size")
    args = ap.parse_args()
    t0 = time.perf_counter()
    outcomes = fuzz(args.n, args.seed, args.jobs, not args.no_draw, args.max_kb * 1000)
    failed = [o for o in outcomes if o.failures]
    kinds = Counter(o.kind for o in outcomes)
    print(f"{len(outcomes)} mutants of {len(seeds(args.max_kb * 1000))} seed files "
          f"({dict(sorted(kinds.items()))}) in {time.perf_counter() - t0:.0f} s; slowest "
          f"{max(o.seconds for o in outcomes):.1f} s")
    hangs = sum(any("over" in f for f in o.failures) for o in failed)
    print(f"failures: {len(failed)} ({hangs} hangs)")
    for o in failed[:50]:
        print(f"  mutant {o.index} of {o.seed_file} ({o.kind}, --seed {args.seed}): "
              + "; ".join(o.failures))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
