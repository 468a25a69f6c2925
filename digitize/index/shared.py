"""The shared index as a desk uses it: every write goes to this desk's local file and into a
queue, and the queue is sent to the PostgreSQL server in order; a desk that cannot reach the
server keeps working, and what it wrote goes out with the next write or `digitize index sync`.

Queued items name what to send, not the data (a dossier is read from its output folder when it
is sent, so the server gets the dossier as it is then); sending one twice gives the same result,
so a crash between the server's commit and the queue's is harmless.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digitize.config import IndexLocation
from digitize.errors import DigitizeError, EnvironmentProblem, OutputError, UsageProblem
from digitize.i18n import N_, _
from digitize.index.model import Entry, Hit, Query, check_id_number
from digitize.index.postgres import PostgresIndex, Unreachable, shown_url
from digitize.index.sqlite import SqliteIndex, open_private
from digitize.signing.secrets import read_secret

log = logging.getLogger("digitize")
ENV_PASSWORD = "DIGITIZE_INDEX_PASSWORD"
# After a failed connection, writes only queue for this long (a nightly run of hundreds of
# dossiers would otherwise wait for the connect timeout once per dossier).
RETRY_AFTER_S = 60.0


@dataclass(frozen=True)
class Queued:
    seq: int
    kind: str  # dossier, forget, rebuild
    payload: dict[str, Any]


@dataclass(frozen=True)
class Synced:
    """What a sync did: items sent, items still waiting, and why they wait."""

    sent: int
    pending: int
    reason: str = ""
    removed: tuple[Entry, ...] = ()  # what the server's copy of a queued forget removed


class Outbox:
    """The queue, a small SQLite file beside the index file, owner-only (a forget names a
    person's ID number until it is sent)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = open_private(path)
            self.db.executescript(
                "CREATE TABLE IF NOT EXISTS queue(seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                "kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE, payload TEXT NOT NULL);"
                "CREATE TABLE IF NOT EXISTS state(key TEXT PRIMARY KEY, value TEXT NOT NULL);")
        except (sqlite3.Error, OSError) as exc:
            raise EnvironmentProblem(_("The shared index's queue {path} cannot be opened "
                                       "({reason}); set [index] path to a folder you may "
                                       "write.").format(path=path, reason=exc)) from exc

    def close(self) -> None:
        self.db.close()

    def put(self, kind: str, key: str, payload: dict[str, Any]) -> None:
        """Queue an item; an earlier item with the same key is superseded (it goes to the end,
        since what it sends is read when it is sent)."""
        try:
            self.db.execute("INSERT OR REPLACE INTO queue(kind, key, payload) VALUES (?, ?, ?)",
                            (kind, f"{kind}|{key}", json.dumps(payload, ensure_ascii=False)))
        except sqlite3.Error as exc:
            raise OutputError(_("The shared index's queue {path} cannot be written ({reason}); "
                                "free some disk space, then run `digitize index sync`.").format(
                                  path=self.path, reason=exc)) from exc

    def items(self) -> list[Queued]:
        return [Queued(seq, kind, json.loads(payload)) for seq, kind, payload in
                self.db.execute("SELECT seq, kind, payload FROM queue ORDER BY seq")]

    def done(self, seq: int) -> None:
        self.db.execute("DELETE FROM queue WHERE seq = ?", (seq,))

    def __len__(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM queue").fetchone()[0])

    def failed_recently(self) -> bool:
        row = self.db.execute("SELECT value FROM state WHERE key = 'failed_at'").fetchone()
        return row is not None and time.time() - float(row[0]) < RETRY_AFTER_S

    def mark(self, failed: bool) -> None:
        if failed:
            self.db.execute("INSERT OR REPLACE INTO state VALUES ('failed_at', ?)",
                            (str(time.time()),))
        else:
            self.db.execute("DELETE FROM state WHERE key = 'failed_at'")


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
    return read_secret(ENV_PASSWORD, loc.password_file, N_("shared index password"),
                       private=True)


def queue_path(index_file: Path) -> Path:
    return index_file.with_name(f"{index_file.stem}.queue.sqlite")


class SharedIndex:
    """The shared index with this desk's local file and queue. Reads ask the server; writes go
    to the local file and the queue, then the queue is sent."""

    def __init__(self, loc: IndexLocation, url: str) -> None:
        self.loc = loc
        self.url = url
        self.where = shown_url(url)
        self.local = SqliteIndex(loc.path)
        self.outbox = Outbox(queue_path(loc.path))
        self._remote: PostgresIndex | None = None

    def __enter__(self) -> SharedIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close_remote()
        self.local.db.close()
        self.outbox.close()

    def remote(self) -> PostgresIndex:
        if self._remote is None:
            self._remote = PostgresIndex(self.url, index_password(self.loc),
                                         timeout_s=self.loc.timeout_s)
        return self._remote

    def _stamped(self, entries: Iterable[Entry]) -> list[Entry]:
        """Entries as this desk sends them: with its agency code and desk name."""
        return [replace(e, agency_code=self.loc.agency_code or e.agency_code,
                        desk=self.loc.desk or e.desk) for e in entries]

    # ------------------------------------------------------------------ the queue
    def pending(self) -> int:
        return len(self.outbox)

    def sync(self, *, force: bool = True) -> Synced:
        """Send what waits, in order, until the queue is empty or the server cannot be reached
        (`force` False: not within a minute of the last failure)."""
        if not len(self.outbox) or (not force and self.outbox.failed_recently()):
            return Synced(0, len(self.outbox))
        sent, removed = 0, []
        for item in self.outbox.items():
            try:
                removed += self._send(item)
                sent += 1
            except (Unreachable, OutputError) as exc:
                self.outbox.mark(failed=True)
                self._close_remote()
                reason = exc.reason if isinstance(exc, Unreachable) else exc.message
                return Synced(sent, len(self.outbox), reason, tuple(removed))
            except DigitizeError as exc:
                # What can never be sent (its output folders are gone) must not hold up the
                # rest.
                log.warning(_("A queued change for the shared index cannot be sent and is "
                              "dropped: {reason}").format(reason=exc.message))
            self.outbox.done(item.seq)
        self.outbox.mark(failed=False)
        return Synced(sent, 0, "", tuple(removed))

    def _close_remote(self) -> None:
        if self._remote is not None:
            with contextlib.suppress(Exception):
                self._remote.db.close()
            self._remote = None

    def _send(self, item: Queued) -> list[Entry]:
        from digitize.index.entries import dossier_dir_entries, output_entries

        remote, p = self.remote(), item.payload
        if item.kind == "dossier":
            folder = Path(p["out"]) / p["dossier"]
            remote.replace_dossier(p["out"], p["dossier"],
                                   self._stamped(dossier_dir_entries(folder)),
                                   agency_code=self.loc.agency_code, desk=self.loc.desk)
        elif item.kind == "rebuild":
            remote.replace_desk(self.loc.agency_code, self.loc.desk,
                                self._stamped(output_entries([Path(o) for o in p["outs"]])))
        elif item.kind == "forget":
            return remote.forget(p["id_number"])
        return []

    def _queue_and_send(self, kind: str, key: str, payload: dict[str, Any]) -> Synced:
        self.outbox.put(kind, key, payload)
        done = self.sync(force=False)
        if done.pending:
            log.warning(_("The shared index {where} cannot be reached now ({reason}); {count} "
                          "changes wait in {path} and are sent with the next change or "
                          "`digitize index sync`.").format(
                            where=self.where, reason=done.reason or _("it failed a minute ago"),
                            count=done.pending, path=self.outbox.path))
        return done

    # ------------------------------------------------------------------ writing
    def replace_dossier(self, out_dir: str, dossier_id: str, entries: Iterable[Entry], *,
                        agency_code: str = "", desk: str = "") -> int:
        n = self.local.replace_dossier(out_dir, dossier_id, self._stamped(entries))
        self._queue_and_send("dossier", f"{out_dir}|{dossier_id}",
                             {"out": out_dir, "dossier": dossier_id})
        return n

    def rebuild(self, outs: list[Path]) -> None:
        """Send this desk's entries anew (after the local file was rebuilt from `outs`)."""
        self._queue_and_send("rebuild", "", {"outs": [str(o.resolve()) for o in outs]})

    def replace_desk(self, agency_code: str, desk: str, entries: Iterable[Entry]) -> int:
        return self.remote().replace_desk(agency_code, desk, self._stamped(entries))

    def add_many(self, entries: Iterable[Entry]) -> int:
        return self.remote().add_many(self._stamped(entries))

    def forget(self, id_number: str) -> list[Entry]:
        """Remove the person here and at every desk; when the server cannot be reached, the
        forget waits in the queue (`pending()` says so) and this desk's removals are
        returned."""
        number = check_id_number(id_number)
        here = self.local.forget(number)
        done = self._queue_and_send("forget", number, {"id_number": number})
        return list(done.removed) if not done.pending else here

    # ------------------------------------------------------------------ reading
    def _reading(self) -> PostgresIndex:
        try:
            self.sync(force=False)
            return self.remote()
        except Unreachable as exc:
            raise EnvironmentProblem(exc.message + " " + _(
                "Search this desk's own entries with `--index {path}`.").format(
                    path=self.loc.path)) from exc

    def get(self, rowid: int) -> Entry:
        return self._reading().get(rowid)

    def lookup(self, ref: str) -> Entry:
        return self._reading().lookup(ref)

    def count(self) -> int:
        return self._reading().count()

    def find(self, q: Query) -> list[Hit]:
        return self._reading().find(q)
