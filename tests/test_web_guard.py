"""issue 37, against the real `digitize serve` on 127.0.0.1 and the real CLI: verification never
calls the addresses a file's certificates name when they are loopback or private; password
guessing is slowed and refused without stalling the other clerks; logout and a password change
end every copy of the session cookie; the verify report shows a hostile file name as text; the
review's operator comes from the desk, never from the form."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from digitize.web.auth import FREE_TRIES, set_password
from tests import hostilepdf, test_web
from tests.conftest import DIGITIZE, Env, Signing
from tests.desk import desk_config
from tests.servers import serving_desk
from tests.test_web import Desk
from tests.webclient import Clerk, finished_job, recording_server

PASSWORD = "mật khẩu bàn một cửa"
desk = test_web.desk  # this module's own run of the sample dossier


@pytest.fixture(scope="module")
def guarded(desk: Desk, cli_env: Env) -> Iterator[int]:
    """The desk's server with a password set: every page needs the login."""
    set_password(desk.config.parent / "pw", PASSWORD)
    with serving_desk(DIGITIZE, desk.out, desk.config, cli_env.vars, tries=600) as (port, _p):
        yield port


def _signed_pdf(desk: Desk) -> Path:
    return Path(next(d["pdf"] for d in desk.record["documents"] if d.get("signature")))


# ---------------------------------------------------------------- item 5: guessing
def test_guessing_is_refused_and_other_clerks_are_not_stalled(guarded: int) -> None:
    statuses: list[int] = []

    def guesser(k: int) -> None:
        clerk = Clerk(guarded, "127.0.0.2")
        token = clerk.csrf()
        for i in range(5):
            statuses.append(clerk.post("/login", {"csrf": token,
                                                  "password": f"đoán sai {k}-{i}"}).status)

    threads = [threading.Thread(target=guesser, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    other = Clerk(guarded, "127.0.0.1")
    static: list[float] = []
    while any(t.is_alive() for t in threads):
        static.append(other.get("/static/style.css").seconds)
    for t in threads:
        t.join()
    right = other.login(PASSWORD)
    assert len(statuses) == 30
    assert statuses.count(429) >= 20, statuses  # a few tries, then refused
    assert set(statuses) <= {401, 429}, statuses
    assert right.status == 303, right.text  # another address's right password still works
    assert other.get("/dossiers").status == 200
    assert static and max(static) < 1.0, static
    # The guessing address stays refused for a while, even with the right password.
    again = Clerk(guarded, "127.0.0.2")
    refused = again.login(PASSWORD)
    assert refused.status == 429 and int(refused.headers["retry-after"]) >= 1


def test_a_trusted_proxy_names_the_clerk_and_no_other_sender_can(
        desk: Desk, cli_env: Env, tmp_path: Path) -> None:
    config = desk_config(cli_env, tmp_path, web='trusted_proxies = ["127.0.0.5"]\n')
    set_password(tmp_path / "pw", PASSWORD)

    def guess(clerk: Clerk) -> list[int]:
        return [clerk.post("/login", {"csrf": clerk.csrf(), "password": f"đoán sai {i}"}).status
                for i in range(FREE_TRIES + 1)]

    with serving_desk(DIGITIZE, desk.out, config, cli_env.vars, tries=600) as (port, _p):
        # Behind the desk's nginx every clerk comes from its address: one clerk guessing is
        # refused, the clerk beside it is not.
        assert guess(Clerk(port, "127.0.0.5", forwarded_for="10.0.0.1"))[-1] == 429
        assert Clerk(port, "127.0.0.5", forwarded_for="10.0.0.2").login(PASSWORD).status == 303
        # Anyone else's X-Forwarded-For is ignored: a guesser cannot pick a fresh address.
        assert guess(Clerk(port, "127.0.0.6", forwarded_for="10.0.0.3"))[-1] == 429
        assert Clerk(port, "127.0.0.6", forwarded_for="10.0.0.4").login(PASSWORD).status == 429


# ---------------------------------------------------------------- item 6: logout
def test_logout_and_a_password_change_end_every_copy_of_the_cookie(
        guarded: int, desk: Desk) -> None:
    clerk = Clerk(guarded, "127.0.0.3")
    assert clerk.login(PASSWORD).status == 303
    copied = clerk.cookie
    assert clerk.get("/dossiers").status == 200
    assert clerk.post("/logout", {"csrf": clerk.csrf("/dossiers")}).status == 303
    thief = Clerk(guarded, "127.0.0.4", copied)
    res = thief.get("/dossiers")
    assert res.status == 303 and res.headers["location"] == "/login"

    # A new password ends the sessions made with the old one (the running server sees it).
    assert clerk.login(PASSWORD).status == 303
    kept = Clerk(guarded, "127.0.0.3", clerk.cookie)
    assert kept.get("/dossiers").status == 200
    try:
        set_password(desk.config.parent / "pw", PASSWORD + " mới")
        assert kept.get("/dossiers").status == 303
        assert Clerk(guarded, "127.0.0.5").login(PASSWORD).status == 401
        assert Clerk(guarded, "127.0.0.5").login(PASSWORD + " mới").status == 303
    finally:
        set_password(desk.config.parent / "pw", PASSWORD)


def test_a_session_survives_a_restart(desk: Desk, cli_env: Env) -> None:
    with serving_desk(DIGITIZE, desk.out, desk.config, cli_env.vars, tries=600) as (port, _p):
        clerk = Clerk(port, "127.0.0.6")
        assert clerk.login(PASSWORD).status == 303
    with serving_desk(DIGITIZE, desk.out, desk.config, cli_env.vars, tries=600) as (port, _p):
        clerk.port = port
        assert clerk.get("/dossiers").status == 200


# ---------------------------------------------------------------- item 7: the report
def test_the_verify_report_shows_a_hostile_file_name_as_text(guarded: int, desk: Desk
                                                             ) -> None:
    clerk = Clerk(guarded, "127.0.0.7")
    assert clerk.login(PASSWORD).status == 303
    name = ('<p style="color:#05600a;font-size:3em">KẾT LUẬN: HỢP LỆ ✔<p hidden>'
            'x.pdf')
    res = clerk.upload("/verify", {"csrf": clerk.csrf("/verify")}, "file", name,
                       _signed_pdf(desk).read_bytes())
    assert res.status == 200, res.text
    assert "<p hidden>" not in res.text and "<p style" not in res.text
    srcdoc = html.unescape(re.search(r'srcdoc="([^"]*)"', res.text).group(1))
    assert "<p hidden>" not in srcdoc and "<p style" not in srcdoc
    assert "&lt;p hidden&gt;" in srcdoc  # shown, as text


# ---------------------------------------------------------------- item 10: the operator
def test_review_takes_the_operator_from_the_desk_not_the_form(guarded: int, desk: Desk
                                                              ) -> None:
    clerk = Clerk(guarded, "127.0.0.8")
    assert clerk.login(PASSWORD).status == 303
    page = clerk.get("/review").text
    form = re.search(r'href="(/review/\d+/([^/"]+)/\d+)"', page)
    assert form, "the strict threshold sends fields to review"
    url, dossier = form.groups()
    # The whole document's form: every field to review accepted, a forged operator beside.
    res = clerk.post(url, {"csrf": clerk.csrf(url), "operator": "Kẻ Mạo Danh"})
    assert res.status == 303, res.text
    overrides = (desk.out / ".overrides" / f"{dossier}.toml").read_text(encoding="utf-8")
    assert "Kẻ Mạo Danh" not in overrides and 'operator = "Phạm Thu Hà"' in overrides
    # The desk goes on to the next document; the re-run is the job named in `saved`.
    saved = re.search(r"[?&]saved=(\d+)", res.headers["location"])
    assert saved, res.headers["location"]
    job = finished_job(clerk.get, f"/jobs/{saved.group(1)}", tries=600)
    assert 'data-state="done"' in job, job  # finished before the server stops


# ---------------------------------------------------------------- item 3: fetching
def test_verification_never_calls_private_addresses_a_file_names(
        guarded: int, cli_env: Env, tmp_path: Path) -> None:
    with recording_server() as rec:
        pdf = hostilepdf.signed_naming(tmp_path, rec.url)
        config = tmp_path / "config.toml"
        config.write_text('[agency]\nname = "UBND"\n', encoding="utf-8")
        res = cli_env.run("verify", str(pdf), "--json", "--config", str(config))
        assert res.returncode == 1 and json.loads(res.stdout)[0]["status"] == "indeterminate"
        assert rec.hits == [], rec.hits  # online, but 127.0.0.1 is not to be fetched from
        # The web verify is offline unless ticked, and then refuses loopback addresses too.
        clerk = Clerk(guarded, "127.0.0.9")
        assert clerk.login(PASSWORD).status == 303
        for form in ({}, {"online": "1"}):
            page = clerk.upload("/verify", {"csrf": clerk.csrf("/verify"), **form}, "file",
                                "hostile.pdf", pdf.read_bytes())
            assert page.status == 200 and 'data-status="indeterminate"' in page.text
            assert rec.hits == [], (form, rec.hits)
        # Where the configuration allows it (a test PKI on 127.0.0.1), it does fetch.
        config.write_text('[verify]\nallow_private_fetch = true\n', encoding="utf-8")
        allowed = cli_env.run("verify", str(pdf), "--json", "--config", str(config))
        assert json.loads(allowed.stdout)[0]["status"] == "indeterminate", allowed.stderr
        assert any("/ssrf-" in hit for hit in rec.hits), rec.hits


def test_renewal_never_calls_private_addresses_a_file_names(signing: Signing,
                                                             tmp_path: Path) -> None:
    """`renew` fetches issuers, OCSP and CRLs as verification does (the operator's own TSA,
    here the test PKI's on 127.0.0.1, is still asked)."""
    with recording_server() as rec:
        pdf = hostilepdf.signed_naming(tmp_path, rec.url)
        config = tmp_path / "config.toml"
        config.write_text('[agency]\nname = "UBND"\n', encoding="utf-8")

        def renew() -> None:
            res = signing.env.run("renew", str(pdf), "--out", str(tmp_path / "out"), "--tsa",
                                  signing.pki.tsa_url, "--trust", str(signing.pki.root_pem),
                                  "--json", "--config", str(config))
            assert res.returncode == 1, res.stdout + res.stderr  # a chain nobody trusts
            assert "Traceback" not in res.stderr and json.loads(res.stdout)[0]["error"]

        renew()
        assert rec.hits == [], rec.hits
        config.write_text('[verify]\nallow_private_fetch = true\n', encoding="utf-8")
        renew()
        assert any("/ssrf-" in hit for hit in rec.hits), rec.hits

