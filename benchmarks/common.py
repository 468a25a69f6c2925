"""Shared by the benchmarks: the page corpus (samples/ plus generated variations of their
layouts, with ground truth) and memory sampling of a process tree."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import re
import resource
import subprocess
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _load_generator():  # samples/make_samples.py, imported by path (it is a script)
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "samples" /
                                                  "make_samples.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look themselves up there
    spec.loader.exec_module(mod)
    return mod


@dataclass(frozen=True)
class PageFile:
    path: Path
    dpi: int
    truth: str


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip()


def _stretch_distance(line: str, text: np.ndarray) -> int:
    """The least edit distance between `line` and any stretch of `text` (code points): the
    semi-global alignment, one row of the table per character of `line`, with the insertions
    along a row as a running minimum (D[j] = j + min over k <= j of E[k] - k)."""
    n = len(text)
    row = np.zeros(n + 1, dtype=np.int64)  # a stretch may start anywhere
    index = np.arange(n + 1, dtype=np.int64)
    for i, ch in enumerate(line, start=1):
        best = np.empty(n + 1, dtype=np.int64)
        best[0] = i
        best[1:] = np.minimum(row[:-1] + (text != ord(ch)), row[1:] + 1)
        row = index + np.minimum.accumulate(best - index)
    return int(row.min())


def any_order_distance(truth: str, got: str) -> tuple[int, int]:
    """Each truth line against its best-matching stretch of the output: the edits summed over
    the lines, and the lines' length."""
    text = np.frombuffer(_norm(got).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lines = [ln for ln in (_norm(x) for x in truth.splitlines()) if ln]
    return sum(_stretch_distance(ln, text) for ln in lines), sum(map(len, lines))


def cer_any_order(truth: str, got: str) -> float:
    """The order-insensitive character error rate of one page (any_order_distance)."""
    edits, length = any_order_distance(truth, got)
    return edits / max(1, length)


def make_corpus(folder: Path, generated: int, seed: int = 7) -> list[PageFile]:
    gen = _load_generator()
    rnd = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    pages: list[PageFile] = []
    # The samples, page by page.
    truth = json.loads((ROOT / "samples" / "truth.json").read_text(encoding="utf-8"))
    for key, t in truth.items():
        src = ROOT / "samples" / key
        if src.suffix == ".pdf":
            import pikepdf

            with pikepdf.open(src) as pdf:
                for i, page in enumerate(pdf.pages):
                    img = next(iter(page.get_images().values()))
                    out = folder / f"s_{src.stem}_{i}.jpg"
                    out.write_bytes(img.read_raw_bytes())
                    pages.append(PageFile(out, 200, t["pages_text"][i]))
            continue
        with Image.open(src) as im:
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i)
                dpi = round(float(im.info.get("dpi", (200, 200))[0]))
                out = folder / f"s_{src.stem}_{i}.png"
                im.save(out, dpi=(dpi, dpi))
                pages.append(PageFile(out, dpi, t["pages_text"][i]))
    # Generated variations of the sample layouts.
    makers = [gen.quyet_dinh, gen.to_khai_khai_sinh, gen.don_xay_dung, gen.cong_van,
              gen.thong_bao, gen.don_trich_luc, gen.to_trinh]
    for n in range(generated):
        dpi = rnd.choice([200, 240, 300])
        doc = makers[n % len(makers)](dpi)
        page = doc.pages[n // len(makers) % len(doc.pages)]
        img = page.img
        skew = rnd.uniform(-5, 5) if rnd.random() < 0.7 else 0.0
        img = img.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255)
        img = gen.specks(img, seed=n, n=rnd.randint(0, 80))
        turn = rnd.choice([0, 0, 0, 90, 180, 270])
        if turn:
            img = img.rotate(-turn, expand=True)
        if rnd.random() < 0.5:
            out = folder / f"g_{n:03d}.jpg"
            img.convert("RGB").save(out, quality=rnd.randint(70, 92), dpi=(dpi, dpi))
        else:
            out = folder / f"g_{n:03d}.png"
            img.save(out, dpi=(dpi, dpi))
        pages.append(PageFile(out, dpi, "\n".join(page.lines)))
    return pages


def _pss(proc: psutil.Process) -> int:
    """Proportional set size: shared pages (forked workers, libraries) counted once overall."""
    return proc.memory_full_info().pss


def load_average() -> str:
    """The machine's load over 1, 5 and 15 minutes, printed beside every timing."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def children_cpu() -> float:
    """CPU seconds (user and system) of this process's ended and waited-for children, theirs
    included: the difference across a command is what the command used."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


class PeakMemory:
    """Samples the memory of a process and all its children (PSS summed; RSS of the main;
    `worker`: the most one child of the main took, with its own children, PSS)."""

    def __init__(self) -> None:
        self.tree = 0
        self.main = 0
        self.worker = 0
        self.cpu = 0.0  # CPU seconds of the command and its children, once it ended (_timed)
        self._stop = threading.Event()

    def watch(self, proc: psutil.Process, also: Sequence[psutil.Process] = ()) -> None:
        """Samples `proc`'s tree, adding the trees of `also` (a Dask cluster's processes) to
        the sum of all processes."""
        def loop() -> None:
            while not self._stop.is_set():
                try:
                    procs = [q for root in (proc, *also)
                             for q in (root, *root.children(recursive=True))]
                    self.tree = max(self.tree, sum(_pss(p) for p in procs))
                    self.main = max(self.main, proc.memory_info().rss)
                    for child in proc.children():
                        self.worker = max(self.worker, sum(
                            _pss(p) for p in [child, *child.children(recursive=True)]))
                except psutil.Error:
                    pass
                self._stop.wait(0.1)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _timed(cmd: list[str], env: dict[str, str] | None = None,
           also: Sequence[psutil.Process] = (), sample: bool = True
           ) -> tuple[float, PeakMemory, str]:
    """Run `cmd`: its wall time, memory (sampled 10 times a second, unless not `sample`: reading
    every process's page map takes CPU from the command on a small machine, so a timing that
    is compared is taken on a run of its own) and standard output."""
    start, cpu = time.perf_counter(), children_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    mem = PeakMemory()
    if sample:
        mem.watch(psutil.Process(proc.pid), also)
    out, err = proc.communicate()
    if sample:
        mem.stop()
    mem.cpu = children_cpu() - cpu
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err[-2000:]}")
    return time.perf_counter() - start, mem, out


def scanned_pdfs(work: Path, count: int) -> list[Path]:
    """`count` copies of a searchable scanned PDF (the sample Quyết định through `digitize
    ocr`, about 240 KB) in work/in, for the signing and verification benchmarks."""
    scan = next((ROOT / "samples").glob("*/02_quyet_dinh.jpg"))
    subprocess.run([str(BIN / "digitize"), "ocr", str(scan), "--out", str(work / "ocr")],
                   check=True, capture_output=True)
    src = next((work / "ocr").rglob("*.pdf"))
    (work / "in").mkdir()
    files = [work / "in" / f"doc_{i:03d}.pdf" for i in range(count)]
    for f in files:
        f.write_bytes(src.read_bytes())
    return files


def same(a: object, b: object, tol: float = 1e-4) -> bool:
    """Whether two JSON values are equal, numbers within `tol` (a model refitted on another
    BLAS differs in its last digits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tol) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, tol) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) <= tol
    return a == b


def check_or_write(made: dict[str, Any], shipped: Path, data: Path, check: bool,
                   target: Path | None) -> None:
    """A model fitted now: with `check`, fail where the shipped file is not what `data` gives
    (its date aside); with a `target`, write it there, dated."""
    if check:
        ours = json.loads(shipped.read_text(encoding="utf-8"))
        ours["about"].pop("date", None)
        if not same(ours, made):
            raise SystemExit(f"{shipped} differs from a fit made now on {data}")
        print(f"{shipped} is what {data} gives")
    if target is not None:
        made["about"]["date"] = date.today().isoformat()
        target.write_text(json.dumps(made, ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")
        print(f"wrote {target}")


def run_parallel(cmds: list[list[str]], jobs: int, env: dict[str, str], sample: bool = True
                 ) -> tuple[float, int, int, float]:
    """Run commands `jobs` at a time (as users batch OCRmyPDF over a folder); return wall time,
    the peak memory of all of them together, of one with its children (0 unless `sample`, as
    in _timed), and their CPU time."""
    peak = one_peak = 0
    running: list[psutil.Process] = []
    lock = threading.Lock()
    stop = threading.Event()

    def sampling() -> None:
        nonlocal peak, one_peak
        while not stop.is_set():
            total = 0
            with lock:
                procs = list(running)
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    one = sum(_pss(q) for q in [p, *p.children(recursive=True)])
                    total += one
                    one_peak = max(one_peak, one)
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

    sampler = threading.Thread(target=sampling, daemon=True)
    if sample:
        sampler.start()
    start, cpu = time.perf_counter(), children_cpu()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, cmds))
    wall, cpu = time.perf_counter() - start, children_cpu() - cpu
    stop.set()
    if sample:
        sampler.join()
    return wall, peak, one_peak, cpu
