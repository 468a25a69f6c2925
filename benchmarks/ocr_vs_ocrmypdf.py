"""OCR stage side by side with OCRmyPDF, on the same pages with the same number of jobs.

The corpus: every page of samples/ plus generated pages (the sample layouts at 200-300 dpi,
skewed up to ±5°, some turned 90/180/270°, with specks, as PNG or JPEG), one page per file, as
a desk scanner writes them. For each tool it prints pages/s, the character error rate against
the ground truth, the peak memory (all processes of the tool together, and its main process),
the CPU time per page and the output size; raw `tesseract --psm 1` with the model digitize
reads with (the system's vie, or with --best-vie the best vie shipped with digitize) on the same
pages is the floor. digitize is measured two ways: Tesseract inside its workers (tesserocr),
and one `tesseract` command per reading (DIGITIZE_TESSERACT=cli, what it falls back to). Every
tool runs twice: once timed on its own, once with its memory sampled (reading every process's
page map ten times a second takes CPU from the tool being measured).

Run:  make bench      (or: .venv/bin/python benchmarks/ocr_vs_ocrmypdf.py --pages 7 --jobs 2)
      add --scaling 500 to also measure digitize's memory on 500 pages.
Needs the bench extra (ocrmypdf, rapidfuzz, psutil) and Ghostscript, which `make bench`
installs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from common import (
    BIN,
    PeakMemory,
    _norm,
    _timed,
    any_order_distance,
    load_average,
    make_corpus,
    run_parallel,
)
from rapidfuzz.distance import Levenshtein


@dataclass(frozen=True)
class Usage:
    """One tool's run over the corpus."""

    wall: float  # seconds
    cpu: float  # CPU seconds, all its processes
    tree: int  # peak memory of all its processes together (PSS)
    worker: int  # peak memory of one worker: a process of the tool with its children (PSS)
    main: int  # peak RSS of its main process (0: none apart)
    cer: tuple[float, float]  # in the truth's reading order, and in any order (per line)
    size: int  # bytes of output


def cer(pairs: list[tuple[str, str]]) -> tuple[float, float]:
    """The character error rate over all pages: plain (the truth's reading order: the
    generator's lines row by row, the header's two columns interleaved) and order-insensitive
    (each truth line against its best-matching stretch of the output)."""
    dist = sum(Levenshtein.distance(_norm(truth), _norm(got)) for truth, got in pairs)
    length = sum(len(_norm(truth)) for truth, _ in pairs)
    anywhere = [any_order_distance(truth, got) for truth, got in pairs]
    return dist / max(1, length), sum(e for e, _ in anywhere) / max(1, sum(n for _, n in anywhere))


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def floor_model(best_vie: bool) -> tuple[str, dict[str, str]]:
    """The model digitize reads with, and the environment that gives plain Tesseract the
    same: the best vie shipped with digitize ([ocr] best_vie), else the system's vie."""
    from digitize.ocr import tesseract

    folder = tesseract.data_folder() if best_vie else None
    if best_vie and folder is None:
        raise SystemExit("the best vie shipped with digitize cannot be used here "
                         "(digitize doctor says why)")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    if folder is not None:
        env["TESSDATA_PREFIX"] = str(folder)
    name = "best vie (digitize/ocr/tessdata)" if folder else "the system's vie"
    return name, env


def bench(args: argparse.Namespace) -> None:
    work = Path(args.work or tempfile.mkdtemp(prefix="digitize-bench-"))
    corpus = make_corpus(work / "pages", args.pages)
    n = len(corpus)
    model, env = floor_model(args.best_vie)
    config = work / "config.toml"
    config.write_text(f"[ocr]\nbest_vie = {'true' if args.best_vie else 'false'}\n",
                      encoding="utf-8")
    print(f"corpus: {n} pages ({args.pages} generated + the samples), jobs={args.jobs}, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, load {load_average()}, model: "
          f"{model}", flush=True)
    results: dict[str, Usage] = {}

    # Raw Tesseract with digitize's model: the floor.
    def floor(folder: Path, sample: bool) -> tuple[float, int, int, float]:
        folder.mkdir()
        return run_parallel([["tesseract", str(p.path), str(folder / p.path.stem), "-l", "vie",
                              "--psm", "1", "--dpi", str(p.dpi), "pdf", "txt"] for p in corpus],
                            args.jobs, env, sample)

    # digitize: Tesseract in its workers (archive and compact profiles), and as one command
    # per reading (DIGITIZE_TESSERACT=cli: the path where tesserocr cannot load).
    variants = {"archive": ("archive", {}), "command": ("archive", {"DIGITIZE_TESSERACT": "cli"}),
                "compact": ("compact", {})}

    def ours(name: str, out: Path, sample: bool) -> tuple[float, PeakMemory, str]:
        profile, extra = variants[name]
        return _timed([str(BIN / "digitize"), "ocr", str(work / "pages"), "--out", str(out),
                       "--jobs", str(args.jobs), "--profile", profile, "--config", str(config),
                       "--json"], env=dict(env, **extra), sample=sample)

    # The floor and digitize's archive run timed in turns, --rounds times each: this machine's
    # speed drifts by up to 10 % from one minute to the next, so each takes the median of its
    # runs (the other tools run once).
    turns = [(floor(work / f"raw-{r}", False), ours("archive", work / f"digitize-archive-{r}",
                                                      False)) for r in range(args.rounds)]
    raw = work / "raw-0"
    _, tree, worker, _ = floor(work / "raw-memory", True)
    results["floor"] = Usage(
        statistics.median(t[0][0] for t in turns), statistics.median(t[0][3] for t in turns),
        tree, worker, 0, cer([(p.truth, (raw / f"{p.path.stem}.txt").read_text(
            encoding="utf-8")) for p in corpus]), _size(list(raw.glob("*.pdf"))))
    print(f"  tesseract done in {', '.join(f'{t[0][0]:.1f}' for t in turns)} s", flush=True)

    for name in variants:
        if name == "archive":
            wall = statistics.median(t[1][0] for t in turns)
            cpu = statistics.median(t[1][1].cpu for t in turns)
            stdout = turns[0][1][2]
        else:
            wall, timed, stdout = ours(name, work / f"digitize-{name}", False)
            cpu = timed.cpu
        mem = ours(name, work / f"digitize-{name}-memory", True)[1]
        docs = {Path(d["source"]).name: d for d in json.loads(stdout)}
        pairs = [(p.truth, Path(docs[p.path.name]["text_file"]).read_text(encoding="utf-8"))
                 for p in corpus]
        pdfs = [Path(docs[p.path.name]["pdf"]) for p in corpus]
        results[name] = Usage(wall, cpu, mem.tree, mem.worker, mem.main, cer(pairs), _size(pdfs))
        runs = [t[1][0] for t in turns] if name == "archive" else [wall]
        print(f"  digitize {name} done in {', '.join(f'{w:.1f}' for w in runs)} s", flush=True)

    # OCRmyPDF, one process per file, `jobs` at a time, as users run it (the system's vie).
    def ocrmypdf(folder: Path, sample: bool) -> tuple[float, int, int, float]:
        folder.mkdir()
        return run_parallel([[str(BIN / "ocrmypdf"), "-l", "vie", "--rotate-pages", "--deskew",
                              "--output-type", "pdfa", "--jobs", "1", "--image-dpi", str(p.dpi),
                              "--sidecar", str(folder / f"{p.path.stem}.txt"), "--quiet",
                              str(p.path), str(folder / f"{p.path.stem}.pdf")] for p in corpus],
                            args.jobs, dict(os.environ, OMP_THREAD_LIMIT="1"), sample)

    om = work / "ocrmypdf"
    wall, _, _, cpu = ocrmypdf(om, False)
    _, tree, worker, _ = ocrmypdf(work / "ocrmypdf-memory", True)
    results["ocrmypdf"] = Usage(wall, cpu, tree, worker, 0, cer(
        [(p.truth, (om / f"{p.path.stem}.txt").read_text(encoding="utf-8")) for p in corpus]),
        _size([om / f"{p.path.stem}.pdf" for p in corpus]))
    print(f"  ocrmypdf done in {wall:.1f} s", flush=True)

    mb = 1024 * 1024
    shown = {"floor": f"tesseract --psm 1, {model} (floor)",
             "archive": "digitize ocr (archive)",
             "command": "digitize ocr, one tesseract command per reading",
             "compact": "digitize ocr --profile compact",
             "ocrmypdf": f"OCRmyPDF {_ocrmypdf_version()}"}
    print()
    print("| tool | pages/s | CPU s/page | CER (any order) | peak memory, all processes (PSS) "
          "| per worker (PSS) | main process (RSS) | output |")
    print("|---|---|---|---|---|---|---|---|")
    for key, u in results.items():
        print(f"| {shown[key]} | {n / u.wall:.2f} | {u.cpu / n:.2f} | {u.cer[0]:.2%} "
              f"({u.cer[1]:.2%}) | "
              f"{u.tree / mb:.0f} MB | {u.worker / mb:.0f} MB | "
              f"{f'{u.main / mb:.0f} MB' if u.main else '–'} | {u.size / mb:.1f} MB |")
    d, f, o, c = results["archive"], results["floor"], results["ocrmypdf"], results["command"]
    print()
    print(f"throughput digitize/OCRmyPDF: {o.wall / d.wall:.2f}x (target >= 3x, goal 5x); "
          f"CPU per page {o.cpu / d.cpu:.2f}x less")
    print(f"time digitize/tesseract floor: {d.wall / f.wall:.2f}x (target <= 1.1x); CPU per "
          f"page {d.cpu / f.cpu:.2f}x the floor's")
    print(f"Tesseract in the workers vs one command per reading: {c.wall / d.wall:.2f}x faster, "
          f"CPU per page {d.cpu / n:.2f} s against {c.cpu / n:.2f} s")
    print(f"CER digitize {d.cer[0]:.2%} (one command per reading {c.cer[0]:.2%}) vs OCRmyPDF "
          f"{o.cer[0]:.2%} and the floor {f.cer[0]:.2%}; in any order {d.cer[1]:.2%} vs "
          f"{o.cer[1]:.2%} and {f.cer[1]:.2%}")
    size = results["compact"].size / o.size
    print(f"size compact/OCRmyPDF: {size:.2f}x (target <= 1.0x)")
    print(f"peak memory digitize: {d.main / mb:.0f} MB main process, {d.worker / mb:.0f} MB per "
          f"worker, {d.tree / mb:.0f} MB all together (target <= 300 MB)")
    print(f"load at the end: {load_average()}")

    if args.scaling:
        big = work / "pages-big"
        big.mkdir()
        for i in range(args.scaling):
            src = corpus[i % n].path
            os.link(src, big / f"p{i:04d}{src.suffix}")
        wall, mem, _ = _timed([str(BIN / "digitize"), "ocr", str(big), "--out",
                               str(work / "digitize-big"), "--jobs", str(args.jobs),
                               "--config", str(config), "--json"], env=env)
        print(f"scaling: {args.scaling} pages in {wall:.0f} s ({args.scaling / wall:.2f} "
              f"pages/s), peak memory all processes {mem.tree / mb:.0f} MB, main process "
              f"{mem.main / mb:.0f} MB (vs {d.tree / mb:.0f} / {d.main / mb:.0f} MB for {n})")
    if not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)


def _ocrmypdf_version() -> str:
    out = subprocess.run([str(BIN / "ocrmypdf"), "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=48, help="generated pages (plus the samples)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--scaling", type=int, default=0, help="also run digitize on N pages")
    ap.add_argument("--rounds", type=int, default=3,
                    help="timed runs of the floor and of digitize, in turns (the median counts)")
    ap.add_argument("--work", help="keep everything in this folder")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    ap.add_argument("--best-vie", action="store_true",
                    help="digitize and the floor read with the best vie ([ocr] best_vie)")
    bench(ap.parse_args())


if __name__ == "__main__":
    main()
