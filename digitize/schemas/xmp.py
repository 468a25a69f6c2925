"""Embed a document's metadata in its PDF before signing: XMP Dublin Core, the `digitize` XMP
namespace (described by a PDF/A extension schema, which PDF/A requires for any namespace it does
not predefine), and the document information dictionary (Title, Subject, Author, Keywords) kept
in step with it.

Personal identifiers (CCCD number, birth date, phone) are left out on purpose: they stay in the
page text and the package metadata, not in a header that every PDF viewer shows.
"""

from __future__ import annotations

import errno
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pikepdf
from lxml import etree

from digitize.fsutil import atomic_path
from digitize.model import document_reference
from digitize.schemas.xmpns import EXTENSION as _EXT
from digitize.schemas.xmpns import NS, PREFIX
from digitize.schemas.xmpns import RDF as _RDF

# JSON key -> (XMP property, description). Documented in docs/reference/json-schemas.md.
PROPERTIES: dict[str, tuple[str, str]] = {
    "doc_kind": ("docKind", "van_ban (administrative document) or don (application form)"),
    "doc_type_name": ("docTypeName", "tên loại as printed"),
    "doc_type_code": ("docTypeCode", "ND 30 abbreviation, e.g. QĐ"),
    "tt05_type_code": ("typeName", "TT 05/2025 typeName code 01-32"),
    "number": ("number", "số"),
    "number_year": ("numberYear", "năm in the số of a legal document (21/2026/TT-BCT)"),
    "symbol": ("symbol", "ký hiệu"),
    "issued_date": ("issuedDate", "ISO 8601 date"),
    "place": ("place", "địa danh"),
    "issuer": ("issuer", "cơ quan ban hành"),
    "parent_issuer": ("parentIssuer", "cơ quan chủ quản"),
    "subject": ("subject", "trích yếu"),
    "signer": ("signer", "người ký"),
    "signer_title": ("signerTitle", "chức vụ người ký"),
    "applicant_name": ("applicantName", "người nộp đơn"),
    "procedure_name": ("procedureName", "thủ tục hành chính"),
    "doc_id": ("docId", "TT 05/2025 docId"),
    "doc_code": ("docCode", "TT 05/2025 docCode"),
    "dossier_code": ("dossierCode", "mã hồ sơ TTHC of the one-stop desk"),
}
def _q(prefix: str, name: str) -> str:
    uri = {"rdf": _RDF, PREFIX: NS, **_EXT}[prefix]
    return f"{{{uri}}}{name}"


def _extension_schema(rdf: etree._Element) -> None:
    desc = etree.SubElement(rdf, _q("rdf", "Description"), nsmap={"rdf": _RDF, **_EXT})
    desc.set(_q("rdf", "about"), "")
    bag = etree.SubElement(etree.SubElement(desc, _q("pdfaExtension", "schemas")),
                           _q("rdf", "Bag"))
    li = etree.SubElement(bag, _q("rdf", "li"), {_q("rdf", "parseType"): "Resource"})
    etree.SubElement(li, _q("pdfaSchema", "schema")).text = "digitize document metadata"
    etree.SubElement(li, _q("pdfaSchema", "namespaceURI")).text = NS
    etree.SubElement(li, _q("pdfaSchema", "prefix")).text = PREFIX
    seq = etree.SubElement(etree.SubElement(li, _q("pdfaSchema", "property")), _q("rdf", "Seq"))
    for prop, description in PROPERTIES.values():
        p = etree.SubElement(seq, _q("rdf", "li"), {_q("rdf", "parseType"): "Resource"})
        etree.SubElement(p, _q("pdfaProperty", "name")).text = prop
        etree.SubElement(p, _q("pdfaProperty", "valueType")).text = "Text"
        etree.SubElement(p, _q("pdfaProperty", "category")).text = "external"
        etree.SubElement(p, _q("pdfaProperty", "description")).text = description


def _add_digitize(pdf: pikepdf.Pdf, meta: Mapping[str, Any]) -> None:
    """pikepdf edits simple XMP values; the extension schema is nested, so it is written here."""
    stream = pdf.Root.Metadata
    root = etree.fromstring(stream.read_bytes(), etree.XMLParser(remove_blank_text=True))
    rdf = root if root.tag == _q("rdf", "RDF") else root.find(f".//{_q('rdf', 'RDF')}")
    assert rdf is not None  # pikepdf always writes one
    for old in rdf.findall(_q("rdf", "Description")):
        if old.find(_q("pdfaExtension", "schemas")) is not None or any(
                child.tag.startswith(f"{{{NS}}}") for child in old):
            rdf.remove(old)
    _extension_schema(rdf)
    desc = etree.SubElement(rdf, _q("rdf", "Description"), nsmap={PREFIX: NS, "rdf": _RDF})
    desc.set(_q("rdf", "about"), "")
    for key, (prop, _kind) in PROPERTIES.items():
        value = meta.get(key)
        if value not in (None, ""):
            etree.SubElement(desc, _q(PREFIX, prop)).text = str(value)
    data = etree.tostring(root, encoding="utf-8")
    stream.write(b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>' + data +
                 b'<?xpacket end="w"?>')


def title_of(meta: Mapping[str, Any]) -> str:
    """A human title: "QUYẾT ĐỊNH 15/QĐ-STP: Về việc …", or the form's title and applicant."""
    if meta.get("applicant_name"):
        return f"{meta.get('doc_type_name', '')} - {meta['applicant_name']}".strip(" -")
    head = " ".join(str(meta[k]) for k in ("doc_type_name",) if meta.get(k))
    if meta.get("number") and meta.get("symbol"):
        head += f" {document_reference(meta)}"
    return f"{head}: {meta['subject']}" if meta.get("subject") else head


def embed_metadata(source: Path, target: Path, meta: Mapping[str, Any]) -> None:
    """Write `source` with the metadata to `target` atomically (the two may not be the same).
    Text is written in NFC whatever form it came in."""
    meta = {k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v
            for k, v in meta.items()}
    with pikepdf.open(source) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as xmp:
            xmp["dc:title"] = title_of(meta) or source.stem
            if meta.get("subject"):
                xmp["dc:description"] = str(meta["subject"])
            author = meta.get("issuer") or meta.get("applicant_name")
            if author:
                xmp["dc:creator"] = [str(author)]
            if meta.get("doc_type_name"):
                xmp["pdf:Keywords"] = str(meta["doc_type_name"])
                xmp["dc:type"] = [str(meta["doc_type_name"])]
            if meta.get("issued_date"):
                xmp["dc:date"] = [str(meta["issued_date"])]
            if meta.get("doc_id"):
                xmp["dc:identifier"] = str(meta["doc_id"])
            xmp["dc:language"] = [str(meta.get("language") or "vi")]
        _add_digitize(pdf, meta)
        with atomic_path(target) as tmp:
            try:
                pdf.save(tmp, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            except pikepdf.PdfError as exc:
                raise OSError(errno.EIO, str(exc)) from exc


def read_metadata(path: Path) -> dict[str, str]:
    """The `digitize` XMP properties of a PDF, under their JSON keys (as elements, or as
    attributes the way pyHanko writes them back when it signs)."""
    by_prop = {prop: key for key, (prop, _kind) in PROPERTIES.items()}
    with pikepdf.open(path) as pdf:
        if "/Metadata" not in pdf.Root:
            return {}
        root = etree.fromstring(pdf.Root.Metadata.read_bytes())
    found: dict[str, str] = {}
    ns = f"{{{NS}}}"
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(ns) and el.tag[len(ns):] in by_prop:
            found[by_prop[el.tag[len(ns):]]] = el.text or ""
        for attr, value in el.attrib.items():
            if attr.startswith(ns) and attr[len(ns):] in by_prop:
                found[by_prop[attr[len(ns):]]] = value
    return found
