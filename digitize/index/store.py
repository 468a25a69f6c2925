"""Which index a command uses, behind one interface: the local SQLite file (the default), or the
province's shared PostgreSQL index, with the local file kept as this desk's copy and a queue of
what waits to be sent while the server cannot be reached."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

from digitize.config import IndexLocation
from digitize.errors import UsageProblem
from digitize.i18n import N_, _
from digitize.index.model import Entry, Hit, Query

ENV_PASSWORD = "DIGITIZE_INDEX_PASSWORD"


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


def check_url(url: str) -> str:
    """The shared index's URL, refused when it carries a password (it would end up in config
    files, argv and logs)."""
    if url.startswith(("postgresql://", "postgres://")):
        if urlsplit(url).password is not None:
            raise UsageProblem(_("The index URL carries a password; remove it and put the "
                                 "password in $DIGITIZE_INDEX_PASSWORD, [index] password_file "
                                 "(mode 600) or ~/.pgpass."))
        return url
    raise UsageProblem(_("The index URL {url!r} is not a postgresql:// URL; write it as "
                         "postgresql://user@host:5432/database.").format(url=url))


def index_password(loc: IndexLocation) -> str:
    """The shared index's password: $DIGITIZE_INDEX_PASSWORD, else the private password file,
    else "" (libpq then reads ~/.pgpass or $PGPASSFILE itself)."""
    from digitize.signing.secrets import read_secret

    return read_secret(ENV_PASSWORD, loc.password_file, N_("shared index password"),
                       private=True)


def open_index(loc: IndexLocation) -> IndexStore:
    """The index at `loc`: the SQLite file alone, or the shared index with the file beside."""
    from digitize.index.sqlite import SqliteIndex

    if not loc.url:
        return SqliteIndex(loc.path)
    from digitize.index.shared import SharedIndex

    return SharedIndex(loc, check_url(loc.url))
