"""How often the tone-mark check (extract.wordpairs.marks) changes a right word: it runs over
correct Vietnamese text — the text layers of ../shared/real/signed/ and signed-intact/ (signed
born-digital documents), qng's born-digital files, gov-pages' corrected transcription and qng's
trích yếu as the gold metadata gives them — and prints how many words it changed, and each
change. Every change here is a right word made wrong (or a typo of the source put right).

Run: .venv/bin/python benchmarks/tone_marks.py [--show N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import unicodedata

from common import ROOT

from digitize.extract.wordpairs import marks

REAL = ROOT.parent / "shared" / "real"


def texts() -> list[str]:
    """The lines of correct text, NFC."""
    lines: list[str] = []
    pdfs = [*sorted((REAL / "signed").glob("*.pdf")), *sorted((REAL / "signed-intact").glob(
        "*.pdf"))]
    for rec in map(json.loads, (REAL / "qng" / "truth.jsonl").read_text(
            encoding="utf-8").splitlines()):
        if rec.get("kind") == "born-digital":
            pdfs.append(REAL / "qng" / rec["file"])
        lines.append(rec.get("subject") or "")
    for pdf in pdfs:
        out = subprocess.run(["pdftotext", "-q", str(pdf), "-"], capture_output=True, text=True,
                             check=False)
        lines += out.stdout.splitlines()
    for rec in map(json.loads, (REAL / "gov-pages" / "truth.jsonl").read_text(
            encoding="utf-8").splitlines()):
        lines += rec["text"].splitlines()
    return [unicodedata.normalize("NFC", t) for t in lines if t.strip()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", type=int, default=20, help="print this many changes")
    args = ap.parse_args()
    lines = texts()
    words = sum(len(t.split()) for t in lines)
    changes = []
    for line in lines:
        put = marks(line)
        if put is not None:
            changes += [(a, b, line) for a, b in zip(line.split(), put.split(), strict=True)
                        if a != b]
    print(f"{len(lines)} lines, {words} words of correct text; marks() changed {len(changes)} "
          f"words ({100 * len(changes) / max(1, words):.3f} %)")
    for a, b, line in changes[:args.show]:
        print(f"  {a!r} -> {b!r}   in: {line[:90]}")


if __name__ == "__main__":
    main()
