"""Thin wrapper around the `tesseract` command: languages and one-pass recognition.

Tesseract runs single-threaded (OMP_THREAD_LIMIT=1): digitize parallelises over pages, and
Debian's OpenMP build is 4x slower per page when its threads compete (DESIGN.md).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import shutil
import struct
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from lxml import etree
from PIL import Image

from digitize.errors import EnvironmentProblem, InputFileError
from digitize.i18n import _
from digitize.model import Word
from digitize.ocr import engine
from digitize.ocr.engine import Engine
from digitize.ocr.orientation import read_well

APT_HINT = "sudo apt-get install tesseract-ocr tesseract-ocr-vie tesseract-ocr-script-viet"
# Tesseract's best Vietnamese network (tessdata_best, integer build), shipped with digitize:
# it reads more of real pages right than Debian's fast model at the same CPU (tessdata/README.md).
BEST_VIE = Path(__file__).with_name("tessdata") / "vie.traineddata"
BEST_VIE_SHA256 = "112f6fd1d04ab4cb0208cad9cada8de214ae33a1e4db3750ffcda69262aef0a8"
_APT_NAMES = {"Vietnamese": "script-viet"}  # script models: tesseract-ocr-script-*


@functools.cache
def _system_folder() -> Path | None:
    """The system's language data folder, as Tesseract reports it with no TESSDATA_PREFIX."""
    exe = shutil.which("tesseract")
    if not exe:
        return None
    env = {k: v for k, v in os.environ.items() if k != "TESSDATA_PREFIX"}
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, check=False,
                         env=env)
    m = re.search(r'"([^"]+)"', out.stdout + out.stderr)
    return Path(m.group(1)) if m else None


@functools.cache
def best_vie_intact() -> bool:
    try:
        return hashlib.sha256(BEST_VIE.read_bytes()).hexdigest() == BEST_VIE_SHA256
    except OSError:
        return False


_BEST = {"on": False}  # whether this process reads with the best vie (config [ocr] best_vie)


def use_best_vie(on: bool) -> None:
    """Read with the best vie shipped with digitize (on) or the system's model, from now on in
    this process (a page's worker sets it from its task)."""
    if _BEST["on"] != on:
        _BEST["on"] = on
        _list_langs.cache_clear()


@functools.cache
def data_folder() -> Path | None:
    """The language data folder digitize points Tesseract at: the best `vie` shipped with it
    beside links to every other file of the system's folder (osd, eng, Vietnamese, configs),
    in the user's cache; links are added as the system gains languages. None, and Tesseract
    uses its own folder, where TESSDATA_PREFIX is set (the user's choice), the shipped model
    is missing or altered, or the folder cannot be made."""
    if os.environ.get("TESSDATA_PREFIX") or not best_vie_intact():
        return None
    system = _system_folder()
    if system is None or not system.is_dir():
        return None
    folder = Path(platformdirs.user_cache_dir("digitize")) / f"tessdata-{BEST_VIE_SHA256[:12]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / BEST_VIE.name
        if not target.exists() or target.stat().st_size != BEST_VIE.stat().st_size:
            with tempfile.NamedTemporaryFile(dir=folder, delete=False) as tmp:
                tmp.write(BEST_VIE.read_bytes())
            os.replace(tmp.name, target)
        for entry in system.iterdir():
            link = folder / entry.name
            if entry.name != BEST_VIE.name and not link.exists():
                with contextlib.suppress(FileExistsError):  # another worker made it
                    link.symlink_to(entry)
    except OSError:
        return None
    return folder


def best_vie_in_use() -> bool:
    return _BEST["on"] and data_folder() is not None


# The best vie network writes Đ as Ð (U+00D0, Icelandic eth) at times; Vietnamese has no eth.
_ETH = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})


def vietnamese(text: str) -> str:
    """Tesseract's text as NFC, with an eth read for Đ or đ put right."""
    return unicodedata.normalize("NFC", text).translate(_ETH)


_CHAR_BOX = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+)")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    folder = data_folder() if _BEST["on"] else None
    if folder is not None:
        env["TESSDATA_PREFIX"] = str(folder)
    return env


def _binary() -> str:
    exe = shutil.which("tesseract")
    if not exe:
        raise EnvironmentProblem(_("Tesseract is not installed; install it with: "
                                   "{APT_HINT}").format(
                                     APT_HINT=APT_HINT))
    return exe


@functools.cache
def version() -> str:
    out = subprocess.run([_binary(), "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).splitlines()
    return first[0].strip() if first else "tesseract"


@functools.cache
def _list_langs() -> str:
    """What `tesseract --list-langs` says: its data folder, then one language per line."""
    out = subprocess.run([_binary(), "--list-langs"], capture_output=True, text=True,
                         check=False, env=_env())
    return out.stdout + out.stderr


def installed_languages() -> frozenset[str]:
    lines = _list_langs().splitlines()
    return frozenset(ln.strip() for ln in lines[1:] if ln.strip() and " " not in ln.strip())


def tessdata_dir() -> Path | None:
    m = re.search(r'"([^"]+)"', _list_langs())
    return Path(m.group(1)) if m else None


_VERSION_ENTRY = 23  # TESSDATA_VERSION in the traineddata table of contents


def data_version(traineddata: Path) -> str:
    """The version string a traineddata file carries ("4.00.00alpha:vie:synth20170629:…"),
    or "" for a file without one."""
    try:
        with open(traineddata, "rb") as fh:
            data = fh.read()
        (count,) = struct.unpack_from("<i", data, 0)
        offsets = struct.unpack_from(f"<{count}q", data, 4)
    except (OSError, struct.error):
        return ""
    if count <= _VERSION_ENTRY or offsets[_VERSION_ENTRY] < 0:
        return ""
    later = [o for o in offsets[_VERSION_ENTRY + 1:] if o > 0]
    raw = data[offsets[_VERSION_ENTRY]:later[0] if later else len(data)]
    return raw.decode("ascii", "replace").split(":[")[0]


def apt_package(lang: str) -> str:
    return "tesseract-ocr-" + _APT_NAMES.get(lang, lang.lower().replace("_", "-"))


def check_languages(lang: str) -> None:
    """Raise EnvironmentProblem naming the apt packages for every missing language (and OSD)."""
    have = installed_languages()
    missing = [code for code in [*lang.split("+"), "osd"] if code not in have]
    if missing:
        pkgs = " ".join(apt_package(m) for m in missing)
        raise EnvironmentProblem(
            _("Tesseract language data {items} is missing; install it with: sudo apt-get install "
              "{pkgs}").format(items='+'.join(missing), pkgs=pkgs))


def _too_long(timeout: int, shown: str) -> InputFileError:
    return InputFileError(_("Tesseract took longer than {timeout} s on {shown}; the page may "
                            "be damaged or far too large — rescan it.").format(
                              timeout=timeout, shown=shown))


def _run(args: list[str], shown: str, timeout: int) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([_binary(), *args], capture_output=True, text=True, check=False,
                              env=_env(), timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise _too_long(timeout, shown) from exc


def _engine(lang: str) -> Engine | None:
    """This process's in-process engine for `lang`, with the data folder the command would
    use (the best vie where it is on); None: run the command."""
    if not engine.in_process():
        return None
    return engine.engine(tessdata_dir(), lang)


@dataclass(frozen=True)
class Recognised:
    text_pdf: Path
    tsv: Path
    txt: Path
    hocr: Path


def recognise(image: Path, out_base: Path, lang: str, dpi: int, timeout: int,
              shown: str, upright: bool = False) -> Recognised:
    """One Tesseract pass writing a text-only PDF page, word boxes (TSV), plain text and hOCR
    (whose line angles give the page orientation). Where the page looks `upright`
    (orientation.looks_upright) it is read without orientation detection (--psm 3), and read
    again with it (--psm 1) only where that reading is no text; otherwise with it at once.
    Each pass has `timeout` seconds, as each second reading of a line has: the limit is there
    for a page Tesseract never finishes, not to share out a page's time. `shown` names the
    page in messages (the user's file, not a work file)."""
    if upright:
        result = _page_pass(image, out_base, lang, dpi, timeout, shown, psm=3)
        if read_well(tsv_words(result.tsv.read_text(encoding="utf-8"))):
            return result
    return _page_pass(image, out_base, lang, dpi, timeout, shown, psm=1)


def _page_pass(image: Path, out_base: Path, lang: str, dpi: int, timeout: int, shown: str,
               psm: int) -> Recognised:
    result = Recognised(*(Path(f"{out_base}.{ext}") for ext in ("pdf", "tsv", "txt", "hocr")))
    reader = _engine(lang)
    if reader is not None:
        done = reader.page(image, out_base, dpi, timeout, psm)
        if done.timed_out:
            raise _too_long(timeout, shown)
        if done.ok and result.text_pdf.exists():
            result.tsv.write_text(done.out, encoding="utf-8")
            return result
        ok, said = False, done.said
    else:
        args = [str(image), str(out_base), "-l", lang, "--dpi", str(dpi), "--psm", str(psm),
                "-c", "textonly_pdf=1", "pdf", "tsv", "txt", "hocr"]
        out = _run(args, shown, timeout)
        ok = out.returncode == 0 and result.text_pdf.exists()
        said = out.stderr
    if not ok:
        detail = (said.strip().splitlines() or ["no output"])[-1]
        if "traineddata" in said:
            check_languages(lang)
        raise InputFileError(_("Tesseract could not read {shown} ({detail}); the page may be "
                               "damaged, scan it again.").format(shown=shown, detail=detail))
    return result


def _read(image: Image.Image, path: Path, lang: str, dpi: int, timeout: int, shown: str,
          psm: int, output: engine.Output, allowed: str = "", char_boxes: bool = False) -> str:
    """A small image read on its own: in this process's engine, else by the command on a copy
    saved at `path` (removed after); "" where Tesseract fails on it."""
    reader = _engine(lang)
    if reader is not None:
        done = reader.read(image, dpi, timeout, psm, output, allowed, char_boxes)
        if done.timed_out:
            raise _too_long(timeout, shown)
        return done.out
    args = [str(path), "stdout", "-l", lang, "--dpi", str(dpi), "--psm", str(psm)]
    if allowed:
        args += ["-c", f"tessedit_char_whitelist={allowed}"]
    if char_boxes:
        args += ["-c", "hocr_char_boxes=1"]
    if output != "text":
        args.append(output)
    try:
        image.save(path)
        out = _run(args, shown, timeout)
    finally:
        path.unlink(missing_ok=True)
    return out.stdout if out.returncode == 0 else ""


def read_line(image: Image.Image, path: Path, lang: str, dpi: int, timeout: int, shown: str,
              allowed: str = "", psm: int = 7) -> str:
    """The text of a small image holding one line (--psm 7; 8 for one word, 10 for one
    character), limited to the `allowed` characters when given; "" where Tesseract reads
    nothing. `path`: where the command's copy of the image goes, where it runs."""
    return vietnamese(_read(image, path, lang, dpi, timeout, shown, psm, "text", allowed)).strip()


def char_boxes(image: Image.Image, path: Path, lang: str, dpi: int, timeout: int, shown: str
               ) -> list[tuple[str, int, int]]:
    """(character, left and right edge in pixels) of each character Tesseract reads in a small image
    holding one line, in reading order (hOCR with character boxes); [] where it reads none."""
    hocr = _read(image, path, lang, dpi, timeout, shown, 7, "hocr", char_boxes=True)
    if not hocr.strip():
        return []
    root = etree.fromstring(hocr.encode("utf-8"), etree.XMLParser(recover=True, no_network=True))
    if root is None:
        return []
    found = []
    for el in root.iter("{*}span"):
        if el.get("class") == "ocrx_cinfo" and el.text:
            m = _CHAR_BOX.search(el.get("title") or "")
            if m:
                found.append((unicodedata.normalize("NFC", el.text), int(m.group(1)),
                              int(m.group(3))))
    return found


def read_words(image: Image.Image, path: Path, lang: str, dpi: int, timeout: int, shown: str,
               psm: int = 7) -> tuple[Word, ...]:
    """The words (NFC, with their boxes in the image's pixels and Tesseract's confidence,
    0..100) of a small image: one line (--psm 7), or a block of lines (6); () where Tesseract
    reads nothing."""
    return tsv_words(_read(image, path, lang, dpi, timeout, shown, psm, "tsv"))


def tsv_words(tsv: str) -> tuple[Word, ...]:
    """The words of Tesseract's TSV output (level 5 rows with text), NFC."""
    words: list[Word] = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        words.append(Word(
            text=vietnamese(cols[11].strip()),
            left=int(cols[6]), top=int(cols[7]), width=int(cols[8]), height=int(cols[9]),
            conf=float(cols[10]), block=int(cols[2]), par=int(cols[3]), line=int(cols[4]),
        ))
    return tuple(words)
