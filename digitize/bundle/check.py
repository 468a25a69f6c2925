"""Check a package's fixity and structure: every file a METS file lists exists with its SHA-256
and size, no file is left unlisted, and every METS file validates against METS 1.12."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from digitize.fsutil import sha256_file
from digitize.schemas.xsd import validate_mets

METS = "{http://www.loc.gov/METS/}"
HREF = "{http://www.w3.org/1999/xlink}href"


@dataclass
class PackageCheck:
    root: Path
    files_checked: int = 0
    problems: list[str] = field(default_factory=list)
    pdfs: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def is_package(path: Path) -> bool:
    return path.is_dir() and (path / "METS.xml").is_file()


def _check_mets(mets: Path, result: PackageCheck, listed: set[Path]) -> None:
    result.problems.extend(validate_mets(mets))
    try:
        doc = etree.parse(str(mets), etree.XMLParser(no_network=True, resolve_entities=False))
    except (etree.XMLSyntaxError, OSError):
        return  # already reported by validate_mets
    base = mets.parent
    for el in doc.iter(f"{METS}file", f"{METS}mdRef"):
        href = el.get(HREF) if el.tag == f"{METS}mdRef" else next(
            (loc.get(HREF) for loc in el.iter(f"{METS}FLocat")), None)
        if not href:
            result.problems.append(f"{mets.relative_to(result.root)}: an entry has no location")
            continue
        target = (base / unquote(href)).resolve()
        rel = target.relative_to(result.root.resolve()) if target.is_relative_to(
            result.root.resolve()) else None
        if rel is None:
            result.problems.append(f"{href} points outside the package")
            continue
        listed.add(target)
        if not target.is_file():
            result.problems.append(f"{rel} is listed in {mets.name} but missing")
            continue
        result.files_checked += 1
        expected = (el.get("CHECKSUM") or "").upper()
        if el.get("CHECKSUMTYPE") != "SHA-256" or not expected:
            result.problems.append(f"{rel} has no SHA-256 checksum in {mets.name}")
        elif sha256_file(target) != expected:
            result.problems.append(f"{rel} does not match its SHA-256 checksum: it was changed "
                                   "or damaged after packaging")
        size = el.get("SIZE")
        if size is not None and int(size) != target.stat().st_size:
            result.problems.append(f"{rel} has {target.stat().st_size} bytes, METS says {size}")
        if target.suffix.lower() == ".pdf":
            result.pdfs.append(target)
        if target.name == "METS.xml" and target != mets.resolve():
            _check_mets(target, result, listed)


def check_package(root: Path) -> PackageCheck:
    result = PackageCheck(root=root)
    listed: set[Path] = set()
    _check_mets(root / "METS.xml", result, listed)
    listed.add((root / "METS.xml").resolve())
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.resolve() not in listed:
            result.problems.append(f"{path.relative_to(root)} is in the package but not listed "
                                   "in any METS file")
    return result
