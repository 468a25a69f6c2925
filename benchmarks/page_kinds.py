#!/usr/bin/env python3
"""Character error rate per kind of page, on pages of the independent generator
(benchmarks/other_corpus.py: red seals over the signature, red "ĐẾN" stamps, numbers and days
written into the blanks in blue, three faces, 200-300 dpi), for `digitize ocr` and plain
Tesseract (`tesseract PAGE - -l vie`, its defaults) on the same JPEGs.

The truth is every line of text the generator drew in black or blue. Each line's error is
its Levenshtein distance to the closest stretch of the page's OCR text, so reading order and
merged header columns do not count here (benchmarks/real_pages.py measures them on real
pages); a line not read at all counts whole. CER = the sum of those distances / the truth's
characters, after NFC and folding runs of white space. Pages are grouped by what is on them:
seal, stamp, handwriting, face, resolution.

    .venv/bin/python benchmarks/page_kinds.py [--n 40] [--seed 11] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import other_corpus
from common import BIN, _norm

ENV = dict(os.environ, OMP_THREAD_LIMIT="1")


def line_distance(line: str, text: str) -> int:
    """Levenshtein distance from `line` to its closest stretch of `text` (free start and end
    in `text`)."""
    prev = [0] * (len(text) + 1)
    for i, ch in enumerate(line, start=1):
        cur = [i] + [0] * len(text)
        for j, tc in enumerate(text, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ch != tc))
        prev = cur
    return min(prev)


def page_errors(lines: list[str], text: str) -> tuple[int, int]:
    got = _norm(text)
    wanted = [_norm(t) for t in lines if _norm(t)]
    return sum(line_distance(t, got) for t in wanted), sum(len(t) for t in wanted)


def kinds(variant: dict[str, object]) -> list[str]:
    hand = "hand" in (variant["number"], variant["date"])
    return ["all pages", "seal over the signature" if variant["seal"] else "no seal",
            "ĐẾN stamp" if variant["stamp"] else "no stamp",
            "number or day by hand (blue)" if hand else "nothing by hand",
            f"face: {variant['face']}", f"{variant['dpi']} dpi"]


GROUPS = ("all", "seal", "no seal", "ĐẾN", "no stamp", "number", "nothing", "face", "")


def _order(item: tuple[str, list[int]]) -> tuple[int, str]:
    kind = item[0]
    return next(i for i, g in enumerate(GROUPS) if kind.startswith(g)), kind


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--work", type=Path, default=None)
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="digitize-kinds-"))
    scans = work / "scans"
    made = other_corpus.make(scans, args.n, args.seed)
    start = time.perf_counter()
    res = subprocess.run([str(BIN / "digitize"), "ocr", str(scans), "--out", str(work / "out"),
                          "--json"], capture_output=True, text=True, env=ENV, check=False)
    ours_s = time.perf_counter() - start
    if res.returncode not in (0, 1):
        raise SystemExit(f"digitize ocr failed: {res.stderr[-800:]}")
    texts = {Path(d["source"]).name: Path(d["text_file"]).read_text(encoding="utf-8")
             for d in json.loads(res.stdout)}
    plain: dict[str, str] = {}
    start = time.perf_counter()
    for name in made:
        out = subprocess.run(["tesseract", str(scans / name), "-", "-l", "vie"],
                             capture_output=True, text=True, env=ENV, check=True)
        plain[name] = out.stdout
    plain_s = time.perf_counter() - start
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # ours err, plain err, n
    for name, page in made.items():
        ours_err, size = page_errors(page["lines"], texts[name])
        plain_err, _ = page_errors(page["lines"], plain[name])
        for kind in kinds(page["variant"]):
            t = totals[kind]
            t[0] += ours_err
            t[1] += plain_err
            t[2] += size
            t[3] += 1
    print(f"{args.n} pages of benchmarks/other_corpus.py, seed {args.seed}, "
          f"{time.strftime('%Y-%m-%d')}\n")
    print(f"{'kind of page':36}{'pages':>6}{'digitize':>10}{'Tesseract':>11}{'ratio':>8}")
    for kind, (ours_err, plain_err, size, pages) in sorted(totals.items(), key=_order):
        ours, tess = ours_err / max(1, size), plain_err / max(1, size)
        print(f"{kind:36}{pages:>6}{ours:>10.1%}{tess:>11.1%}"
              f"{ours / tess if tess else float('nan'):>8.2f}")
    print(f"\ntime: digitize ocr {ours_s:.1f} s for the batch (2 pages at a time), plain "
          f"Tesseract {plain_s:.1f} s one page after another ({ours_s / args.n:.2f} and "
          f"{plain_s / args.n:.2f} s per page)")
    print(f"work folder: {work}")


if __name__ == "__main__":
    main()
