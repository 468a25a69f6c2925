"""Write one dossier as a Thông tư 05/2025/TT-BNV submission package (Phụ lục III, SIP_hoso),
built on E-ARK CSIP 2.1:

    uuid-{UUID}/METS.xml
      metadata/descriptive/EAD.xml
      metadata/preservation/PREMIS.xml        the digitization's provenance (CSIP amdSec)
      documentation/BiaHoSo.pdf, MucLucVanBan.pdf   the dossier cover and index, PDF/A
      representations/rep1/METS.xml
      representations/rep1/metadata/descriptive/EAD_doc_<file>.xml
      representations/rep1/data/<fileCode>.<n>.pdf   the documents (fileGrp Data), then the
                                                     procedure's results (fileGrp Results)
      schemas/mets1_12.xsd, schemas/xlink.xsd

Every file is listed in a METS file with its size and upper-case SHA-256. The package folder
appears whole (built beside its target, then renamed) or not at all. Where the circular chose
otherwise than CSIP (the CSIP profile URL where E-ARK's SIP profile asks for its own, the
`<simpledc>` EAD files), the circular is followed (docs/archivist/packages.md: "E-ARK conformance").
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
from digitize.bundle.premis import PreservedFile, write_premis
from digitize.bundle.sheets import (
    COVER_NAME,
    DOCUMENT_NAME,
    INDEX_NAME,
    write_cover,
    write_document_sheet,
    write_index,
)
from digitize.clock import now_vn
from digitize.fsutil import atomic_dir, sha256_file
from digitize.model import Event
from digitize.schemas.tt05 import DocumentFields, DossierFields
from digitize.schemas.xsd import package_schema_files

METS_NS = "http://www.loc.gov/METS/"
XLINK_NS = "http://www.w3.org/1999/xlink"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"mets": METS_NS, "xlink": XLINK_NS, "csip": CSIP_NS, "sip": SIP_NS, "xsi": XSI_NS}
CSIP_PROFILE = "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml"
CONTENT_TYPE = "TT 05/2025/TT-BNV"  # csip:OTHERCONTENTINFORMATIONTYPE: no CSIP term fits
PREMIS_REL = "metadata/preservation/PREMIS.xml"
KIND_DOSSIER, KIND_DOCUMENT = "Hồ sơ", "Tài liệu"  # SIP_hoso, SIP_tailieu
DOC_EAD_REL = "metadata/descriptive/EAD_doc.xml"  # a SIP_tailieu's 21 document fields
M = ElementMaker(namespace=METS_NS, nsmap=NSMAP)


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


@dataclass(frozen=True)
class PackageDocument:
    pdf: Path  # the signed PDF to include
    fields: DocumentFields
    original_name: str = ""  # the scan or file it was made from
    events: tuple[Event, ...] = ()  # its provenance: capture, OCR, extraction, signing
    component: str = ""  # its component code (mã thành phần hồ sơ), or a result's code (mã
    # kết quả): its division's TYPE


@dataclass(frozen=True)
class PackageDossier:
    fields: DossierFields
    dossier_code: str  # mã hồ sơ TTHC at the one-stop desk
    agency_name: str
    agency_code: str
    documents: tuple[PackageDocument, ...]
    events: tuple[Event, ...] = ()  # the dossier's own provenance
    cover: Path | None = None  # the scanned cover and index sheets, when the dossier had them
    index: Path | None = None
    procedure_code: str = ""  # mã TTHC: an altRecordID of TYPE PROCEDURECODE
    # The procedure's results digitized with it (kết quả giải quyết), numbered after the
    # documents: their own file group, their divisions' TYPE their result code.
    results: tuple[PackageDocument, ...] = ()


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
    sec = M.dmdSec(ID=new_file_id(), CREATED=created, STATUS="CURRENT")
    sec.append(md_ref(md_path, root, created, "DC"))
    return sec


@dataclass(frozen=True)
class _Header:
    """What both package kinds put in their METS headers."""

    label: str
    kind: str  # csip:OTHERTYPE: "Hồ sơ" (SIP_hoso) or "Tài liệu" (SIP_tailieu)
    agency_name: str
    agency_code: str
    record_ids: tuple[tuple[str, str], ...]  # altRecordID (TYPE, value)


def _header(dossier: PackageDossier) -> _Header:
    ids = [("FILECODE", dossier.fields.fileCode)]
    if dossier.dossier_code:
        ids.append(("DOSSIERCODE", dossier.dossier_code))
    if dossier.procedure_code:
        ids.append(("PROCEDURECODE", dossier.procedure_code))
    return _Header(dossier.fields.title, KIND_DOSSIER, dossier.agency_name, dossier.agency_code,
                   tuple(ids))


def _mets_root(obj_id: str, created: str, head: _Header) -> etree._Element:
    root = M.mets(**{
        "OBJID": obj_id, "LABEL": head.label, "TYPE": "Other",
        _q(CSIP_NS, "OTHERTYPE"): head.kind, _q(CSIP_NS, "CONTENTINFORMATIONTYPE"): "OTHER",
        _q(CSIP_NS, "OTHERCONTENTINFORMATIONTYPE"): CONTENT_TYPE, "PROFILE": CSIP_PROFILE,
        _q(XSI_NS, "schemaLocation"): f"{METS_NS} schemas/mets1_12.xsd "
                                      f"{XLINK_NS} schemas/xlink.xsd"})
    hdr = M.metsHdr(**{"CREATEDATE": created, "LASTMODDATE": created, "RECORDSTATUS": "NEW",
                       _q(CSIP_NS, "OAISPACKAGETYPE"): "SIP"})
    # CSIP 2.1 holds every CREATOR agent to be the software that made the package; the agency
    # whose records these are is E-ARK SIP's archival creator (ARCHIVIST).
    hdr.append(M.agent(M.name("digitize"),
                       M.note(__version__, **{_q(CSIP_NS, "NOTETYPE"): "SOFTWARE VERSION"}),
                       ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE"))
    hdr.append(M.agent(M.name(head.agency_name),
                       M.note(head.agency_code, **{_q(CSIP_NS, "NOTETYPE"):
                                                   "IDENTIFICATIONCODE"}),
                       ROLE="ARCHIVIST", TYPE="ORGANIZATION"))
    for kind, value in head.record_ids:
        hdr.append(M.altRecordID(value, TYPE=kind))
    root.append(hdr)
    return root


def _rep_mets(rep: Path, head: _Header, created: str, docs: Sequence[tuple[Path, Path]],
              components: Sequence[str] = (), results: Sequence[tuple[Path, Path, str]] = ()
              ) -> None:
    """rep1/METS.xml: one dmdSec per EAD_doc file, the files, and a structMap that links each
    document's metadata to its file; a document's division has its component code (mã thành
    phần hồ sơ) as its TYPE where it has one. The procedure's results (`results`: metadata,
    file, result code) are a file group of their own (USE "Results") and a division of their
    own (LABEL "Results"), each result's division typed with its code."""
    root = _mets_root(new_id(), created, head)
    top = M.div(LABEL=head.record_ids[0][1], ID=new_file_id())
    groups = []
    for use, pairs, types, parent in (
            ("Data", docs, components, top),
            ("Results", [(md, pdf) for md, pdf, _c in results], [c for *_p, c in results],
             M.div(LABEL="Results", ID=new_file_id()))):
        if not pairs and use != "Data":
            continue
        dmds = [_dmd(md, rep, created) for md, _pdf in pairs]
        files = [_file_el(pdf, rep, created) for _md, pdf in pairs]
        root.extend(dmds)
        groups.append(M.fileGrp(*files, USE=use, ID=new_file_id()))
        for n, (dmd, f) in enumerate(zip(dmds, files, strict=True)):
            div = M.div(M.fptr(FILEID=f.get("ID")), LABEL=f[0].get(_q(XLINK_NS, "href")),
                        DMDID=dmd.get("ID"), ID=new_file_id())
            if n < len(types) and types[n]:
                div.set("TYPE", types[n])
            parent.append(div)
        if parent is not top:
            top.append(parent)
    root.append(M.fileSec(*groups, ID=new_file_id()))
    root.append(M.structMap(top, TYPE="PHYSICAL", LABEL="CSIP",
                            ID=new_file_id()))
    _write_xml(root, rep / "METS.xml")


def _group(use: str, files: Sequence[etree._Element], **attrs: str) -> etree._Element:
    return M.fileGrp(*files, USE=use, ID=new_file_id(), **attrs)


def _root_mets(pkg: Path, obj_id: str, head: _Header, created: str, described: Path) -> None:
    """The package's METS: descriptive metadata (`described`) and preservation metadata, and
    the CSIP 2.1 structural map (Metadata, Documentation, Schemas, Representations/rep1) over
    file groups."""
    root = _mets_root(obj_id, created, head)
    dmd = _dmd(described, pkg, created)
    digiprov = M.digiprovMD(md_ref(pkg / PREMIS_REL, pkg, created, "PREMIS"),
                            ID=new_file_id(), CREATED=created, STATUS="CURRENT")
    root.extend([dmd, M.amdSec(digiprov, ID=new_file_id())])
    docs = _group("Documentation", [_file_el(p, pkg, created)
                                    for p in sorted((pkg / "documentation").iterdir())])
    schemas = _group("Schemas", [_file_el(p, pkg, created)
                                 for p in sorted((pkg / "schemas").iterdir())])
    rep_mets = _file_el(pkg / "representations" / "rep1" / "METS.xml", pkg, created)
    rep = _group("Representations/rep1", [rep_mets], **{
        _q(CSIP_NS, "CONTENTINFORMATIONTYPE"): "OTHER",
        _q(CSIP_NS, "OTHERCONTENTINFORMATIONTYPE"): CONTENT_TYPE})
    root.append(M.fileSec(docs, schemas, rep, ID=new_file_id()))
    top = M.div(
        M.div(LABEL="Metadata", DMDID=dmd.get("ID"), ADMID=digiprov.get("ID"),
              ID=new_file_id()),
        M.div(M.fptr(FILEID=docs.get("ID")), LABEL="Documentation", ID=new_file_id()),
        M.div(M.fptr(FILEID=schemas.get("ID")), LABEL="Schemas", ID=new_file_id()),
        M.div(M.fptr(FILEID=rep.get("ID")),
              M.div(M.mptr(**{"LOCTYPE": "URL", _q(XLINK_NS, "type"): "simple",
                              _q(XLINK_NS, "href"): "representations/rep1/METS.xml",
                              _q(XLINK_NS, "title"): rep.get("ID")}),
                    LABEL="Representations/rep1", ID=new_file_id()),
              LABEL="Representations", ID=new_file_id()),
        LABEL=obj_id, ID=new_file_id())
    root.append(M.structMap(top, TYPE="PHYSICAL", LABEL="CSIP",
                            ID=new_file_id()))
    _write_xml(root, pkg / "METS.xml")


def _schemas(pkg: Path) -> None:
    (pkg / "schemas").mkdir(exist_ok=True)
    for name, data in package_schema_files().items():
        (pkg / "schemas" / name).write_bytes(data)


def _add_document(rep: Path, doc: PackageDocument) -> tuple[Path, Path]:
    """Copy the document's PDF into rep1/data and write its EAD_doc file."""
    pdf = rep / "data" / f"{doc.fields.docId}.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(doc.pdf, pdf)
    md = rep / "metadata" / "descriptive" / f"EAD_doc_{doc.fields.docId}.xml"
    _simple_xml("ead", {"eadid": doc.fields.docId, "titleproper": doc.fields.subject},
                doc.fields, md)
    return md, pdf


def _premis(pkg: Path, docs: Sequence[PackageDocument], pdfs: Sequence[Path],
            events: Sequence[Event]) -> None:
    write_premis([PreservedFile(pdf, pdf.relative_to(pkg).as_posix(),
                                doc.original_name or pdf.name, doc.events)
                  for doc, pdf in zip(docs, pdfs, strict=True)], events, pkg / PREMIS_REL)


def build_sip(dossier: PackageDossier, parent: Path) -> Path:
    """Write the dossier's package (SIP_hoso) into `parent` and return its folder."""
    obj_id, created, head = new_id(), now_vn(), _header(dossier)
    target = parent / obj_id
    with atomic_dir(target) as pkg:
        _schemas(pkg)
        _simple_xml("ead", {"eadid": dossier.fields.fileCode, "titleproper": dossier.fields.title},
                    dossier.fields, pkg / "metadata" / "descriptive" / "EAD.xml")
        rep = pkg / "representations" / "rep1"
        pairs = [_add_document(rep, doc) for doc in dossier.documents]
        issued = [_add_document(rep, doc) for doc in dossier.results]
        _rep_mets(rep, head, created, pairs, [d.component for d in dossier.documents],
                  [(md, pdf, doc.component) for (md, pdf), doc in zip(issued, dossier.results,
                                                                      strict=True)])
        (pkg / "documentation").mkdir()
        if dossier.cover is not None:
            shutil.copyfile(dossier.cover, pkg / "documentation" / COVER_NAME)
        else:
            write_cover(dossier.fields, dossier.agency_name, pkg / "documentation" / COVER_NAME)
        if dossier.index is not None:
            shutil.copyfile(dossier.index, pkg / "documentation" / INDEX_NAME)
        else:
            write_index(dossier.fields, [d.fields for d in (*dossier.documents,
                                                            *dossier.results)],
                        pkg / "documentation" / INDEX_NAME)
        _premis(pkg, [*dossier.documents, *dossier.results],
                [pdf for _md, pdf in (*pairs, *issued)], dossier.events)
        _root_mets(pkg, obj_id, head, created, pkg / "metadata" / "descriptive" / "EAD.xml")
    return target


def build_sip_tailieu(doc: PackageDocument, agency_name: str, agency_code: str,
                      parent: Path, events: Sequence[Event] = ()) -> Path:
    """Write one document submitted outside a dossier as its own package (Phụ lục IV,
    SIP_tailieu): its 21 fields at the package's root, its PDF in rep1/data, its description
    sheet in the documentation. The rep1 folder is laid out as a SIP_hoso's."""
    obj_id, created = new_id(), now_vn()
    head = _Header(doc.fields.subject, KIND_DOCUMENT, agency_name, agency_code,
                   (("DOCID", doc.fields.docId), ("DOCCODE", doc.fields.docCode)))
    target = parent / obj_id
    with atomic_dir(target) as pkg:
        _schemas(pkg)
        _simple_xml("ead", {"eadid": doc.fields.docId, "titleproper": doc.fields.subject},
                    doc.fields, pkg / DOC_EAD_REL)
        rep = pkg / "representations" / "rep1"
        pair = _add_document(rep, doc)  # described in rep1 too, as in a SIP_hoso
        _rep_mets(rep, head, created, [pair])
        write_document_sheet(doc.fields, agency_name, pkg / "documentation" / DOCUMENT_NAME)
        _premis(pkg, [doc], [pair[1]], events)
        _root_mets(pkg, obj_id, head, created, pkg / DOC_EAD_REL)
    return target


def _simpledc(path: Path) -> dict[str, str]:
    root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    dc = root.find("simpledc")
    return {} if dc is None else {el.tag: el.text or "" for el in dc}


def package_fields(pkg: Path) -> tuple[DossierFields | None, list[DocumentFields]]:
    """Read the TT 05/2025 fields back from a package's EAD files (dossier, then documents in
    their order); a SIP_tailieu has no dossier and one document."""
    from digitize.schemas.tt05 import validate_fields

    if (pkg / DOC_EAD_REL).is_file():
        return None, [validate_fields(DocumentFields, _simpledc(pkg / DOC_EAD_REL),
                                      f"{pkg.name}/EAD_doc.xml")]
    dossier = validate_fields(DossierFields, _simpledc(pkg / "metadata" / "descriptive" /
                                                       "EAD.xml"), f"{pkg.name}/EAD.xml")
    docs = [validate_fields(DocumentFields, _simpledc(md), md.name)
            for md in (pkg / "representations" / "rep1" / "metadata" / "descriptive").glob(
                "EAD_doc_*.xml")]
    docs.sort(key=lambda d: d.docCode)
    return dossier, docs
