"""Hostile requests and files against the real `digitize serve` on 127.0.0.1 (uvicorn, as the
command runs it, with `[web] max_upload_mb = 1` and its own TMPDIR) and the real CLI: a chunked
upload past the limit, zip bombs, zips with `../` names or links, a foreign Host header, and the
security headers on pages and error pages (issue 37, items 1, 2, 4 and 10)."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import stat
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DIGITIZE, Env
from tests.desk import desk_config
from tests.servers import serving_desk
from tests.webclient import csrf_in

MB = 2**20


@dataclass(frozen=True)
class Served:
    port: int
    pid: int
    tmp: Path  # the server's TMPDIR
    inbox: Path

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)


@pytest.fixture(scope="module")
def served(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    top = tmp_path_factory.mktemp("wb-bounds")
    tmp, out = top / "tmp", top / "out"
    tmp.mkdir()
    out.mkdir()
    config = desk_config(cli_env, top, web='max_upload_mb = 1\nallowed_hosts = '
                                            '["mot-cua.example"]\n')
    with serving_desk(DIGITIZE, out, config, {**cli_env.vars, "TMPDIR": str(tmp)}) as (
            port, proc):
        yield Served(port, proc.pid, tmp, top / "inbox")


class Watcher:
    """The largest file seen under some folders, and among the files a process holds open
    there (a spooled upload is an unnamed temporary file: only /proc shows it), while a
    request runs."""

    def __init__(self, folders: list[Path], pid: int | None = None) -> None:
        self.folders = [str(f) for f in folders]
        self.pid = pid
        self.largest = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sizes(self) -> Iterator[int]:
        for folder in self.folders:
            for root, _dirs, files in os.walk(folder):
                for name in files:
                    with contextlib.suppress(OSError):
                        yield os.lstat(os.path.join(root, name)).st_size
        if self.pid is not None:
            fds = f"/proc/{self.pid}/fd"
            for fd in os.listdir(fds):
                try:
                    target = os.readlink(f"{fds}/{fd}")
                    if target.startswith(tuple(self.folders)):
                        st = os.stat(f"{fds}/{fd}")
                        if stat.S_ISREG(st.st_mode):
                            yield st.st_size
                except OSError:
                    pass

    def _run(self) -> None:
        while not self._stop.is_set():
            self.largest = max(self.largest, max(self._sizes(), default=0))
            time.sleep(0.01)
        self.largest = max(self.largest, max(self._sizes(), default=0))


def _session(served: Served, page: str = "/intake") -> tuple[str, str]:
    """The session cookie and the CSRF token of a page, in English (the refusals the tests
    read)."""
    cookie, html = "", ""
    for path in ("/lang/en", page):
        conn = served.conn()
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{served.port}", "Cookie": cookie})
        res = conn.getresponse()
        html = res.read().decode()
        cookie = res.getheader("set-cookie", "").split(";", 1)[0] or cookie
        conn.close()
    token = csrf_in(html)
    assert token, f"no CSRF token on {page}"
    return cookie, token


def _multipart(fields: dict[str, str], name: str, filename: str, boundary: str) -> bytes:
    head = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                    f"{v}\r\n".encode() for k, v in fields.items())
    return head + (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                   f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                   ).encode()


def _post_file(served: Served, path: str, fields: dict[str, str], filename: str,
               data: bytes) -> tuple[int, str]:
    """A multipart POST of one file with a Content-Length, as a browser sends it."""
    cookie, token = _session(served, path)
    boundary = "wb-boundary-7d1f"
    body = _multipart({"csrf": token, **fields}, "file", filename, boundary) + data + \
        f"\r\n--{boundary}--\r\n".encode()
    conn = served.conn()
    conn.request("POST", path, body=body, headers={
        "Host": f"127.0.0.1:{served.port}", "Cookie": cookie,
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    res = conn.getresponse()
    text = res.read().decode()
    conn.close()
    return res.status, text


def _bomb(path: Path, mb: int = 300) -> Path:
    """One entry of `mb` MB of zeros, deflated to about a thousandth (streamed: the test stays
    light)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("uuid-B0B/representations/rep1/data/zeros.pdf", "w") as fh:
        zero = bytes(MB)
        for _ in range(mb):
            fh.write(zero)
    return path


# ---------------------------------------------------------------- item 1: bounded bodies
def test_a_chunked_upload_stops_at_the_limit(served: Served) -> None:
    """5 MB sent chunked (no Content-Length) to /intake with max_upload_mb = 1: refused with
    413, and the server never holds more than the limit of it on disk."""
    cookie, token = _session(served)
    boundary = "wb-chunked-3a9c"
    head = _multipart({"csrf": token, "code": "000.00.31.H49-261201-0042"}, "files",
                      "scan.pdf", boundary) + b"%PDF-1.7\n"
    conn = served.conn()
    conn.putrequest("POST", "/intake", skip_host=True, skip_accept_encoding=True)
    for key, value in (("Host", f"127.0.0.1:{served.port}"), ("Cookie", cookie),
                       ("Content-Type", f"multipart/form-data; boundary={boundary}"),
                       ("Transfer-Encoding", "chunked")):
        conn.putheader(key, value)
    conn.endheaders()

    def chunk(data: bytes) -> None:
        conn.send(f"{len(data):x}\r\n".encode() + data + b"\r\n")

    with Watcher([served.tmp, served.inbox], served.pid) as seen:
        try:
            chunk(head)
            piece = b"0" * (64 * 1024)
            for _ in range(5 * MB // len(piece)):
                chunk(piece)
            time.sleep(0.5)  # let the server catch up with what was sent
            chunk(f"\r\n--{boundary}--\r\n".encode())
            conn.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may stop reading once it has refused
        res = conn.getresponse()
        text = res.read().decode()
    conn.close()
    assert res.status == 413, (res.status, text[:500])
    assert "max_upload_mb" in text
    assert seen.largest <= MB + 64 * 1024, f"{seen.largest} bytes held for a 1 MB limit"
    assert not served.inbox.exists() or not list(served.inbox.rglob("*0042*"))


# ---------------------------------------------------------------- item 2: archives
def test_a_zip_bomb_is_refused_by_verify(cli_env: Env, tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "BOMB.zip")
    assert bomb.stat().st_size < MB
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    with Watcher([tmpdir]) as seen:
        res = cli_env.run("verify", str(bomb), "--offline", "--no-eark", "--json",
                          extra={"TMPDIR": str(tmpdir)})
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "unexpected" not in res.stderr
    assert "BOMB.zip" in res.stdout and "decompression bomb" in res.stdout, res.stdout
    assert seen.largest == 0, f"{seen.largest} bytes unpacked"
    assert not list(tmpdir.iterdir())


def test_a_zip_bomb_is_refused_by_the_web_verify(served: Served, tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "BOMB.zip")
    with Watcher([served.tmp], served.pid) as seen:
        status, text = _post_file(served, "/verify", {"offline": "1"}, "BOMB.zip",
                                  bomb.read_bytes())
    assert status == 200, text[:500]
    assert "decompression bomb" in text and "BOMB.zip" in text
    assert seen.largest <= bomb.stat().st_size, f"{seen.largest} bytes unpacked"


def _zip_with(path: Path, name: str, data: bytes, link: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("uuid-A11/METS.xml", b"<mets/>")
        info = zipfile.ZipInfo(name)
        if link:
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, data)
    return path


@pytest.mark.parametrize(("name", "data", "link", "why"), [
    ("../evil", b"outside", False, "outside"),
    ("uuid-A11/../../evil", b"outside", False, "outside"),
    ("/abs/evil", b"outside", False, "outside"),
    ("uuid-A11/METS-link.xml", b"/etc/passwd", True, "symbolic link"),
])
def test_zips_with_names_outside_or_links_are_refused(cli_env: Env, served: Served,
                                                      tmp_path: Path, name: str, data: bytes,
                                                      link: bool, why: str) -> None:
    bad = _zip_with(tmp_path / "bad.zip", name, data, link)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    res = cli_env.run("verify", str(bad), "--offline", "--no-eark", "--json",
                      extra={"TMPDIR": str(tmpdir)})
    assert res.returncode == 1 and why in res.stdout, (res.stdout, res.stderr)
    assert "was not unpacked" in res.stdout
    assert not (tmp_path / "evil").exists() and not list(tmpdir.iterdir())
    status, text = _post_file(served, "/verify", {"offline": "1"}, "bad.zip", bad.read_bytes())
    assert status == 200 and why in text and "was not unpacked" in text, text[:800]


# ---------------------------------------------------------------- item 4: Host allow-list
def test_a_foreign_host_header_is_refused(served: Served) -> None:
    for host, expected in ((f"evil.example:{served.port}", 400), ("evil.example", 400),
                           (f"127.0.0.1:{served.port}", 200), (f"localhost:{served.port}", 200),
                           (f"[::1]:{served.port}", 200), ("mot-cua.example", 200)):
        conn = served.conn()
        conn.request("GET", "/dossiers", headers={"Host": host})
        res = conn.getresponse()
        text = res.read().decode()
        conn.close()
        assert res.status == expected, (host, res.status)
        if expected == 400:
            assert 'name="csrf"' not in text and "set-cookie" not in {
                k.lower() for k, _v in res.getheaders()}, host


# ---------------------------------------------------------------- item 10: headers, paths
def _headers_ok(res: http.client.HTTPResponse) -> None:
    csp = res.getheader("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, csp
    assert res.getheader("x-frame-options") == "DENY"
    assert res.getheader("x-content-type-options") == "nosniff"
    assert res.getheader("referrer-policy") in ("no-referrer", "same-origin")


def test_security_headers_and_no_server_paths(served: Served) -> None:
    for path, code in (("/dossiers", 200), ("/dossiers/0/no-such-dossier", 404),
                       ("/no-such-page", 404), ("/static/style.css", 200)):
        conn = served.conn()
        conn.request("GET", path, headers={"Host": f"127.0.0.1:{served.port}"})
        res = conn.getresponse()
        res.read()
        conn.close()
        assert res.status == code, path
        _headers_ok(res)
        if res.getheader("content-type", "").startswith("text/html"):
            csp = res.getheader("content-security-policy", "")
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split(
                "script-src", 1)[1].split(";", 1)[0]
    # A file that is not what its name says: whatever page comes back names no server path.
    status, text = _post_file(served, "/verify", {"offline": "1"}, "broken.zip",
                              b"PK\x03\x04 not a zip at all")
    assert status in (200, 400)
    assert "broken.zip" in text
    assert str(served.tmp) not in text and not re.search(r"/tmp/|digitize-verify-", text), \
        text[:800]


# ---------------------------------------------------------------- item 2: images
def test_an_image_bomb_on_a_later_tiff_page_is_refused(cli_env: Env, tmp_path: Path) -> None:
    """Only a TIFF's first page is checked when Pillow opens it: page 2, over the megapixel
    limit, is refused by name before it is decoded."""
    from PIL import Image

    config = tmp_path / "config.toml"
    config.write_text(Path(cli_env.vars["DIGITIZE_CONFIG"]).read_text(encoding="utf-8")
                      + "[ocr]\nmax_megapixels = 1\n", encoding="utf-8")
    scan = tmp_path / "two-pages.tif"
    small, huge = Image.new("1", (800, 1000), 1), Image.new("1", (3000, 3000), 1)
    small.save(scan, compression="group4", save_all=True, append_images=[huge], dpi=(100, 100))
    res = cli_env.run("ocr", str(scan), "--out", str(tmp_path / "out"), "--json", "--config",
                      str(config))
    assert "Traceback" not in res.stderr and "unexpected" not in res.stderr, res.stderr
    assert "3000x3000" in res.stdout + res.stderr, (res.stdout, res.stderr)
    assert res.returncode == 1
