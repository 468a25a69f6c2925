"""Write one dossier as a Thông tư 05/2025/TT-BNV submission package (Phụ lục III, SIP_hoso),
built on E-ARK CSIP:

    uuid-{UUID}/METS.xml
      metadata/descriptive/EAD.xml
      representations/rep1/METS.xml
      representations/rep1/metadata/descriptive/EAD_doc_<file>.xml
      representations/rep1/data/<fileCode>.<n>.pdf
      schemas/mets1_12.xsd, schemas/xlink.xsd

Every file is listed in a METS file with its size and upper-case SHA-256. The package folder
appears whole (built beside its target, then renamed) or not at all.
"""

from __future__ import annotations

import mimetypes
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from digitize import __version__
from digitize.clock import now_vn
from digitize.fsutil import atomic_dir, sha256_file
from digitize.schemas.tt05 import DocumentFields, DossierFields
from digitize.schemas.xsd import package_schema_files

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS, "sip": SIP_NS, "xsi": XSI_NS}
CSIP_PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
M = ElementMaker(namespace=METS_NS, nsmap=NSMAP)


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


@dataclass(frozen=True)
class PackageDocument:
    pdf: Path  # the signed PDF to include
    fields: DocumentFields


@dataclass(frozen=True)
class PackageDossier:
    fields: DossierFields
    dossier_code: str  # mã hồ sơ TTHC at the one-stop desk
    agency_name: str
    agency_code: str
    documents: tuple[PackageDocument, ...]


def new_id() -> str:
    return f"uuid-{str(uuid.uuid4()).upper()}"


def _write_xml(root: etree._Element, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    pretty_print=True))


def _simple_xml(root_tag: str, header: dict[str, str], fields: DossierFields | DocumentFields,
                path: Path) -> None:
    """EAD-style descriptive file: an identification header and the circular's fields, in order,
    inside <simpledc>."""
    root = etree.Element(root_tag)
    head = etree.SubElement(root, "eadheader")
    for key, value in header.items():
        etree.SubElement(head, key).text = value
    dc = etree.SubElement(root, "simpledc")
    for key, value in fields.model_dump().items():
        etree.SubElement(dc, key).text = str(value)
    _write_xml(root, path)


def _file_el(path: Path, root: Path, created: str) -> etree._Element:
    rel = path.relative_to(root).as_posix()
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".xsd":
        mime = "application/xml"
    el = M.file(ID=new_file_id(), MIMETYPE=mime,
                SIZE=str(path.stat().st_size), CREATED=created,
                CHECKSUM=sha256_file(path), CHECKSUMTYPE="SHA-256")
    el.append(M.FLocat(**{"LOCTYPE": "URL", _q(XLINK_NS, "type"): "simple",
                          _q(XLINK_NS, "href"): rel}))
    return el


def new_file_id() -> str:
    return f"ID-{str(uuid.uuid4()).upper()}"


def md_ref(md_path: Path, root: Path, created: str, mdtype: str) -> etree._Element:
    """<mdRef> to a metadata file of the package, with its size and SHA-256."""
    return M.mdRef(**{
        "LOCTYPE": "URL", _q(XLINK_NS, "type"): "simple",
        _q(XLINK_NS, "href"): md_path.relative_to(root).as_posix(), "MDTYPE": mdtype,
        "MIMETYPE": "text/xml", "SIZE": str(md_path.stat().st_size), "CREATED": created,
        "CHECKSUM": sha256_file(md_path), "CHECKSUMTYPE": "SHA-256"})


def _dmd(md_path: Path, root: Path, created: str) -> etree._Element:
    sec = M.dmdSec(ID=new_file_id(), CREATED=created)
    sec.append(md_ref(md_path, root, created, "DC"))
    return sec


def _mets_root(obj_id: str, label: str, created: str, dossier: PackageDossier) -> etree._Element:
    root = M.mets(**{
        "OBJID": obj_id, "LABEL": label, "TYPE": "OTHER", _q(CSIP_NS, "OTHERTYPE"): "Hồ sơ",
        "PROFILE": CSIP_PROFILE,
        _q(XSI_NS, "schemaLocation"): f"{METS_NS} schemas/mets1_12.xsd "
                                      f"{XLINK_NS} schemas/xlink.xsd"})
    hdr = M.metsHdr(**{"CREATEDATE": created, "RECORDSTATUS": "NEW",
                       _q(CSIP_NS, "OAISPACKAGETYPE"): "SIP"})
    hdr.append(M.agent(M.name(dossier.agency_name),
                       M.note(dossier.agency_code, **{_q(CSIP_NS, "NOTETYPE"):
                                                      "IDENTIFICATIONCODE"}),
                       ROLE="CREATOR", TYPE="ORGANIZATION"))
    hdr.append(M.agent(M.name("digitize"),
                       M.note(__version__, **{_q(CSIP_NS, "NOTETYPE"): "SOFTWARE VERSION"}),
                       ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE"))
    hdr.append(M.altRecordID(dossier.fields.fileCode, TYPE="FILECODE"))
    if dossier.dossier_code:
        hdr.append(M.altRecordID(dossier.dossier_code, TYPE="DOSSIERCODE"))
    root.append(hdr)
    return root


def _rep_mets(rep: Path, dossier: PackageDossier, created: str,
              docs: Sequence[tuple[Path, Path]]) -> None:
    """rep1/METS.xml: one dmdSec per EAD_doc file, the Data files, and a structMap that links
    each document's metadata to its file."""
    root = _mets_root(new_id(), dossier.fields.title, created, dossier)
    dmds, files = [], []
    for md, pdf in docs:
        dmds.append(_dmd(md, rep, created))
        files.append(_file_el(pdf, rep, created))
    root.extend(dmds)
    root.append(M.fileSec(M.fileGrp(*files, USE="Data", ID=new_file_id()),
                          ID=new_file_id()))
    top = M.div(LABEL=dossier.fields.fileCode, ID=new_file_id())
    for dmd, f in zip(dmds, files, strict=True):
        div = M.div(M.fptr(FILEID=f.get("ID")), LABEL=f[0].get(_q(XLINK_NS, "href")),
                    DMDID=dmd.get("ID"), ID=new_file_id())
        top.append(div)
    root.append(M.structMap(top, TYPE="PHYSICAL", LABEL="CSIP",
                            ID=new_file_id()))
    _write_xml(root, rep / "METS.xml")


def _root_mets(pkg: Path, obj_id: str, dossier: PackageDossier, created: str) -> None:
    root = _mets_root(obj_id, dossier.fields.title, created, dossier)
    dmd = _dmd(pkg / "metadata" / "descriptive" / "EAD.xml", pkg, created)
    root.append(dmd)
    schema_files = [_file_el(p, pkg, created) for p in sorted((pkg / "schemas").iterdir())]
    rep_mets = _file_el(pkg / "representations" / "rep1" / "METS.xml", pkg, created)
    root.append(M.fileSec(
        M.fileGrp(*schema_files, USE="Schemas", ID=new_file_id()),
        M.fileGrp(rep_mets, USE="Representations/rep1", ID=new_file_id()),
        ID=new_file_id()))
    top = M.div(
        M.div(LABEL="Metadata", DMDID=dmd.get("ID"), ID=new_file_id()),
        M.div(*[M.fptr(FILEID=f.get("ID")) for f in schema_files], LABEL="Schemas",
              ID=new_file_id()),
        M.div(M.mptr(**{"LOCTYPE": "URL", _q(XLINK_NS, "type"): "simple",
                        _q(XLINK_NS, "href"): "representations/rep1/METS.xml",
                        _q(XLINK_NS, "title"): rep_mets.get("ID")}),
              M.fptr(FILEID=rep_mets.get("ID")), LABEL="Representations/rep1",
              ID=new_file_id()),
        LABEL=obj_id, ID=new_file_id())
    root.append(M.structMap(top, TYPE="PHYSICAL", LABEL="CSIP",
                            ID=new_file_id()))
    _write_xml(root, pkg / "METS.xml")


def build_sip(dossier: PackageDossier, parent: Path) -> Path:
    """Write the package into `parent` and return its folder."""
    obj_id = new_id()
    created = now_vn()
    target = parent / obj_id
    with atomic_dir(target) as pkg:
        for name, data in package_schema_files().items():
            (pkg / "schemas").mkdir(exist_ok=True)
            (pkg / "schemas" / name).write_bytes(data)
        _simple_xml("ead", {"eadid": dossier.fields.fileCode, "titleproper": dossier.fields.title},
                    dossier.fields, pkg / "metadata" / "descriptive" / "EAD.xml")
        rep = pkg / "representations" / "rep1"
        (rep / "data").mkdir(parents=True)
        pairs: list[tuple[Path, Path]] = []
        for doc in dossier.documents:
            name = f"{doc.fields.docId}.pdf"
            pdf = rep / "data" / name
            shutil.copyfile(doc.pdf, pdf)
            md = rep / "metadata" / "descriptive" / f"EAD_doc_{doc.fields.docId}.xml"
            _simple_xml("ead", {"eadid": doc.fields.docId, "titleproper": doc.fields.subject},
                        doc.fields, md)
            pairs.append((md, pdf))
        _rep_mets(rep, dossier, created, pairs)
        _root_mets(pkg, obj_id, dossier, created)
    return target


def _simpledc(path: Path) -> dict[str, str]:
    root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    dc = root.find("simpledc")
    return {} if dc is None else {el.tag: el.text or "" for el in dc}


def package_fields(pkg: Path) -> tuple[DossierFields, list[DocumentFields]]:
    """Read the TT 05/2025 fields back from a package's EAD files (dossier, then documents in
    their order)."""
    from digitize.schemas.tt05 import validate_fields

    dossier = validate_fields(DossierFields, _simpledc(pkg / "metadata" / "descriptive" /
                                                       "EAD.xml"), f"{pkg.name}/EAD.xml")
    docs = [validate_fields(DocumentFields, _simpledc(md), md.name)
            for md in (pkg / "representations" / "rep1" / "metadata" / "descriptive").glob(
                "EAD_doc_*.xml")]
    docs.sort(key=lambda d: d.docCode)
    return dossier, docs
