"""OCR stage side by side with OCRmyPDF, on the same pages with the same number of jobs.

The corpus: every page of samples/ plus generated pages (the sample layouts at 200-300 dpi,
skewed up to ±5°, some turned 90/180/270°, with specks, as PNG or JPEG), one page per file, as
a desk scanner writes them. For each tool it prints pages/s, the character error rate against
the ground truth, the peak memory (all processes of the tool together, and its main process),
and the output size; raw `tesseract --psm 1` on the same pages is the floor.

Run:  make bench      (or: .venv/bin/python benchmarks/ocr_vs_ocrmypdf.py --pages 48 --jobs 2)
      add --scaling 500 to also measure digitize's memory on 500 pages.
Needs the bench extra (ocrmypdf, rapidfuzz, psutil) and Ghostscript, which `make bench`
installs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
from common import BIN, _norm, _pss, _timed, make_corpus
from rapidfuzz.distance import Levenshtein


def run_parallel(cmds: list[list[str]], jobs: int, env: dict[str, str]) -> tuple[float, int]:
    """Run commands `jobs` at a time (as users batch OCRmyPDF over a folder); return wall time
    and the peak memory of all of them together."""
    peak = 0
    running: list[psutil.Process] = []
    lock = threading.Lock()
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            total = 0
            with lock:
                procs = list(running)
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    total += sum(_pss(q) for q in [p, *p.children(recursive=True)])
            peak = max(peak, total)
            stop.wait(0.1)

    def one(cmd: list[str]) -> None:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env=env)
        ps = psutil.Process(proc.pid)
        with lock:
            running.append(ps)
        _, err = proc.communicate()
        with lock:
            running.remove(ps)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {err[-1500:]!r}")

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, cmds))
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    return wall, peak


def cer(pairs: list[tuple[str, str]]) -> float:
    dist = sum(Levenshtein.distance(_norm(truth), _norm(got)) for truth, got in pairs)
    return dist / max(1, sum(len(_norm(truth)) for truth, _ in pairs))


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths)


def bench(args: argparse.Namespace) -> None:
    work = Path(args.work or tempfile.mkdtemp(prefix="digitize-bench-"))
    corpus = make_corpus(work / "pages", args.pages)
    n = len(corpus)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    print(f"corpus: {n} pages ({args.pages} generated + the samples), jobs={args.jobs}, "
          f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}", flush=True)

    # Raw Tesseract: the floor.
    raw = work / "raw"
    raw.mkdir()
    raw_cmds = [["tesseract", str(p.path), str(raw / p.path.stem), "-l", "vie", "--psm", "1",
                 "--dpi", str(p.dpi), "pdf", "txt"] for p in corpus]
    raw_wall, raw_mem = run_parallel(raw_cmds, args.jobs, env)
    raw_cer = cer([(p.truth, (raw / f"{p.path.stem}.txt").read_text(encoding="utf-8"))
                   for p in corpus])
    print(f"  tesseract done in {raw_wall:.1f} s", flush=True)

    # digitize, archive and compact profiles.
    results = {}
    for profile in ("archive", "compact"):
        out = work / f"digitize-{profile}"
        wall, mem, stdout = _timed([str(BIN / "digitize"), "ocr", str(work / "pages"), "--out",
                                    str(out), "--jobs", str(args.jobs), "--profile", profile,
                                    "--json"])
        docs = {Path(d["source"]).name: d for d in json.loads(stdout)}
        pairs = [(p.truth, Path(docs[p.path.name]["text_file"]).read_text(encoding="utf-8"))
                 for p in corpus]
        pdfs = [Path(docs[p.path.name]["pdf"]) for p in corpus]
        results[profile] = (wall, mem.tree, mem.main, cer(pairs), _size(pdfs))
        print(f"  digitize {profile} done in {wall:.1f} s", flush=True)

    # OCRmyPDF, one process per file, `jobs` at a time.
    om = work / "ocrmypdf"
    om.mkdir()
    om_cmds = [[str(BIN / "ocrmypdf"), "-l", "vie", "--rotate-pages", "--deskew",
                "--output-type", "pdfa", "--jobs", "1", "--image-dpi", str(p.dpi), "--sidecar",
                str(om / f"{p.path.stem}.txt"), "--quiet", str(p.path),
                str(om / f"{p.path.stem}.pdf")] for p in corpus]
    om_wall, om_mem = run_parallel(om_cmds, args.jobs, env)
    om_cer = cer([(p.truth, (om / f"{p.path.stem}.txt").read_text(encoding="utf-8"))
                  for p in corpus])
    om_size = _size([om / f"{p.path.stem}.pdf" for p in corpus])
    print(f"  ocrmypdf done in {om_wall:.1f} s", flush=True)

    a_wall, a_tree, a_main, a_cer, a_size = results["archive"]
    c_wall, c_tree, c_main, c_cer, c_size = results["compact"]
    mb = 1024 * 1024
    print()
    print("| tool | pages/s | CER | peak memory, all processes (PSS) | main process (RSS) "
          "| output |")
    print("|---|---|---|---|---|---|")
    print(f"| tesseract --psm 1 (floor) | {n / raw_wall:.2f} | {raw_cer:.2%} | "
          f"{raw_mem / mb:.0f} MB | – | {_size(list(raw.glob('*.pdf'))) / mb:.1f} MB "
          "(no image) |")
    print(f"| digitize ocr (archive) | {n / a_wall:.2f} | {a_cer:.2%} | {a_tree / mb:.0f} MB | "
          f"{a_main / mb:.0f} MB | {a_size / mb:.1f} MB |")
    print(f"| digitize ocr --profile compact | {n / c_wall:.2f} | {c_cer:.2%} | "
          f"{c_tree / mb:.0f} MB | {c_main / mb:.0f} MB | {c_size / mb:.1f} MB |")
    print(f"| OCRmyPDF {_ocrmypdf_version()} | {n / om_wall:.2f} | {om_cer:.2%} | "
          f"{om_mem / mb:.0f} MB | – | {om_size / mb:.1f} MB |")
    print()
    print(f"throughput digitize/OCRmyPDF: {om_wall / a_wall:.2f}x (target >= 1.5x)")
    print(f"CER digitize {a_cer:.2%} vs OCRmyPDF {om_cer:.2%} (target: not above)")
    print(f"time digitize/tesseract floor: {a_wall / raw_wall:.2f}x (target <= 1.15x)")
    print(f"size compact/OCRmyPDF: {c_size / om_size:.2f}x (target <= 1.0x)")
    print(f"peak memory digitize: {a_main / mb:.0f} MB main process, {a_tree / mb:.0f} MB with "
          "its workers and their Tesseract processes (target <= 300 MB)")

    if args.scaling:
        big = work / "pages-big"
        big.mkdir()
        for i in range(args.scaling):
            src = corpus[i % n].path
            os.link(src, big / f"p{i:04d}{src.suffix}")
        wall, mem, _ = _timed([str(BIN / "digitize"), "ocr", str(big), "--out",
                               str(work / "digitize-big"), "--jobs", str(args.jobs), "--json"])
        print(f"scaling: {args.scaling} pages in {wall:.0f} s ({args.scaling / wall:.2f} "
              f"pages/s), peak memory all processes {mem.tree / mb:.0f} MB, main process "
              f"{mem.main / mb:.0f} MB (vs {a_tree / mb:.0f} / {a_main / mb:.0f} MB for {n})")
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
    ap.add_argument("--work", help="keep everything in this folder")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder")
    bench(ap.parse_args())


if __name__ == "__main__":
    main()
