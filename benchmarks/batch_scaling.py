"""Throughput of `digitize run` on one generated batch with 1 and 2 local jobs (and all cores,
when there are more) and on a Dask LocalCluster, with peak memory: pages/s and scaling ratios.

Run:  .venv/bin/python benchmarks/batch_scaling.py [--pages 100]
Every package of the last run is then checked with E-ARK's validator (offline).
Targets: >= 1.8x from 1 to 2 cores; >= 0.75 efficiency up to 16 cores where such a machine is at
hand; peak memory flat in batch size (see ocr_vs_ocrmypdf.py --scaling).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from common import BIN, _timed, make_corpus

from digitize.bundle.eark import check_eark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100, help="generated pages (>= 100)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="digitize-scaling-"))
    corpus = make_corpus(work / "pages", args.pages)
    n = len(corpus)
    cores = os.cpu_count() or 1
    print(f"{n} pages, {cores} cores, {time.strftime('%Y-%m-%d')}", flush=True)
    configs = [("local", 1), ("local", 2)] + ([("local", cores)] if cores > 2 else []) + \
        [("dask-local", min(2, cores))]
    rows = []
    for executor, jobs in configs:
        out = work / f"out-{executor}-{jobs}"
        wall, mem, _ = _timed([str(BIN / "digitize"), "run", str(work / "pages"), "--out",
                               str(out), "--no-sign", "--json", "--jobs", str(jobs),
                               "--executor", executor])
        rows.append((executor, jobs, n / wall, mem.tree, mem.main))
        print(f"  {executor} x{jobs}: {wall:.1f} s", flush=True)
    # Every package of the last run, as E-ARK's own validator judges it (offline).
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
    mb = 1024 * 1024
    base = rows[0][2]
    print("\n| executor | jobs | pages/s | speed-up vs 1 job | efficiency | peak memory, all "
          "processes (PSS) | main process (RSS) |")
    print("|---|---|---|---|---|---|---|")
    for executor, jobs, rate, tree, main_rss in rows:
        print(f"| {executor} | {jobs} | {rate:.2f} | {rate / base:.2f}x | "
              f"{rate / base / jobs:.2f} | {tree / mb:.0f} MB | {main_rss / mb:.0f} MB |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
