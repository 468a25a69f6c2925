"""Train the model of handwritten digits (digitize/ocr/hand_digits.json).

  collect  reads page 1 of each scan of ../shared/real/qng as the OCR stage saw it, with the
           words of an earlier `digitize ocr` of it (extraction_eval.py --real's work folder),
           finds the number's and the day's blanks as the OCR stage does (ocr.blanks), cuts
           their ink into glyphs (ocr.handdigits) and keeps each glyph whose count matches the
           gold number or day, as a 16×16 grid with its digit and document, in
           benchmarks/data/hand_digits.json.
  fit      (the default) fits a multinomial logistic regression (scikit-learn, SEED) on the
           handwritten digits scikit-learn ships (UCI optdigits) and those glyphs, each glyph
           also slanted and turned a little (AUGMENT copies); --write writes the model,
           --check fails where the shipped file is not what a fit made now gives.
           --without DOC... leaves documents out: extraction_eval.py --real fits one model per
           fold, so that no page is read with a model that saw its digits.

Run: .venv/bin/python benchmarks/train_digits.py collect --work WORK
     .venv/bin/python benchmarks/train_digits.py [fit] [--write | --check] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from common import ROOT, check_or_write
from lxml import etree
from PIL import Image
from train_review import hocr_path

from digitize.model import Word
from digitize.ocr import handdigits
from digitize.ocr.blanks import blank_ink, find_blanks
from digitize.ocr.cleanup import estimate_skew
from digitize.ocr.images import load_page
from digitize.ocr.page import ocr_input

sys.path.insert(0, str(ROOT))
from tests.realtruth import qng_truth

DATA = ROOT / "benchmarks" / "data" / "hand_digits.json"
TARGET = ROOT / "digitize" / "ocr" / "hand_digits.json"
QNG = ROOT.parent / "shared" / "real" / "qng"
SEED = 20261204
AUGMENT = 10  # copies of each real glyph, slanted and turned a little
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")


def _page_words(hocr: Path) -> list[Word]:
    """Page 1's words of an hOCR file, in the frame of the image Tesseract read."""
    root = etree.parse(str(hocr))
    page = next(e for e in root.iter("{*}div") if e.get("class") == "ocr_page")
    words = []
    for span in page.iter("{*}span"):
        m = _BBOX.search(span.get("title") or "")
        text = "".join(span.itertext()).strip()
        if span.get("class") == "ocrx_word" and m and text:
            x0, y0, x1, y1 = map(int, m.groups())
            words.append(Word(text=text, left=x0, top=y0, width=x1 - x0, height=y1 - y0,
                              conf=0.0, block=0, par=0, line=0))
    return words


def collect(work: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    tmp = work / "digits"
    tmp.mkdir(parents=True, exist_ok=True)
    for name, rec in sorted(qng_truth(QNG).items()):
        if rec["kind"] != "scan":
            continue
        fields = rec["fields"]
        assert isinstance(fields, dict)
        page = load_page(QNG / name, 0, 300, 150_000_000)
        _source, scale, seen = ocr_input(page, estimate_skew(page.image), tmp / "p")
        dpi = round(page.dpi * scale)
        words = _page_words(hocr_path(work / "qng", name))
        for blank in find_blanks(words, seen.height, seen.width):
            want = fields["number"] if blank.letters == "SO" else fields["issued_date"][8:10]
            found = blank_ink(seen, words, blank, tmp / "p", dpi, 60, name)
            if found is None:
                continue
            cut = handdigits.glyphs(found[0])
            if len(cut) != len(want):
                print(f"{name} {blank.letters}: {len(cut)} glyphs for {want!r}; not kept")
                continue
            for glyph, digit in zip(cut, want, strict=True):
                rows.append({"doc": name, "digit": int(digit),
                             "glyph": ["".join("1" if v else "0" for v in row)
                                       for row in glyph]})
    return rows


def _glyph(row: dict[str, object]) -> np.ndarray:
    return np.array([[c == "1" for c in line] for line in row["glyph"]])  # type: ignore[attr-defined]


def _jitter(glyph: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    img = Image.fromarray(glyph.astype(np.uint8) * 255)
    shear, turn = rng.uniform(-0.15, 0.15), rng.uniform(-6, 6)
    w, h = img.size
    img = img.transform((w, h), Image.AFFINE, (1, shear, -shear * h / 2, 0, 1, 0),
                        Image.BILINEAR).rotate(turn, Image.BILINEAR, expand=True)
    out = np.asarray(img) > 127
    return out if out.any() else glyph


def optdigits() -> tuple[list[np.ndarray], list[int]]:
    """scikit-learn's handwritten digits (8×8, 0-16), as ink masks for features()."""
    from sklearn.datasets import load_digits

    data = load_digits()
    xs, ys = [], []
    for image, digit in zip(data.images, data.target, strict=True):
        big = np.asarray(Image.fromarray((image * 16).clip(0, 255).astype(np.uint8)).resize(
            (32, 32), Image.BILINEAR)) > 100
        if big.sum() >= 5:
            xs.append(handdigits.features(big))
            ys.append(int(digit))
    return xs, ys


def fit(rows: Iterable[dict[str, object]], without: set[str] = frozenset()  # type: ignore[assignment]
        ) -> handdigits.DigitModel:
    from sklearn.linear_model import LogisticRegression

    xs, ys = optdigits()
    rng = np.random.default_rng(SEED)
    docs = set()
    for row in rows:
        if row["doc"] in without:
            continue
        docs.add(row["doc"])
        glyph = _glyph(row)
        for k in range(AUGMENT):
            xs.append(handdigits.features(_jitter(glyph, rng) if k else glyph))
            ys.append(int(row["digit"]))  # type: ignore[call-overload]
    lr = LogisticRegression(C=1.0, max_iter=3000, random_state=SEED).fit(np.array(xs), ys)
    return handdigits.DigitModel(lr.coef_, lr.intercept_, {
        "on": f"scikit-learn's optdigits and {len(docs)} real documents' handwritten digits",
        "seed": SEED})


def load() -> list[dict[str, object]]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", nargs="?", choices=("collect", "fit"), default="fit")
    ap.add_argument("--work", type=Path, help="collect: extraction_eval.py --real's work folder")
    ap.add_argument("--without", nargs="*", default=[], help="fit: documents left out")
    ap.add_argument("--out", type=Path, default=None, help="fit: write the model here")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.step == "collect":
        rows = collect(args.work)
        DATA.parent.mkdir(parents=True, exist_ok=True)
        DATA.write_text(json.dumps(rows) + "\n", encoding="utf-8")
        print(f"wrote {len(rows)} glyphs to {DATA}")
        return
    made = fit(load(), set(args.without)).to_json()
    check_or_write(made, TARGET, DATA, args.check,
                   args.out or (TARGET if args.write else None))

if __name__ == "__main__":
    main()
