"""Metadata extraction accuracy on a varied synthetic corpus (benchmarks/eval_corpus.py).

Generates N scans (default 200), runs `digitize ocr` on them (the real pipeline: Tesseract,
orientation, deskew), reads each document's metadata again from its hOCR with the library
(the same words and confidences the run used), and prints per-field exact match after
normalisation, document-type accuracy, the share flagged needs_review, and wrong-but-confident
fields (a wrong value with confidence at or above the review threshold).

Targets (issue 5): >= 97% field exact match overall, >= 99% document type, wrong-but-confident
<= 1%.

Run: .venv/bin/python benchmarks/extraction_eval.py [--n 200] [--work DIR] [--seed S]
     [--reuse]  (--reuse keeps the OCR output of an earlier run in DIR and only re-extracts)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import eval_corpus
from common import BIN

from digitize.config import ExtractConfig
from digitize.extract import extract
from digitize.extract.hocr import segments_from_hocr

IGNORED = {"page_count", "language"}


def norm(value: object) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--show", type=int, default=25, help="print this many wrong fields")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="digitize-eval-"))
    scans, out = work / "scans", work / "out"
    threshold = ExtractConfig().min_field_confidence
    if not (args.reuse and (work / "scans.truth.json").is_file()):
        shutil.rmtree(scans, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        t0 = time.perf_counter()
        eval_corpus.make(scans, args.n, args.seed)
        (work / "seed.txt").write_text(str(args.seed), encoding="utf-8")
        print(f"generated {args.n} scans in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        t0 = time.perf_counter()
        res = subprocess.run([str(BIN / "digitize"), "ocr", str(scans), "--out", str(out),
                              "--json"], capture_output=True, text=True, check=False)
        if res.returncode not in (0, 1):
            raise SystemExit(f"digitize ocr failed: {res.stderr[-2000:]}")
        print(f"OCR of {args.n} scans in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    corpus = json.loads((work / "scans.truth.json").read_text(encoding="utf-8"))
    seed_file = work / "seed.txt"
    seed = seed_file.read_text(encoding="utf-8") if seed_file.is_file() else "unknown"

    hits: Counter[str] = Counter()
    total: Counter[str] = Counter()
    confident_wrong = fields = review = type_ok = kind_ok = 0
    wrong: list[str] = []
    by_variant: dict[str, Counter[str]] = defaultdict(Counter)
    for name, item in corpus.items():
        truth = item["truth"]
        hocr = out / "scans" / f"{Path(name).stem}.hocr"
        segs, pages = segments_from_hocr(hocr)
        ex = extract(segs, pages, threshold)
        review += bool(ex.review)
        kind_ok += ex.doc_kind.value == truth["doc_kind"]
        got_type = (ex.doc_kind.value, ex.metadata.get("doc_type_name"))
        type_ok += got_type == (truth["doc_kind"], truth["doc_type_name"])
        keys = set(truth) - {"doc_kind"} | (set(ex.metadata) - IGNORED)
        for key in sorted(keys):
            fields += 1
            total[key] += 1
            ok = norm(ex.metadata.get(key, "")) == norm(truth.get(key, ""))
            hits[key] += ok
            v = item["variant"]
            by_variant[f"{v['dpi']} dpi"][("ok" if ok else "wrong")] += 1
            if not ok:
                conf = ex.confidence.get(key, 0.0)
                if key in ex.metadata and conf >= threshold and key not in ex.review:
                    confident_wrong += 1
                wrong.append(f"{name} {key}: got {ex.metadata.get(key)!r} want "
                             f"{truth.get(key)!r} (conf {conf:.2f})")
    n = len(corpus)
    print(f"\nExtraction on {n} synthetic scans (seed {seed}), review threshold "
          f"{threshold}\n")
    print(f"{'field':<18}{'exact':>8}{'n':>6}")
    for key in sorted(total, key=lambda k: hits[k] / total[k]):
        print(f"{key:<18}{hits[key] / total[key]:>8.1%}{total[key]:>6}")
    overall = sum(hits.values()) / max(1, fields)
    print(f"\n{'all fields':<18}{overall:>8.1%}{fields:>6}   target >= 97%")
    print(f"{'document type':<18}{type_ok / n:>8.1%}{n:>6}   target >= 99%")
    print(f"{'doc_kind':<18}{kind_ok / n:>8.1%}{n:>6}")
    print(f"{'needs_review':<18}{review / n:>8.1%}{n:>6}")
    print(f"{'wrong, confident':<18}{confident_wrong / max(1, fields):>8.1%}{fields:>6}"
          "   target <= 1%")
    for name, c in sorted(by_variant.items()):
        print(f"  {name:<10} {c['ok'] / (c['ok'] + c['wrong']):.1%} of {c['ok'] + c['wrong']}")
    for line in wrong[: args.show]:
        print("  ", line)
    print(f"\nwork folder: {work}")


if __name__ == "__main__":
    main()
