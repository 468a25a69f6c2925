"""What verification may fetch (validation.fetch), how fast an address may guess the desk's
password (web.auth.Throttle) and the login's sessions (web.sessions), on their own: loopback,
private, link-local and mapped addresses refused, answers capped in size and time, no redirects
followed; guessers wait, doubling, and one address's guessing never refuses another's first
try; a session closed or made with an old password is void, and a restart keeps the others."""

from __future__ import annotations

import http.server
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from digitize.devtools.loopback import serving
from digitize.validation.fetch import FetchPolicy, FetchRefused, allowed_address, fetch
from digitize.web.auth import (
    BUSY_FAILURES,
    FIRST_WAIT_S,
    FREE_TRIES,
    MAX_WAIT_S,
    Throttle,
    set_password,
)
from digitize.web.sessions import Logins, sessions_path


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.1.10",
                                  "172.16.0.1", "169.254.169.254", "::1", "::ffff:127.0.0.1",
                                  "fe80::1", "fd00::1", "0.0.0.0", "100.64.0.1", "224.0.0.1"])
def test_only_public_addresses_are_fetched_from(host: str) -> None:
    with pytest.raises(FetchRefused, match="not a public address"):
        allowed_address(host, 80, FetchPolicy())
    assert allowed_address("8.8.8.8", 80, FetchPolicy()) == "8.8.8.8"
    assert allowed_address("127.0.0.1", 80, FetchPolicy(allow_private=True)) == "127.0.0.1"


@contextmanager
def _answering(status: int, body: bytes, headers: dict[str, str]) -> Iterator[str]:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"


def test_answers_are_capped_and_redirects_not_followed() -> None:
    local = FetchPolicy(allow_private=True, max_bytes=1000)
    with _answering(200, b"x" * 500, {"Content-Type": "application/pkix-crl"}) as url:
        got = fetch(f"{url}/crl", local, headers={})
        assert got.content == b"x" * 500 and got.headers["content-type"] == "application/pkix-crl"
        with pytest.raises(FetchRefused, match="not a public address"):
            fetch(f"{url}/crl", FetchPolicy(), headers={})
    with _answering(200, b"x" * 5000, {}) as url, pytest.raises(FetchRefused, match="over 1000"):
        fetch(f"{url}/big", local, headers={})
    with _answering(200, b"x" * 5000, {"Content-Length": "5000"}) as url, pytest.raises(
            FetchRefused, match="5000 bytes"):
        fetch(f"{url}/big", local, headers={})
    with _answering(302, b"", {"Location": "http://10.0.0.1/"}) as url, pytest.raises(
            FetchRefused, match="status 302"):
        fetch(f"{url}/moved", local, headers={})
    for bad in ("file:///etc/passwd", "ftp://example.org/x", "http:///nohost"):
        with pytest.raises(FetchRefused):
            fetch(bad, local, headers={})


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_guesser_waits_longer_and_longer() -> None:
    clock = _Clock()
    t = Throttle(clock)
    for _ in range(FREE_TRIES):
        assert t.wait("10.0.0.9") == 0
        t.attempt("10.0.0.9")
    assert t.wait("10.0.0.9") == FIRST_WAIT_S
    clock.now += FIRST_WAIT_S
    assert t.wait("10.0.0.9") == 0
    t.attempt("10.0.0.9")
    assert t.wait("10.0.0.9") == 2 * FIRST_WAIT_S
    for _ in range(20):
        t.attempt("10.0.0.9")
    assert t.wait("10.0.0.9") == MAX_WAIT_S
    assert t.wait("10.0.0.10") == 0  # another address is not held up
    t.succeeded("10.0.0.9")
    assert t.wait("10.0.0.9") == 0


def test_many_guessers_at_once_never_refuse_a_first_try() -> None:
    clock = _Clock()
    t = Throttle(clock)
    for i in range(BUSY_FAILURES):
        t.attempt(f"10.0.1.{i}")
    # Busy: an address that failed once waits; one that has not failed is heard.
    assert t.wait("10.0.1.0") > 0
    assert t.wait("10.0.2.1") == 0
    clock.now += 120  # quiet again: the free tries are back
    assert t.wait("10.0.1.0") == 0


def test_sessions_end_at_logout_and_with_a_new_password_and_outlive_a_restart(
        tmp_path: Path) -> None:
    pw = tmp_path / "web-password"
    set_password(pw, "mật khẩu thứ nhất")
    logins = Logins.from_file(pw)
    assert logins is not None
    kept, closed = logins.start(), logins.start()
    logins.end(closed)
    assert logins.alive(kept) and not logins.alive(closed) and not logins.alive("made-up")
    store = sessions_path(pw)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600 and kept not in store.read_text()
    again = Logins.from_file(pw)  # a restart: same key, same sessions
    assert again is not None and again.key == logins.key and again.alive(kept)
    assert not again.alive(closed)
    set_password(pw, "mật khẩu thứ hai")
    assert not logins.alive(kept) and not again.alive(kept)
    later = Logins.from_file(pw)
    assert later is not None and not later.alive(kept)


def test_sessions_that_cannot_be_written_stay_in_memory(tmp_path: Path) -> None:
    pw = tmp_path / "web-password"
    set_password(pw, "mật khẩu bàn một cửa")
    sessions_path(pw).mkdir()  # in the way, as a folder the server may not write would be
    logins = Logins.from_file(pw)
    assert logins is not None
    sid = logins.start()
    assert logins.alive(sid) and not sessions_path(pw).is_file()
    logins.end(sid)
    assert not logins.alive(sid)
