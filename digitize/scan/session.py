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
from digitize.scan.sane import ScanRequest, acquire
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
