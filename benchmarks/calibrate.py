"""Fit the extractor's confidence calibration (digitize/extract/calibration.json).

Reads the work folders of earlier `extraction_eval.py` runs (their scans.truth.json and the
hOCR `digitize ocr` wrote), extracts every document again with the raw scores, and fits, per
kind of field (calibration.GROUPS), a non-decreasing step function from raw score to the
observed share of right values (pool-adjacent-violators; every step holds at least --min-bin
observations; counts smoothed as (right + 1) / (n + 2), so a step that never saw an error still
says less than 1). Fit on seeds you do not report: extraction_eval.py on another seed (or the
real pages) measures the result. Work folders of both generators (--corpus ours and other) may
be pooled; calibration.json names each generator with its seeds.

Run: .venv/bin/python benchmarks/calibrate.py WORK... [--min-bin 40] [--write]
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Collection
from datetime import date
from pathlib import Path

from extraction_eval import IGNORED, norm

from digitize.extract import calibration, extract
from digitize.extract.hocr import segments_from_hocr
from digitize.model import Extraction

TARGET = Path(calibration.__file__).with_name("calibration.json")


GENERATORS = {"ours": "benchmarks/eval_corpus.py", "other": "benchmarks/other_corpus.py"}


def corpus_of(work: Path) -> str:
    """Which generator made a work folder (extraction_eval.py --corpus): its corpus.txt, or for
    folders older than that file, its scans' names."""
    marked = work / "corpus.txt"
    if marked.is_file():
        return marked.read_text(encoding="utf-8").strip()
    names = json.loads((work / "scans.truth.json").read_text(encoding="utf-8"))
    return "other" if all(n.startswith("other_") for n in names) else "ours"


def scored(ex: Extraction, truth: dict[str, str], only: Collection[str] | None = None
           ) -> list[tuple[str, float, object, bool]]:
    """(field, raw score, value, right) of each value read (calibrate=False) that a fit
    covers (of the fields `only`, where the truth holds no others): flagged values keep their
    rule's score and are not fitted."""
    seen = []
    for key, value in ex.metadata.items():
        raw = ex.confidence.get(key, 0.0)
        if key in IGNORED or key in calibration.EXACT or raw <= calibration.FLAGGED or (
                only is not None and key not in only):
            continue
        seen.append((key, raw, value, norm(value) == norm(truth.get(key, ""))))
    return seen


def observations(work: Path) -> dict[str, list[tuple[str, float, object, bool]]]:
    """Per document of a generator's work folder, its scored values."""
    corpus = json.loads((work / "scans.truth.json").read_text(encoding="utf-8"))
    seen = {}
    for name, item in corpus.items():
        segs, pages = segments_from_hocr(work / "out" / "scans" / f"{Path(name).stem}.hocr")
        seen[name] = scored(extract(segs, pages, calibrate=False), item["truth"])
    return seen


def fit(points: list[tuple[float, bool]], min_bin: int) -> list[list[float]]:
    """[[upper raw score, probability], ...], increasing in both."""
    points.sort()
    blocks: list[list[float]] = []  # [upper, right, n]
    for raw, ok in points:
        if blocks and blocks[-1][2] < min_bin:
            blocks[-1] = [raw, blocks[-1][1] + ok, blocks[-1][2] + 1]
        else:
            blocks.append([raw, float(ok), 1.0])
    if len(blocks) > 1 and blocks[-1][2] < min_bin:
        last = blocks.pop()
        blocks[-1] = [last[0], blocks[-1][1] + last[1], blocks[-1][2] + last[2]]
    merged: list[list[float]] = []
    for b in blocks:  # pool adjacent violators
        merged.append(b)
        while len(merged) > 1 and (merged[-2][1] + 1) / (merged[-2][2] + 2) >= \
                (merged[-1][1] + 1) / (merged[-1][2] + 2):
            top = merged.pop()
            merged[-1] = [top[0], merged[-1][1] + top[1], merged[-1][2] + top[2]]
    steps = [[round(u, 4), round((r + 1) / (n + 2), 4)] for u, r, n in merged]
    steps[-1][0] = 1.0
    return steps


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", type=Path, nargs="+")
    ap.add_argument("--min-bin", type=int, default=40)
    ap.add_argument("--write", action="store_true", help=f"write {TARGET}")
    args = ap.parse_args()
    by_group: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    seeds: dict[str, list[str]] = defaultdict(list)
    for work in args.work:
        seeds[corpus_of(work)].append((work / "seed.txt").read_text(encoding="utf-8").strip())
        for values in observations(work).values():
            for key, raw, _value, ok in values:
                by_group[calibration.group(key)].append((raw, ok))
    on = "; ".join(f"{GENERATORS[c]} seeds {','.join(s)}" for c, s in sorted(seeds.items()))
    table = {"fitted": {"on": on, "date": date.today().isoformat()},
             "groups": {g: fit(points, args.min_bin) for g, points in sorted(by_group.items())}}
    for g, steps in table["groups"].items():
        n = len(by_group[g])
        wrong = sum(not ok for _, ok in by_group[g])
        print(f"{g:<8} n={n:<5} wrong={wrong:<4} steps: " +
              "  ".join(f"≤{u:.2f}→{p:.3f}" for u, p in steps))
    if args.write:
        TARGET.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
        print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
