"""Which index a command uses, behind one interface: the local SQLite file (the default), or the
province's shared PostgreSQL index, with the local file kept as this desk's copy and a queue of
what waits to be sent while the server cannot be reached."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from digitize.config import IndexLocation
from digitize.index.model import Entry, Hit, Query


class IndexStore(Protocol):
    """What `find`, `reuse`, `forget`, `run` and `index rebuild` ask of an index."""

    @property
    def where(self) -> str: ...  # what messages name: the file, or the URL without a password

    def __enter__(self) -> IndexStore: ...

    def __exit__(self, *exc: object) -> None: ...

    def replace_dossier(self, out_dir: str, dossier_id: str, entries: Iterable[Entry], *,
                        agency_code: str = "", desk: str = "") -> int: ...

    def replace_desk(self, agency_code: str, desk: str, entries: Iterable[Entry]) -> int: ...

    def add_many(self, entries: Iterable[Entry]) -> int: ...

    def forget(self, id_number: str) -> list[Entry]: ...

    def get(self, rowid: int) -> Entry: ...

    def lookup(self, ref: str) -> Entry: ...

    def count(self) -> int: ...

    def find(self, q: Query) -> list[Hit]: ...

    def pending(self) -> int: ...  # changes waiting to be sent to a shared index


def open_index(loc: IndexLocation) -> IndexStore:
    """The index at `loc`: the SQLite file alone, or the shared index with the file beside."""
    from digitize.index.sqlite import SqliteIndex

    if not loc.url:
        return SqliteIndex(loc.path)
    from digitize.index.shared import SharedIndex, check_url

    return SharedIndex(loc, check_url(loc.url))
