#!/usr/bin/env python3
"""OCR of real government pages (`../shared/real/gov-pages/`: five page-1 scans with
human-verified text): character error rate and time per page for `digitize ocr`, plain
Tesseract (`tesseract PAGE - -l vie`, its defaults) and OCRmyPDF (when installed), each run as
a user runs it, on the same PNGs. CER = Levenshtein distance / length of the truth, after NFC
and folding runs of white space (reading order counts: merged header columns cost).

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

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import BIN, ROOT, _norm

PAGES = ROOT.parent / "shared" / "real" / "gov-pages"
ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def cer(truth: str, got: str) -> float:
    t, g = _norm(truth), _norm(got)
    return Levenshtein.distance(t, g) / max(1, len(t))


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
    rows: list[tuple[str, dict[str, tuple[float, float]]]] = []
    ocrmypdf = shutil.which("ocrmypdf", path=str(BIN)) or shutil.which("ocrmypdf")
    for rec in records:
        page = next(args.pages.glob(f"{rec['doc_id']}*.png"))
        got: dict[str, tuple[float, float]] = {}
        folder = work / rec["doc_id"]
        (folder / "in").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, folder / "in" / page.name)
        out = folder / "digitize"
        secs = _timed([str(BIN / "digitize"), "ocr", str(folder / "in"), "--out", str(out),
                       "--jobs", "1"])
        text = next(out.rglob("*.txt")).read_text(encoding="utf-8")
        got["digitize"] = (cer(rec["text"], text), secs)
        secs = _timed(["tesseract", str(page), str(folder / "tesseract"), "-l", "vie"])
        got["tesseract"] = (cer(rec["text"], (folder / "tesseract.txt").read_text(
            encoding="utf-8")), secs)
        if ocrmypdf:
            secs = _timed([ocrmypdf, "-q", "-l", "vie", "--image-dpi", "200", "--sidecar",
                           str(folder / "ocrmypdf.txt"), str(page), str(folder / "o.pdf")])
            got["OCRmyPDF"] = (cer(rec["text"], (folder / "ocrmypdf.txt").read_text(
                encoding="utf-8")), secs)
        rows.append((rec["doc_id"], got))
        print(rec["doc_id"], {k: f"{c:.1%} {s:.1f}s" for k, (c, s) in got.items()}, flush=True)
    tools = list(rows[0][1])
    print(f"\n{len(rows)} real pages, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          "one process at a time")
    print("| page | " + " | ".join(f"{t} CER | {t} s" for t in tools) + " |")
    print("|---" * (1 + 2 * len(tools)) + "|")
    for doc_id, got in rows:
        print(f"| {doc_id} | " + " | ".join(f"{got[t][0]:.1%} | {got[t][1]:.1f}" for t in tools)
              + " |")
    mean = {t: (sum(g[t][0] for _, g in rows) / len(rows), sum(g[t][1] for _, g in rows)
                / len(rows)) for t in tools}
    print("| **mean** | " + " | ".join(f"**{mean[t][0]:.1%}** | {mean[t][1]:.1f}" for t in tools)
          + " |")
    for t in tools[1:]:
        print(f"digitize vs {t}: CER {mean['digitize'][0] / max(mean[t][0], 1e-9):.2f}×, "
              f"time {mean['digitize'][1] / max(mean[t][1], 1e-9):.2f}×")
    print(f"target: mean CER ≤ 8% — {'met' if mean['digitize'][0] <= 0.08 else 'NOT met'}")


if __name__ == "__main__":
    main()
