"""Throughput of `digitize run` (unsigned) on one batch of documents with 1 and 2 local jobs
(and all cores, when there are more) and on a real Dask cluster, and whether all runs give the
same outputs.

Run:  .venv/bin/python benchmarks/batch_scaling.py [--docs 200] [--workers 2]
The batch: `--docs` documents in dossiers of 10, every fifth one two pages (a TIFF), the rest
one page, from the samples and generated variations of their layouts. The cluster is a `dask
scheduler` and a `dask worker --nworkers W --nthreads 1` started here, on 127.0.0.1, apart from
the run, which reaches it with `--executor dask://127.0.0.1:PORT`, as a clerk's run reaches a
cluster of other machines.

Prints per run: documents and pages per second, speed-up and efficiency against 1 job, CPU
seconds per document (the run and all its workers, Tesseract included), peak memory (PSS of
every process, the cluster's included; RSS of the main process), each memory from a second
run of its own (--no-memory skips them). Then compares every output
file of every run with the 1-job run, byte for byte once dates, UUIDs and paths are masked
(tests/sameruns.py says what is masked and why), checks the last run's packages with E-ARK's
validator (offline), and exits 1 when any output differs.
Targets: >= 1.8x from 1 to 2 cores; >= 0.75 efficiency up to 16 cores where such a machine is at
hand; the cluster within 10 % of the local pool with as many workers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from common import BIN, ROOT, PageFile, _timed, make_corpus
from PIL import Image

from digitize.bundle.eark import check_eark

sys.path.insert(0, str(ROOT))
from tests.sameruns import differences
from tests.servers import running_dask

PER_DOSSIER = 10


@dataclass(frozen=True)
class Batch:
    inbox: Path
    docs: int
    pages: int


@dataclass(frozen=True)
class Row:
    name: str
    workers: int
    wall: float
    cpu: float  # seconds, the run and its workers
    tree: int  # bytes, peak PSS of all processes
    main: int  # bytes, peak RSS of the main process
    out: Path


def make_batch(work: Path, docs: int) -> Batch:
    """`docs` documents in dossiers HS-001, HS-002, ... of PER_DOSSIER each; every fifth is
    two pages (a multi-page TIFF), the others one page as made (PNG or JPEG)."""
    two = docs // 5
    needed = docs + two
    truth = json.loads((ROOT / "samples" / "truth.json").read_text(encoding="utf-8"))
    samples = sum(len(t["pages_text"]) for t in truth.values())  # make_corpus takes them all
    corpus = make_corpus(work / "pages", max(0, needed - samples))
    if len(corpus) < needed:
        raise SystemExit(f"made {len(corpus)} pages, {needed} needed")
    pages: list[PageFile] = corpus[:needed]
    inbox = work / "in"
    at = 0
    for i in range(docs):
        folder = inbox / f"HS-{i // PER_DOSSIER + 1:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        if i % 5 == 4:
            first, second = pages[at], pages[at + 1]
            at += 2
            with Image.open(first.path) as a, Image.open(second.path) as b:
                a.save(folder / f"doc_{i:03d}.tif", save_all=True, append_images=[b],
                       compression="tiff_lzw", dpi=(first.dpi, first.dpi))
        else:
            shutil.copyfile(pages[at].path, folder / f"doc_{i:03d}{pages[at].path.suffix}")
            at += 1
    return Batch(inbox, docs, needed)


def _tree_cpu(roots: list[psutil.Process]) -> float:
    """CPU seconds of the processes under `roots` so far (their finished children included)."""
    total = 0.0
    for root in roots:
        for proc in (root, *root.children(recursive=True)):
            try:
                t = proc.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    return total


def run_once(batch: Batch, out: Path, name: str, workers: int, executor: str,
             cluster: list[psutil.Process] | None = None, memory: bool = True) -> Row:
    """The run timed on its own; with `memory`, run again into a folder beside `out` with its
    memory sampled (reading every process's page map ten times a second takes CPU from the
    run on a small machine, so the timed run is not sampled)."""
    cmd = [str(BIN / "digitize"), "run", str(batch.inbox), "--out", str(out), "--no-sign",
           "--json", "--jobs", str(workers), "--executor", executor]
    tree0 = _tree_cpu(cluster or [])
    wall, timed, stdout = _timed(cmd, also=cluster or (), sample=False)
    cpu = timed.cpu + _tree_cpu(cluster or []) - tree0
    done = sum(len(d["documents"]) for d in json.loads(stdout)["dossiers"])
    if done != batch.docs:
        raise SystemExit(f"{name}: {done} documents in the summary, {batch.docs} given")
    print(f"  {name} x{workers}: {wall:.1f} s", flush=True)
    tree = main = 0
    if memory:
        sampled = out.with_name(f"{out.name}-memory")
        _, mem, _ = _timed([*cmd[:4], str(sampled), *cmd[5:]], also=cluster or ())
        tree, main = mem.tree, mem.main
        shutil.rmtree(sampled, ignore_errors=True)
    return Row(name, workers, wall, cpu, tree, main, out)


def _eark(out: Path) -> None:
    packages = sorted(m.parent for m in out.glob("*/uuid-*/METS.xml"))
    start = time.perf_counter()
    checked = check_eark(packages)
    took = time.perf_counter() - start
    if checked and checked[0].ran:
        bad = [(p.parent.name, r.rules) for p, r in zip(packages, checked, strict=True)
               if not r.conforms]
        print(f"E-ARK CSIP 2.1 ({checked[0].validator}): {len(packages) - len(bad)} of "
              f"{len(packages)} packages conform, {took:.1f} s for all", flush=True)
        for name, rules in bad:
            print(f"  {name}: {[r.rule for r in rules if not r.known]}")
    else:
        print(checked[0].note if checked else "no package was made")


def _table(rows: list[Row], batch: Batch) -> None:
    mb = 1024 * 1024
    base = batch.docs / rows[0].wall
    print("\n| run | workers | documents/s | pages/s | speed-up vs 1 job | efficiency | "
          "CPU s per document | peak memory, all processes (PSS) | main process (RSS) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        rate = batch.docs / r.wall
        print(f"| {r.name} | {r.workers} | {rate:.2f} | {batch.pages / r.wall:.2f} | "
              f"{rate / base:.2f}x | {rate / base / r.workers:.2f} | {r.cpu / batch.docs:.2f} | "
              + (f"{r.tree / mb:.0f} MB | {r.main / mb:.0f} MB |" if r.tree else "— | — |"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=200, help="documents in the batch (200)")
    ap.add_argument("--workers", type=int, default=2,
                    help="Dask worker processes of the cluster run (2)")
    ap.add_argument("--keep", action="store_true", help="leave the outputs in the temp folder")
    ap.add_argument("--no-memory", action="store_true",
                    help="skip the second run of each that samples its memory (half the time)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digitize-scaling-"))
    batch = make_batch(work, args.docs)
    cores = os.cpu_count() or 1
    dossiers = len(list(batch.inbox.iterdir()))
    print(f"{batch.docs} documents ({batch.pages} pages) in {dossiers} dossiers, {cores} cores, "
          f"{time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}", flush=True)
    memory = not args.no_memory
    rows = [run_once(batch, work / f"local-{n}", "local", n, "local", memory=memory)
            for n in sorted({1, 2, cores})]
    with running_dask(args.workers, BIN) as cluster:
        procs = [psutil.Process(p.pid) for p in (cluster.scheduler, cluster.worker) if p]
        print(f"  cluster: scheduler {cluster.address}, {args.workers} workers", flush=True)
        rows.append(run_once(batch, work / "dask", "dask cluster", args.workers, cluster.spec,
                             procs, memory))
    print(f"load at the end {os.getloadavg()[0]:.2f}")
    _eark(rows[-1].out)
    _table(rows, batch)
    bad = {r.name + f" x{r.workers}": differences(rows[0].out, r.out) for r in rows[1:]}
    for name, diff in bad.items():
        print(f"\noutputs of {name} vs local x1: "
              + ("identical (dates, UUIDs, paths masked)" if not diff else
                 f"{len(diff)} files differ: {diff[:10]}"))
    if args.keep:
        print(f"outputs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if any(bad.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
