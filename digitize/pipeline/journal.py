"""The run journal: OUT/.digitize-journal.sqlite (SQLite, WAL). Documents are keyed by the
SHA-256 of their content and dossiers by the checksums of all their files, so a re-run knows
what is finished (skip it), what failed (quarantined until --retry-failed or until the file
changes) and what never finished (do it again)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from digitize.clock import now_vn
from digitize.errors import OutputError, printable
from digitize.fsutil import sha256_file
from digitize.i18n import _

JOURNAL_NAME = ".digitize-journal.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    sha256 TEXT PRIMARY KEY, source TEXT NOT NULL, dossier TEXT NOT NULL,
    status TEXT NOT NULL, error TEXT, updated TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS dossiers (
    id TEXT PRIMARY KEY, inputs TEXT NOT NULL, status TEXT NOT NULL, updated TEXT NOT NULL);
"""


def inputs_key(files: Sequence[Path], sha_of: Callable[[Path], str] = sha256_file) -> str:
    """One checksum for a dossier's inputs: names and contents, in order. `sha_of` lets the
    caller reuse the checksums it needs anyway."""
    h = hashlib.sha256()
    for f in files:
        h.update(os.fsencode(f.name))
        h.update(sha_of(f).encode())
    return h.hexdigest().upper()


class Journal:
    def __init__(self, out: Path) -> None:
        self.path = out / JOURNAL_NAME
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    def dossier_done(self, dossier_id: str, inputs: str) -> bool:
        row = self.db.execute("SELECT inputs, status FROM dossiers WHERE id = ?",
                              (dossier_id,)).fetchone()
        return row is not None and row[0] == inputs and row[1] in ("ok", "needs_review")

    def _write(self, sql: str, row: tuple[object, ...]) -> None:
        try:
            self.db.execute(sql, row)
        except sqlite3.OperationalError as exc:  # "database or disk is full", and the like
            raise OutputError(_("Cannot write the journal in {path}: {exc}; free some disk space "
                                "and run the same command again.").format(
                                  path=self.path, exc=exc)) from exc

    def record_dossier(self, dossier_id: str, inputs: str, status: str) -> None:
        self._write("INSERT OR REPLACE INTO dossiers VALUES (?, ?, ?, ?)",
                    (dossier_id, inputs, status, now_vn()))

    def quarantined(self, sha256: str) -> str | None:
        """The reason a document with this content failed before, if it did."""
        row = self.db.execute("SELECT error FROM documents WHERE sha256 = ? AND status = "
                              "'failed'", (sha256,)).fetchone()
        return row[0] if row else None

    def record_document(self, sha256: str, source: Path, dossier_id: str, status: str,
                        error: str | None) -> None:
        self._write("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?, ?, ?)",
                    (sha256, printable(str(source)), dossier_id, status, error, now_vn()))
