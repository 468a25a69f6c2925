"""Putting run outputs into the index: a finished dossier as it is now, and a rebuild from
output folders (written beside the old file and swapped in whole)."""

from __future__ import annotations

import os
from pathlib import Path

from digitize.config import IndexLocation
from digitize.index.entries import dossier_entries, output_entries
from digitize.index.sqlite import SqliteIndex
from digitize.index.store import open_index
from digitize.model import DossierResult


def index_dossier(index: IndexLocation, out: Path, dossier: DossierResult) -> int:
    """Put the dossier's documents as they are now in the index; returns how many."""
    with open_index(index) as ix:
        return ix.replace_dossier(str(out.resolve()), dossier.id,
                                  dossier_entries(dossier, out / dossier.id),
                                  agency_code=dossier.agency_code or "", desk=dossier.desk or "")


def rebuild_index(loc: IndexLocation, outs: list[Path]) -> int:
    """Make the index file anew from the dossiers in `outs`: written beside it and swapped in
    whole, so a failed rebuild leaves the old index as it was. With a shared index, this desk's
    entries there are replaced too (other desks' stay)."""
    target = loc.path
    fresh = target.with_name(f".{target.name}.{os.getpid()}.part")
    fresh.unlink(missing_ok=True)
    try:
        with SqliteIndex(fresh) as ix:
            count = ix.add_many(output_entries(outs))
        os.replace(fresh, target)
    finally:
        fresh.unlink(missing_ok=True)
    if loc.url:
        from digitize.index.shared import SharedIndex, check_url

        with SharedIndex(loc, check_url(loc.url)) as shared:
            shared.rebuild(outs)
    return count
