"""Page clean-up before OCR: skew estimation by projection profile (Pillow only).

Text lines give sharp peaks in the row sums of ink when they are level; the angle that makes
the row profile most uneven is the page's skew.
"""

from __future__ import annotations

from PIL import Image, ImageOps

ANALYSIS_WIDTH = 800


def _profile_score(ink: Image.Image, angle: float) -> float:
    turned = ink.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=0)
    rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).getdata())
    mean = sum(rows) / len(rows)
    return sum((v - mean) ** 2 for v in rows)


def estimate_skew(img: Image.Image, max_angle: float = 5.0) -> float:
    """Degrees to rotate counter-clockwise (as PIL's rotate) to level the text; 0 when unsure."""
    grey = img.convert("L")
    scale = ANALYSIS_WIDTH / grey.width
    if scale < 1:
        grey = grey.resize((ANALYSIS_WIDTH, max(1, round(grey.height * scale))),
                           Image.Resampling.BOX)
    ink = ImageOps.invert(grey)
    best, step = 0.0, 1.0
    candidates = [a * step for a in range(-round(max_angle), round(max_angle) + 1)]
    for _ in range(3):
        scores = {a: _profile_score(ink, a) for a in candidates}
        best = max(scores, key=lambda a: scores[a])
        step /= 5
        candidates = [best + k * step for k in range(-4, 5)]
    return round(best, 2) if abs(best) >= 0.2 else 0.0


def deskew(img: Image.Image, angle: float) -> Image.Image:
    if not angle:
        return img
    src = img.convert("L") if img.mode == "1" else img
    fill = 255 if src.mode == "L" else (255, 255, 255)
    return src.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=fill)
