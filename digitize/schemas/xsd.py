"""The XML schemas packages use: METS 1.12 (shipped in metsrw) with a local XLink schema, so
validation never needs the network."""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

from lxml import etree

from digitize.schemas.ead_xsd import FILE_NAME as EAD_XSD_NAME
from digitize.schemas.ead_xsd import ead_xsd

XLINK_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"


def mets_xsd_path() -> Path:
    return Path(str(resources.files("metsrw") / "resources" / "mets.xsd"))


def xlink_xsd_path() -> Path:
    return Path(str(resources.files("digitize.schemas") / "xsd" / "xlink.xsd"))


class _LocalResolver(etree.Resolver):
    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def]
        if system_url in (XLINK_URL, "xlink.xsd"):
            return self.resolve_filename(str(xlink_xsd_path()), context)
        return None


@functools.cache
def mets_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalResolver())
    return etree.XMLSchema(etree.parse(str(mets_xsd_path()), parser))


def validate_mets(path: Path) -> list[str]:
    """Problems found validating `path` against METS 1.12 (empty when valid)."""
    try:
        doc = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
    except (etree.XMLSyntaxError, OSError) as exc:
        return [f"{path.name} is not well-formed XML: {exc}"]
    schema = mets_schema()
    if schema.validate(doc):
        return []
    return [f"{path.name} line {e.line}: {e.message}" for e in schema.error_log][:20]


def package_schema_files() -> dict[str, bytes]:
    """Schema files copied into every package's schemas/ folder, by the name they get there.
    The packaged METS schema imports XLink from the sibling file: the folder is self-contained."""
    mets = mets_xsd_path().read_bytes().replace(XLINK_URL.encode(), b"xlink.xsd")
    return {"mets1_12.xsd": mets, "xlink.xsd": xlink_xsd_path().read_bytes(),
            EAD_XSD_NAME: ead_xsd()}
