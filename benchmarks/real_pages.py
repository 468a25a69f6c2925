#!/usr/bin/env python3
"""OCR of real government pages (`../shared/real/gov-pages/`: five page-1 scans with
human-verified text): character error rate and time per page for `digitize ocr`, plain
Tesseract (`tesseract PAGE - -l vie`, its defaults) and OCRmyPDF (when installed), each run as
a user runs it, on the same PNGs. Two error rates, both after NFC and folding runs of white
space: plain CER = Levenshtein distance / length of the truth, in the truth's reading order
(header columns read across, or stamp text read into the page, cost); order-insensitive CER =
the sum over the truth's lines of each line's distance to its best-matching stretch of the
output (any start, any end) / the lines' length: what was read, whatever the order.

    .venv/bin/python benchmarks/real_pages.py [--pages DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BIN, ROOT, _norm

PAGES = ROOT.parent / "shared" / "real" / "gov-pages"
ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def cer(truth: str, got: str) -> float:
    t, g = _norm(truth), _norm(got)
    return Levenshtein.distance(t, g) / max(1, len(t))


def _stretch_distance(line: str, text: np.ndarray) -> int:
    """The least edit distance between `line` and any stretch of `text` (code points): the
    semi-global alignment, one row of the table per character of `line`, with the insertions
    along a row as a running minimum (D[j] = j + min over k <= j of E[k] - k)."""
    n = len(text)
    row = np.zeros(n + 1, dtype=np.int64)  # a stretch may start anywhere
    index = np.arange(n + 1, dtype=np.int64)
    for i, ch in enumerate(line, start=1):
        best = np.empty(n + 1, dtype=np.int64)
        best[0] = i
        best[1:] = np.minimum(row[:-1] + (text != ord(ch)), row[1:] + 1)
        row = index + np.minimum.accumulate(best - index)
    return int(row.min())


def cer_any_order(truth: str, got: str) -> float:
    """Each truth line against its best-matching stretch of the output, summed over the lines,
    divided by their length."""
    text = np.frombuffer(_norm(got).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lines = [ln for ln in (_norm(x) for x in truth.splitlines()) if ln]
    return sum(_stretch_distance(ln, text) for ln in lines) / max(1, sum(map(len, lines)))


def _scores(truth: str, got: str, secs: float) -> tuple[float, float, float]:
    return cer(truth, got), cer_any_order(truth, got), secs


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=ENV, check=False)
    if res.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[0]} failed: {res.stderr[-800:]}")
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=Path, default=PAGES)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    records = [json.loads(line) for line in (args.pages / "truth.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="digitize-real-"))
    rows: list[tuple[str, dict[str, tuple[float, float, float]]]] = []
    ocrmypdf = shutil.which("ocrmypdf", path=str(BIN)) or shutil.which("ocrmypdf")
    for rec in records:
        page = next(args.pages.glob(f"{rec['doc_id']}*.png"))
        truth = rec["text"]
        got: dict[str, tuple[float, float, float]] = {}
        folder = work / rec["doc_id"]
        (folder / "in").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, folder / "in" / page.name)
        out = folder / "digitize"
        secs = _timed([str(BIN / "digitize"), "ocr", str(folder / "in"), "--out", str(out),
                       "--jobs", "1"])
        got["digitize"] = _scores(truth, next(out.rglob("*.txt")).read_text(encoding="utf-8"),
                                  secs)
        secs = _timed(["tesseract", str(page), str(folder / "tesseract"), "-l", "vie"])
        got["tesseract"] = _scores(truth, (folder / "tesseract.txt").read_text(
            encoding="utf-8"), secs)
        if ocrmypdf:
            secs = _timed([ocrmypdf, "-q", "-l", "vie", "--image-dpi", "200", "--sidecar",
                           str(folder / "ocrmypdf.txt"), str(page), str(folder / "o.pdf")])
            got["OCRmyPDF"] = _scores(truth, (folder / "ocrmypdf.txt").read_text(
                encoding="utf-8"), secs)
        rows.append((rec["doc_id"], got))
        print(rec["doc_id"], {k: f"{c:.1%} / {a:.1%} {s:.1f}s" for k, (c, a, s) in got.items()},
              flush=True)
    tools = list(rows[0][1])
    print(f"\n{len(rows)} real pages, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          "one process at a time; CER plain (truth's reading order) / order-insensitive "
          "(each truth line against its best-matching stretch of the output)")
    print("| page | " + " | ".join(f"{t} CER | {t} any order | {t} s" for t in tools) + " |")
    print("|---" * (1 + 3 * len(tools)) + "|")
    for doc_id, got in rows:
        print(f"| {doc_id} | " + " | ".join(
            f"{got[t][0]:.1%} | {got[t][1]:.1%} | {got[t][2]:.1f}" for t in tools) + " |")
    mean = {t: tuple(sum(g[t][k] for _, g in rows) / len(rows) for k in range(3))
            for t in tools}
    print("| **mean** | " + " | ".join(
        f"**{mean[t][0]:.1%}** | **{mean[t][1]:.1%}** | {mean[t][2]:.1f}" for t in tools) + " |")
    for t in tools[1:]:
        print(f"digitize vs {t}: CER {mean['digitize'][0] / max(mean[t][0], 1e-9):.2f}×, "
              f"order-insensitive {mean['digitize'][1] / max(mean[t][1], 1e-9):.2f}×, "
              f"time {mean['digitize'][2] / max(mean[t][2], 1e-9):.2f}×")
    ahead = all(mean["digitize"][0] < mean[t][0] for t in tools[1:])
    print(f"target: plain CER ≤ 5% and ahead of the others — "
          f"{'met' if mean['digitize'][0] <= 0.05 and ahead else 'NOT met'}")


if __name__ == "__main__":
    main()
