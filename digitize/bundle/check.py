"""Check a package's fixity and structure: every file a METS file lists exists with its SHA-256
and size, no file is left unlisted, every METS file validates against METS 1.12 and every
descriptive (EAD) file against the package's EAD schema."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from digitize.fsutil import sha256_file, write_bytes_atomic
from digitize.i18n import _
from digitize.schemas.ead_xsd import FILE_NAME as EAD_XSD_NAME
from digitize.schemas.ead_xsd import validate_ead
from digitize.schemas.xsd import validate_mets

METS = "{http://www.loc.gov/METS/}"
CSIP = "{https://DILCIS.eu/XML/METS/CSIPExtensionMETS}"
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


def _required(doc: etree._ElementTree, mets: Path, result: PackageCheck) -> None:
    """What E-ARK CSIP and TT 05/2025 require beyond the METS schema."""
    root = doc.getroot()
    name = mets.relative_to(result.root)
    hdr = root.find(f"{METS}metsHdr")
    if not (root.get("OBJID") or "").startswith("uuid-"):
        result.problems.append(_("{name}: OBJID is not uuid-{{UUID}}").format(name=name))
    if hdr is None or hdr.get(f"{CSIP}OAISPACKAGETYPE") not in ("SIP", "AIP", "DIP"):
        result.problems.append(_("{name}: metsHdr has no csip:OAISPACKAGETYPE").format(name=name))
    if hdr is None or hdr.find(f"{METS}agent") is None:
        result.problems.append(_("{name}: metsHdr names no agent").format(name=name))
    if not any(sm.get("LABEL") == "CSIP" for sm in root.iter(f"{METS}structMap")):
        result.problems.append(_("{name}: no structMap labelled CSIP").format(name=name))
    if mets.parent == result.root and root.get("OBJID") != result.root.name:
        result.problems.append(_("{name}: OBJID {value} is not the folder's name").format(
                                   name=name, value=root.get('OBJID')))


def _entries(doc: etree._ElementTree) -> Iterator[tuple[etree._Element, str | None]]:
    """Every file and metadata reference of a METS document, with its location."""
    for el in doc.iter(f"{METS}file", f"{METS}mdRef"):
        yield el, el.get(HREF) if el.tag == f"{METS}mdRef" else next(
            (loc.get(HREF) for loc in el.iter(f"{METS}FLocat")), None)


def refresh_checksums(mets: Path) -> bool:
    """Bring CHECKSUM and SIZE up to date for every entry whose file changed (after a
    renewal); True if anything did."""
    doc = etree.parse(str(mets), etree.XMLParser(no_network=True, resolve_entities=False))
    changed = False
    for el, href in _entries(doc):
        target = mets.parent / unquote(href or "")
        if not href or not target.is_file():
            continue
        digest = sha256_file(target)
        if el.get("CHECKSUM") != digest:
            el.set("CHECKSUM", digest)
            el.set("SIZE", str(target.stat().st_size))
            changed = True
    if changed:
        write_bytes_atomic(mets, etree.tostring(doc, xml_declaration=True, encoding="UTF-8",
                                                pretty_print=True))
    return changed


def _check_mets(mets: Path, result: PackageCheck, listed: set[Path]) -> None:
    result.problems.extend(validate_mets(mets))
    try:
        doc = etree.parse(str(mets), etree.XMLParser(no_network=True, resolve_entities=False))
    except (etree.XMLSyntaxError, OSError):
        return  # already reported by validate_mets
    _required(doc, mets, result)
    base = mets.parent
    for el, href in _entries(doc):
        if not href:
            result.problems.append(_("{value}: an entry has no location").format(
                                       value=mets.relative_to(result.root)))
            continue
        target = (base / unquote(href)).resolve()
        rel = target.relative_to(result.root.resolve()) if target.is_relative_to(
            result.root.resolve()) else None
        if rel is None:
            result.problems.append(_("{href} points outside the package").format(href=href))
            continue
        listed.add(target)
        if not target.is_file():
            result.problems.append(_("{rel} is listed in {name} but missing").format(
                                       rel=rel, name=mets.name))
            continue
        result.files_checked += 1
        expected = (el.get("CHECKSUM") or "").upper()
        if el.get("CHECKSUMTYPE") != "SHA-256" or not expected:
            result.problems.append(_("{rel} has no SHA-256 checksum in {name}").format(
                                       rel=rel, name=mets.name))
        elif sha256_file(target) != expected:
            result.problems.append(_("{rel} does not match its SHA-256 checksum: it was changed "
                                     "or damaged after packaging").format(rel=rel))
        size = el.get("SIZE")
        if size is not None and int(size) != target.stat().st_size:
            result.problems.append(_("{rel} has {st_size} bytes, METS says {size}").format(
                                       rel=rel, st_size=target.stat().st_size, size=size))
        if target.suffix.lower() == ".pdf" and "documentation" not in rel.parts:
            result.pdfs.append(target)  # the documents; the cover and index are not signed
        if el.tag == f"{METS}mdRef" and el.get("MDTYPE") == "DC":
            own = result.root / "schemas" / EAD_XSD_NAME
            result.problems.extend(validate_ead(target, own if own.is_file() else None))
        if target.name == "METS.xml" and target != mets.resolve():
            _check_mets(target, result, listed)


def check_package(root: Path) -> PackageCheck:
    root = root.resolve()  # listed files are resolved too: compare like with like
    result = PackageCheck(root=root)
    if not (root / "schemas" / EAD_XSD_NAME).is_file():
        result.problems.append(_("schemas/{EAD_XSD_NAME} is missing").format(
                                   EAD_XSD_NAME=EAD_XSD_NAME))
    listed: set[Path] = set()
    _check_mets(root / "METS.xml", result, listed)
    listed.add((root / "METS.xml").resolve())
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.resolve() not in listed:
            result.problems.append(_("{value} is in the package but not listed in any METS "
                                     "file").format(
                                       value=path.relative_to(root)))
    if not result.problems:  # the metadata values against the TT 05/2025 field rules
        from digitize.bundle.sip import package_fields
        from digitize.schemas.tt05 import MetadataError

        try:
            package_fields(root)
        except MetadataError as exc:
            result.problems.append(exc.message)
        except (etree.XMLSyntaxError, OSError) as exc:
            result.problems.append(_("the descriptive metadata cannot be read: {exc}").format(
                                       exc=exc))
    return result
