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

from digitize.fsutil import sha256_file, write_bytes_atomic
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
        root.append(_event(eid, ev, agent_id(ev.agent), rels))
    for name, aid in agents.items():
        root.append(_agent(name, aid))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      pretty_print=True))


def _event(eid: str, ev: Event, agent_ref: str, rels: Sequence[str]) -> etree._Element:
    el = P.event(
        _ident("UUID", eid, "eventIdentifier"), P.eventType(ev.type),
        P.eventDateTime(ev.time),
        P.eventDetailInformation(P.eventDetail(ev.detail)),
        P.eventOutcomeInformation(P.eventOutcome(ev.outcome)),
        _ident("local", agent_ref, "linkingAgentIdentifier"),
    )
    for rel in rels:
        el.append(_ident("local", rel, "linkingObjectIdentifier"))
    return el


def _agent(name: str, aid: str) -> etree._Element:
    kind = "software" if "digitize" in name or "tesseract" in name.lower() else \
        "hardware" if name == "scanner" else "organization"
    return P.agent(_ident("local", aid, "agentIdentifier"), P.agentName(name),
                   P.agentType(kind))


def add_event(premis: Path, ev: Event, changed: Sequence[Path], root_dir: Path) -> None:
    """Record a later event in an existing PREMIS file: linked to its agent (added when new)
    and to the files it changed, whose fixity and size are brought up to date."""
    tree = etree.parse(str(premis))
    root = tree.getroot()
    q = f"{{{PREMIS_NS}}}"
    agents = {a.findtext(f"{q}agentName"): a.findtext(f"{q}agentIdentifier/"
                                                       f"{q}agentIdentifierValue")
              for a in root.findall(f"{q}agent")}
    aid = agents.get(ev.agent)
    if aid is None:
        aid = f"agent-{len(agents) + 1}"
        root.append(_agent(ev.agent, aid))
    rels = {c.relative_to(root_dir).as_posix(): c for c in changed}
    for obj in root.findall(f"{q}object"):
        path = rels.get(obj.findtext(f"{q}objectIdentifier/{q}objectIdentifierValue") or "")
        if path is not None:
            obj.find(f".//{q}messageDigest").text = sha256_file(path)
            obj.find(f".//{q}size").text = str(path.stat().st_size)
    events = root.findall(f"{q}event")
    el = _event(str(uuid.uuid4()), ev, aid, list(rels))
    if events:  # PREMIS 3 orders objects, events, agents
        events[-1].addnext(el)
    else:
        root.append(el)
    write_bytes_atomic(premis, etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                                              pretty_print=True))
