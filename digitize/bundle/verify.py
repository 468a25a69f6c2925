"""Verify what an archivist receives: a signed PDF, a package folder, a zipped package, or a
`run` output folder holding packages. Packages are checked for fixity and structure, and every
PDF inside for its signatures; one report per file or package."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

from asn1crypto import x509
from pydantic import BaseModel, Field

from digitize.bundle.check import check_package, is_package
from digitize.errors import InputFileError
from digitize.signing.verify import POLICY, FileReport, Indication, overall, verify_pdf


class PackageReport(BaseModel):
    path: str
    kind: str = "package"
    status: Indication
    files_checked: int = 0
    reasons: list[str] = Field(default_factory=list)
    documents: list[FileReport] = Field(default_factory=list)
    policy: str = POLICY


def verify_package(root: Path, trust: Sequence[x509.Certificate], offline: bool,
                   shown_as: str | None = None) -> PackageReport:
    check = check_package(root)
    docs = [verify_pdf(p, trust, offline) for p in check.pdfs]
    for d in docs:
        d.path = str(Path(shown_as or root) / Path(d.path).relative_to(root.resolve()))
    statuses = [d.status for d in docs]
    if not check.ok:
        statuses.append(Indication.invalid)
    if not docs:
        check.problems.append("the package holds no PDF")
    return PackageReport(path=shown_as or str(root), status=overall(statuses),
                         files_checked=check.files_checked, reasons=check.problems,
                         documents=docs)


def _verify_zip(path: Path, trust: Sequence[x509.Certificate], offline: bool) -> PackageReport:
    with tempfile.TemporaryDirectory(prefix="digitize-verify-") as tmp:
        try:
            with zipfile.ZipFile(path) as zf:
                for name in zf.namelist():
                    if name.startswith("/") or ".." in Path(name).parts:
                        raise InputFileError(f"{path} holds an unsafe path ({name}); it was not "
                                             "unpacked.")
                zf.extractall(tmp)
        except zipfile.BadZipFile as exc:
            raise InputFileError(f"{path} is not a readable zip file.") from exc
        roots = [p for p in Path(tmp).iterdir() if is_package(p)]
        root = roots[0] if len(roots) == 1 else Path(tmp)
        return verify_package(root, trust, offline, shown_as=str(path))


def verify_any(path: Path, trust: Sequence[x509.Certificate], offline: bool
               ) -> list[FileReport | PackageReport]:
    """Reports for `path`: a PDF, a package (folder or zip), or a folder holding packages."""
    if path.is_file() and path.suffix.lower() == ".zip":
        return [_verify_zip(path, trust, offline)]
    if path.is_file():
        return [verify_pdf(path, trust, offline)]
    if is_package(path):
        return [verify_package(path, trust, offline)]
    if path.is_dir():
        packages = sorted(p.parent for p in path.rglob("METS.xml")
                          if p.parent.name.startswith("uuid-"))
        if packages:
            return [verify_package(p, trust, offline) for p in packages]
        pdfs = sorted(path.rglob("*.pdf"))
        if pdfs:
            return [verify_pdf(p, trust, offline) for p in pdfs]
    raise InputFileError(f"{path} is not a PDF, a package or a folder holding either; check "
                         "the path.")
