"""What leaves the desk: an archival package (AIP: the SIP plus PREMIS preservation metadata),
an optional BagIt 1.0 wrapper, and zips that are byte-for-byte reproducible."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import bagit
from lxml import etree

from digitize import __version__
from digitize.bundle.check import check_package, is_package, refresh_checksums
from digitize.bundle.premis import PreservedFile, write_premis
from digitize.bundle.sip import (
    CSIP_NS,
    METS_NS,
    PREMIS_REL,
    md_ref,
    new_file_id,
    package_fields,
)
from digitize.bundle.unpack import safe_unpack
from digitize.clock import now_vn
from digitize.errors import InputFileError, NoInputError
from digitize.fsutil import atomic_dir, atomic_path
from digitize.i18n import _
from digitize.model import DOSSIER_RECORD, DossierResult, Event, read_dossier
from digitize.schemas.tt05 import DocumentFields, DossierFields

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed, so the same package always zips to the same bytes


def _replace_target(target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()


def make_aip(package: Path, dossier: DossierResult, parent: Path) -> Path:
    """Copy the SIP to `parent` as an AIP: PREMIS.xml with every document's events and the
    dossier's (packaging included), and the root METS marked AIP with the PREMIS file in its
    amdSec."""
    by_name = {Path(d.pdf).name: d for d in dossier.documents if d.pdf}
    target = parent / package.name
    _replace_target(target)
    with atomic_dir(target) as tmp:
        shutil.copytree(package, tmp, dirs_exist_ok=True)
        files = []
        for pdf in sorted((tmp / "representations" / "rep1" / "data").glob("*.pdf")):
            doc = by_name.get(pdf.name)
            if doc is None:
                raise InputFileError(_("{name} in {package} is not in the dossier record; make "
                                       "the package again with 'digitize run'.").format(
                                         name=pdf.name, package=package))
            files.append(PreservedFile(pdf, pdf.relative_to(tmp).as_posix(),
                                       Path(doc.source).name, tuple(doc.provenance)))
        made = Event(type="packaging", time=now_vn(), agent=f"digitize {__version__}",
                     detail=f"archival information package (AIP) from SIP {package.name}")
        write_premis(files, [*dossier.provenance, made], tmp / PREMIS_REL)
        _mark_aip(tmp)
    return target


def _mark_aip(pkg: Path) -> None:
    mets_path = pkg / "METS.xml"
    tree = etree.parse(str(mets_path))
    root = tree.getroot()
    m = f"{{{METS_NS}}}"
    hdr = root.find(f"{m}metsHdr")
    created = now_vn()
    hdr.set(f"{{{CSIP_NS}}}OAISPACKAGETYPE", "AIP")
    hdr.set("LASTMODDATE", created)
    if root.find(f"{m}amdSec") is None:  # a SIP made before SIPs carried PREMIS
        digiprov = etree.Element(f"{m}digiprovMD", ID=new_file_id(), CREATED=created,
                                 STATUS="CURRENT")
        digiprov.append(md_ref(pkg / PREMIS_REL, pkg, created, "PREMIS"))
        amd = etree.Element(f"{m}amdSec", ID=new_file_id())
        amd.append(digiprov)
        root.find(f"{m}dmdSec").addnext(amd)
        for div in root.iter(f"{m}div"):
            if div.get("LABEL") == "Metadata":
                div.set("ADMID", digiprov.get("ID"))
    tree.write(str(mets_path), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    refresh_checksums(mets_path)  # PREMIS.xml was rewritten


def make_bag(package: Path, parent: Path, organisation: str, dossier_code: str,
             title: str) -> Path:
    """A BagIt 1.0 bag holding the package under data/, with SHA-256 and SHA-512 manifests."""
    target = parent / f"{package.name}_bag"
    _replace_target(target)
    with atomic_dir(target) as tmp:
        shutil.copytree(package, tmp / package.name)
        bagit.make_bag(str(tmp), bag_info={
            "Source-Organization": organisation, "External-Identifier": dossier_code,
            "External-Description": title, "Bag-Software-Agent": f"digitize {__version__}",
        }, checksums=["sha256", "sha512"], processes=1)
    return target


def write_zip(folder: Path, target: Path) -> Path:
    """Zip `folder` (as its own top-level folder) with sorted entries, a fixed time and fixed
    permissions: the same folder always gives the same bytes."""
    with atomic_path(target) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
            if not path.is_file():
                continue
            info = zipfile.ZipInfo((Path(folder.name) / path.relative_to(folder)).as_posix(),
                                   date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3  # Unix, whatever system made it
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    return target


def find_package(folder: Path) -> Path | None:
    """The package inside a bag, a zip's top folder, or the folder itself."""
    for candidate in (folder, *sorted(folder.glob("uuid-*")),
                      *sorted(folder.glob("data/uuid-*"))):
        if (candidate / "METS.xml").is_file():
            return candidate
    return None


def unpack_zip(path: Path, into: Path) -> Path:
    """Unpack a package's or bag's zip by the rules of `digitize.bundle.unpack` (sizes, ratio,
    entries, depth, no links, nothing outside `into`) and return the folder it holds."""
    return safe_unpack(path, into)


def check_bag(folder: Path) -> list[str]:
    """BagIt validation with bagit-python (manifests, Payload-Oxum, every checksum)."""
    try:
        bagit.Bag(str(folder)).validate(processes=1)
    except bagit.BagValidationError as exc:
        details = [str(d) for d in getattr(exc, "details", [])][:10]
        return [f"BagIt: {exc.message}", *details]
    except bagit.BagError as exc:
        return [f"BagIt: {exc}"]
    return []


def is_bag(folder: Path) -> bool:
    return (folder / "bagit.txt").is_file()



@dataclass(frozen=True)
class PackageIdentity:
    obj_id: str
    title: str
    dossier_code: str
    file_code: str


def package_identity(package: Path) -> PackageIdentity:
    root = etree.parse(str(package / "METS.xml")).getroot()
    alt = {el.get("TYPE"): el.text or "" for el in root.iter(f"{{{METS_NS}}}altRecordID")}
    return PackageIdentity(root.get("OBJID", package.name), root.get("LABEL", ""),
                           alt.get("DOSSIERCODE", ""), alt.get("FILECODE", ""))


def export_bundle(package: Path, out_dir: Path, *, aip: bool, bag: bool, as_zip: bool,
                  dossier: DossierResult | None, organisation: str) -> Path:
    """The package as it leaves the desk: SIP or AIP, bare or bagged, as a folder or a zip."""
    problems = check_package(package).problems
    if problems:
        raise InputFileError(_("{name} does not check out: {problems}").format(
                                 name=package.name, problems=problems[0]))
    if aip and dossier is None:
        raise InputFileError(_("{package} has no dossier.json beside it, which an AIP needs (its "
                               "provenance); bundle the folder 'digitize run' made.").format(
                                 package=package))
    ident = package_identity(package)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="digitize-bundle-", dir=out_dir) as tmp_name:
        work, current = Path(tmp_name), package
        if aip:
            assert dossier is not None
            current = make_aip(current, dossier, work / "aip")
        if bag:
            current = make_bag(current, work / "bag", organisation,
                               ident.dossier_code or ident.file_code, ident.title)
        if as_zip:
            return write_zip(current, out_dir / f"{current.name}.zip")
        target = out_dir / current.name
        _replace_target(target)
        with atomic_dir(target) as tmp_dir:
            shutil.copytree(current, tmp_dir, dirs_exist_ok=True)
        return target


@dataclass(frozen=True)
class Bundled:
    """One package given to `bundle`: the bundle made, or why none was."""

    source: Path
    bundle: Path | None = None
    kind: str = ""  # "SIP", "AIP bag zip", …
    error: str = ""


def bundle_paths(paths: list[Path], out_dir: Path, *, aip: bool, bag: bool, as_zip: bool,
                 organisation: str) -> list[Bundled]:
    """Bundle each package, or every package in a dossier's output folder; a package that does
    not check out is not bundled and the others go on."""
    done: list[Bundled] = []
    kind = ("AIP" if aip else "SIP") + (" bag" if bag else "") + (" zip" if as_zip else "")
    for p in paths:
        found = [p] if is_package(p) else sorted(
            m.parent for m in p.glob("uuid-*/METS.xml")) if p.is_dir() else []
        if not found:
            done.append(Bundled(p, error=_("{path} holds no package (a uuid-… folder with "
                                           "METS.xml); make one with 'digitize run' first.")
                                .format(path=p)))
            continue
        for pkg in found:
            dossier = read_dossier(pkg.parent) \
                if (pkg.parent / DOSSIER_RECORD).is_file() else None
            try:
                target = export_bundle(pkg, out_dir, aip=aip, bag=bag, as_zip=as_zip,
                                       dossier=dossier, organisation=organisation)
            except InputFileError as exc:
                done.append(Bundled(pkg, error=exc.message))
                continue
            done.append(Bundled(pkg, target, kind))
    return done


def package_metadata(path: Path) -> tuple[str, DossierFields, list[DocumentFields]]:
    """The package's name and TT 05/2025 fields, from a package folder, its zip or bag, or a
    dossier's output folder."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = unpack_zip(path, Path(tmp)) if path.suffix == ".zip" else path
        pkg = find_package(folder) if folder.is_dir() else None
        if pkg is None:
            raise NoInputError(_("{path} holds no package (METS.xml); give a package folder, "
                                 "its zip or bag, or a dossier's output folder.").format(
                                     path=path))
        dossier, docs = package_fields(pkg)
        if dossier is None:
            raise InputFileError(_("{path} is a single document's package (SIP_tailieu); the "
                                   "TT 02/2019 field set describes dossiers.").format(path=path))
        return pkg.name, dossier, docs
