"""SANE behind a thin wrapper: `scanimage` lists the scanners, reads a device's options, and
scans a batch of pages as TIFF files. Names a clerk uses (adf, flatbed, color, gray, lineart)
are matched to whatever words the device's driver uses for them."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digitize.errors import EnvironmentProblem, InputFileError, UsageProblem
from digitize.i18n import _

INSTALL = "sudo apt-get install sane-utils"
MODES = ("color", "gray", "lineart")
_BATCH_END = "Batch terminated"  # scanimage's last line of a batch, however it ended
EXIT_GRACE_S = 5.0  # how long scanimage may take to exit after that line
SOURCES = ("adf", "flatbed")
_MODE_WORDS = {"color": ("color", "colour", "24bit color", "rgb"),
               "gray": ("gray", "grey", "grayscale", "greyscale", "8bit gray"),
               "lineart": ("lineart", "binary", "black & white", "black and white", "halftone",
                           "monochrome")}


@dataclass(frozen=True)
class Device:
    name: str
    vendor: str
    model: str
    kind: str


@dataclass(frozen=True)
class ScanRequest:
    device: str
    source: str = "adf"  # adf or flatbed
    duplex: bool = False
    dpi: int = 300
    mode: str = "color"
    pages: int = 1  # flatbed: how many pages to take; the feeder scans until it is empty
    extra: tuple[str, ...] = ()  # more scanimage options for this device, from config
    timeout_s: float = 1800.0


def _scanimage() -> str:
    path = shutil.which("scanimage")
    if path is None:
        raise EnvironmentProblem(_("scanimage (SANE) is not installed; install it: "
                                   "{INSTALL}").format(
                                     INSTALL=INSTALL))
    return path


def _run(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([_scanimage(), *args], capture_output=True, text=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise EnvironmentProblem(_("scanimage {items} did not answer in {timeout:g} s; check the "
                                   "scanner's cable and power.").format(
                                     items=' '.join(args[:2]), timeout=timeout)) from exc


def list_devices() -> list[Device]:
    """The scanners SANE finds (network scanners can take some seconds)."""
    res = _run(["-f", "%d\x1f%v\x1f%m\x1f%t%n"])
    devices = []
    for line in res.stdout.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 4:
            devices.append(Device(*parts))
    return devices


@dataclass(frozen=True)
class DeviceOptions:
    modes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    resolutions: tuple[int, ...] = ()  # listed values; empty when a range is given
    resolution_range: tuple[int, int] | None = None


_OPTION = re.compile(r"^\s+--(mode|source|resolution)\s+(.+?)\s+\[[^\]]*\]\s*$")


def device_options(device: str) -> DeviceOptions:
    res = _run(["-d", device, "-A"])
    if res.returncode != 0:
        raise EnvironmentProblem(_("Scanner {device} cannot be opened ({value}); check it is on "
                                   "and connected, and `digitize scan --list`.").format(
                                     device=device, value=_last_line(res.stderr)))
    found: dict[str, str] = {}
    for line in res.stdout.splitlines():
        m = _OPTION.match(line)
        if m and m.group(1) not in found:
            found[m.group(1)] = m.group(2)
    res_text = found.get("resolution", "")
    span = re.match(r"(\d+)\.\.(\d+)", res_text)
    return DeviceOptions(
        modes=tuple(found.get("mode", "").split("|")) if "mode" in found else (),
        sources=tuple(found.get("source", "").split("|")) if "source" in found else (),
        resolutions=() if span else tuple(int(v) for v in re.findall(r"\d+", res_text)),
        resolution_range=(int(span.group(1)), int(span.group(2))) if span else None)


def _last_line(text: str) -> str:
    """scanimage's own complaint ("scanimage: sane_read: Document feeder jammed") when it made
    one, else its last word ("Batch terminated, …")."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # "received signal 13" follows the real complaint when the driver's reader outlives a jam.
    # On a busy machine "trying to stop scanner" can come last; a failed sane_* call is the
    # reason whenever there is one.
    errors = [ln for ln in lines if ln.startswith("scanimage:") and "received signal" not in ln
              and "trying to stop" not in ln]
    if not lines:
        return "no message"
    calls = [ln for ln in errors if "sane_" in ln]
    line = (calls or errors or lines)[-1].removeprefix("scanimage:").strip()
    return re.sub(r"^sane_\w+:\s*", "", line)


def pick_mode(opts: DeviceOptions, mode: str) -> str | None:
    if not opts.modes:
        return None
    for choice in opts.modes:
        if choice.lower() in _MODE_WORDS[mode]:
            return choice
    raise UsageProblem(_("This scanner has no {mode} mode; it offers {items} (choose with --mode "
                         "color|gray|lineart).").format(mode=mode, items=', '.join(opts.modes)))


def pick_source(opts: DeviceOptions, source: str, duplex: bool) -> str | None:
    if not opts.sources:
        if source == "adf" or duplex:
            raise UsageProblem(_("This scanner has no document feeder; use --source flatbed."))
        return None
    lowered = [(c, c.lower()) for c in opts.sources]
    if source == "flatbed":
        wanted = [c for c, low in lowered if "flatbed" in low]
    else:
        feeders = [(c, low) for c, low in lowered if "adf" in low or "feeder" in low
                   or "duplex" in low]
        wanted = [c for c, low in feeders if ("duplex" in low) == duplex]
    if not wanted:
        side = "duplex feeder" if duplex else source
        raise UsageProblem(_("This scanner has no {side} source; it offers {items}.").format(
                               side=side, items=', '.join(opts.sources)))
    return wanted[0]


def pick_resolution(opts: DeviceOptions, dpi: int) -> int:
    """The requested resolution, or the nearest the device offers at or above it."""
    if opts.resolution_range:
        low, high = opts.resolution_range
        return min(max(dpi, low), high)
    above = sorted(r for r in opts.resolutions if r >= dpi)
    if above:
        return above[0]
    return max(opts.resolutions) if opts.resolutions else dpi


@dataclass(frozen=True)
class Acquired:
    pages: tuple[Path, ...]
    problem: str | None = None  # the scanner stopped early (a jam): these pages came


def acquire(req: ScanRequest, folder: Path, on_page: Callable[[int], None] | None = None
            ) -> Acquired:
    """Scan pages into `folder` as page-0001.tif, …, in order. An empty feeder before the
    first page or a missing device is an error naming the fix."""
    opts = device_options(req.device)
    args = ["-d", req.device, "--format=tiff", f"--resolution={pick_resolution(opts, req.dpi)}",
            f"--batch={folder}/page-%04d.tif"]
    mode = pick_mode(opts, req.mode)
    source = pick_source(opts, req.source, req.duplex)
    if mode:
        args.append(f"--mode={mode}")
    if source:
        args.append(f"--source={source}")
    if req.source == "flatbed":
        args.append(f"--batch-count={req.pages}")
    args += list(req.extra)
    # scanimage reports every page on stderr: a file, not a pipe, so a long batch cannot fill
    # the pipe and stall the scanner.
    log_path = folder / "scanimage.log"
    with open(log_path, "w", encoding="utf-8") as log_file:
        proc = subprocess.Popen([_scanimage(), *args], stdout=subprocess.DEVNULL,
                                stderr=log_file)
    deadline = time.monotonic() + req.timeout_s
    seen = 0
    ended: float | None = None  # when scanimage wrote that its batch was over
    reaped = False
    while proc.poll() is None:
        now = time.monotonic()
        if ended is None and _BATCH_END in log_path.read_text(encoding="utf-8", errors="replace"):
            ended = now
        elif ended is not None and now - ended > EXIT_GRACE_S:
            # The batch is over but the driver hangs on its way out (SANE's test backend does,
            # now and then, after a jam): the pages are written, so stop waiting for it.
            proc.kill()
            proc.wait()
            reaped = True
            break
        if now > deadline:
            proc.kill()
            proc.wait()
            raise EnvironmentProblem(_("Scanning on {device} took over {timeout_s:g} s; check "
                                       "the scanner, then scan again.").format(
                                         device=req.device, timeout_s=req.timeout_s))
        count = len(list(folder.glob("page-*.tif")))
        if on_page and count != seen:
            seen = count
            on_page(count)
        time.sleep(0.2)
    stderr = log_path.read_text(encoding="utf-8", errors="replace")
    pages = sorted(folder.glob("page-*.tif"))
    if on_page and len(pages) != seen:
        on_page(len(pages))
    if not pages:
        reason = _last_line(stderr)
        if "out of documents" in reason.lower() or "no docs" in reason.lower():
            raise InputFileError(_("The feeder of {device} is empty; put the pages in and scan "
                                   "again.").format(device=req.device))
        raise EnvironmentProblem(_("Scanner {device} gave no page ({reason}); check it and "
                                   "`digitize scan --list`.").format(
                                     device=req.device, reason=reason))
    complaints = [ln for ln in stderr.splitlines() if ln.startswith("scanimage:")
                  and "out of documents" not in ln.lower()]
    stopped = bool(complaints) if reaped else \
        proc.returncode != 0 and "out of documents" not in stderr.lower()
    if stopped:
        return Acquired(tuple(pages), _(
            "Scanner {device} stopped after {count} pages ({reason}); clear it and scan the "
            "rest.").format(device=req.device, count=len(pages), reason=_last_line(stderr)))
    return Acquired(tuple(pages))
