"""The XMP namespaces digitize writes (its own and the PDF/A extension schema's), and their
prefixes registered with ElementTree: pyHanko rewrites the XMP packet with ElementTree at every
signature, and signing needs only these names, not the XMP writer (pikepdf, lxml)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

NS = "urn:digitize:xmp:1.0#"
PREFIX = "digitize"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EXTENSION = {"pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
             "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
             "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}


def register_prefixes() -> None:
    """Without this pyHanko would name our namespace `ns0`, where the PDF/A extension schema
    declares `digitize`."""
    ET.register_namespace(PREFIX, NS)
    for prefix, uri in EXTENSION.items():
        ET.register_namespace(prefix, uri)


register_prefixes()
