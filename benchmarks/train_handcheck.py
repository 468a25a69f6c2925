"""Train the second reader of a pen's digits (digitize/ocr/hand_check.json, ocr.handcheck).

It learns only from MNIST (benchmarks/data/mnist_5k.csv.gz, see MNIST.md there): digits of
other writers than the handwriting model's (optdigits and real pages), so that the two seldom
agree on a wrong reading. Each of the first TRAIN digits is drawn as a desk's scan shows a
pen's ink (scaled up 2-4×, cut at a grey level, its strokes thinned or thickened, slanted a
little), then cut and scaled as the reader cuts and scales a blank's ink; a one-hidden-layer
network (scikit-learn's MLPClassifier, SEED) is fitted to them. The other digits are held out:
the script prints how many of them the network names right.

  fit (the default)  fits it; --write writes digitize/ocr/hand_check.json (or --out FILE);
                     --check fails unless a fit made now names the held-out digits as the
                     shipped file does (a network refitted on another BLAS differs in its last
                     bits, never in its readings) and as well.

Run: .venv/bin/python benchmarks/train_handcheck.py [fit] [--write | --check] [--out FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import warnings
from datetime import date
from pathlib import Path

import numpy as np
from common import ROOT
from PIL import Image
from scipy import ndimage

from digitize.ocr import handcheck

DATA = ROOT / "benchmarks" / "data" / "mnist_5k.csv.gz"
SHIPPED = ROOT / "digitize" / "ocr" / "hand_check.json"
SEED = 20261205
TRAIN = 4000  # digits learned from; the rest are held out
COPIES = 4  # drawings of each digit learned from
HIDDEN = 128
AGREE = 0.99  # share of held-out digits a refit must name as the shipped file does


def mnist() -> tuple[np.ndarray, np.ndarray]:
    with gzip.open(DATA, "rt") as f:
        rows = np.loadtxt(f, delimiter=",")
    return rows[:, :-1].reshape(-1, 28, 28), rows[:, -1].astype(int)


def drawn(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An MNIST digit as a scan's pen ink: scaled up, cut at a grey level, its strokes
    thinner or thicker, slanted a little (True where inked)."""
    scale = int(rng.integers(2, 5))
    big = np.asarray(Image.fromarray(image.astype(np.uint8)).resize(
        (28 * scale, 28 * scale), Image.Resampling.BILINEAR)) > 110
    stroke = int(rng.integers(-1, 3))
    if stroke > 0:
        big = ndimage.binary_dilation(big, iterations=stroke)
    elif stroke < 0:
        thin = ndimage.binary_erosion(big, iterations=-stroke)
        big = thin if thin.sum() > 30 else big
    if rng.random() < 0.7:
        turned = Image.fromarray(big.astype(np.uint8) * 255).rotate(
            rng.uniform(-12, 12), Image.Resampling.NEAREST, expand=True)
        big = np.asarray(turned) > 0
    return big


def features(images: np.ndarray, copies: int, rng: np.random.Generator) -> np.ndarray:
    return np.array([handcheck.normalised(drawn(im, rng)) for im in images
                     for _ in range(copies)])


def fit() -> tuple[dict[str, object], np.ndarray, np.ndarray]:
    """The network as hand_check.json holds it, the held-out features and their digits."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    images, digits = mnist()
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(digits))
    train, held = order[:TRAIN], order[TRAIN:]
    x = features(images[train], COPIES, rng)
    y = np.repeat(digits[train], COPIES)
    net = MLPClassifier(hidden_layer_sizes=(HIDDEN,), alpha=1e-3, max_iter=60,
                        random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 60 passes: as planned
        net.fit(x, y)
    made = {"about": {"on": f"{TRAIN} MNIST digits ({DATA.name}), {COPIES} drawings each",
                      "seed": SEED, "hidden": HIDDEN},
            "layers": [{"weights": handcheck.packed(w), "bias": handcheck.packed(b)}
                       for w, b in zip(net.coefs_, net.intercepts_, strict=True)]}
    return made, features(images[held], 1, rng), digits[held]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", nargs="?", choices=("fit",), default="fit")
    ap.add_argument("--out", type=Path, default=None, help="write the network here")
    ap.add_argument("--write", action="store_true", help=f"write {SHIPPED}")
    ap.add_argument("--check", action="store_true", help="fail unless the shipped file "
                    "reads the held-out digits as a fit made now does")
    args = ap.parse_args()
    made, x, y = fit()
    now = handcheck.Checker.from_json(made)
    ours = now.digits_of(x)
    print(f"held-out MNIST digits named right: {(ours == y).mean():.1%} (n={len(y)})")
    if args.check:
        shipped = handcheck.Checker.from_json(json.loads(SHIPPED.read_text(encoding="utf-8")))
        theirs = shipped.digits_of(x)
        alike = float((theirs == ours).mean())
        if alike < AGREE or (theirs == y).mean() < (ours == y).mean() - 0.005:
            raise SystemExit(f"{SHIPPED} differs from a fit made now on {DATA}: it names "
                             f"{alike:.1%} of the held-out digits alike")
        print(f"{SHIPPED} is what {DATA.name} gives ({alike:.1%} of the held-out digits "
              "named alike)")
    target = SHIPPED if args.write else args.out
    if target is not None:
        made["about"]["date"] = date.today().isoformat()  # type: ignore[index]
        target.write_text(json.dumps(made, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
