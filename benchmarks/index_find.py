"""Index and `find` at desk scale (SQLite, 100,000 documents) and at province scale (the shared
PostgreSQL index, 1,000,000 documents from 100 desks): synthetic documents made from the lines
of the sample documents with other names, numbers and dates.

Prints the build time, the size on disk, and p50/p95 latency of `find` (the library call the
command makes) for an ID number, an exact phrase and accent-free queries, each against the
anchor: the same question answered by scanning every text held in memory (accents folded
beforehand), newest first, as a script over the .txt files would (the anchor holds at most
200,000 texts; past that it scans the first 200,000, which flatters it).
Targets: p95 under 100 ms (issue 11; issue 24 on 2 cores for PostgreSQL). With PostgreSQL it
also runs 8 parallel writers (8 desks re-indexing dossiers at once) and prints entries/s and
how many entries were lost or duplicated (target: none). With --trigram it then measures the
design it was compared with (issue 41): the same documents' folded text under a pg_trgm GIN
index (whole words matched with LIKE), its build time and size apart, the same queries.

    python benchmarks/index_find.py [--docs 100000] [--queries 200] [--keep DIR]
    python benchmarks/index_find.py --backend postgresql [--docs 1000000] [--url URL] [--trigram]

Without --url a throw-away PostgreSQL server is started as the tests start theirs (Debian's
postgresql, as nobody when run as root); its password then comes from that server.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digitize.index.fold import fold  # noqa: E402
from digitize.index.model import Entry, Query, desk_filter, digits  # noqa: E402
from digitize.index.postgres import RECENT_WINDOW, words  # noqa: E402
from digitize.index.sqlite import SqliteIndex  # noqa: E402
from digitize.index.store import IndexStore  # noqa: E402

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


def entries(n: int, seed: int, desks: int = 1) -> Iterator[Entry]:
    rnd = random.Random(seed)
    lines = _lines()
    for i in range(n):
        desk = (i // 4) % desks
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
                    signer="UBND XÃ MINH XUÂN", agency_code=f"000.00.{desk:02d}.H49",
                    desk=f"Bộ phận Một cửa số {desk}", body=body)


def _timed(fn: Callable[[], object], repeat: list[object]) -> list[float]:
    times = []
    for arg in repeat:
        start = time.perf_counter()
        fn(arg)  # type: ignore[call-arg]
        times.append((time.perf_counter() - start) * 1000)
    return times


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def _writer(url: str, password: str, desk: int, n: int) -> int:
    """One desk re-indexing its dossiers (4 documents each, every dossier written twice, as a
    re-run does), in its own process; returns the entries it wrote."""
    from digitize.index.postgres import PostgresIndex

    docs = [replace(e, agency_code=f"000.00.{desk:02d}.H49", desk=f"Desk {desk}")
            for e in entries(n, seed=100 + desk)]
    with PostgresIndex(url, password) as ix:
        for at in range(0, n, 4):
            batch = docs[at:at + 4]
            for _ in range(2):
                ix.replace_dossier(batch[0].out_dir, batch[0].dossier_id, batch,
                                   agency_code=batch[0].agency_code, desk=batch[0].desk)
    return n


def parallel_writers(url: str, password: str, per_writer: int = 2000) -> None:
    """8 desks writing at once into an empty index."""
    import psycopg

    with psycopg.connect(url, password=password or None, autocommit=True) as db:
        db.execute("DROP TABLE documents, document_words, digitize_info")
    start = time.perf_counter()
    with ProcessPoolExecutor(8) as pool:
        written = sum(pool.map(_writer, [url] * 8, [password] * 8, range(8), [per_writer] * 8))
    took = time.perf_counter() - start
    with psycopg.connect(url, password=password or None) as db:
        total, distinct = db.execute("SELECT count(*), count(DISTINCT (agency_code, desk, "
                                     "pdf)) FROM documents").fetchone()
    print(f"8 parallel writers: {written:,} entries, each written twice, in {took:.1f} s "
          f"({2 * written / took:,.0f} entries/s); in the index {total:,}: "
          f"{written - distinct:,} lost, {total - distinct:,} duplicated")


TRIGRAM_TABLE = "trigram_text"


def trigram_text(e: Entry) -> str:
    """The entry's folded words, one space apart, body, fields and applicant on lines of their
    own, spaces at both ends: `LIKE '% nguyen van an %'` is then the phrase, whole words."""
    return " " + " \n ".join(" ".join(words(t)) for t in (e.body, e.fields_text,
                                                          e.applicant_name)) + " "


class Trigram:
    """The design compared (issue 41): pg_trgm's GIN index over the folded text, asked with
    LIKE for each phrase or word, newest first as `find` (the newest RECENT_WINDOW first, then
    every match, materialised), the rows then read from `documents` as `find` reads them."""

    def __init__(self, url: str, password: str) -> None:
        import psycopg

        self.db = psycopg.connect(url, password=password or None, autocommit=True)

    def __enter__(self) -> Trigram:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def build(self, docs: int, desks: int) -> tuple[float, float, int]:
        """The table (the ids of `documents`, in order) and its index: seconds for each, and
        the bytes of both."""
        self.db.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        self.db.execute(f"CREATE TABLE {TRIGRAM_TABLE}(id BIGINT PRIMARY KEY, folded TEXT NOT "
                        "NULL)")
        start = time.perf_counter()
        ids = [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]
        with self.db.cursor() as cur, cur.copy(f"COPY {TRIGRAM_TABLE} FROM STDIN") as copy:
            for rowid, e in zip(ids, entries(docs, seed=11, desks=desks), strict=True):
                copy.write_row([rowid, trigram_text(e)])
        table = time.perf_counter() - start
        self.db.execute(f"CREATE INDEX {TRIGRAM_TABLE}_folded ON {TRIGRAM_TABLE} USING "
                        "GIN(folded gin_trgm_ops)")
        self.db.execute(f"ANALYZE {TRIGRAM_TABLE}")
        size = self.db.execute(f"SELECT pg_total_relation_size('{TRIGRAM_TABLE}')").fetchone()
        return table, time.perf_counter() - start - table, int(size[0])

    def find(self, q: Query) -> list[tuple[object, ...]]:
        where, args = [], []
        for quoted, loose in re.findall(r'"([^"]*)"|(\S+)', q.text):
            found = words(quoted or loose)
            for part in [" ".join(found)] if quoted else found:
                where.append("folded LIKE %s")
                args.append(f"% {part} %")
        if q.id_number:
            where.append("(id IN (SELECT id FROM documents WHERE id_number = %s) OR folded LIKE "
                         "%s)")
            args += [digits(q.id_number), f"% {digits(q.id_number)} %"]
        if q.desk:
            column, value = desk_filter(q.desk)
            where.append(f"id IN (SELECT id FROM documents WHERE {column} = %s)")
            args.append(value)
        cond = " AND ".join(where)
        ids = [r[0] for r in self.db.execute(
            f"SELECT id FROM (SELECT * FROM {TRIGRAM_TABLE} ORDER BY id DESC LIMIT "
            f"{RECENT_WINDOW}) recent WHERE {cond} ORDER BY id DESC LIMIT %s", [*args, q.limit])]
        if len(ids) < q.limit:
            ids = [r[0] for r in self.db.execute(
                f"WITH found AS MATERIALIZED (SELECT id FROM {TRIGRAM_TABLE} WHERE {cond}) "
                "SELECT id FROM found ORDER BY id DESC LIMIT %s", [*args, q.limit])]
        return self.db.execute("SELECT * FROM documents WHERE id = ANY(%s) ORDER BY id DESC",
                               (ids,)).fetchall()


def compare_trigram(url: str, password: str, docs: int, desks: int, queries: int) -> None:
    """Build the pg_trgm design beside the index and time the same queries on it."""
    with Trigram(url, password) as tri:
        table, index, size = tri.build(docs, desks)
    print(f"pg_trgm: table of folded text {table:.1f} s, GIN trigram index {index:.1f} s; size "
          f"{size / 2**20:.1f} MiB ({size / docs / 1024:.1f} KiB per document)")
    # Fewer queries: some of them take seconds.
    query_latency(lambda: Trigram(url, password), docs, desks,  # type: ignore[arg-type]
                  min(queries, 50), anchors=False)


# What is measured: its label, how to open it, its size in bytes, its URL and password.
Measured = tuple[str, Callable[[], IndexStore], Callable[[], int], str, str]


@contextmanager
def _backend(args: argparse.Namespace, folder: Path) -> Iterator[Measured]:
    """The index to measure, empty."""
    if args.backend == "sqlite":
        path = folder / "index.sqlite"
        path.unlink(missing_ok=True)
        yield "SQLite", lambda: SqliteIndex(path), lambda: path.stat().st_size, "", ""
        return
    import psycopg

    from digitize.index.postgres import PostgresIndex

    def opened(url: str, password: str) -> Iterator[Measured]:
        with psycopg.connect(url, password=password or None, autocommit=True) as db:
            db.execute(f"DROP TABLE IF EXISTS documents, document_words, digitize_info, "
                       f"{TRIGRAM_TABLE}")

        def size() -> int:
            with psycopg.connect(url, password=password or None) as db:
                return int(db.execute("SELECT pg_total_relation_size('documents') + "
                                      "pg_total_relation_size('document_words')").fetchone()[0])
        yield "PostgreSQL", lambda: PostgresIndex(url, password), size, url, password

    if args.url:
        yield from opened(args.url, os.environ.get("DIGITIZE_INDEX_PASSWORD", ""))
        return
    from tests.servers import running_postgres

    with running_postgres() as pg:
        yield from opened(pg.new_database("bench"), pg.password)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--docs", type=int, help="default 100,000 (SQLite), 1,000,000 (PostgreSQL)")
    ap.add_argument("--desks", type=int, default=100, help="desks the documents come from "
                                                           "(PostgreSQL)")
    ap.add_argument("--url", help="an existing PostgreSQL database (its tables are replaced); "
                                  "the password from $DIGITIZE_INDEX_PASSWORD")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--keep", type=Path, help="build the SQLite index here and leave it")
    ap.add_argument("--trigram", action="store_true", help="then measure the pg_trgm design "
                                                           "on the same documents (PostgreSQL)")
    args = ap.parse_args()
    docs = args.docs or (100_000 if args.backend == "sqlite" else 1_000_000)
    desks = 1 if args.backend == "sqlite" else args.desks
    folder = args.keep or Path(tempfile.mkdtemp(prefix="digitize-index-bench-"))
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores")
    with _backend(args, folder) as (label, open_index, size_of, url, password):
        start = time.perf_counter()
        with open_index() as ix:
            ix.add_many(entries(docs, seed=11, desks=desks))
        build = time.perf_counter() - start
        size = size_of()
        print(f"{label}: {docs:,} documents from {desks} desks; build {build:.1f} s "
              f"({docs / build:,.0f} docs/s); size {size / 2**20:.1f} MiB "
              f"({size / docs / 1024:.1f} KiB per document)")
        query_latency(open_index, docs, desks, args.queries)
        if url and args.trigram:
            compare_trigram(url, password, docs, desks, args.queries)
        if url:
            parallel_writers(url, password)
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)


def query_latency(open_index: Callable[[], IndexStore], docs: int, desks: int,
                  queries: int, anchors: bool = True) -> None:
    rnd = random.Random(5)
    held = min(docs, 200_000) if anchors else 0
    sample = [e for i, e in enumerate(entries(docs, seed=11, desks=desks))
              if i % max(1, docs // 1000) == 0]
    # The anchor: the texts held in memory and scanned from the newest, as a script grepping
    # the .txt files would (with the accents folded once, beforehand).
    bodies = [e.body for e in reversed(list(entries(held, seed=11, desks=desks)))]
    folded = [fold(b) for b in bodies]

    def scan(texts: list[str], words: list[str]) -> list[int]:
        return [i for i, t in enumerate(texts) if all(w in t for w in words)][:20]

    ids = [e.id_number for e in sample if e.id_number]
    # A person's name is rare (a few documents in 100,000); a line of a form is common.
    names = [e.body.splitlines()[-2].split(": ", 1)[1] for e in sample]
    lines = [" ".join(rnd.choice(e.body.splitlines()[:-2]).split()[:4]) for e in sample]
    desk_names = [e.desk for e in sample]
    with open_index() as ix:
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
        if desks > 1:
            cases.append(("words at one desk", [f"{fold(x)}|{d}" for x, d in zip(lines, desk_names,
                                                                                 strict=True)],
                          lambda v: ix.find(Query(text=v.split("|")[0], desk=v.split("|")[1])),
                          lambda v: scan(folded, v.split("|")[0].split())))
        print(f"{'query':<18} {'p50 ms':>8} {'p95 ms':>8} {'anchor p50':>11} {'anchor p95':>11} "
              f"{'p95 ratio':>10}  target p95 < 100 ms")
        for label, values, ours, anchor in cases:
            picks = [rnd.choice(values) for _ in range(queries)]
            mine = _timed(ours, picks)  # type: ignore[arg-type]
            base = _timed(anchor, picks[:20] if anchors else [])  # type: ignore[arg-type]
            against = (f"{_p(base, 50):11.1f} {_p(base, 95):11.1f} "
                       f"{_p(base, 95) / _p(mine, 95):9.0f}×" if base else f"{'':>33}")
            print(f"{label:<18} {_p(mine, 50):8.2f} {_p(mine, 95):8.2f} {against}  "
                  f"{'met' if _p(mine, 95) < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
