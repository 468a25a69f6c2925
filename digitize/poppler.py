"""Pages of a PDF drawn by poppler's `pdftoppm`, the one renderer every stage trusts (OCR of
a page without an image to take, the visual check of a signed file, blank-page detection,
the clerk's crop): under a time and memory limit (procs.run_limited), since a damaged stream
can set poppler looping and a file from outside may be built to do so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from digitize.errors import EnvironmentProblem
from digitize.i18n import _
from digitize.procs import RENDER_MEMORY, RENDER_TIMEOUT_S, run_limited


class NotDrawn(Exception):
    """poppler could not draw the pages: it gave up (`detail`: what it said) or ran past its
    time (`timed_out`). Each caller says it in its own terms."""

    def __init__(self, detail: str, timed_out: bool = False) -> None:
        super().__init__(detail)
        self.detail = detail
        self.timed_out = timed_out


def draw(pdf: Path, folder: Path, dpi: float, *, page: int | None = None, gray: bool = False,
         png: bool = True, timeout: float = RENDER_TIMEOUT_S) -> dict[int, Path]:
    """The image files of `pdf`'s pages (only page `page`, 1-based, where given) at `dpi`,
    written into `folder`, by page number in order. EnvironmentProblem where pdftoppm is not
    installed; NotDrawn where it cannot draw them within `timeout` s and RENDER_MEMORY."""
    if shutil.which("pdftoppm") is None:  # under prlimit, a missing tool is only an exit status
        raise EnvironmentProblem(_("pdftoppm is not installed; install it with: sudo apt-get "
                                   "install poppler-utils"))
    cmd = ["pdftoppm", "-r", str(dpi)]
    if page is not None:
        cmd += ["-f", str(page), "-l", str(page), "-singlefile"]
    cmd += ["-gray"] if gray else []
    cmd += ["-png"] if png else []
    prefix = folder / "p"
    try:
        res = run_limited([*cmd, str(pdf), str(prefix)], timeout, RENDER_MEMORY,
                          capture_output=True, text=True, errors="replace", check=False)
    except FileNotFoundError as exc:  # removed since the check above
        raise NotDrawn(str(exc)) from exc
    except subprocess.TimeoutExpired as exc:
        raise NotDrawn(f"not finished within {timeout:g} s", timed_out=True) from exc
    if page is not None:
        found = {page: f} if (f := next(folder.glob("p.*"), None)) is not None else {}
    else:
        found = {int(f.stem.rsplit("-", 1)[1]): f for f in folder.glob("p-*.*")}
    if res.returncode != 0 or not found:
        raise NotDrawn(" ".join(res.stderr.split())[:200] or f"exit status {res.returncode}")
    return dict(sorted(found.items()))
