"""PREMIS 3 preservation metadata for an archival package: one object per data file (fixity,
size, format, original name), the events of its life (capture, OCR, metadata extraction and
modification, signing, packaging) and the agents that carried them out."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from lxml.builder import ElementMaker

from digitize.fsutil import sha256_file
from digitize.model import Event

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
P = ElementMaker(namespace=PREMIS_NS, nsmap={"premis": PREMIS_NS, "xsi": XSI_NS})
PDFA2B_PRONOM = "fmt/477"


@dataclass(frozen=True)
class PreservedFile:
    path: Path  # inside the package
    rel: str  # its path relative to the package root
    original_name: str
    events: tuple[Event, ...]


def _ident(kind: str, value: str, tag: str) -> etree._Element:
    return getattr(P, tag)(getattr(P, f"{tag}Type")(kind), getattr(P, f"{tag}Value")(value))


def _object(f: PreservedFile, event_ids: Sequence[str]) -> etree._Element:
    obj = P.object(
        _ident("local", f.rel, "objectIdentifier"),
        P.objectCharacteristics(
            P.compositionLevel("0"),
            P.fixity(P.messageDigestAlgorithm("SHA-256"),
                     P.messageDigest(sha256_file(f.path))),
            P.size(str(f.path.stat().st_size)),
            P.format(P.formatDesignation(P.formatName("PDF/A-2b")),
                     P.formatRegistry(P.formatRegistryName("PRONOM"),
                                      P.formatRegistryKey(PDFA2B_PRONOM))),
        ),
        P.originalName(f.original_name),
    )
    obj.set(f"{{{XSI_NS}}}type", "premis:file")
    for eid in event_ids:
        obj.append(_ident("UUID", eid, "linkingEventIdentifier"))
    return obj


def write_premis(files: Sequence[PreservedFile], package_events: Sequence[Event],
                 target: Path) -> None:
    agents: dict[str, str] = {}

    def agent_id(name: str) -> str:
        return agents.setdefault(name, f"agent-{len(agents) + 1}")

    objects, events = [], []
    for f in files:
        ids = []
        for ev in f.events:
            eid = str(uuid.uuid4())
            ids.append(eid)
            events.append((eid, ev, [f.rel]))
        objects.append((f, ids))
    for ev in package_events:
        events.append((str(uuid.uuid4()), ev, [f.rel for f in files]))
    root = P.premis(version="3.0")
    for f, ids in objects:
        root.append(_object(f, ids))
    for eid, ev, rels in events:
        el = P.event(
            _ident("UUID", eid, "eventIdentifier"), P.eventType(ev.type),
            P.eventDateTime(ev.time),
            P.eventDetailInformation(P.eventDetail(ev.detail)),
            P.eventOutcomeInformation(P.eventOutcome(ev.outcome)),
            _ident("local", agent_id(ev.agent), "linkingAgentIdentifier"),
        )
        for rel in rels:
            el.append(_ident("local", rel, "linkingObjectIdentifier"))
        root.append(el)
    for name, aid in agents.items():
        kind = "software" if "digitize" in name or "tesseract" in name.lower() else \
            "hardware" if name == "scanner" else "organization"
        root.append(P.agent(_ident("local", aid, "agentIdentifier"), P.agentName(name),
                            P.agentType(kind)))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      pretty_print=True))
