"""The index file: one SQLite database with a row per document and an FTS5 table over its OCR
text, applicant name and descriptive fields, folded so accents do not matter.

The FTS table takes its text from the documents table (external content), so the original
Vietnamese text is stored once and snippets show it with its accents. The file is created
owner-only, and deleted rows are overwritten (secure_delete) and merged out of the full-text
index, so `forget` leaves no trace of a person in it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from digitize.errors import EnvironmentProblem, OutputError, UsageProblem
from digitize.i18n import _
from digitize.index.fold import fold, match_query, nfc

SCHEMA_VERSION = "1"
FILE_MODE = 0o600


@dataclass(frozen=True)
class Entry:
    """One indexed document: where it is, what it is, who it concerns, and its text."""

    pdf: str
    sha256: str
    out_dir: str
    dossier_id: str
    dossier_code: str = ""
    bundle: str = ""
    doc_kind: str = ""
    doc_type_code: str = ""
    doc_type_name: str = ""
    number: str = ""
    symbol: str = ""
    issued_date: str = ""
    issuer: str = ""
    applicant_name: str = ""
    id_number: str = ""
    birth_date: str = ""
    procedure_name: str = ""
    subject: str = ""
    signature_level: str = ""
    signer: str = ""
    signing_time: str = ""
    source: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    indexed_at: str = ""
    body: str = ""

    @property
    def fields_text(self) -> str:
        """The descriptive fields searched along with the OCR text."""
        return " ".join(v for v in (self.dossier_code, self.dossier_id, self.doc_type_name,
                                    self.doc_type_code, f"{self.number}/{self.symbol}",
                                    self.issuer, self.subject, self.procedure_name, self.signer)
                        if v)


@dataclass(frozen=True)
class Hit:
    """A document `find` returns: its row id (what `reuse` takes), the entry and a snippet."""

    id: int
    entry: Entry
    snippet: str

    def record(self) -> dict[str, Any]:
        """The hit as `find --json` prints it."""
        e = self.entry
        return {"id": self.id, "pdf": e.pdf, "present": Path(e.pdf).is_file(),
                "sha256": e.sha256, "bundle": e.bundle or None, "dossier_id": e.dossier_id,
                "dossier_code": e.dossier_code or None, "doc_kind": e.doc_kind or None,
                "metadata": e.metadata,
                "signature": {"level": e.signature_level, "signer": e.signer,
                              "signing_time": e.signing_time} if e.signature_level else None,
                "snippet": self.snippet}


@dataclass(frozen=True)
class Query:
    text: str = ""
    id_number: str = ""
    applicant: str = ""
    dossier: str = ""
    doc_type: str = ""
    date_from: str = ""  # ISO 8601 dates, inclusive
    date_to: str = ""
    limit: int = 20

    @classmethod
    def asked(cls, *, text: str | None = None, id_number: str | None = None,
              applicant: str | None = None, dossier: str | None = None,
              doc_type: str | None = None, date_from: str | None = None,
              date_to: str | None = None, limit: int = 20) -> Query:
        """The query of `find`'s options (dates as 2026-11-20 or 20/11/2026); asking for
        nothing is a usage error."""
        q = cls(text=text or "", id_number=id_number or "", applicant=applicant or "",
                dossier=dossier or "", doc_type=doc_type or "",
                date_from=_query_date(date_from, "--from"), date_to=_query_date(date_to, "--to"),
                limit=limit)
        if q == cls(limit=limit):
            raise UsageProblem(_("Say what to find: words, --id-number, --applicant, "
                                 "--dossier, --type, --from or --to."))
        return q


def _query_date(text: str | None, option: str) -> str:
    from digitize.extract.overrides import iso_date

    if not text:
        return ""
    try:
        return iso_date(text)
    except ValueError:
        raise UsageProblem(_("{option} {value!r} is not a date; write it as 2026-11-20 or "
                             "20/11/2026.").format(option=option, value=text)) from None


_COLUMNS = [f.name for f in fields(Entry)]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
  id INTEGER PRIMARY KEY,
  {", ".join(f"{c} TEXT NOT NULL" for c in _COLUMNS)},
  type_key TEXT NOT NULL,
  fields_text TEXT NOT NULL,
  UNIQUE(pdf)
);
CREATE INDEX IF NOT EXISTS documents_id_number ON documents(id_number);
CREATE INDEX IF NOT EXISTS documents_dossier ON documents(dossier_id);
CREATE INDEX IF NOT EXISTS documents_dossier_code ON documents(dossier_code);
CREATE INDEX IF NOT EXISTS documents_issued ON documents(issued_date);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(
  body, applicant_name, fields_text, content='documents', content_rowid='id',
  tokenize='unicode61 remove_diacritics 2');
"""


def _type_key(code: str) -> str:
    return fold(code).upper()


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


class Index:
    """An open index file. Use as a context manager; every change is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                # Owner-only from the first byte; SQLite gives its journal the same mode.
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
            self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA secure_delete = ON")
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

    def __enter__(self) -> Index:
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
        values = asdict(e)
        values["metadata"] = json.dumps(e.metadata, ensure_ascii=False, sort_keys=True)
        values = {k: nfc(v) for k, v in values.items()}
        values["id_number"] = _digits(values["id_number"])
        cur = self.db.execute(
            f"INSERT INTO documents({', '.join(_COLUMNS)}, type_key, fields_text) "
            f"VALUES ({', '.join('?' * len(_COLUMNS))}, ?, ?)",
            [*(values[c] for c in _COLUMNS), _type_key(e.doc_type_code), nfc(e.fields_text)])
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

    def replace_dossier(self, out_dir: str, dossier_id: str, entries: Iterable[Entry]) -> int:
        """The dossier's documents as they are now: earlier entries of it are replaced."""
        with self._transaction():
            self._delete("out_dir = ? AND dossier_id = ?", (out_dir, dossier_id))
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
        digits = _digits(id_number)
        if len(digits) not in (9, 12):
            raise UsageProblem(_("{id_number!r} is not a CCCD (12 digits) or CMND (9 digits) "
                                 "number; check it and try again.").format(id_number=id_number))
        with self._transaction():
            removed = self._delete(
                "id_number = ? OR id IN (SELECT rowid FROM search WHERE search MATCH ?)",
                (digits, f'"{digits}"'))
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
        row = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM documents WHERE id = ?",
                              (rowid,)).fetchone()
        if row is None:
            raise UsageProblem(_("No document {rowid} in the index {path}; find it again with "
                                 "`digitize find`.").format(rowid=rowid, path=self.path))
        values = dict(zip(_COLUMNS, row, strict=True))
        values["metadata"] = json.loads(values["metadata"])
        return Entry(**values)

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
            digits = _digits(q.id_number)
            where.append("(d.id_number = ? OR d.id IN "
                         "(SELECT rowid FROM search WHERE search MATCH ?))")
            args += [digits, f'"{digits}"']
        if q.dossier:
            where.append("(d.dossier_code = ? OR d.dossier_id = ?)")
            args += [nfc(q.dossier), nfc(q.dossier)]
        if q.doc_type:
            where.append("d.type_key = ?")
            args.append(_type_key(q.doc_type))
        if q.date_from:
            where.append("d.issued_date >= ?")
            args.append(q.date_from)
        if q.date_to:
            where.append("d.issued_date <= ?")
            args.append(q.date_to)
        cols = ", ".join(f"d.{c}" for c in _COLUMNS)
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
        hits = []
        for row in rows:
            values = dict(zip(_COLUMNS, row[1:-1], strict=True))
            values["metadata"] = json.loads(values["metadata"])
            snippet = " ".join(str(row[-1]).split())
            hits.append(Hit(row[0], Entry(**values), snippet))
        return hits
