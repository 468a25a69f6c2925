"""A small HTTP client for the tests that drive the real `digitize serve` process: its own
cookie, a source address of its choosing among the loopback addresses (127.0.0.2 is another
clerk's PC to the server), forms and file uploads, the CSRF token of a page's form; and a
local HTTP server that records every request made to it (the addresses a hostile certificate
names)."""

from __future__ import annotations

import http.client
import http.server
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from digitize.devtools.loopback import serving

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_in(html: str) -> str:
    """The CSRF token of the form in a page's HTML; "" where the page has none."""
    found = CSRF.search(html)
    return found.group(1) if found else ""


def csrf_of(get: Callable[[str], Any], page: str = "/login") -> str:
    """The CSRF token of the form on `page` (`get` gives a page's response: a `Clerk`'s or
    Starlette's test client's); the test fails where the page has none."""
    token = csrf_in(get(page).text)
    assert token, f"no CSRF token on {page}"
    return token


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str
    seconds: float


@dataclass
class Clerk:
    """One browser: the server's port, the address it connects from, its session cookie."""

    port: int
    source: str = "127.0.0.1"
    cookie: str = ""
    forwarded_for: str = ""  # an X-Forwarded-For header on every request, as a proxy sends

    def request(self, method: str, path: str, body: bytes = b"", content_type: str = "",
                timeout: float = 120) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(self.source, 0))
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if self.forwarded_for:
            headers["X-Forwarded-For"] = self.forwarded_for
        if content_type:
            headers["Content-Type"] = content_type
        start = time.monotonic()
        try:
            conn.request(method, path, body=body or None, headers=headers)
            res = conn.getresponse()
            text = res.read().decode("utf-8", "replace")
        finally:
            conn.close()
        seconds = time.monotonic() - start
        got = {k.lower(): v for k, v in res.getheaders()}
        cookie = got.get("set-cookie", "")
        if cookie.startswith("digitize_session="):
            self.cookie = cookie.split(";", 1)[0]
            if self.cookie == "digitize_session=null":
                self.cookie = ""
        return Answer(res.status, got, text, seconds)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def csrf(self, page: str = "/login") -> str:
        return csrf_of(self.get, page)

    def post(self, path: str, form: dict[str, str]) -> Answer:
        return self.request("POST", path, urlencode(form).encode(),
                            "application/x-www-form-urlencoded")

    def upload(self, path: str, form: dict[str, str], name: str, filename: str,
               data: bytes) -> Answer:
        return self.upload_files(path, form, [(name, filename, data)])

    def upload_files(self, path: str, form: dict[str, str],
                     files: list[tuple[str, str, bytes]]) -> Answer:
        """A multipart form with `files` (field name, file name, content), as a browser sends
        a form whose file input holds several files."""
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                 .encode() for k, v in form.items()]
        for name, filename, data in files:
            quoted = filename.replace('"', "%22")
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                         f'filename="{quoted}"\r\nContent-Type: application/pdf\r\n\r\n'
                         .encode() + data + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")

    def login(self, password: str) -> Answer:
        return self.post("/login", {"csrf": self.csrf(), "password": password})


@dataclass
class Recorder:
    url: str
    hits: list[str] = field(default_factory=list)


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """An HTTP server on 127.0.0.1 that answers 404 to everything and notes each request."""
    rec = Recorder("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _note(self) -> None:
            rec.hits.append(f"{self.command} {self.path}")
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = _note

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    with serving(server):
        yield rec


def finished_job(get: Callable[[str], Any], location: str, tries: int = 240) -> str:
    """The page of the job at `location` once it is done or failed (`get` gives a page's
    response), after at most `tries` half-second waits."""
    page = ""
    for _ in range(tries):
        page = get(location).text
        if 'data-state="done"' in page or 'data-state="failed"' in page:
            break
        time.sleep(0.5)
    return page
