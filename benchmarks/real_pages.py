#!/usr/bin/env python3
"""OCR of real government pages (`../shared/real/gov-pages/`: five page-1 scans with
human-verified text): character error rate, whole-run time, CPU per page and peak memory per
worker for `digitize ocr` (one run over the pages), plain Tesseract (`tesseract PAGE - -l vie`,
its defaults), the floor (Tesseract with digitize's model, --psm 1 with orientation detection,
writing its PDF) and OCRmyPDF (when installed), each run as a user runs it, `--jobs` pages at
a time (1 unless told), on the same PNGs; digitize and the floor are timed in turns `--rounds`
times (medians: this machine's speed drifts from one minute to the next). Two error rates,
both after NFC and folding runs of white space: plain CER = Levenshtein distance / length of
the truth, in the truth's reading order (header columns read across, or stamp text read into
the page, cost); order-insensitive CER = the sum over the truth's lines of each line's
distance to its best-matching stretch of the output (any start, any end) / the lines'
length: what was read, whatever the order.

    .venv/bin/python benchmarks/real_pages.py [--pages DIR] [--work DIR] [--jobs N] [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (
    BIN,
    ROOT,
    PeakMemory,
    _norm,
    _timed,
    cer_any_order,
    load_average,
    run_parallel,
)

PAGES = ROOT.parent / "shared" / "real" / "gov-pages"
ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def cer(truth: str, got: str) -> float:
    t, g = _norm(truth), _norm(got)
    return Levenshtein.distance(t, g) / max(1, len(t))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=PAGES)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--jobs", type=int, default=1, help="pages at a time, for every tool")
    ap.add_argument("--rounds", type=int, default=3,
                    help="times digitize and the floor are timed, in turns (medians)")
    args = ap.parse_args()
    records = [json.loads(line) for line in (args.pages / "truth.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="digitize-real-"))
    pages = {rec["doc_id"]: next(args.pages.glob(f"{rec['doc_id']}*.png")) for rec in records}
    truth = {rec["doc_id"]: rec["text"] for rec in records}
    n, mb = len(records), 1024 * 1024
    print(f"{n} real pages, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, jobs="
          f"{args.jobs}, load {load_average()}", flush=True)
    texts: dict[str, dict[str, str]] = {}
    runs: dict[str, tuple[float, float, int]] = {}  # wall, CPU, peak memory per worker

    # digitize: one run over every page, as a desk runs it.
    inbox = work / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    for page in pages.values():
        shutil.copyfile(page, inbox / page.name)
    def ours(out: Path, sample: bool) -> tuple[float, PeakMemory, str]:
        return _timed([str(BIN / "digitize"), "ocr", str(inbox), "--out", str(out), "--jobs",
                       str(args.jobs), "--json"], env=ENV, sample=sample)

    # Plain Tesseract as users run it (its defaults), and the floor: the same model as
    # digitize's pass with orientation detection (--psm 1), the PDF and text it writes.
    extras = {"tesseract": [], "floor": ["--psm", "1", "--dpi", "200", "pdf"]}

    def tesseract(tool: str, folder: Path, sample: bool) -> tuple[float, int, int, float]:
        folder.mkdir()
        return run_parallel([["tesseract", str(p), str(folder / k), "-l", "vie", *extras[tool],
                              "txt"] for k, p in pages.items()], args.jobs, ENV, sample=sample)

    # digitize and the floor timed in turns, `--rounds` times; each tool's memory sampled on a
    # run of its own (common._timed, run_parallel).
    turns = [(ours(work / f"digitize-{r}", False), tesseract("floor", work / f"floor-{r}", False))
             for r in range(max(1, args.rounds))]
    mem = ours(work / "digitize-memory", True)[1]
    made = {Path(d["source"]).name: d for d in json.loads(turns[0][0][2])}
    texts["digitize"] = {k: Path(made[p.name]["text_file"]).read_text(encoding="utf-8")
                         for k, p in pages.items()}
    runs["digitize"] = (statistics.median(t[0][0] for t in turns),
                        statistics.median(t[0][1].cpu for t in turns), mem.worker)
    for tool in extras:
        if tool == "floor":
            wall = statistics.median(t[1][0] for t in turns)
            cpu = statistics.median(t[1][3] for t in turns)
        else:
            wall, _tree, _worker, cpu = tesseract(tool, work / f"{tool}-0", False)
        worker = tesseract(tool, work / f"{tool}-memory", True)[2]
        texts[tool] = {k: (work / f"{tool}-0" / f"{k}.txt").read_text(encoding="utf-8")
                       for k in pages}
        runs[tool] = (wall, cpu, worker)
    print(f"digitize {', '.join(f'{t[0][0]:.2f}' for t in turns)} s; floor "
          f"{', '.join(f'{t[1][0]:.2f}' for t in turns)} s", flush=True)
    ocrmypdf = shutil.which("ocrmypdf", path=str(BIN)) or shutil.which("ocrmypdf")
    if ocrmypdf:
        def theirs(folder: Path) -> list[list[str]]:
            folder.mkdir()
            return [[ocrmypdf, "-q", "-l", "vie", "--image-dpi", "200", "--sidecar",
                     str(folder / f"{k}.txt"), str(p), str(folder / f"{k}.pdf")]
                    for k, p in pages.items()]

        folder = work / "ocrmypdf"
        wall, _tree, _worker, cpu = run_parallel(theirs(folder), args.jobs, ENV, sample=False)
        worker = run_parallel(theirs(work / "ocrmypdf-memory"), args.jobs, ENV)[2]
        texts["OCRmyPDF"] = {k: (folder / f"{k}.txt").read_text(encoding="utf-8")
                             for k in pages}
        runs["OCRmyPDF"] = (wall, cpu, worker)

    tools = list(texts)
    scores = {t: {k: (cer(truth[k], texts[t][k]), cer_any_order(truth[k], texts[t][k]))
                  for k in pages} for t in tools}
    print("CER plain (truth's reading order) / order-insensitive (each truth line against its "
          "best-matching stretch of the output)")
    print("| page | " + " | ".join(f"{t} CER | {t} any order" for t in tools) + " |")
    print("|---" * (1 + 2 * len(tools)) + "|")
    for k in pages:
        print(f"| {k} | " + " | ".join(f"{scores[t][k][0]:.1%} | {scores[t][k][1]:.1%}"
                                       for t in tools) + " |")
    mean = {t: (sum(v[0] for v in scores[t].values()) / n,
                sum(v[1] for v in scores[t].values()) / n) for t in tools}
    print("| **mean** | " + " | ".join(f"**{mean[t][0]:.1%}** | **{mean[t][1]:.1%}**"
                                       for t in tools) + " |")
    print()
    print("| tool | whole run, s | CPU s/page | peak memory per worker (PSS) |")
    print("|---|---|---|---|")
    for t, (wall, cpu, worker) in runs.items():
        print(f"| {t} | {wall:.1f} | {cpu / n:.2f} | {worker / mb:.0f} MB |")
    d = runs["digitize"]
    print()
    for t in tools[1:]:
        print(f"digitize vs {t}: CER {mean['digitize'][0] / max(mean[t][0], 1e-9):.2f}×, "
              f"order-insensitive {mean['digitize'][1] / max(mean[t][1], 1e-9):.2f}×, "
              f"time {d[0] / runs[t][0]:.2f}×, CPU {d[1] / runs[t][1]:.2f}×")
    print(f"time digitize/floor: {d[0] / runs['floor'][0]:.2f}× (target ≤ 1.1×)")
    if "OCRmyPDF" in runs:
        print(f"throughput digitize/OCRmyPDF: {runs['OCRmyPDF'][0] / d[0]:.2f}× (target ≥ 3×, "
              "goal 5×)")
    others = [t for t in tools[1:] if t != "floor"]
    ahead = all(mean["digitize"][0] < mean[t][0] for t in others)
    print(f"target: plain CER ≤ 5% and ahead of the others — "
          f"{'met' if mean['digitize'][0] <= 0.05 and ahead else 'NOT met'}")
    print(f"load at the end: {load_average()}")


if __name__ == "__main__":
    main()
