"""Metadata extraction accuracy, review and wrong-but-not-reviewed, per field.

On a varied synthetic corpus (benchmarks/eval_corpus.py, or with --corpus other the
independent benchmarks/other_corpus.py; --n scans, --seed) and, with --real, on the real
provincial documents of ../shared/real/qng (their gold metadata; read 6-fold, each document
with a review model trained without it, and a pen's day that its signature confirms trusted at
the probability the other folds' pen readings give (signed.py); by kind of file, handwritten
numbers and days apart; --per-doc lists what each document sends to review)
and the real government pages (../shared/real/gov-pages: type, number, symbol and issuer from
its truth.jsonl; the Hà Nội pages' blank number must come out empty). Runs `digitize ocr` on
them (the real pipeline), reads each document's metadata again from its hOCR with the library
(the same words and confidences the run used) and prints, per field: exact match after
normalisation, the share sent to review (missing where required, or a confidence under the
review threshold), the share wrong and not sent to review (a value the clerk is never asked
about), and the share missing and not asked for (an optional field left empty). --plot
draws the reliability diagram (predicted confidence against observed accuracy, 10 bins) as a
PNG.

The confidences are calibrated (digitize/extract/calibration.json, fitted by
benchmarks/calibrate.py on the seeds it names): report only seeds the fit did not use.

Targets (issue 18): on a held-back seed >= 98 % of fields right and <= 0.5 % wrong-but-not-
reviewed; on the real pages >= 90 % right and none wrong-but-not-reviewed. Issue 36 on qng:
printed fields >= 95 % right, handwritten numbers and days >= 60 %, <= 1 % of all fields wrong
and not reviewed, >= 30 % of documents with nothing to review.

Run: .venv/bin/python benchmarks/extraction_eval.py [--n 200] [--seed S] [--work DIR]
     [--reuse] [--real [DIR]] [--plot FILE.png]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import eval_corpus
import other_corpus
from common import BIN, ROOT
from PIL import Image, ImageDraw, ImageFont

from digitize.config import ExtractConfig
from digitize.extract import extract
from digitize.extract.calibration import fitted_on
from digitize.extract.hocr import segments_from_hocr
from digitize.extract.layout import Segment
from digitize.extract.signed import dated_by_signature, signed_day_probability, signing_days
from digitize.extract.twice import (
    NEVER,
    PEN_SURE,
    Agreement,
    Reading,
    agreed,
    pen_score,
    read_twice,
)
from digitize.model import Extraction
from digitize.validation.verify import verify_pdf

sys.path.insert(0, str(ROOT))
from tests.realtruth import QNG_FIELDS, qng_truth, real_truth

IGNORED = {"page_count", "language"}
GOV = ROOT.parent / "shared" / "real" / "gov-pages"
QNG = ROOT.parent / "shared" / "real" / "qng"
FOLDS = 6  # k-fold over qng: no real document is read by a model trained on it
# The old and the new place of a tone mark ("UỶ"/"ỦY", "HOÀ"/"HÒA") spell one word: the truth
# keeps what each page printed, the reader the vocabularies' spelling.
_OLD_TONES = {"UỶ": "ỦY", "Uỷ": "Ủy", "uỷ": "ủy", "HOÀ": "HÒA", "Hoà": "Hòa", "hoà": "hòa",
              "HOÁ": "HÓA", "hoá": "hóa", "Hoá": "Hóa", "THUỶ": "THỦY", "thuỷ": "thủy",
              "khoẻ": "khỏe", "KHOẺ": "KHỎE"}
_OLD = re.compile("|".join(map(re.escape, _OLD_TONES)))


def norm(value: object) -> str:
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(value))).strip()
    return _OLD.sub(lambda m: _OLD_TONES[m.group(0)], text)


@dataclass
class Tally:
    right: Counter[str] = field(default_factory=Counter)
    reviewed: Counter[str] = field(default_factory=Counter)
    wrong_unreviewed: Counter[str] = field(default_factory=Counter)  # a value given, wrong
    missing_unreviewed: Counter[str] = field(default_factory=Counter)  # none given, none asked
    total: Counter[str] = field(default_factory=Counter)
    points: list[tuple[float, bool]] = field(default_factory=list)  # (confidence, right)
    wrong: list[str] = field(default_factory=list)
    # Per document, what it sends to review: each field, right (✓) or not (✗), its confidence.
    sent: list[str] = field(default_factory=list)
    docs_reviewed: int = 0
    docs: int = 0
    # A pen's number and day (qng): read right, sent to review, wrong and not sent.
    hand: Counter[str] = field(default_factory=Counter)
    printed: Counter[str] = field(default_factory=Counter)  # every other field, by kind

    def add(self, name: str, truth: dict[str, str], ex: Extraction, keys: set[str],
            hand: Sequence[str] = ()) -> None:
        for key in keys:
            ok = norm(ex.metadata.get(key, "")) == norm(truth.get(key, ""))
            if key in hand:
                self.hand["right" if ok else "review" if key in ex.review else "wrong"] += 1
                self.hand["trusted"] += ok and key not in ex.review
            else:
                self.printed["right" if ok else "wrong"] += 1
        self.docs += 1
        self.docs_reviewed += bool(ex.review)
        self.sent.append(f"{name}: " + ("; ".join(
            f"{k} {'✓' if norm(ex.metadata.get(k, '')) == norm(truth.get(k, '')) else '✗'} "
            f"{ex.confidence.get(k, 0.0):.2f}" for k in sorted(keys) if k in ex.review)
            or "nothing to review"))
        for key in sorted(keys):
            got = ex.metadata.get(key, "")
            ok = norm(got) == norm(truth.get(key, ""))
            sent = key in ex.review
            self.total[key] += 1
            self.right[key] += ok
            self.reviewed[key] += sent
            if key in ex.metadata:
                self.points.append((ex.confidence.get(key, 0.0), ok))
            if not ok and not sent:
                (self.wrong_unreviewed if key in ex.metadata else self.missing_unreviewed)[
                    key] += 1
            if not ok:
                self.wrong.append(f"{name} {key}: got {got!r} want {truth.get(key)!r} "
                                  f"(conf {ex.confidence.get(key, 0.0):.2f}"
                                  f"{', reviewed' if sent else ', NOT REVIEWED'})")

    def print(self, title: str, show: int, per_doc: bool = False) -> None:
        print(f"\n{title}\n")
        print(f"{'field':<18}{'right':>8}{'review':>8}{'wrong, not reviewed':>21}"
              f"{'missing, not asked':>20}{'n':>6}")
        for key in sorted(self.total, key=lambda k: self.right[k] / self.total[k]):
            n = self.total[key]
            print(f"{key:<18}{self.right[key] / n:>8.1%}{self.reviewed[key] / n:>8.1%}"
                  f"{self.wrong_unreviewed[key] / n:>21.1%}"
                  f"{self.missing_unreviewed[key] / n:>20.1%}{n:>6}")
        n = max(1, sum(self.total.values()))
        print(f"\n{'all fields':<18}{sum(self.right.values()) / n:>8.1%}"
              f"{sum(self.reviewed.values()) / n:>8.1%}"
              f"{sum(self.wrong_unreviewed.values()) / n:>21.2%}"
              f"{sum(self.missing_unreviewed.values()) / n:>20.2%}{n:>6}")
        print(f"documents with something to review: {self.docs_reviewed} of {self.docs} "
              f"(nothing to review: {self.docs - self.docs_reviewed})")
        if self.hand:
            n = sum(self.printed.values())
            print(f"printed fields (all but the handwritten numbers and days): "
                  f"{self.printed['right'] / n:.1%} right (n={n})")
            n = self.hand["right"] + self.hand["review"] + self.hand["wrong"]
            print(f"handwritten numbers and dates: {self.hand['right'] / n:.1%} read right "
                  f"({self.hand['trusted'] / n:.1%} right and not sent to review), "
                  f"{self.hand['review'] / n:.1%} wrong or missing and sent to review, "
                  f"{self.hand['wrong'] / n:.1%} wrong and not sent (n={n})")
        for line in self.wrong[:show]:
            print("  ", line)
        if per_doc:
            print("sent to review, per document (✓ right, ✗ wrong; confidence):")
            for line in self.sent:
                print("  ", line)


def plot(points: list[tuple[float, bool]], target: Path, title: str) -> None:
    """Reliability diagram: per bin of predicted confidence, the observed share right."""
    size, pad = 520, 60
    img = Image.new("RGB", (size, size), "white")
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default()
    x = lambda v: pad + v * (size - 2 * pad)  # noqa: E731
    y = lambda v: size - pad - v * (size - 2 * pad)  # noqa: E731
    d.rectangle([x(0), y(1), x(1), y(0)], outline="black")
    d.line([x(0), y(0), x(1), y(1)], fill=(160, 160, 160))
    for t in range(0, 11, 2):
        d.text((x(t / 10) - 8, y(0) + 6), f"{t / 10:.1f}", fill="black", font=font)
        d.text((x(0) - 30, y(t / 10) - 6), f"{t / 10:.1f}", fill="black", font=font)
    d.text((x(0.25), y(0) + 24), "predicted confidence", fill="black", font=font)
    d.text((pad, 16), title, fill="black", font=font)
    d.text((8, y(0.55)), "right", fill="black", font=font)
    bins: dict[int, list[bool]] = defaultdict(list)
    for conf, ok in points:
        bins[min(9, int(conf * 10))].append(ok)
    for b, oks in sorted(bins.items()):
        acc = sum(oks) / len(oks)
        cx, cy = x((b + 0.5) / 10), y(acc)
        r = 3 + min(9, len(oks) ** 0.5 / 2)
        d.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(40, 90, 200))
        d.text((cx + r + 2, cy - 6), str(len(oks)), fill=(40, 90, 200), font=font)
    img.save(target)


def _ocr(scans: Path, out: Path, env: dict[str, str] | None = None) -> None:
    t0 = time.perf_counter()
    res = subprocess.run([str(BIN / "digitize"), "ocr", str(scans), "--out", str(out),
                          "--json"], capture_output=True, text=True, check=False,
                         env={**os.environ, **(env or {})})
    if res.returncode not in (0, 1):
        raise SystemExit(f"digitize ocr failed: {res.stderr[-2000:]}")
    print(f"OCR of {scans} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)


CORPORA = {"ours": eval_corpus, "other": other_corpus}


def synthetic(work: Path, n: int, seed: int, reuse: bool, threshold: float,
              corpus_name: str) -> Tally:
    scans, out = work / "scans", work / "out"
    if not (reuse and (work / "scans.truth.json").is_file()):
        shutil.rmtree(scans, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        CORPORA[corpus_name].make(scans, n, seed)
        (work / "seed.txt").write_text(str(seed), encoding="utf-8")
        (work / "corpus.txt").write_text(corpus_name, encoding="utf-8")
        _ocr(scans, out)
    corpus = json.loads((work / "scans.truth.json").read_text(encoding="utf-8"))
    tally = Tally()
    for name, item in corpus.items():
        truth = item["truth"]
        segs, pages = segments_from_hocr(out / "scans" / f"{Path(name).stem}.hocr")
        ex = extract(segs, pages, threshold)
        tally.add(name, truth, ex, set(truth) - {"doc_kind"} | (set(ex.metadata) - IGNORED))
    return tally


def real(pages: Path, work: Path, threshold: float) -> Tally:
    out = work / "real"
    if not out.is_dir():
        _ocr(pages, out)
    tally = Tally()
    for doc_id, truth in sorted(real_truth(pages).items()):
        segs, n = segments_from_hocr(out / pages.name / f"{doc_id}_p1.hocr")
        ex = extract(segs, n, threshold)
        tally.add(doc_id, truth, ex, set(truth))
    return tally


def pen_readings(ex: Extraction, segs: Sequence[Segment], rec: dict[str, object]
                 ) -> list[Reading]:
    """A real document's handwritten number and day as the handwriting model read them: right
    or not, sure (twice.PEN_SURE) or not, and whether the second reader agreed."""
    fields = rec["fields"]
    assert isinstance(fields, dict)
    out = []
    for key in rec["handwritten"]:  # type: ignore[attr-defined]
        score = pen_score(ex, key, segs)
        if score is not None:
            out.append(Reading(norm(ex.metadata.get(key, "")) == norm(fields.get(key, "")),
                               score >= PEN_SURE, agreed(ex, key, segs)))
    return out


def qng(folder: Path, work: Path, threshold: float) -> dict[str, Tally]:
    """The real provincial documents (../shared/real/qng), read by `digitize ocr` as a desk
    would (a signed born-digital file from its own text), each scored against its gold
    metadata; one tally per kind of file and one for all."""
    import train_digits
    import train_review  # they import this module (norm): imported here, once it is loaded

    truth = qng_truth(folder)
    names = sorted(truth)
    order = names[:]
    random.Random(train_review.SEED).shuffle(order)
    fold_of = {name: i % FOLDS for i, name in enumerate(order)}
    out = work / "qng"
    glyphs = train_digits.load()
    for k in range(FOLDS):
        # Each fold OCR'd with a model of handwritten digits that never saw its pages.
        fold = out / f"fold{k}"
        if (fold / "summary.json").is_file():
            continue
        held = [n for n in names if fold_of[n] == k]
        files = fold / "in" / folder.name
        files.mkdir(parents=True, exist_ok=True)
        for name in held:
            (files / name).unlink(missing_ok=True)
            (files / name).symlink_to(folder / name)
        model = fold / "hand_digits.json"
        model.write_text(json.dumps(train_digits.fit(glyphs, set(held)).to_json()),
                         encoding="utf-8")
        _ocr(files, fold, {"DIGITIZE_HAND_DIGITS": str(model)})
    rows = [r for r in train_review.load() if not str(r["doc"]).startswith("qng:")]
    real_rows = train_review.qng_observations(
        folder, lambda n: train_review.hocr_path(out, n))
    models = [train_review.fit_model(rows + [
        r for name in names if fold_of[name] != k
        for r in train_review.rows_of(f"qng:{name}", real_rows[f"qng:{name}"])])
        for k in range(FOLDS)]
    print(f"qng: {FOLDS}-fold; each document read with a review model trained on the "
          f"generators' {len(rows)} observations and the other folds' real documents")
    read: dict[str, tuple[Extraction, list[Segment]]] = {}
    for name in names:
        segs, pages = segments_from_hocr(train_review.hocr_path(out, name))
        # The desk has confirmed the signers of the other folds' documents (names.py).
        read[name] = (extract(segs, pages, threshold, model=models[fold_of[name]],
                              signers=frozenset(str(truth[n]["fields"]["signer"])  # type: ignore[index]
                                                for n in names if fold_of[n] != fold_of[name]),
                              agreement=NEVER), segs)
    # How often the pen's sure readings are wrong, and how often the second reader agrees with
    # right and wrong ones, per fold measured on the other folds only.
    sure = {name: pen_readings(read[name][0], read[name][1], truth[name]) for name in names}
    seen_all = [r for n in names for r in sure[n]]
    right, wrong = [r for r in seen_all if r.right], [r for r in seen_all if not r.right]
    print(f"the pen's readings, all folds: {sum(not r.right for r in seen_all if r.sure)} of "
          f"{sum(r.sure for r in seen_all)} sure ones (score >= {PEN_SURE:.2f}) wrong; the "
          f"second reader agreed with {sum(r.agreed for r in right)} of the {len(right)} right "
          f"and {sum(r.agreed for r in wrong)} of the {len(wrong)} wrong (sure or not)")
    agreement = [Agreement.counted([r for n in names if fold_of[n] != k for r in sure[n]])
                 for k in range(FOLDS)]
    pen_error = [a.wrong for a in agreement]
    print("per fold from the other folds: sure readings wrong {}; a confirmed day's "
          "probability {}; a reading both readers agree on right {}".format(
              ", ".join(f"{e:.3f}" for e in pen_error),
              ", ".join(f"{signed_day_probability(e):.3f}" for e in pen_error),
              ", ".join(f"{a.probability():.3f}" for a in agreement)))
    for name in names:
        ex, segs = read[name]
        read[name] = (read_twice(ex, segs, threshold, agreement[fold_of[name]]), segs)
    tallies = {"all": Tally(), "scan": Tally(), "born-digital": Tally()}
    for name, rec in sorted(truth.items()):
        ex, segs = read[name]
        # As the run does with a file that came signed: its day checked against the signing.
        report = verify_pdf(folder / name, [], offline=True)
        ex = dated_by_signature(ex, signing_days([s.signing_time for s in report.signatures]),
                                segs, threshold, pen_error[fold_of[name]])
        fields = rec["fields"]
        assert isinstance(fields, dict)
        keys = {k for k in QNG_FIELDS if fields.get(k) or k in ("number", "parent_issuer",
                                                                 "number_year")}
        hand = [k for k in rec["handwritten"] if k in keys]  # type: ignore[union-attr]
        for kind in ("all", str(rec["kind"])):
            tallies[kind].add(name, fields, ex, keys, hand)
    return tallies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="ours",
                    help="ours: eval_corpus.py (shares drawing code with samples/); other: "
                         "other_corpus.py, an independent generator")
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true",
                    help="keep the scans and OCR of an earlier run in --work; re-extract only")
    ap.add_argument("--real", type=Path, nargs="?", const=QNG, default=None,
                    help="also the real documents (default ../shared/real/qng, then the "
                         "pages of ../shared/real/gov-pages)")
    ap.add_argument("--no-synthetic", action="store_true")
    ap.add_argument("--plot", type=Path, default=None, help="reliability diagram (PNG)")
    ap.add_argument("--show", type=int, default=25, help="print this many wrong fields")
    ap.add_argument("--per-doc", action="store_true",
                    help="also list, per real document, the fields sent to review and whether "
                         "each was right")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="digitize-eval-"))
    work.mkdir(parents=True, exist_ok=True)
    threshold = ExtractConfig().min_field_confidence
    print(f"review threshold {threshold}; calibration: {fitted_on()}")
    points: list[tuple[float, bool]] = []
    if not args.no_synthetic:
        tally = synthetic(work, args.n, args.seed, args.reuse, threshold, args.corpus)
        seed = (work / "seed.txt").read_text(encoding="utf-8").strip()
        module = CORPORA[args.corpus].__name__
        tally.print(f"{tally.docs} synthetic scans (benchmarks/{module}.py, seed {seed})",
                    args.show)
        points += tally.points
    if args.real is not None and (args.real / "truth.jsonl").is_file() and \
            args.real.name != GOV.name:
        for kind, tally in qng(args.real, work, threshold).items():
            tally.print(f"{tally.docs} real documents ({args.real}), {kind}", args.show,
                        args.per_doc and kind == "all")
            if kind == "all":
                points += tally.points
    if args.real is not None:
        tally = real(GOV, work, threshold)
        tally.print(f"{tally.docs} real government pages ({GOV})", args.show)
        points += tally.points
    if args.plot:
        plot(points, args.plot, f"reliability: {len(points)} values; {fitted_on()}")
        print(f"reliability diagram: {args.plot}")
    print(f"\nwork folder: {work}")


if __name__ == "__main__":
    main()
