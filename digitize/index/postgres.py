"""The shared index backend: the same index on a PostgreSQL server, for every desk of a province.

Text is folded in Python exactly as for SQLite, split into the same words (runs of letters and
digits) and kept as one weighted tsvector per document (body D, descriptive fields B, applicant
A) under a GIN index; PostgreSQL's `simple` configuration only lower-cases, so no server
extension (unaccent) is needed and a managed server works as well as a local one. The tsvectors
live in a narrow table of their own (`document_words`: the id and the tsvector, kept out of
line), so turning the GIN index's matches into ids reads a few small pages instead of one wide
row per match. Queries are the same as SQLite's: every "phrase" must occur (`<->` chains), the
applicant filter is the A weight, newest first. Each dossier's (or desk's) replacement takes a
transaction-level advisory lock, so desks writing at once never lose or duplicate entries.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import re
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digitize.errors import EnvironmentProblem, OutputError, UsageProblem
from digitize.i18n import _
from digitize.index.fold import fold, nfc
from digitize.index.model import (
    COLUMNS,
    Entry,
    Hit,
    Query,
    check_id_number,
    column_filters,
    desk_filter,
    desk_key,
    digits,
    stored_entry,
    stored_values,
    type_key,
)

if TYPE_CHECKING:
    import psycopg

SCHEMA_VERSION = "3"
# Past the statement's own bound, the time the server's cancel takes to come back before this
# side gives up on the connection.
GRACE_S = 5.0
# FTS5's unicode61 tokens: runs of letters and digits (an underscore separates).
_WORD = re.compile(r"[^\W_]+")
SNIPPET_WORDS = 12
log = logging.getLogger("digitize")
# The documents that hold an ID number: in its column, or anywhere in their words.
_ID_NUMBER = ("SELECT id FROM documents WHERE id_number = %s UNION SELECT id FROM document_words "
              "WHERE search @@ %s::tsquery")

_WORDS_TABLE = """
CREATE TABLE IF NOT EXISTS document_words(id BIGINT PRIMARY KEY, search TSVECTOR NOT NULL);
ALTER TABLE document_words ALTER search SET STORAGE EXTERNAL;
CREATE INDEX IF NOT EXISTS document_words_search ON document_words USING GIN(search);
"""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS digitize_info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  {", ".join(f"{c} TEXT NOT NULL" for c in COLUMNS)},
  type_key TEXT NOT NULL,
  desk_key TEXT NOT NULL,
  fields_text TEXT NOT NULL,
  UNIQUE(agency_code, desk_key, pdf)
);
{_WORDS_TABLE}
CREATE INDEX IF NOT EXISTS documents_id_number ON documents(id_number);
CREATE INDEX IF NOT EXISTS documents_dossier ON documents(dossier_id);
CREATE INDEX IF NOT EXISTS documents_dossier_code ON documents(dossier_code);
CREATE INDEX IF NOT EXISTS documents_issued ON documents(issued_date);
CREATE INDEX IF NOT EXISTS documents_type ON documents(type_key);
CREATE INDEX IF NOT EXISTS documents_desk ON documents(desk_key, id);
CREATE INDEX IF NOT EXISTS documents_agency ON documents(agency_code, id);
CREATE INDEX IF NOT EXISTS documents_out ON documents(out_dir, dossier_id);
INSERT INTO digitize_info VALUES ('schema', '{SCHEMA_VERSION}') ON CONFLICT DO NOTHING;
"""
# Schema 2 kept the tsvector in `documents` itself: moved into `document_words` once.
_UPGRADE_FROM_2 = f"""
{_WORDS_TABLE}
INSERT INTO document_words SELECT id, search FROM documents;
DROP INDEX IF EXISTS documents_search;
ALTER TABLE documents DROP COLUMN search;
UPDATE digitize_info SET value = '{SCHEMA_VERSION}' WHERE key = 'schema';
ANALYZE document_words;
"""

# PostgreSQL's limits on a tsvector: positions past this are counted as this one, and longer
# lexemes are refused.
_MAX_POS = 16383
_MAX_LEXEME_BYTES = 2046
# `find` first looks at the newest PROBE documents (of the desk asked for): a common word is
# found there at once. When some matched but not enough, the newest RECENT_WINDOW; when few or
# none did, the word is rare and is looked up in the GIN index instead (the planner, asked for
# the newest 20, would scan the table backwards for it). Each document looked at this way costs
# reading its tsvector; the GIN index costs a little per match. What was seen decides, not the
# planner's statistics: they take the words of a line of a form as independent, and such
# words come together.
PROBE = 200
RECENT_WINDOW = 2000
# A phrase (or the applicant's weight) needs each candidate's tsvector read to be checked; the
# index gives candidates without that, and only the newest this many are then checked.
CANDIDATES = 200
# Rows a load must reach before it refreshes the planner's statistics itself (a first `index
# rebuild` or the benchmark), rather than waiting for autovacuum.
ANALYZE_AFTER = 10_000
# Every query of `find` is answered through indexes: a sequential scan or a hash join would
# read every tsvector (out of line) the planner thinks cheap in the narrow table.
_INDEXES_ONLY = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin")
# Writes go in batches: ids are taken from the identity's sequence for each, then the
# documents and their words are copied.
_BATCH = 1000


def words(text: str) -> list[str]:
    """The folded words of `text`, as both backends index and search them."""
    return _WORD.findall(fold(text))


def _pairs(found: list[str]) -> list[str]:
    """Each two neighbouring words as one lexeme ("nguyen_van"): an underscore never occurs in a
    word, so a pair never meets a word. A phrase's pairs are rare where its words are common,
    so the GIN index finds a phrase's few candidates instead of every document holding each
    of its words (a name of three common words in 1,000,000 documents took seconds)."""
    return [f"{a}_{b}" for a, b in itertools.pairwise(found)]


def ts_vector(body: str, fields_text: str, applicant: str) -> str:
    """The document's tsvector, written here rather than by to_tsvector so that the words are
    exactly those `ts_query` looks for: body (weight D), then the descriptive fields (B), then
    the applicant (A), one position apart so no phrase runs from one into the next; each word
    and each pair of neighbouring words at its position."""
    positions: dict[str, list[str]] = {}
    at = 0
    for text, weight in ((body, ""), (fields_text, "B"), (applicant, "A")):
        found = words(text)
        for i, lexeme in enumerate([*found, *_pairs(found)]):
            where = at + 1 + (i if i < len(found) else i - len(found))
            if len(lexeme.encode()) <= _MAX_LEXEME_BYTES:
                positions.setdefault(lexeme, []).append(f"{min(where, _MAX_POS)}{weight}")
        at += len(found) + 1
    return " ".join(f"'{w}':{','.join(p)}" for w, p in positions.items())


def _phrase(found: list[str], weight: str = "") -> str:
    chain = " <-> ".join(f"'{w}'{weight}" for w in found)
    return " & ".join([f"({chain})", *(f"'{p}'{weight}" for p in _pairs(found))])


def ts_query(text: str, weight: str = "", exact: bool = True) -> str | None:
    """The tsquery of what a clerk typed, as `match_query` makes for FTS5: "quoted parts" are
    phrases, other words must all appear. Words are letters and digits only, so quoting them
    is safe. Not `exact`: every word and pair of the phrases, anywhere, any weight — what the
    GIN index answers without reading any document (a superset of the exact answer)."""
    parts = []
    for quoted, loose in re.findall(r'"([^"]*)"|(\S+)', text):
        found = words(quoted or loose)
        if found and exact:
            parts.append(f"({_phrase(found, weight)})")
        elif found:
            parts += [f"'{w}'" for w in dict.fromkeys([*found, *_pairs(found)])]
    return " & ".join(parts) or None


def snippet(body: str, query_words: set[str]) -> str:
    """About a dozen words of the original text around the first searched word, searched words
    bracketed, as FTS5's snippet shows them; folding keeps offsets, so the original lines up."""
    found = list(_WORD.finditer(fold(body)))
    if not found:
        return ""
    first = next((i for i, m in enumerate(found) if m.group() in query_words), 0)
    hi = min(len(found), max(0, first - SNIPPET_WORDS // 4) + SNIPPET_WORDS)
    lo = max(0, hi - SNIPPET_WORDS)
    out, at = [], found[lo].start()
    for m in found[lo:hi]:
        word = body[m.start():m.end()]
        out += [body[at:m.start()], f"[{word}]" if m.group() in query_words else word]
        at = m.end()
    return ("…" if lo else "") + "".join(out) + ("…" if hi < len(found) else "")


class PostgresIndex:
    """An open connection to the shared index. Use as a context manager; every change is one
    transaction. `password` comes from the environment or a private file, never the URL.

    Each answer is waited for `timeout_s` at most (a search, one dossier's write; `index
    rebuild` and a sync of a long queue have no bound but the network's): past it the server
    counts as unreachable, as when it is down, and writes wait in the desk's queue. The
    server cancels a statement that runs longer (statement_timeout: a lock another desk holds,
    an overloaded server); the connection's keepalives and TCP user timeout end a wait on a
    server that stopped answering at all; and GRACE_S later this side cuts the connection
    (`_answering`), for a server process that is stuck while its machine still answers."""

    def __init__(self, url: str, password: str = "", connect_timeout: int = 5,
                 timeout_s: float = 30.0) -> None:
        import psycopg

        self.url = url
        self.where = shown_url(url)
        self.timeout_s = timeout_s
        self._timer: threading.Timer | None = None
        self._cut = False
        params: dict[str, Any] = {"application_name": "digitize", "autocommit": True}
        if password:
            params["password"] = password
        if "connect_timeout" not in url:
            params["connect_timeout"] = connect_timeout
        if "keepalives" not in url:
            idle = max(1, round(timeout_s / 3))
            params.update(keepalives=1, keepalives_idle=idle, keepalives_interval=idle,
                          keepalives_count=2)
        if "tcp_user_timeout" not in url:
            params["tcp_user_timeout"] = round(timeout_s * 1000)
        try:
            self.db: psycopg.Connection[Any] = psycopg.connect(url, **params)
            with self.db.transaction():
                # One desk creates (or upgrades) the schema; the others wait for it instead of
                # failing.
                self.db.execute("SELECT pg_advisory_xact_lock(8470)")
                self._prepare()
            self.db.execute("SELECT set_config('statement_timeout', %s, false)",
                            (str(round(timeout_s * 1000)),))
        except psycopg.Error as exc:
            raise self._lost(exc) from exc
        except EnvironmentProblem:
            self.db.close()
            raise

    def _lost(self, exc: Exception) -> Unreachable:
        import psycopg

        if isinstance(exc, psycopg.errors.QueryCanceled) or self._cut:
            return Unreachable(self.where, exc, _(
                "no answer within {seconds} s: a lock another desk holds, or a server too "
                "busy; [index] timeout_s sets the wait").format(seconds=f"{self.timeout_s:g}"))
        return Unreachable(self.where, exc)

    def _prepare(self) -> None:
        """The schema, made once (later connections change nothing, so they take no lock that
        desks writing at the same time hold). An index made by an older digitize is upgraded
        in place, once, by the first desk to open it (in one transaction, so an interrupted
        upgrade leaves it as it was); one made by a newer digitize is refused."""
        info, *tables = self.db.execute("SELECT to_regclass('digitize_info'), to_regclass("
                                        "'documents'), to_regclass('document_words')"
                                        ).fetchone()
        made = info is not None and None not in tables
        if info is not None:
            row = self.db.execute("SELECT value FROM digitize_info WHERE key = 'schema'"
                                  ).fetchone()
            version = int(row[0]) if row and row[0].isdigit() else 0
            if version > int(SCHEMA_VERSION):
                raise EnvironmentProblem(_(
                    "The shared index {where} was made by a newer digitize (schema {found}, "
                    "this one knows {known}); update digitize at this desk.").format(
                        where=self.where, found=version, known=SCHEMA_VERSION))
            if made and version == int(SCHEMA_VERSION):
                return
        if self.db.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                           "current_schema() AND table_name = 'documents' AND column_name = "
                           "'search'").fetchone():
            log.warning(_("Upgrading the shared index {where} to schema {known}: its words move "
                          "into a table of their own, once (minutes for a million documents); "
                          "afterwards its administrator may run `VACUUM FULL documents` to give "
                          "back the space they held.").format(
                              where=self.where, known=SCHEMA_VERSION))
            self.db.execute(_UPGRADE_FROM_2)
        self.db.execute(_SCHEMA)

    def __enter__(self) -> PostgresIndex:
        return self

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """The block's answers within timeout_s + GRACE_S, or the connection is cut from this
        side (a nested block is bounded by the outer one). statement_timeout is the server's
        own bound, and keepalives end a wait on a machine gone silent; neither ends one on a
        server process that is stuck (stopped, or blocked on a failing disk) while its kernel
        still answers: its cancel never comes."""
        if self._timer is not None:
            yield
            return
        fd = self.db.fileno()

        def cut() -> None:
            self._cut = True
            with contextlib.suppress(OSError), socket.socket(fileno=os.dup(fd)) as sock:
                sock.shutdown(socket.SHUT_RDWR)  # the wait on it ends: "connection closed"

        self._timer = threading.Timer(self.timeout_s + GRACE_S, cut)
        self._timer.daemon = True
        self._timer.start()
        try:
            yield
        finally:
            self._timer.cancel()
            self._timer = None

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    @contextmanager
    def _transaction(self, *lock_keys: str) -> Iterator[None]:
        import psycopg

        try:
            with self._answering(), self.db.transaction():
                for key in lock_keys:
                    self.db.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                                    (key,))
                yield
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from exc
        except psycopg.Error as exc:
            raise OutputError(_("The shared index {where} cannot be written ({reason}); ask "
                                "its administrator, then run `digitize index sync`.").format(
                                  where=self.where, reason=_reason(exc))) from exc

    # ------------------------------------------------------------------ writing
    def _insert_many(self, entries: Iterable[Entry]) -> int:
        """Copy the entries in, in batches: each batch's ids are taken from the identity's
        sequence first (newest last, as before), so that its words can be copied beside."""
        cols = ["id", *COLUMNS, "type_key", "desk_key", "fields_text"]
        n = 0
        it = iter(entries)
        while batch := list(itertools.islice(it, _BATCH)):
            ids = [r[0] for r in self.db.execute(
                "SELECT nextval(pg_get_serial_sequence('documents', 'id')) "
                "FROM generate_series(1, %s)", (len(batch),)).fetchall()]
            with self.db.cursor() as cur:
                with cur.copy(f"COPY documents({', '.join(cols)}) FROM STDIN") as copy:
                    for rowid, e in zip(ids, batch, strict=True):
                        values = stored_values(e)
                        copy.write_row([rowid, *(values[c] for c in COLUMNS),
                                        type_key(e.doc_type_code), desk_key(e.desk),
                                        nfc(e.fields_text)])
                with cur.copy("COPY document_words(id, search) FROM STDIN") as copy:
                    for rowid, e in zip(ids, batch, strict=True):
                        copy.write_row([rowid, ts_vector(e.body, e.fields_text,
                                                         e.applicant_name)])
            n += len(batch)
        if n >= ANALYZE_AFTER:
            self.db.execute("ANALYZE document_words")
        return n

    def _delete(self, where: str, args: Iterable[Any]) -> None:
        self.db.execute(f"WITH gone AS (DELETE FROM documents WHERE {where} RETURNING id) "
                        "DELETE FROM document_words WHERE id IN (SELECT id FROM gone)",
                        list(args))

    def replace_dossier(self, out_dir: str, dossier_id: str, entries: Iterable[Entry], *,
                        agency_code: str = "", desk: str = "") -> int:
        """The dossier's documents as they are now: earlier entries of it are replaced. The
        desk is part of the dossier's key, since desks name their output folders alike."""
        entries = list(entries)
        desk = desk_key(desk)
        with self._transaction(f"dossier|{agency_code}|{desk}|{out_dir}|{dossier_id}"):
            self._delete("agency_code = %s AND desk_key = %s AND out_dir = %s AND "
                         "dossier_id = %s", (agency_code, desk, out_dir, dossier_id))
            for e in entries:
                self._delete("pdf = %s AND agency_code = %s AND desk_key = %s",
                             (nfc(e.pdf), nfc(e.agency_code), desk_key(e.desk)))
            return self._insert_many(entries)

    def replace_desk(self, agency_code: str, desk: str, entries: Iterable[Entry]) -> int:
        """The desk's documents as they are now (`index rebuild`): its other entries go, other
        desks' entries stay."""
        with self._transaction(f"desk|{agency_code}|{desk_key(desk)}"):
            self._unbounded()
            self._delete("agency_code = %s AND desk_key = %s", (agency_code, desk_key(desk)))
            return self._insert_many(entries)

    def add_many(self, entries: Iterable[Entry]) -> int:
        with self._transaction():
            self._unbounded()
            return self._insert_many(entries)

    def _unbounded(self) -> None:
        """No statement bound for the rest of this transaction: copying a whole desk in takes
        minutes at a million documents."""
        if self._timer is not None:
            self._timer.cancel()
        self.db.execute("SELECT set_config('statement_timeout', '0', true)")

    def forget(self, id_number: str) -> list[Entry]:
        """Remove every document of the person, at every desk, then vacuum the table so the
        removed rows do not linger in its pages."""
        number = check_id_number(id_number)
        with self._transaction():
            # Only forget reports what it removed (a replacement need not read rows back).
            removed = [stored_entry(r[1:]) for r in self.db.execute(
                f"WITH gone AS (DELETE FROM documents WHERE id IN ({_ID_NUMBER}) RETURNING id, "
                f"{', '.join(COLUMNS)}), words AS (DELETE FROM document_words WHERE id IN "
                "(SELECT id FROM gone)) SELECT * FROM gone ORDER BY id",
                (number, f"'{number}'")).fetchall()]
        if removed:
            import psycopg

            # A role without the right to vacuum: autovacuum does it later.
            with contextlib.suppress(psycopg.Error):
                self.db.execute("VACUUM documents, document_words")
        return removed

    # ------------------------------------------------------------------ reading
    def _rows(self, sql: str, args: Iterable[Any]) -> list[Any]:
        import psycopg

        try:
            with self._answering():
                return self.db.execute(sql, list(args)).fetchall()
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from exc
        except psycopg.Error as exc:
            raise UsageProblem(_("The search cannot be run on {where} ({reason}); use words, "
                                 "numbers and \"quoted phrases\".").format(
                                   where=self.where, reason=_reason(exc))) from exc

    def get(self, rowid: int) -> Entry:
        rows = self._rows(f"SELECT {', '.join(COLUMNS)} FROM documents WHERE id = %s", (rowid,))
        if not rows:
            raise UsageProblem(_("No document {rowid} in the index {path}; find it again with "
                                 "`digitize find`.").format(rowid=rowid, path=self.where))
        return stored_entry(rows[0])

    def lookup(self, ref: str) -> Entry:
        """An entry by its id (as `find` shows it) or by the path of its PDF."""
        if ref.isdigit():
            return self.get(int(ref))
        rows = self._rows("SELECT id FROM documents WHERE pdf = %s ORDER BY id DESC LIMIT 1",
                          (nfc(str(Path(ref).resolve())),))
        if not rows:
            raise UsageProblem(_("{ref} is not in the index {path}; find the document with "
                                 "`digitize find` and give its id.").format(
                                   ref=ref, path=self.where))
        return self.get(int(rows[0][0]))

    def pending(self) -> int:
        """Nothing waits here: the index is written directly."""
        return 0

    def count(self) -> int:
        return int(self._rows("SELECT count(*) FROM documents", ())[0][0])

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """One transaction for `find`'s reads, whose queries go through indexes only."""
        import psycopg

        try:
            with self._answering(), self.db.transaction():
                self.db.execute("SELECT " + ", ".join(f"set_config('{name}', 'off', true)"
                                                      for name in _INDEXES_ONLY))
                yield
        except psycopg.OperationalError as exc:
            raise self._lost(exc) from exc

    def _matching(self, tsquery: str, filters: list[str], args: list[Any],
                  limit: int) -> list[int]:
        """The ids of the newest `limit` documents matching `tsquery` (if any) and `filters`,
        through the indexes: every match first (materialised, so the planner cannot turn it
        into a backward scan of the whole table), then the newest of them."""
        if tsquery and not filters:
            sql, values = "SELECT id FROM document_words WHERE search @@ %s::tsquery", [tsquery]
        else:
            sql = f"SELECT d.id FROM documents d WHERE {' AND '.join(filters) or 'TRUE'}"
            values = list(args)
            if tsquery:
                sql = (f"WITH words AS MATERIALIZED (SELECT id FROM document_words WHERE search "
                       f"@@ %s::tsquery) {sql} AND d.id IN (SELECT id FROM words)")
                values.insert(0, tsquery)
        return [r[0] for r in self._rows(f"WITH found AS MATERIALIZED ({sql}) SELECT id FROM "
                                         f"found ORDER BY id DESC LIMIT {int(limit)}", values)]

    def _recent(self, q: Query, tsquery: str, filters: list[str], args: list[Any],
                window: int) -> list[int]:
        """The ids of the newest matches among the newest `window` documents (of the desk asked
        for, through its (desk, id) index), looked at newest first, one at a time."""
        if q.desk:
            column, value = desk_filter(q.desk)
            newest, values = f"documents WHERE {column} = %s", [value]
        else:
            newest, values = ("documents" if filters or not tsquery else "document_words"), []
        sql = f"SELECT r.id FROM (SELECT id FROM {newest} ORDER BY id DESC LIMIT {int(window)}) r"
        where = list(filters)
        if filters:
            sql += " JOIN documents d ON d.id = r.id"
            values += args
        if tsquery:
            sql += " JOIN document_words w ON w.id = r.id"
            where.append("w.search @@ %s::tsquery")
            values.append(tsquery)
        # Each of them through its primary key: never every match of a word the GIN index
        # gives (the planner would take a rare-looking one as cheap).
        self._rows("SELECT set_config('enable_bitmapscan', 'off', true)", ())
        ids = [r[0] for r in self._rows(f"{sql} WHERE {' AND '.join(where) or 'TRUE'} ORDER BY "
                                        "r.id DESC LIMIT %s", [*values, q.limit])]
        self._rows("SELECT set_config('enable_bitmapscan', 'on', true)", ())
        return ids

    def _newest(self, q: Query, exact: str, loose: str, filters: list[str],
                args: list[Any]) -> list[int]:
        """The ids `find` answers, newest first."""
        if not (q.id_number or q.dossier):
            ids = self._recent(q, exact, filters, args, PROBE if exact else RECENT_WINDOW)
            if exact and q.limit > len(ids) and \
                    len(ids) * RECENT_WINDOW >= 2 * q.limit * PROBE:
                ids = self._recent(q, exact, filters, args, RECENT_WINDOW)
            if len(ids) >= q.limit:
                return ids
        if "<->" in exact or ":A" in exact:
            # The newest candidates from the index alone, then the exact check on them only;
            # complete when there were no more candidates or enough of them match.
            # Checked newest first, twice the wanted number at a time: candidates are mostly
            # matches, and each costs reading its tsvector.
            found = self._matching(loose, filters, args, CANDIDATES + 1)
            ids = []
            for at in range(0, min(len(found), CANDIDATES), 2 * q.limit):
                ids += [r[0] for r in self._rows(
                    "SELECT id FROM document_words WHERE id = ANY(%s) AND search @@ %s::tsquery "
                    "ORDER BY id DESC", (found[at:min(at + 2 * q.limit, CANDIDATES)], exact))]
                if len(ids) >= q.limit:
                    return ids[:q.limit]
            if len(found) <= CANDIDATES:
                return ids
        return self._matching(exact, filters, args, q.limit)

    def find(self, q: Query) -> list[Hit]:
        """Documents matching every given criterion, newest first (as SQLite answers)."""
        exact: list[str] = []
        loose: list[str] = []
        if q.text:
            text = ts_query(q.text)
            if text is None:
                raise UsageProblem(_("Nothing to search for in {text!r}; type words or "
                                     "numbers.").format(text=q.text))
            exact.append(text)
            loose.append(ts_query(q.text, exact=False) or "")
        if q.applicant:
            name = ts_query(q.applicant, ":A")
            if name:
                exact.append(name)
                loose.append(ts_query(q.applicant, exact=False) or "")
        filters: list[str] = []
        args: list[Any] = []
        if q.id_number:
            number = digits(q.id_number)
            filters.append(f"d.id IN ({_ID_NUMBER})")
            args += [number, f"'{number}'" if number else "''"]
        for sql, values in column_filters(q, "%s", "d."):
            filters.append(sql)
            args += values
        with self._reading():
            ids = self._newest(q, " & ".join(exact), " & ".join(loose), filters, args)
            rows = self._rows(f"SELECT id, {', '.join(COLUMNS)} FROM documents WHERE id = "
                              "ANY(%s) ORDER BY id DESC", (ids,))
        shown = set(words(f"{q.text} {q.applicant} {q.id_number}"))
        hits = []
        for row in rows:
            e = stored_entry(row[1:])
            text = next((t for t in (e.body, e.applicant_name, e.fields_text)
                         if shown & set(words(t))), e.body)
            hits.append(Hit(int(row[0]), e, snippet(text, shown) if shown else
                            " ".join(e.body[:120].split())))
        return hits


class Unreachable(EnvironmentProblem):
    """The shared index's server cannot be reached, refuses the connection or does not answer
    in time: writes queue."""

    def __init__(self, where: str, exc: Exception, reason: str = "") -> None:
        self.reason = reason or _reason(exc)
        super().__init__(_("The shared index {where} cannot be reached ({reason}).").format(
            where=where, reason=self.reason))


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def shown_url(url: str) -> str:
    """The URL as messages show it: without a password, should one be in it."""
    return re.sub(r"(://[^:/@]*):[^@]*@", r"\1:***@", url)
