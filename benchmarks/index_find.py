"""Index and `find` at desk scale: 100,000 synthetic documents made from the lines of the
sample documents with other names, numbers and dates.

Prints the build time, the size on disk, and p50/p95 latency of `find` (the library call the
command makes) for an ID number, an exact phrase and accent-free queries, each against the
anchor: the same question answered by scanning every text held in memory (accents folded
beforehand), newest first, as a script over the .txt files would.
Target (issue 11): p95 under 100 ms.

    python benchmarks/index_find.py [--docs 100000] [--queries 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digitize.index.fold import fold  # noqa: E402
from digitize.index.store import Entry, Index, Query  # noqa: E402

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
            "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Hồng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Khôi", "Lan",
         "Linh", "Long", "Mai", "Nam", "Nhung", "Phúc", "Quân", "Sơn", "Thảo", "Trang", "Tuấn"]
TYPES = ["QĐ", "TB", "CV", "TTr", "KH", "BC", ""]


def _lines() -> list[str]:
    truth = json.loads((ROOT / "samples" / "truth.json").read_text(encoding="utf-8"))
    return [line for doc in truth.values() for page in doc.get("pages_text", [])
            for line in page.splitlines() if len(line) > 12]


def _name(rnd: random.Random) -> str:
    return f"{rnd.choice(SURNAMES)} {rnd.choice(MIDDLE)} {rnd.choice(GIVEN)}"


def entries(n: int, seed: int) -> Iterator[Entry]:
    rnd = random.Random(seed)
    lines = _lines()
    for i in range(n):
        name = _name(rnd)
        number = f"{rnd.randrange(1, 96):03d}{rnd.randrange(10**9):09d}"
        body = "\n".join(rnd.sample(lines, 18)) + f"\nHọ và tên: {name}\nSố CCCD: {number}"
        code = rnd.choice(TYPES)
        day = f"20{rnd.randrange(19, 27)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
        yield Entry(pdf=f"/srv/out/HS-{i // 4}/doc-{i}.pdf", sha256=f"{i:064X}",
                    out_dir="/srv/out", dossier_id=f"HS-{i // 4}",
                    dossier_code=f"000.00.31.H49-{i // 4:06d}", doc_kind="don" if not code
                    else "van_ban", doc_type_code=code, number=str(rnd.randrange(1, 300)),
                    issued_date=day, applicant_name=name if not code else "",
                    id_number=number if not code else "", signature_level="B-LT",
                    signer="UBND XÃ MINH XUÂN", body=body)


def _timed(fn: Callable[[], object], repeat: list[object]) -> list[float]:
    times = []
    for arg in repeat:
        start = time.perf_counter()
        fn(arg)  # type: ignore[call-arg]
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", type=Path, help="build the index here and leave it")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="digitize-index-bench-"))
    path = folder / "index.sqlite"
    path.unlink(missing_ok=True)
    start = time.perf_counter()
    with Index(path) as ix:
        ix.add_many(entries(args.docs, seed=11))
    build = time.perf_counter() - start
    size = path.stat().st_size
    print(f"documents: {args.docs:,}; build {build:.1f} s ({args.docs / build:,.0f} docs/s); "
          f"size {size / 2**20:.1f} MiB ({size / args.docs / 1024:.1f} KiB per document)")

    rnd = random.Random(5)
    every = list(entries(args.docs, seed=11))
    sample = every[:: max(1, args.docs // 1000)]
    # The anchor: the texts held in memory and scanned from the newest, as a script grepping
    # the .txt files would (with the accents folded once, beforehand).
    bodies = [e.body for e in reversed(every)]
    folded = [fold(b) for b in bodies]

    def scan(texts: list[str], words: list[str]) -> list[int]:
        return [i for i, t in enumerate(texts) if all(w in t for w in words)][:20]

    ids = [e.id_number for e in sample if e.id_number]
    # A person's name is rare (a few documents in 100,000); a line of a form is common.
    names = [e.body.splitlines()[-2].split(": ", 1)[1] for e in sample]
    lines = [" ".join(rnd.choice(e.body.splitlines()[:-2]).split()[:4]) for e in sample]
    with Index(path) as ix:
        cases: list[tuple[str, list[str], Callable[[str], object], Callable[[str], object]]] = [
            ("ID number", ids, lambda v: ix.find(Query(id_number=v)),
             lambda v: scan(bodies, [v])),
            ("exact phrase", names, lambda v: ix.find(Query(text=f'"{v}"')),
             lambda v: scan(bodies, [v])),
            ("accent-free name", [fold(n) for n in names], lambda v: ix.find(Query(text=v)),
             lambda v: scan(folded, v.split())),
            ("common words", [fold(x) for x in lines], lambda v: ix.find(Query(text=v)),
             lambda v: scan(folded, v.split())),
        ]
        print(f"{'query':<18} {'p50 ms':>8} {'p95 ms':>8} {'anchor p50':>11} {'anchor p95':>11} "
              f"{'p95 ratio':>10}  target p95 < 100 ms")
        for label, values, ours, anchor in cases:
            picks = [rnd.choice(values) for _ in range(args.queries)]
            mine = _timed(ours, picks)  # type: ignore[arg-type]
            base = _timed(anchor, picks[:20])  # type: ignore[arg-type]
            print(f"{label:<18} {_p(mine, 50):8.2f} {_p(mine, 95):8.2f} {_p(base, 50):11.1f} "
                  f"{_p(base, 95):11.1f} {_p(base, 95) / _p(mine, 95):9.0f}×  "
                  f"{'met' if _p(mine, 95) < 100 else 'NOT met'}")
    if not args.keep:
        path.unlink()
        folder.rmdir()


if __name__ == "__main__":
    main()
