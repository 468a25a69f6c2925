"""The index (find, reuse, forget, index rebuild) and personal data kept out of logs and --json."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import stat
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import psycopg
import pytest

from digitize.config import IndexLocation
from digitize.errors import EnvironmentProblem
from digitize.index.entries import dossier_dir_entries
from digitize.index.fold import fold, match_query
from digitize.index.model import Entry, Query
from digitize.index.postgres import PostgresIndex, ts_query
from digitize.index.shared import SharedIndex
from digitize.index.sqlite import SqliteIndex
from digitize.index.store import IndexStore
from digitize.privacy import mask_data, mask_text
from digitize.validation.verify import load_trust, verify_pdf
from tests.conftest import SAMPLES, Env, SampleRun
from tests.servers import Postgres


def _entry(n: int, **kw: str) -> Entry:
    base = dict(pdf=f"/o/d{n}/{n}.pdf", sha256=f"{n:064X}", out_dir="/o", dossier_id=f"d{n}",
                signature_level="B-B")
    return Entry(**{**base, **kw})


def open_backend(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> IndexStore:
    """An empty index on this backend: a SQLite file, or a fresh database on the tests'
    PostgreSQL server."""
    if kind == "sqlite":
        return SqliteIndex(tmp_path / "idx" / "index.sqlite")
    pg = request.getfixturevalue("postgres")
    return PostgresIndex(pg.new_database(f"t_{uuid.uuid4().hex[:12]}"), pg.password)


@pytest.fixture(params=["sqlite", "postgresql"])
def index(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IndexStore]:
    """The same three documents on each backend: every test using it runs on both."""
    ix = open_backend(request.param, request, tmp_path)
    ix.add_many([
        _entry(1, doc_type_code="QĐ", issued_date="2026-11-18", number="15", symbol="QĐ-STP",
               body="QUYẾT ĐỊNH Về việc cấp bản sao trích lục hộ tịch cho công dân Đặng Thị "
                    "Hoa, số định danh 001203004567"),
        _entry(2, doc_type_code="TB", issued_date="2026-10-02",
               body="THÔNG BÁO kết quả giải quyết thủ tục hành chính"),
        _entry(3, doc_kind="don", issued_date="2026-11-20", applicant_name="Đặng Thị Hoa",
               id_number="001203004567", body="ĐƠN ĐỀ NGHỊ cấp giấy chứng nhận quyền sử dụng "
                                              "đất. Điện thoại 0912 345 678"),
    ])
    with ix:
        yield ix


def _ids(ix: IndexStore, **kw: str) -> list[int]:
    return sorted(h.id for h in ix.find(Query(**kw)))


def test_folding_keeps_offsets_and_drops_marks() -> None:
    text = "Quyết định của Ủy ban nhân dân xã Đông Hòa"
    assert fold(text) == "quyet dinh cua uy ban nhan dan xa dong hoa"
    assert len(fold(text)) == len(text)
    assert match_query('quyết "ban nhân dân"') == '"quyet" AND "ban nhan dan"'
    assert match_query("  ,;  ") is None
    # PostgreSQL gets the same query: phrases of the same words, all required.
    assert ts_query('quyết "ban nhân dân"') == ("(('quyet')) & (('ban' <-> 'nhan' <-> 'dan') & "
                                               "'ban_nhan' & 'nhan_dan')")
    assert ts_query("  ,;  ") is None


def test_search_ignores_accents_and_case(index: IndexStore) -> None:
    assert _ids(index, text="quyet dinh") == [1]
    assert _ids(index, text="QUYẾT ĐỊNH") == [1]
    assert _ids(index, text="dang thi hoa") == [1, 3]  # Đ folds to d; text or applicant
    assert _ids(index, text='"ban sao trich luc"') == [1]
    assert _ids(index, text='"trich luc ban sao"') == []  # a phrase keeps its order
    hit = index.find(Query(text="trich luc"))[0]
    assert "[trích] [lục]" in hit.snippet  # the snippet shows the original accents


def test_search_by_id_number_date_range_type_and_applicant(index: IndexStore) -> None:
    assert _ids(index, id_number="001203004567") == [1, 3]  # field or text
    assert _ids(index, id_number="001203004568") == []
    assert _ids(index, date_from="2026-11-01") == [1, 3]
    assert _ids(index, date_from="2026-10-01", date_to="2026-10-31") == [2]
    assert _ids(index, doc_type="QD") == [1]
    assert _ids(index, doc_type="QĐ", text="thong bao") == []
    assert _ids(index, applicant="dang thi hoa") == [3]


def test_forget_removes_the_person_and_every_trace_in_the_file(index: IndexStore) -> None:
    removed = index.forget("001203004567")
    assert sorted(e.dossier_id for e in removed) == ["d1", "d3"]
    assert index.count() == 1
    assert _ids(index, text="dang thi hoa") == []
    assert _ids(index, id_number="001203004567") == []
    if isinstance(index, SqliteIndex):
        # The file keeps no trace (PostgreSQL keeps freed bytes until it reuses them: README).
        raw = index.path.read_bytes()
        assert b"001203004567" not in raw and b"Hoa" not in raw
    with pytest.raises(Exception, match="12 digits"):
        index.forget("12345")


def test_desks_filter_and_rebuild_one_desk_only(index: IndexStore) -> None:
    index.replace_dossier("/o", "d9", [_entry(9, agency_code="000.00.31.H49", desk="Một cửa xã "
                                              "Minh Xuân", body="giấy khai sinh")],
                          agency_code="000.00.31.H49", desk="Một cửa xã Minh Xuân")
    index.replace_dossier("/o", "d9", [_entry(10, dossier_id="d9", agency_code="000.00.32.H49",
                                              desk="Một cửa xã Đông Hòa", body="giấy khai sinh")],
                          agency_code="000.00.32.H49", desk="Một cửa xã Đông Hòa")
    both = _ids(index, text="giay khai sinh")
    assert len(both) == (2 if isinstance(index, PostgresIndex) else 1)
    assert len(_ids(index, text="khai sinh", desk="mot cua xa dong hoa")) == 1
    assert len(_ids(index, text="khai sinh", desk="000.00.32.H49")) == 1
    assert _ids(index, desk="Một cửa khác") == []
    hit = index.find(Query(desk="Một cửa xã Đông Hòa"))[0]
    assert hit.record()["desk"] == "Một cửa xã Đông Hòa"
    # A desk's rebuild replaces its own entries, and no other desk's.
    assert index.replace_desk("000.00.32.H49", "Một cửa xã Đông Hòa", []) == 0
    assert _ids(index, desk="000.00.32.H49") == []
    assert _ids(index, text="quyet dinh") == [1]


def test_masking_leaves_codes_and_checksums_alone() -> None:
    assert mask_text("CCCD 001203004567, ĐT 0912 345 678") == "CCCD *********567, ĐT **** *** 678"
    assert mask_text("Ngày sinh: 12/03/1990") == "Ngày sinh: **/**/****"
    kept = "000.00.31.H49-261120-0001 H49.64.33.2026.0000001 A3B001203004567FF 2026-11-23"
    assert mask_text(kept) == kept
    data = mask_data({"metadata": {"id_number": "008190012345", "birth_date": "1990-03-12",
                                   "issued_date": "2026-11-20"}})
    assert data == {"metadata": {"id_number": "*********345", "birth_date": "****-**-**",
                                 "issued_date": "2026-11-20"}}


def _personal_values(truth: dict) -> set[str]:
    values = set()
    for doc in truth.values():
        meta = doc["metadata"]
        for key in ("id_number", "phone"):
            if meta.get(key):
                values.add(meta[key])
        for page in doc.get("pages_text", []):
            values.update(re.findall(r"\b\d{12}\b|\b0\d{2,3} \d{3} \d{3,4}\b", page))
    return values


def test_run_output_and_logs_mask_personal_data(sample_run: SampleRun) -> None:
    values = _personal_values(sample_run.truth)
    assert len(values) >= 3  # the samples do carry ID and phone numbers
    printed = sample_run.result.stdout + sample_run.result.stderr
    for value in values:
        assert value not in printed
        assert value.replace(" ", "") not in printed.replace(" ", "")
    assert not re.search(r"(?<![\w.\-/])\d{12}(?!\w)", printed)
    # The outputs on disk keep the values: the archive needs them.
    assert any(v in (sample_run.out / "summary.json").read_text(encoding="utf-8")
               for v in values)


def test_show_personal_data_prints_the_values(cli_env: Env, tmp_path: Path) -> None:
    form = tmp_path / "don.txt"
    form.write_text("ĐƠN ĐỀ NGHỊ\nHọ và tên: Trần Văn Bình\nSố CCCD: 001203004567\n",
                    encoding="utf-8")
    masked = cli_env.run("extract", str(form), "--json")
    shown = cli_env.run("extract", str(form), "--json", "--show-personal-data")
    assert "001203004567" not in masked.stdout and "*********567" in masked.stdout
    assert "001203004567" in shown.stdout


def test_run_indexes_into_an_owner_only_file(sample_run: SampleRun, cli_env: Env) -> None:
    index = Path(cli_env.vars["DIGITIZE_DATA_DIR"]) / "index.sqlite"
    assert stat.S_IMODE(index.stat().st_mode) == 0o600
    res = cli_env.run("find", "quyet dinh", "--type", "QĐ", "--dossier",
                      "000.00.31.H49-261120-0001", "--json")
    assert res.returncode == 0, res.stderr
    hits = json.loads(res.stdout)
    assert [h["metadata"]["symbol"] for h in hits] == ["QĐ-STP"]
    assert hits[0]["signature"]["level"] == "B-B" and hits[0]["present"]
    assert Path(hits[0]["bundle"]).parent.parent == sample_run.out
    person = next(d for d in sample_run.truth.values() if d["metadata"].get("id_number"))
    res = cli_env.run("find", "--id-number", person["metadata"]["id_number"], "--json")
    assert res.returncode == 0
    assert any(h["metadata"].get("applicant_name") == person["metadata"]["applicant_name"]
               for h in json.loads(res.stdout))
    assert cli_env.run("find", "--from", "2030-01-01").returncode == 1
    assert cli_env.run("find", "--from", "yesterday").returncode == 2


def test_rebuild_then_forget(sample_run: SampleRun, cli_env: Env, tmp_path: Path) -> None:
    index = tmp_path / "rebuilt.sqlite"
    res = cli_env.run("index", "rebuild", str(sample_run.out), "--index", str(index), "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["documents"] == sum(
        len(d["documents"]) for d in sample_run.summary["dossiers"])
    number = next(d["metadata"]["id_number"] for d in sample_run.truth.values()
                  if d["metadata"].get("id_number"))
    assert cli_env.run("find", "--id-number", number, "--index", str(index)).returncode == 0
    res = cli_env.run("forget", "--id-number", number, "--index", str(index), "--json")
    assert res.returncode == 0, res.stderr
    assert len(json.loads(res.stdout)["removed"]) >= 1
    assert cli_env.run("find", "--id-number", number, "--index", str(index)).returncode == 1
    assert number.encode() not in index.read_bytes()


@pytest.mark.slow
def test_reuse_keeps_the_signature_and_makes_a_valid_package(
        sample_run: SampleRun, cli_env: Env, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    assert cli_env.run("index", "rebuild", str(sample_run.out), "--index",
                       str(index)).returncode == 0
    found = json.loads(cli_env.run("find", "quyet dinh", "--type", "QĐ", "--dossier",
                                   "000.00.31.H49-261120-0001", "--index", str(index),
                                   "--json").stdout)
    original = Path(found[0]["pdf"])
    # A new dossier: the citizen's next visit.
    scans = tmp_path / "scans" / "000.00.31.H49-261123-0007"
    shutil.copytree(next(SAMPLES.glob("*-0003")), scans)
    out = tmp_path / "out"
    assert cli_env.run("run", str(scans), "--out", str(out), "--index",
                       str(index)).returncode == 0
    dossier = out / scans.name
    res = cli_env.run("reuse", str(found[0]["id"]), "--into", str(dossier), "--index",
                      str(index), "--json")
    assert res.returncode == 0, res.stderr
    added = json.loads(res.stdout)["added"]
    assert len(added) == 1
    copy = Path(added[0]["pdf"])
    assert copy.read_bytes() == original.read_bytes()
    report = verify_pdf(copy, load_trust([cli_env.ca_cert]), offline=True)
    assert report.status.value == "valid", report
    pdfsig = subprocess.run(["pdfsig", str(copy)], capture_output=True, text=True,
                            check=False).stdout
    assert "Signature Validation: Signature is Valid." in pdfsig
    res = cli_env.run("verify", str(dossier), "--trust", str(cli_env.ca_cert), "--offline")
    assert res.returncode == 0, res.stdout + res.stderr
    record = json.loads((dossier / "dossier.json").read_text(encoding="utf-8"))
    assert any(e["type"] == "reuse" and found[0]["sha256"] in e["detail"]
               for e in record["provenance"])
    # Reusing again adds nothing; the new dossier is findable with the reused document.
    again = cli_env.run("reuse", str(found[0]["id"]), "--into", str(dossier), "--index",
                        str(index), "--json")
    assert json.loads(again.stdout)["added"] == []
    hits = json.loads(cli_env.run("find", "--dossier", scans.name, "--type", "QĐ", "--index",
                                  str(index), "--json").stdout)
    assert [Path(h["pdf"]) for h in hits] == [copy]
    # A later run of the dossier (its inputs changed) keeps the reused document.
    (scans / "digitize-overrides.toml").write_text(
        '[documents."scan_0001.jpg"]\nsubject = "Tờ trình đã sửa"\n', encoding="utf-8")
    assert cli_env.run("run", str(scans), "--out", str(out), "--index",
                       str(index)).returncode == 0
    rebuilt = json.loads((dossier / "dossier.json").read_text(encoding="utf-8"))
    reused = [d for d in rebuilt["documents"] if d.get("reused_from")]
    assert len(reused) == 1
    assert Path(reused[0]["pdf"]).read_bytes() == original.read_bytes()


# ---------------------------------------------------------------- the shared index (PostgreSQL)
def _desk_writes(url: str, password: str, desk: int) -> int:
    """One desk's writes, in its own process: 20 dossiers of 3 documents, each written twice
    (a re-run), in the output folder every desk names alike."""
    with PostgresIndex(url, password) as ix:
        for d in range(20):
            docs = [_entry(d * 10 + k, out_dir="/srv/out", dossier_id=f"HS-{d}",
                           pdf=f"/srv/out/HS-{d}/{k}.pdf", agency_code=f"000.00.{desk:02d}.H49",
                           desk=f"Một cửa {desk}", body=f"giấy tờ số {d} {k}") for k in range(3)]
            for _ in range(2):
                ix.replace_dossier("/srv/out", f"HS-{d}", docs,
                                   agency_code=f"000.00.{desk:02d}.H49", desk=f"Một cửa {desk}")
    return desk


def test_parallel_desks_never_lose_or_duplicate_entries(postgres: Postgres) -> None:
    url = postgres.new_database("parallel")
    with ProcessPoolExecutor(8) as pool:
        assert sorted(pool.map(_desk_writes, [url] * 8, [postgres.password] * 8, range(8))) == \
            list(range(8))
    with psycopg.connect(url, password=postgres.password) as db:
        total, distinct = db.execute("SELECT count(*), count(DISTINCT (agency_code, desk, pdf)) "
                                     "FROM documents").fetchone()
    assert total == distinct == 8 * 20 * 3
    with PostgresIndex(url, postgres.password) as ix:
        assert len(ix.find(Query(desk="mot cua 3", limit=100))) == 60


def _many(n: int) -> Iterator[Entry]:
    """Documents past the newest 2,000 that `find` may look at first: a rare word and a name
    only in the oldest, the name's words also apart in newer ones, a common word in all."""
    for i in range(1, n + 1):
        body = f"Giấy tờ chung số {i}."
        if i % 7 == 0:
            body += " Nguyễn Văn An" if i < 300 else " An, họ Nguyễn, tên đệm Văn"
        if i < 60:
            body += " hiếm"
        yield _entry(i, doc_kind="don" if i % 3 else "", body=body, issued_date="2026-11-20",
                     applicant_name="Nguyễn Văn An" if i % 3 and i < 400 else "",
                     desk=f"Một cửa {i % 2}")


def test_every_way_to_find_answers_as_sqlite(postgres: Postgres, tmp_path: Path) -> None:
    """Common words from the newest documents, rare ones, phrases and the applicant through the
    index: the shared index answers what SQLite answers, before and after the planner has
    statistics (which decide where `find` looks first)."""
    queries = [Query(text="chung"), Query(text="hiem"), Query(text='"nguyen van an"'),
               Query(text="nguyen van an"), Query(applicant="nguyen van an"),
               Query(text="hiem", desk="mot cua 1"), Query(text='"nguyen van an" chung'),
               Query(text="nguyen hiem", limit=100), Query(text="khong co")]
    url = postgres.new_database("every_way")
    with SqliteIndex(tmp_path / "index.sqlite") as lite, PostgresIndex(
            url, postgres.password) as pg:
        lite.add_many(_many(2600))
        pg.add_many(_many(2600))
        expected = [[(h.id, h.entry.pdf) for h in lite.find(q)] for q in queries]
        assert [len(e) for e in expected] == [20, 20, 20, 20, 20, 20, 20, 42, 0]
        assert [[(h.id, h.entry.pdf) for h in pg.find(q)] for q in queries] == expected
        pg.db.execute("ANALYZE document_words")
        assert [[(h.id, h.entry.pdf) for h in pg.find(q)] for q in queries] == expected


def test_an_index_of_schema_2_is_upgraded_once(postgres: Postgres,
                                                caplog: pytest.LogCaptureFixture) -> None:
    url = postgres.new_database("upgrade")
    with PostgresIndex(url, postgres.password) as ix:
        ix.add_many(_many(30))
    with psycopg.connect(url, password=postgres.password, autocommit=True) as db:
        # As digitize 0.x left it: the tsvector in `documents`, under its own GIN index.
        db.execute("ALTER TABLE documents ADD COLUMN search TSVECTOR")
        db.execute("UPDATE documents d SET search = w.search FROM document_words w "
                   "WHERE w.id = d.id")
        db.execute("CREATE INDEX documents_search ON documents USING GIN(search)")
        db.execute("DROP TABLE document_words")
        db.execute("UPDATE digitize_info SET value = '2'")
    with caplog.at_level("WARNING", logger="digitize"), PostgresIndex(
            url, postgres.password) as ix:
        # The name in the body (every 7th) or as the applicant (not every 3rd).
        assert [h.id for h in ix.find(Query(text='"nguyen van an"'))] == \
            [i for i in range(30, 0, -1) if i % 7 == 0 or i % 3][:20]
    assert "Upgrading the shared index" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="digitize"), PostgresIndex(
            url, postgres.password) as ix:
        assert ix.count() == 30
    assert "Upgrading" not in caplog.text
    with psycopg.connect(url, password=postgres.password, autocommit=True) as db:
        assert db.execute("SELECT count(*) FROM information_schema.columns WHERE column_name = "
                          "'search' AND table_name = 'documents'").fetchone()[0] == 0
        db.execute("UPDATE digitize_info SET value = '4'")
    with pytest.raises(EnvironmentProblem, match="newer digitize"):
        PostgresIndex(url, postgres.password)


def _shared(tmp_path: Path, pg: Postgres, database: str) -> IndexLocation:
    secret = tmp_path / "pg-password"
    secret.write_text(pg.password + "\n")
    secret.chmod(0o600)
    return IndexLocation(path=tmp_path / "desk" / "index.sqlite", url=pg.new_database(database),
                         password_file=secret, agency_code="000.00.31.H49",
                         desk="Một cửa xã Minh Xuân")


def test_a_desk_keeps_working_while_the_server_is_down_and_syncs_once_back(
        sample_run: SampleRun, postgres: Postgres, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    loc = _shared(tmp_path, postgres, "queue")
    out = str(sample_run.out.resolve())
    ids = [d["id"] for d in sample_run.summary["dossiers"]]
    numbers = {i: [e.id_number for e in dossier_dir_entries(sample_run.out / i) if e.id_number]
               for i in ids}
    second = next(i for i in ids if numbers[i])  # the one written while the server is down
    first = next(i for i in ids if i != second)
    number = numbers[second][0]
    with SharedIndex(loc, loc.url) as ix:
        assert ix.replace_dossier(out, first, dossier_dir_entries(sample_run.out / first)) > 0
        assert ix.pending() == 0 and ix.count() > 0
        sent = ix.count()
    postgres.stop()
    try:
        with SharedIndex(loc, loc.url) as ix:
            ix.replace_dossier(out, second, dossier_dir_entries(sample_run.out / second))
            assert ix.pending() == 1
            with pytest.raises(EnvironmentProblem, match="--index"):
                ix.find(Query(text="quyet dinh"))
        assert "cannot be reached" in caplog.text and postgres.password not in caplog.text
        # The desk's own copy has both dossiers meanwhile.
        with SqliteIndex(loc.path) as local:
            assert {h.entry.dossier_id for h in local.find(Query(dossier=second))} == {second}
    finally:
        postgres.start()
    with SharedIndex(loc, loc.url) as ix:
        done = ix.sync()
        assert (done.sent, done.pending) == (1, 0)
        assert {h.entry.dossier_id for h in ix.find(Query(dossier=second))} == {second}
        assert all(h.entry.desk == loc.desk for h in ix.find(Query(dossier=second)))
        total = ix.count()
        assert total > sent
        # Sending again changes nothing: each item is the dossier as it is now.
        ix.outbox.put("dossier", f"{out}|{second}", {"out": out, "dossier": second})
        assert ix.sync().sent == 1 and ix.count() == total
        assert ix.sync().sent == 0
        assert ix.find(Query(id_number=number))
        assert ix.forget(number) and ix.find(Query(id_number=number)) == []


def test_a_shared_index_that_holds_its_answers_back_is_not_waited_for(
        sample_run: SampleRun, cli_env: Env, postgres: Postgres, tmp_path: Path) -> None:
    """Another session holds the documents table locked (an administrator's ALTER, a stuck
    maintenance job): every query waits on the lock. `find` waited for ever, and so did a run's
    indexing at the end of a batch. Now each answer is waited for [index] timeout_s: find
    exits 4 saying so, and a dossier's write waits in the desk's queue."""
    loc = dataclasses.replace(_shared(tmp_path, postgres, "held"), timeout_s=2.0)
    out = str(sample_run.out.resolve())
    dossier = sample_run.summary["dossiers"][0]["id"]
    with SharedIndex(loc, loc.url) as ix:
        assert ix.replace_dossier(out, dossier, dossier_dir_entries(sample_run.out / dossier))
    config = tmp_path / "config.toml"
    config.write_text(f'[index]\npath = "{loc.path}"\nurl = "{loc.url}"\npassword_file = '
                      f'"{loc.password_file}"\ntimeout_s = 2\n', encoding="utf-8")
    with psycopg.connect(loc.url, password=postgres.password) as holder:
        holder.execute("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE")  # held until the end
        started = time.monotonic()
        res = cli_env.run("find", "quyet dinh", extra={"DIGITIZE_CONFIG": str(config)},
                          timeout=60)
        assert res.returncode == 4, res.stdout + res.stderr
        assert "no answer within 2 s" in res.stderr and postgres.password not in res.stderr
        assert time.monotonic() - started < 30
        with SharedIndex(loc, loc.url) as ix:
            ix.replace_dossier(out, dossier, dossier_dir_entries(sample_run.out / dossier))
            assert ix.pending() == 1
        holder.rollback()
    with SharedIndex(loc, loc.url) as ix:
        assert ix.sync().pending == 0


def test_a_stuck_server_process_is_not_waited_for(postgres: Postgres, tmp_path: Path) -> None:
    """The server process answering this desk stops (SIGSTOP: as when it is blocked on a
    failing disk or its machine is paused) while the machine's kernel still acknowledges and
    answers keepalives: neither statement_timeout nor a cancel request reaches it, and `find`
    waited for ever. Now this side cuts the connection GRACE_S after timeout_s: the search
    ends as unreachable, saying so."""
    import os
    import signal
    import threading

    from digitize.index import postgres as pg

    loc = _shared(tmp_path, postgres, "stuck")
    with PostgresIndex(loc.url, postgres.password, timeout_s=1.0) as ix:
        backend = ix.db.execute("SELECT pg_backend_pid()").fetchone()[0]
        outcome: list[object] = []

        def search() -> None:
            started = time.monotonic()
            try:
                ix.find(Query(text="quyet dinh"))
            except Exception as exc:  # what the search ended with, whatever it is
                outcome.append(exc)
            outcome.append(time.monotonic() - started)

        os.kill(backend, signal.SIGSTOP)
        try:
            searching = threading.Thread(target=search, daemon=True)
            searching.start()
            searching.join(1.0 + pg.GRACE_S + 20)
            stuck = searching.is_alive()
        finally:
            os.kill(backend, signal.SIGCONT)
        searching.join(30)
        assert not stuck, "find still waiting on the stopped server process"
        error, took = outcome
        assert isinstance(error, pg.Unreachable), error
        assert "no answer within 1 s" in str(error), error
        assert took < 1.0 + pg.GRACE_S + 5
        assert postgres.password not in str(error)


def test_cli_on_the_shared_index(sample_run: SampleRun, cli_env: Env, postgres: Postgres,
                                 tmp_path: Path) -> None:
    loc = _shared(tmp_path, postgres, "cli")
    config = tmp_path / "config.toml"
    config.write_text(
        '[agency]\nname = "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"\ncode = "000.00.31.H49"\n'
        f'archive_code = "H49.64.33"\n[desk]\nname = "{loc.desk}"\n'
        f'[index]\npath = "{loc.path}"\nurl = "{loc.url}"\npassword_file = "{loc.password_file}"\n',
        encoding="utf-8")
    env = {"DIGITIZE_CONFIG": str(config)}
    res = cli_env.run("index", "rebuild", str(sample_run.out), "--json", extra=env)
    assert res.returncode == 0, res.stderr
    documents = json.loads(res.stdout)["documents"]
    number = next(d["metadata"]["id_number"] for d in sample_run.truth.values()
                  if d["metadata"].get("id_number"))
    found = cli_env.run("find", "--id-number", number, "--desk", "mot cua xa minh xuan",
                        "--json", extra=env)
    assert found.returncode == 0, found.stderr
    assert {h["desk"] for h in json.loads(found.stdout)} == {loc.desk}
    assert cli_env.run("find", "--id-number", number, "--desk", "Một cửa khác",
                       extra=env).returncode == 1
    with PostgresIndex(loc.url, postgres.password) as ix:
        assert ix.count() == documents

    def doctor() -> dict:
        res = cli_env.run("doctor", "--json", extra=env)
        return {c["key"]: c for c in json.loads(res.stdout)}["shared_index"]

    assert doctor()["status"] == "ok" and f"{documents} " in doctor()["detail"]
    # The server goes away: forget removes here and waits; sync sends it once it is back.
    postgres.stop()
    try:
        res = cli_env.run("forget", "--id-number", number, "--json", extra=env)
        assert res.returncode == 0, res.stderr
        assert json.loads(res.stdout)["queued"] is True
        assert postgres.password not in res.stdout + res.stderr
        assert cli_env.run("index", "sync", extra=env).returncode == 4
        down = doctor()
        assert down["status"] == "warning" and "1 changes wait" in down["fix"]
    finally:
        postgres.start()
    res = cli_env.run("index", "sync", "--json", extra=env)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["pending"] == 0
    assert cli_env.run("find", "--id-number", number, extra=env).returncode == 1
    # A password file others may read, and a password in the URL, are refused.
    loc.password_file.chmod(0o644)
    res = cli_env.run("find", "quyet dinh", extra=env)
    assert res.returncode == 4 and "chmod 600" in res.stderr + res.stdout
    loc.password_file.chmod(0o600)
    res = cli_env.run("find", "quyet dinh", extra={
        **env, "DIGITIZE_INDEX_URL": loc.url.replace("digitize@", "digitize:hunter2@")})
    assert res.returncode == 2 and "hunter2" not in res.stderr + res.stdout
