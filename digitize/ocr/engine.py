"""Tesseract inside the worker's own process (tesserocr): one engine per worker process, per
data folder and language set, loaded once and kept, so a page's pass and its second readings
(a line, the header's column, a pen's digits cut out of the page) pay no process start and no
model load, and a crop is handed over as pixels, never written to a file. The page pass runs
Tesseract's own renderers (text-only PDF, hOCR, text) as the `tesseract` command does; the
TSV comes from the same recognition.

Where tesserocr cannot load (it is missing, or its library does not start), or where
DIGITIZE_TESSERACT=cli, `engine()` answers None and tesseract.py runs the `tesseract`
command instead, one process per reading: the same readings, slower.

What Tesseract prints (warnings, Leptonica's errors on a damaged image) goes to a file, not
the user's terminal; the last line names what went wrong where a reading fails. An engine is
not thread-safe: a worker reads one page at a time (the process pool and dask-local run one
thread per worker); a lock keeps two threads of one process from sharing it."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Literal

from PIL import Image

from digitize.i18n import _

log = logging.getLogger("digitize")

FORCE_CLI = "DIGITIZE_TESSERACT"  # "cli": run the `tesseract` command, never tesserocr
TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t"
              "height\tconf\ttext\n")  # the command writes it; the library's TSV lacks it
# The page pass's renderers, on for it and off after (second readings write no files).
_PAGE_SETTINGS = {name: ("1", "0") for name in ("textonly_pdf", "tessedit_create_pdf",
                                                "tessedit_create_hocr", "tessedit_create_txt")}

Output = Literal["text", "tsv", "hocr"]


@functools.cache
def _tesserocr() -> ModuleType | None:
    if os.environ.get(FORCE_CLI, "").strip().lower() == "cli":
        return None
    # Debian's libtesseract is built with OpenMP: one thread, read as its library loads
    # (tesseract.py gives the command the same; DESIGN.md says why).
    os.environ["OMP_THREAD_LIMIT"] = "1"
    try:
        import tesserocr
    except (ImportError, OSError) as exc:
        log.warning(_("Tesseract runs as one process per reading, slower: tesserocr cannot "
                      "load ({reason}); run `make deps`, which builds it on the system's "
                      "Tesseract.").format(reason=exc))
        return None
    return tesserocr


def in_process() -> bool:
    """Whether readings run inside this process (tesserocr loads and is not turned off)."""
    return _tesserocr() is not None


def library_version() -> str:
    """The version of the Tesseract library tesserocr carries ("5.5.4"), "" where none."""
    mod = _tesserocr()
    return mod.PyTessBaseAPI.Version() if mod is not None else ""


@dataclass
class Done:
    """What a reading gave: its output ("" where it failed), whether it ran out of time,
    and the last line Tesseract printed (what went wrong, where it failed)."""

    ok: bool
    out: str = ""
    timed_out: bool = False
    said: str = ""


class _Stderr:
    """Tesseract's own messages (written to file descriptor 2), caught in a file per process."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (kept for the process)

    @contextlib.contextmanager
    def caught(self) -> Iterator[list[str]]:
        said: list[str] = []
        self._file.seek(0)
        self._file.truncate()
        saved = os.dup(2)
        try:
            os.dup2(self._file.fileno(), 2)
            yield said
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            self._file.seek(0)
            text = self._file.read().decode("utf-8", "replace").strip()
            said.extend(text.splitlines()[-1:])


class Engine:
    """One TessBaseAPI with its model loaded, reused for every reading of this process."""

    def __init__(self, api: object, stderr: _Stderr) -> None:
        self._api = api
        self._lock = threading.Lock()
        self._stderr = stderr

    @contextlib.contextmanager
    def _reading(self, psm: int, dpi: int, timeout_s: int,
                 settings: dict[str, tuple[str, str]]) -> Iterator[Done]:
        """One reading: the engine to itself, Tesseract's messages caught, `settings` (name:
        (value for this reading, value after it)) set, and everything reset after. The block
        fills in the Done it is given; whether it ran out of time is worked out here."""
        api = self._api
        done = Done(ok=False)
        with self._lock, self._stderr.caught() as said:
            api.SetPageSegMode(psm)  # type: ignore[attr-defined]
            api.SetVariable("user_defined_dpi", str(dpi))  # type: ignore[attr-defined]
            for name, (value, _after) in settings.items():
                api.SetVariable(name, value)  # type: ignore[attr-defined]
            start = time.monotonic()
            try:
                yield done
            finally:
                for name, (_value, after) in settings.items():
                    api.SetVariable(name, after)  # type: ignore[attr-defined]
                api.Clear()  # type: ignore[attr-defined]
            done.timed_out = not done.ok and time.monotonic() - start >= timeout_s
        done.said = " ".join(said)

    def page(self, image: Path, out_base: Path, dpi: int, timeout_s: int, psm: int) -> Done:
        """The page pass (with orientation detection: --psm 1; without: 3): a text-only PDF
        page, hOCR and text at `out_base`.pdf/.hocr/.txt as the command writes them; `out` is
        the TSV."""
        api = self._api
        with self._reading(psm, dpi, timeout_s, _PAGE_SETTINGS) as done:
            done.ok = api.ProcessPages(str(out_base), str(image),  # type: ignore[attr-defined]
                                       timeout=1000 * timeout_s)
            if done.ok:
                done.out = TSV_HEADER + api.GetTSVText(0)  # type: ignore[attr-defined]
        return done

    def read(self, image: Image.Image, dpi: int, timeout_s: int, psm: int, output: Output,
             allowed: str = "", char_boxes: bool = False) -> Done:
        """A small image read with page segmentation `psm` (7 a line, 8 a word, 10 a
        character, 6 a block), limited to the `allowed` characters when given; its text,
        TSV or hOCR (with character boxes where `char_boxes`)."""
        api = self._api
        settings = {"tessedit_char_whitelist": (allowed, ""),
                    "hocr_char_boxes": ("1" if char_boxes else "0", "0")}
        with self._reading(psm, dpi, timeout_s, settings) as done:
            api.SetImage(image)  # type: ignore[attr-defined]
            done.ok = api.Recognize(1000 * timeout_s)  # type: ignore[attr-defined]
            if done.ok:
                done.out = (api.GetUTF8Text() if output == "text"  # type: ignore[attr-defined]
                            else TSV_HEADER + api.GetTSVText(0)  # type: ignore[attr-defined]
                            if output == "tsv" else api.GetHOCRText(0))  # type: ignore
        return done


_ENGINES: dict[tuple[str, str], Engine | None] = {}
_MAKING = threading.Lock()


def engine(folder: Path | None, lang: str) -> Engine | None:
    """This process's engine for `lang` with the models in `folder` (None: the library's own
    default), made on first use and kept; None where tesserocr cannot load or the engine
    cannot start there (a language missing: the caller's command path names it)."""
    mod = _tesserocr()
    if mod is None:
        return None
    key = (str(folder or ""), lang)
    with _MAKING:
        if key not in _ENGINES:
            stderr = _Stderr()
            try:
                with stderr.caught() as said:
                    api = mod.PyTessBaseAPI(path=str(folder) + os.sep if folder else "",
                                            lang=lang, psm=mod.PSM.AUTO_OSD)
            except RuntimeError:
                log.warning(_("Tesseract runs as one process per reading, slower: tesserocr "
                              "could not load {lang} from {folder} ({said}).").format(
                                lang=lang, folder=folder, said=" ".join(said) or "no reason"))
                _ENGINES[key] = None
            else:
                _ENGINES[key] = Engine(api, stderr)
        return _ENGINES[key]
