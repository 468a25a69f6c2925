"""Find the dossiers in what the user named: a dossier folder, a folder of dossier folders
(nested as a scanner makes them), or single files. Each folder that directly holds scans is one
dossier; hidden files and other file types are ignored."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from digitize.extract.text import fold
from digitize.i18n import _
from digitize.ocr.images import is_supported

# A folder holding this file holds documents submitted outside a dossier (run --loose).
LOOSE_MARKER = ".sip_tailieu"
# Mã hồ sơ TTHC (TT 01/2018/TT-VPCP Điều 19): agency code, receipt date YYMMDD, daily sequence.
DOSSIER_CODE = re.compile(r"^(?P<agency>[A-Z0-9]+(?:\.[A-Z0-9]+){0,3})-(?P<yymmdd>\d{6})-"
                          r"(?P<seq>\d{4})$")


@dataclass(frozen=True)
class DossierInput:
    id: str
    folder: Path
    files: tuple[Path, ...] = ()
    problems: tuple[tuple[Path, str], ...] = field(default=())

    @property
    def dossier_code(self) -> str | None:
        return self.folder.name if DOSSIER_CODE.match(self.folder.name) else None

    @property
    def marked_loose(self) -> bool:
        """Its folder holds the SIP_tailieu marker (an unreadable folder holds none)."""
        try:
            return (self.folder / LOOSE_MARKER).is_file()
        except OSError:
            return False

    @property
    def received_date(self) -> date | None:
        m = DOSSIER_CODE.match(self.folder.name)
        if not m:
            return None
        y = m.group("yymmdd")
        try:
            return date(2000 + int(y[:2]), int(y[2:4]), int(y[4:6]))
        except ValueError:
            return None


def natural_key(path: Path) -> list[object]:
    """scan_2 before scan_10."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", path.name)]


def _visible(name: str) -> bool:
    return not name.startswith(".")


def _walk(top: Path) -> tuple[dict[Path, list[Path]], list[tuple[Path, str]]]:
    found: dict[Path, list[Path]] = {}
    problems: list[tuple[Path, str]] = []

    def onerror(err: OSError) -> None:
        where = Path(err.filename) if err.filename else top
        problems.append((where, _("Folder {path} cannot be read ({reason}); check its "
                                  "permissions.").format(path=where, reason=err.strerror)))

    for dirpath, dirnames, filenames in os.walk(top, onerror=onerror):
        dirnames[:] = sorted(d for d in dirnames if _visible(d))
        scans = [Path(dirpath) / f for f in filenames if _visible(f) and is_supported(Path(f))]
        if scans:
            found[Path(dirpath)] = sorted(scans, key=natural_key)
    return found, problems


def _dossier_id(folder: Path, top: Path) -> str:
    rel = folder.relative_to(top) if folder != top else Path(top.resolve().name)
    raw = "_".join(rel.parts) or "dossier"
    return re.sub(r"[^\w.\-]+", "_", raw).strip("_") or "dossier"


def discover(inputs: Sequence[Path]) -> list[DossierInput]:
    """Dossiers in a stable order. Missing or unreadable inputs become dossiers with problems."""
    groups: dict[Path, list[Path]] = {}
    ids: dict[Path, str] = {}
    problems: dict[Path, list[tuple[Path, str]]] = {}
    for raw in inputs:
        path = raw.expanduser()
        if not path.exists():
            problems.setdefault(path, []).append(
                (path, _("{path} does not exist; check the path.").format(path=path)))
            ids.setdefault(path, path.name or "input")
        elif path.is_dir():
            found, errs = _walk(path)
            for where, msg in errs:
                problems.setdefault(where, []).append((where, msg))
                ids.setdefault(where, _dossier_id(where, path) if where != path else path.name)
            for folder, files in found.items():
                groups.setdefault(folder, []).extend(files)
                ids.setdefault(folder, _dossier_id(folder, path))
        elif is_supported(path):
            groups.setdefault(path.parent, []).append(path)
            ids.setdefault(path.parent, path.parent.name or "dossier")
        else:
            problems.setdefault(path, []).append(
                (path, _("{name} is not a PNG, JPEG, TIFF or PDF file; digitize cannot read "
                         "it.").format(name=path.name)))
            ids.setdefault(path, path.name)
    out: list[DossierInput] = []
    used: set[str] = set()
    for folder in sorted(set(groups) | set(problems), key=lambda p: str(p)):
        base = ids[folder]
        ident, n = base, 2
        while fold(ident) in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(fold(ident))
        files = tuple(dict.fromkeys(groups.get(folder, [])))
        out.append(DossierInput(ident, folder, files, tuple(problems.get(folder, []))))
    return out
