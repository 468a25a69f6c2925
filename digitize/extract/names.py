"""Signers' names as the desk has confirmed them. A province's documents are signed by a few
dozen people, and OCR reads their names' tone marks wrong on bold print ("Trần Phước Hiên"
for Hiền); a name read with the letters of one the desk already knows, other marks, is that
name, offered to the clerk to confirm (two people may share the letters: "Hùng", "Hưng").

Known names come from the desk's own finished dossiers: a signer's name that was not sent to
review, or that a clerk wrote or confirmed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from digitize.extract.text import fold
from digitize.model import dossier_records, read_dossier


def respelled(name: str, known: Iterable[str]) -> str | None:
    """The one known name with `name`'s letters and other marks; None where there is none,
    more than one, or `name` is spelled as known."""
    key = " ".join(fold(name).split())
    same = {k for k in known if " ".join(fold(k).split()) == key}
    if len(same) != 1 or name in same:
        return None
    return next(iter(same))


# Names per dossier record, kept while the record is unchanged: the web desk asks before every
# job, and an output folder holds thousands of dossiers.
_READ: dict[tuple[Path, float], tuple[tuple[int, int], frozenset[str]]] = {}


def confirmed_signers(out: Path, min_conf: float) -> frozenset[str]:
    """Signers' names of the dossiers in the output folder `out` read with at least `min_conf`
    (not sent to review) or set or confirmed by a clerk. A record that cannot be read is
    skipped: it costs a suggestion, not the run. Records unchanged since the last call in this
    process are not read again."""
    names: set[str] = set()
    for record in dossier_records(out) if out.is_dir() else ():
        names |= _record_signers(record, min_conf)
    return frozenset(names)


def _record_signers(record: Path, min_conf: float) -> frozenset[str]:
    try:
        st = record.stat()
    except OSError:
        return frozenset()
    stamp = (st.st_mtime_ns, st.st_size)
    seen = _READ.get((record, min_conf))
    if seen is not None and seen[0] == stamp:
        return seen[1]
    try:
        dossier = read_dossier(record.parent)
    except (OSError, ValueError):
        return frozenset()
    names = frozenset(
        signer for doc in dossier.documents
        if isinstance(signer := doc.metadata.get("signer"), str) and signer and (
            doc.confidence.get("signer", 0.0) >= min_conf
            or any(o.field == "signer" for o in doc.overrides)))
    _READ[record, min_conf] = (stamp, names)
    return names
