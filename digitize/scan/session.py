"""A scan session at the desk: pages from the scanner into the dossier's folder, as one
document or split at separator sheets or blank pages, ready for `run`."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digitize.clock import VN_TZ
from digitize.config import ScanConfig
from digitize.errors import EnvironmentProblem, UsageProblem
from digitize.i18n import _
from digitize.scan.sane import MODES, SOURCES, ScanRequest, acquire, list_devices
from digitize.scan.split import Child, record_types, split_stack


@dataclass(frozen=True)
class ScanResult:
    folder: Path
    documents: tuple[Child, ...]
    pages: int
    problem: str | None = None


def scan_dossier(req: ScanRequest, folder: Path, split: str,
                 on_page: Callable[[int], None] | None = None) -> ScanResult:
    """Scan into `folder` (made if missing); files already there are kept, new ones are named
    by the time of the session. The scanner's raw pages never enter the folder."""
    folder.parent.mkdir(parents=True, exist_ok=True)  # the dossier folder comes with pages
    stem = "scan-" + datetime.now(VN_TZ).strftime("%Y%m%d-%H%M%S")
    work = Path(tempfile.mkdtemp(prefix=".scan-", dir=folder.parent))
    try:
        got = acquire(req, work, on_page)
        children = split_stack(list(got.pages), folder, split, stem)
        record_types(folder, children)
        return ScanResult(folder, tuple(children), len(got.pages), got.problem)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def scan_request(cfg: ScanConfig, *, device: str | None = None, source: str | None = None,
                 duplex: bool | None = None, dpi: int | None = None, mode: str | None = None,
                 pages: int = 1) -> ScanRequest:
    """The scan [scan] describes, with what the command line gave instead; no device named
    means the first scanner found."""
    name = device or cfg.device
    if not name:
        found = list_devices()
        if not found:
            raise EnvironmentProblem(_("No scanner found; connect it and check "
                                       "`scanimage -L`, or name one with --device."))
        name = found[0].name
    src = source or cfg.source
    colour = mode or cfg.mode
    if src not in SOURCES or colour not in MODES:
        raise UsageProblem(_("Use --source {sources} and --mode {modes}.").format(
            sources="|".join(SOURCES), modes="|".join(MODES)))
    return ScanRequest(device=name, source=src, duplex=cfg.duplex if duplex is None else duplex,
                       dpi=dpi or cfg.dpi, mode=colour, pages=pages, extra=tuple(cfg.options),
                       timeout_s=cfg.timeout_s)
