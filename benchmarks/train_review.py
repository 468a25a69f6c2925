"""Train the review model (digitize/extract/review_model.json) from labelled observations.

Two steps, as scikit-learn's own examples keep data and the command that fits on it apart:

  collect  reads the work folders of earlier `extraction_eval.py` runs (both generators'
           scans with their truth, and the real documents of ../shared/real/qng with their gold
           metadata), reads every document again with raw scores, and writes one labelled
           observation per value to benchmarks/data/review_observations.jsonl: the document,
           the field, the features the model sees (reviewmodel.FEATURES) and whether the value
           was right. No text of a document is kept.
  fit      (the default) fits one logistic regression per kind of field on that file, with
           the fixed SEED, and prints it; --write writes review_model.json, --check fails
           where the shipped file differs from a fit made now.

`fit_model` is what extraction_eval.py --real calls per fold, so that no real document is read
with a model that was trained on it.

Run: .venv/bin/python benchmarks/train_review.py collect WORK... [--qng WORK]
     .venv/bin/python benchmarks/train_review.py [fit] [--write | --check]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from calibrate import corpus_of, observations, scored
from common import ROOT, check_or_write

from digitize.extract import calibration, extract
from digitize.extract.hocr import segments_from_hocr
from digitize.extract.reviewmodel import FEATURES, GroupFit, ReviewModel, features

sys.path.insert(0, str(ROOT))
from tests.realtruth import QNG_FIELDS, qng_truth

DATA = ROOT / "benchmarks" / "data" / "review_observations.jsonl"
TARGET = ROOT / "digitize" / "extract" / "review_model.json"
QNG = ROOT.parent / "shared" / "real" / "qng"
SEED = 20261204
C = 10.0  # weak regularisation: a few hundred values a group, errors among them rare
MIN_GROUP = 30  # fewer observations than this: the group keeps the isotonic calibration
Observation = dict[str, object]


def rows_of(source: str, values: Iterable[tuple[str, float, object, bool]]) -> list[Observation]:
    return [{"doc": source, "field": key, "group": calibration.group(key),
             "x": [round(v, 4) for v in features(key, raw, value)], "right": ok}
            for key, raw, value, ok in values]


def qng_observations(folder: Path, hocr_of: Callable[[str], Path]
                     ) -> dict[str, list[tuple[str, float, object, bool]]]:
    """Per real document, its scored values (the fields its gold metadata holds), read from
    the hOCR `hocr_of` names for its file."""
    seen = {}
    for name, rec in sorted(qng_truth(folder).items()):
        segs, pages = segments_from_hocr(hocr_of(name))
        fields = rec["fields"]
        assert isinstance(fields, dict)
        truth = {k: v for k, v in fields.items() if k in QNG_FIELDS}
        seen[f"qng:{name}"] = scored(extract(segs, pages, calibrate=False), truth, QNG_FIELDS)
    return seen


def hocr_path(out: Path, name: str) -> Path:
    """Where extraction_eval.py --real leaves a qng file's hOCR: the OCR of its fold."""
    return next(out.glob(f"fold*/{QNG.name}/{Path(name).stem}.hocr"), out / QNG.name /
                f"{Path(name).stem}.hocr")


def collect(works: list[Path], qng_work: Path | None) -> list[Observation]:
    rows: list[Observation] = []
    for work in works:
        tag = f"{corpus_of(work)}:{(work / 'seed.txt').read_text(encoding='utf-8').strip()}"
        for name, values in sorted(observations(work).items()):
            rows += rows_of(f"{tag}:{name}", values)
    if qng_work is not None:
        out = qng_work / "qng"
        for name, values in qng_observations(
                QNG, lambda n: hocr_path(out, n)).items():
            rows += rows_of(name, values)
    return rows


def fit_model(rows: Iterable[Observation], about: Mapping[str, object] | None = None
              ) -> ReviewModel:
    """One logistic regression per group (scikit-learn, lbfgs, SEED); a group whose values
    were all right or all wrong gets its smoothed share as a constant."""
    from sklearn.linear_model import LogisticRegression

    by_group: dict[str, tuple[list[list[float]], list[int]]] = defaultdict(lambda: ([], []))
    for row in rows:
        xs, ys = by_group[str(row["group"])]
        xs.append([float(v) for v in row["x"]])  # type: ignore[attr-defined]
        ys.append(int(bool(row["right"])))
    groups: dict[str, GroupFit] = {}
    for group, (xs, ys) in sorted(by_group.items()):
        if len(ys) < MIN_GROUP:
            continue
        if len(set(ys)) < 2:
            share = (sum(ys) + 1) / (len(ys) + 2)
            groups[group] = GroupFit((0.0,) * len(FEATURES), _logit(share))
            continue
        lr = LogisticRegression(C=C, random_state=SEED, max_iter=1000).fit(xs, ys)
        groups[group] = GroupFit(tuple(float(c) for c in lr.coef_[0]), float(lr.intercept_[0]))
    return ReviewModel(groups, dict(about or {}))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def load(path: Path = DATA) -> list[Observation]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def sources(rows: Iterable[Observation]) -> str:
    tags = sorted({":".join(str(r["doc"]).split(":")[:2]) if not str(r["doc"]).startswith(
        "qng:") else "qng" for r in rows})
    return ", ".join(tags)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", nargs="?", choices=("collect", "fit"), default="fit")
    ap.add_argument("work", type=Path, nargs="*", help="collect: generator work folders")
    ap.add_argument("--qng", type=Path, default=None,
                    help="collect: the work folder of extraction_eval.py --real (its qng/)")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.step == "collect":
        rows = collect(args.work, args.qng)
        DATA.parent.mkdir(parents=True, exist_ok=True)
        DATA.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                        encoding="utf-8")
        print(f"wrote {len(rows)} observations to {DATA}")
        return
    rows = load()
    model = fit_model(rows, {"on": sources(rows), "observations": len(rows), "seed": SEED})
    for group, fit in sorted(model.groups.items()):
        n = sum(r["group"] == group for r in rows)
        wrong = sum(r["group"] == group and not r["right"] for r in rows)
        print(f"{group:<8} n={n:<5} wrong={wrong:<4} coef {fit.coef} intercept "
              f"{fit.intercept:.3f}")
    check_or_write(model.to_json(), TARGET, DATA, args.check, TARGET if args.write else None)

if __name__ == "__main__":
    main()
