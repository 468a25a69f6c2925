"""The embedded index backend: one SQLite file with a row per document and an FTS5 table over
its OCR text, applicant name and descriptive fields, folded so accents do not matter.

The FTS table takes its text from the documents table (external content), so the original
Vietnamese text is stored once and snippets show it with its accents. The file is created
owner-only, and deleted rows are overwritten (secure_delete) and merged out of the full-text
index, so `forget` leaves no trace of a person in it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from digitize.errors import EnvironmentProblem, OutputError, UsageProblem
from digitize.i18n import _
from digitize.index.fold import fold, match_query, nfc
from digitize.index.model import (
    COLUMNS,
    Entry,
    Hit,
    Query,
    check_id_number,
    column_filters,
    desk_key,
    digits,
    stored_entry,
    stored_values,
    type_key,
)

SCHEMA_VERSION = "2"
FILE_MODE = 0o600


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
  id INTEGER PRIMARY KEY,
  {", ".join(f"{c} TEXT NOT NULL" for c in COLUMNS)},
  type_key TEXT NOT NULL,
  desk_key TEXT NOT NULL,
  fields_text TEXT NOT NULL,
  UNIQUE(pdf)
);
CREATE INDEX IF NOT EXISTS documents_id_number ON documents(id_number);
CREATE INDEX IF NOT EXISTS documents_dossier ON documents(dossier_id);
CREATE INDEX IF NOT EXISTS documents_dossier_code ON documents(dossier_code);
CREATE INDEX IF NOT EXISTS documents_issued ON documents(issued_date);
CREATE INDEX IF NOT EXISTS documents_desk ON documents(agency_code, desk_key);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
  body, applicant_name, fields_text, content='documents', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
"""

# Columns that index files of schema 1 (before desks) lack; they are added on opening.
_ADDED_IN_2 = ("agency_code", "desk", "desk_key")


def _upgrade(db: sqlite3.Connection) -> None:
    have = {row[1] for row in db.execute("PRAGMA table_info(documents)")}
    if not have:
        return
    for column in _ADDED_IN_2:
        if column not in have:
            db.execute(f"ALTER TABLE documents ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE info SET value = ? WHERE key = 'schema'", (SCHEMA_VERSION,))


def open_private(path: Path) -> sqlite3.Connection:
    """A SQLite file only its owner may read (from its first byte; SQLite gives its journal the
    same mode), in autocommit mode, whose freed pages are overwritten."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.execute("PRAGMA secure_delete = ON")
    return db


class SqliteIndex:
    """An open index file. Use as a context manager; every change is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.db = open_private(path)
            self.db.execute("CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, "
                            "value TEXT NOT NULL)")
            _upgrade(self.db)
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO info VALUES ('schema', ?)", (SCHEMA_VERSION,))
        except sqlite3.DatabaseError as exc:
            raise EnvironmentProblem(
                _("The index {path} cannot be opened ({exc}); rebuild it with `digitize index "
                  "rebuild OUT...` after moving the damaged file away.").format(
                    path=path, exc=exc)) from exc
        except OSError as exc:
            raise EnvironmentProblem(
                _("The index {path} cannot be created ({strerror}); set [index] path in the "
                  "config to a folder you may write.").format(
                    path=path, strerror=exc.strerror)) from exc

    @property
    def where(self) -> str:
        return str(self.path)

    def __enter__(self) -> SqliteIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction; a write SQLite cannot make (full disk, file size limit, read-only
        file) is an OutputError naming the fix, and leaves the index as it was."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")
            raise OutputError(_("The index {path} cannot be written ({reason}); free some disk "
                                "space or set [index] path, then run `digitize index rebuild "
                                "OUT`.").format(path=self.path, reason=exc)) from exc

    # ------------------------------------------------------------------ writing
    def _insert(self, e: Entry) -> None:
        values = stored_values(e)
        cur = self.db.execute(
            f"INSERT INTO documents({', '.join(COLUMNS)}, type_key, desk_key, fields_text) "
            f"VALUES ({', '.join('?' * len(COLUMNS))}, ?, ?, ?)",
            [*(values[c] for c in COLUMNS), type_key(e.doc_type_code), desk_key(e.desk),
             nfc(e.fields_text)])
        self.db.execute("INSERT INTO search(rowid, body, applicant_name, fields_text) "
                        "VALUES (?, ?, ?, ?)",
                        (cur.lastrowid, fold(e.body), fold(e.applicant_name),
                         fold(e.fields_text)))

    def _delete(self, where: str, args: Sequence[Any]) -> list[Entry]:
        rows = self.db.execute(f"SELECT id, body, applicant_name, fields_text FROM documents "
                               f"WHERE {where}", args).fetchall()
        removed = [self._entry(r[0]) for r in rows]
        for rowid, body, applicant, text in rows:
            self.db.execute("INSERT INTO search(search, rowid, body, applicant_name, "
                            "fields_text) VALUES ('delete', ?, ?, ?, ?)",
                            (rowid, fold(body), fold(applicant), fold(text)))
            self.db.execute("DELETE FROM documents WHERE id = ?", (rowid,))
        return removed

    def replace_dossier(self, out_dir: str, dossier_id: str, entries: Iterable[Entry], *,
                        agency_code: str = "", desk: str = "") -> int:
        """The dossier's documents as they are now: earlier entries of it are replaced. (One
        file is one desk's, so the desk is not part of the dossier's key here.)"""
        return self._replace("out_dir = ? AND dossier_id = ?", (out_dir, dossier_id), entries)

    def replace_desk(self, agency_code: str, desk: str, entries: Iterable[Entry]) -> int:
        """The desk's documents as they are now (`index rebuild`): its other entries go."""
        return self._replace("agency_code = ? AND desk_key = ?", (agency_code, desk_key(desk)),
                             entries)

    def _replace(self, where: str, args: Sequence[Any], entries: Iterable[Entry]) -> int:
        """In one transaction: the entries `where` selects go, `entries` come in their place."""
        with self._transaction():
            self._delete(where, args)
            n = 0
            for e in entries:
                self._delete("pdf = ?", (e.pdf,))
                self._insert(e)
                n += 1
        return n

    def add_many(self, entries: Iterable[Entry]) -> int:
        """Bulk insert (rebuild, benchmark): one transaction."""
        n = 0
        with self._transaction():
            for e in entries:
                self._insert(e)
                n += 1
        return n

    def forget(self, id_number: str) -> list[Entry]:
        """Remove every document of the person with this ID number, or that names it in its
        text, and purge the removed text from the full-text index."""
        number = check_id_number(id_number)
        with self._transaction():
            removed = self._delete(
                "id_number = ? OR id IN (SELECT rowid FROM search WHERE search MATCH ?)",
                (number, f'"{number}"'))
            if removed:
                # Deleted entries linger in FTS segments until they are merged.
                self.db.execute("INSERT INTO search(search) VALUES ('optimize')")
        if removed:
            # secure_delete has overwritten the freed pages already; VACUUM only shrinks the file.
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("VACUUM")
        return removed

    # ------------------------------------------------------------------ reading
    def _entry(self, rowid: int) -> Entry:
        row = self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM documents WHERE id = ?",
                              (rowid,)).fetchone()
        if row is None:
            raise UsageProblem(_("No document {rowid} in the index {path}; find it again with "
                                 "`digitize find`.").format(rowid=rowid, path=self.path))
        return stored_entry(row)

    def get(self, rowid: int) -> Entry:
        return self._entry(rowid)

    def lookup(self, ref: str) -> Entry:
        """An entry by its id (as `find` shows it) or by the path of its PDF."""
        if ref.isdigit():
            return self._entry(int(ref))
        row = self.db.execute("SELECT id FROM documents WHERE pdf = ?",
                              (nfc(str(Path(ref).resolve())),)).fetchone()
        if row is None:
            raise UsageProblem(_("{ref} is not in the index {path}; find the document with "
                                 "`digitize find` and give its id.").format(
                                   ref=ref, path=self.path))
        return self._entry(int(row[0]))

    def pending(self) -> int:
        """Nothing waits here: the index is written directly."""
        return 0

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def find(self, q: Query) -> list[Hit]:
        """Documents matching every given criterion, newest first."""
        where: list[str] = []
        args: list[Any] = []
        match = []
        if q.text:
            text = match_query(q.text)
            if text is None:
                raise UsageProblem(_("Nothing to search for in {text!r}; type words or "
                                     "numbers.").format(
                                       text=q.text))
            match.append(f"({text})")
        if q.applicant:
            name = match_query(q.applicant)
            if name:
                match.append(f"applicant_name : ({name})")
        if q.id_number:
            number = digits(q.id_number)
            where.append("(d.id_number = ? OR d.id IN "
                         "(SELECT rowid FROM search WHERE search MATCH ?))")
            args += [number, f'"{number}"']
        for sql, values in column_filters(q, "?", "d."):
            where.append(sql)
            args += values
        cols = ", ".join(f"d.{c}" for c in COLUMNS)
        if match:
            sql = (f"SELECT d.id, {cols}, snippet(search, -1, '[', ']', '…', 12) "
                   "FROM search JOIN documents d ON d.id = search.rowid WHERE search MATCH ?")
            args.insert(0, " AND ".join(match))
            order = "search.rowid DESC"
        else:
            sql = f"SELECT d.id, {cols}, substr(d.body, 1, 120) FROM documents d WHERE 1"
            order = "d.id DESC"
        sql += "".join(f" AND {w}" for w in where) + f" ORDER BY {order} LIMIT ?"
        args.append(q.limit)
        try:
            rows = self.db.execute(sql, args).fetchall()
        except sqlite3.OperationalError as exc:
            raise UsageProblem(_("The search {text!r} cannot be run ({exc}); use words, numbers "
                                 "and \"quoted phrases\".").format(text=q.text, exc=exc)) from exc
        return [Hit(row[0], stored_entry(row[1:-1]), " ".join(str(row[-1]).split()))
                for row in rows]
