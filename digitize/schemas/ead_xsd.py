"""XML Schema of the package's descriptive files (EAD.xml, EAD_doc_*.xml), generated from the
TT 05/2025 field models so the two cannot drift apart: an identification header and the
circular's fields, in its order, inside <simpledc> (18 dossier or 21 document fields)."""

from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree
from pydantic import BaseModel

from digitize.schemas.tt05 import DocumentFields, DossierFields

FILE_NAME = "ead_tt05.xsd"


def _sequence(model: type[BaseModel]) -> str:
    rows = []
    for name, field in model.model_fields.items():
        kind = "xs:nonNegativeInteger" if field.annotation is int else "xs:string"
        rows.append(f'              <xs:element name="{name}" type="{kind}"/>')
    return "\n".join(rows)


@functools.cache
def ead_xsd() -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!-- digitize package descriptive metadata (EAD.xml, EAD_doc_*.xml): TT 05/2025/TT-BNV
     fields in <simpledc>, 18 for the dossier or 21 for a document. -->
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="unqualified">
  <xs:element name="ead">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="eadheader">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="eadid" type="xs:string"/>
              <xs:element name="titleproper" type="xs:string"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
        <xs:element name="simpledc">
          <xs:complexType>
            <xs:choice>
            <xs:sequence>
{_sequence(DossierFields)}
            </xs:sequence>
            <xs:sequence>
{_sequence(DocumentFields)}
            </xs:sequence>
            </xs:choice>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
""".encode()


@functools.cache
def _schema(source: bytes) -> etree.XMLSchema:
    return etree.XMLSchema(etree.fromstring(source))


def validate_ead(path: Path, schema_file: Path | None = None) -> list[str]:
    """Problems found validating one EAD file (empty when valid), against `schema_file` (the
    package's own copy) or, without one, the schema digitize writes."""
    try:
        doc = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
        schema = _schema(schema_file.read_bytes() if schema_file else ead_xsd())
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
        return [f"{path.name} cannot be checked: {exc}"]
    if schema.validate(doc):
        return []
    return [f"{path.name} line {e.line}: {e.message}" for e in schema.error_log][:20]
