"""Verify what an archivist receives: a signed PDF, a package folder, a zipped package, or a
`run` output folder holding packages. Packages are checked for fixity and structure, and every
PDF inside for its signatures; one report per file or package."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from asn1crypto import x509
from pydantic import BaseModel, Field

from digitize.bundle.check import check_package, is_package
from digitize.bundle.eark import EarkReport, check_eark
from digitize.bundle.transfer import check_bag, find_package, is_bag, unpack_zip
from digitize.errors import InputFileError
from digitize.i18n import _
from digitize.procs import worker_init
from digitize.validation.verify import POLICY, FileReport, Indication, overall, verify_pdf


def _python(eark: bool | Path) -> Path | None:
    return eark if isinstance(eark, Path) else None


class PackageReport(BaseModel):
    path: str
    kind: str = "package"
    status: Indication
    files_checked: int = 0
    reasons: list[str] = Field(default_factory=list)
    documents: list[FileReport] = Field(default_factory=list)
    eark: EarkReport | None = None  # E-ARK CSIP conformance, by E-ARK's validator
    policy: str = POLICY


def _named(report: FileReport, shown: str) -> FileReport:
    """The report of a package's PDF, naming it `shown` in its path and in every reason that
    names it (a refusal does): where it was unpacked to is nobody's business."""
    real = report.path

    def fix(texts: list[str]) -> list[str]:
        return [t.replace(real, shown) for t in texts]

    report.path, report.reasons = shown, fix(report.reasons)
    for sig in report.signatures:
        sig.reasons, sig.warnings = fix(sig.reasons), fix(sig.warnings)
    return report


def verify_package(root: Path, trust: Sequence[x509.Certificate], offline: bool,
                   shown_as: str | None = None, eark: bool | Path = True,
                   conformance: EarkReport | None = None,
                   inside: Path | None = None) -> PackageReport:
    """Fixity, structure and metadata, every document's signatures and, unless `eark` is
    False, E-ARK conformance (`conformance` when it was checked already; `eark` may name the
    validator's python). Documents are named from `shown_as` (default: the folder) by their
    path in the package, or in the zip that was unpacked into `inside`."""
    check = check_package(root)
    if eark and conformance is None:
        conformance = check_eark([root], _python(eark))[0]
    if conformance is not None and conformance.ran and conformance.errors:
        check.problems.append(_("E-ARK CSIP {spec}: {rules} failed").format(
            spec="2.1", rules=", ".join(conformance.failed) or "structure"))
    base = (inside or root).resolve()
    docs = [_named(verify_pdf(p, trust, offline), str(Path(shown_as or root) /
                                                      p.relative_to(base)))
            for p in check.pdfs]
    if check.files_checked == 0:
        check.problems.append("no file listed in the METS files could be checked")
    statuses = [d.status for d in docs]
    if not check.ok:
        statuses.append(Indication.invalid)
    if not docs:
        check.problems.append("the package holds no PDF")
    return PackageReport(path=shown_as or str(root), status=overall(statuses),
                         files_checked=check.files_checked, reasons=check.problems,
                         documents=docs, eark=conformance)


def _verify_folder(folder: Path, trust: Sequence[x509.Certificate], offline: bool,
                   shown_as: str, eark: bool | Path = True,
                   conformance: EarkReport | None = None,
                   inside: Path | None = None) -> PackageReport:
    """A package folder, or a bag holding one: the bag's own checks come first."""
    bag_problems = check_bag(folder) if is_bag(folder) else []
    package = find_package(folder)
    if package is None:
        return PackageReport(path=shown_as, status=Indication.invalid,
                             reasons=[*bag_problems, "no package (METS.xml) found"])
    report = verify_package(package, trust, offline, shown_as=shown_as, eark=eark,
                            conformance=conformance, inside=inside)
    if is_bag(folder):
        report.kind = "bag"
        report.reasons = [*bag_problems, *report.reasons]
        if bag_problems:
            report.status = Indication.invalid
    return report


def _verify_zip(path: Path, trust: Sequence[x509.Certificate], offline: bool,
                eark: bool | Path = True) -> PackageReport:
    """A zip that cannot be unpacked safely (a bomb, a link, a name outside) is that one
    report, invalid with the reason; the other files of the batch are still verified. Its
    PDFs are named by their names in the zip (`ZIP/uuid-…/…/x.pdf`)."""
    with tempfile.TemporaryDirectory(prefix="digitize-verify-") as tmp:
        try:
            folder = unpack_zip(path, Path(tmp))
        except InputFileError as exc:
            return PackageReport(path=str(path), status=Indication.invalid,
                                 reasons=[exc.message])
        return _verify_folder(folder, trust, offline, str(path), eark, inside=Path(tmp))


def _verify_pdfs(pdfs: Sequence[Path], trust: Sequence[x509.Certificate], offline: bool,
                 jobs: int = 1) -> list[FileReport]:
    """Validate PDFs, in parallel processes when there are several (validation is CPU work:
    parsing, hashing, certificate paths)."""
    if jobs <= 1 or len(pdfs) < 4:
        return [verify_pdf(p, trust, offline) for p in pdfs]
    with ProcessPoolExecutor(max_workers=jobs, initializer=worker_init) as pool:
        return list(pool.map(partial(verify_pdf, trust=list(trust), offline=offline), pdfs,
                             chunksize=8))


def verify_paths(paths: Sequence[Path], trust: Sequence[x509.Certificate], offline: bool,
                 jobs: int = 1, eark: bool | Path = True) -> list[FileReport | PackageReport]:
    """Reports for every path, in order; plain PDFs are validated in parallel."""
    loose = [p for p in paths if p.is_file() and p.suffix.lower() == ".pdf"]
    done = dict(zip(loose, _verify_pdfs(loose, trust, offline, jobs), strict=True))
    reports: list[FileReport | PackageReport] = []
    for p in paths:
        reports.extend([done[p]] if p in done else verify_any(p, trust, offline, jobs, eark))
    return reports


def _visible(folder: Path, pattern: str) -> list[Path]:
    """The files under `folder` matching `pattern`, outside hidden folders: a run's own (a
    dossier being staged, outputs on their way out, work files) hold half-made packages that
    are no one's to verify, and are gone a moment later."""
    return [p for p in folder.rglob(pattern)
            if not any(part.startswith(".") for part in p.relative_to(folder).parent.parts)]


def verify_any(path: Path, trust: Sequence[x509.Certificate], offline: bool, jobs: int = 1,
               eark: bool | Path = True) -> list[FileReport | PackageReport]:
    """Reports for `path`: a PDF, a package or a bag (folder or zip), or a folder holding
    packages or bags (a `run` output folder)."""
    if path.is_file() and path.suffix.lower() == ".zip":
        return [_verify_zip(path, trust, offline, eark)]
    if path.is_file():
        return [verify_pdf(path, trust, offline)]
    if is_package(path) or is_bag(path):
        return [_verify_folder(path, trust, offline, str(path), eark)]
    if path.is_dir():
        bags = sorted(p.parent for p in _visible(path, "bagit.txt"))
        packages = sorted(p.parent for p in _visible(path, "METS.xml")
                          if p.parent.name.startswith("uuid-")
                          and not any(b in p.parents for b in bags))
        if bags or packages:  # the loose packages' E-ARK check in one run of the validator
            checked = dict(zip(packages, check_eark(packages, _python(eark)), strict=True)) \
                if eark and packages else {}
            return [_verify_folder(f, trust, offline, str(f), eark, checked.get(f))
                    for f in [*bags, *packages]]
        pdfs = sorted(_visible(path, "*.pdf"))
        if pdfs:
            return list(_verify_pdfs(pdfs, trust, offline, jobs))
    raise InputFileError(_("{path} is not a PDF, a package or a folder holding either; check the "
                           "path.").format(path=path))
