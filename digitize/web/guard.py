"""What every request passes before any page is drawn: a Host header the desk answers to (a web
page on another site that renames itself to 127.0.0.1 by DNS rebinding still sends its own
name), a body counted as it streams in (a chunked upload has no Content-Length to refuse at
once), and the security headers on every response, error pages included.

The per-file limit is kept by `BoundedParser`, Starlette's multipart parser counting each
file's bytes before they are spooled: nothing larger than `[web] max_upload_mb` is ever held,
in memory or on disk."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from starlette.formparsers import MultiPartParser

from digitize.errors import UsageProblem
from digitize.i18n import N_, _, in_language

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD = ("0.0.0.0", "::", "")
# The templates load one script and one style sheet from /static; the verify report (shown in
# a sandboxed srcdoc frame, which inherits this policy) carries its own <style> and its page
# images as data: URLs. No inline script anywhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
# PDFs and images are shown by the browser's own viewer, which a page policy can break.
CSP_FILES = "frame-ancestors 'none'"
HEADERS = ((b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"))


class TooLarge(UsageProblem):
    """A request body or one of its files over the limit; answered 413."""


def upload_too_large(name: str, limit: int) -> TooLarge:
    return TooLarge(_("{name} is larger than {mb} MB ([web] max_upload_mb).").format(
        name=name, mb=limit // 2**20))


def body_too_large(limit: int) -> TooLarge:
    return TooLarge(_("The upload is larger than {mb} MB in all; send the files in parts.")
                    .format(mb=max(limit // 2**20, 1)))


def host_names(listen: str, configured: Iterable[str]) -> tuple[frozenset[str], bool]:
    """The names the desk answers to, and whether any IP address literal is fine too (listening
    on every address: a clerk types the desk PC's address; rebinding needs a name)."""
    names = {n.strip().strip("[]").lower().rstrip(".") for n in configured if n.strip()}
    listen = listen.strip().strip("[]").lower()
    if listen in WILDCARD:
        names |= LOOPBACK | {socket.gethostname().lower(), socket.getfqdn().lower()}
        return frozenset(names), True
    names.add(listen)
    try:
        loopback = ipaddress.ip_address(listen).is_loopback
    except ValueError:
        loopback = listen == "localhost"
    if loopback:
        names |= LOOPBACK
    return frozenset(names), False


def host_of(header: str) -> str:
    """The name in a Host header, without the port or an IPv6 literal's brackets."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    if header.count(":") == 1:
        header = header.split(":", 1)[0]
    return header.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _both(message: str, **values: Any) -> bytes:
    """A refusal sent before the session (and its language) is read: Vietnamese, then
    English."""
    with in_language("vi"):
        vi = _(message).format(**values)
    with in_language("en"):
        en = _(message).format(**values)
    return (vi if vi == en else f"{vi}\n{en}").encode() + b"\n"


class Guard:
    """ASGI middleware around the whole application (so Starlette's own 404 and 500 pages get
    the headers too). `limit_for(path)` is the most a request body to `path` may hold."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str], any_ip: bool,
                 limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.hosts = hosts
        self.any_ip = any_ip
        self.limit_for = limit_for

    def __getattr__(self, name: str) -> Any:
        """The application's own attributes (routes, state) through the guard."""
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_safe(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                html = any(k.lower() == b"content-type" and v.startswith(b"text/html")
                           for k, v in headers)
                headers = [(k, with_charset(v) if k.lower() == b"content-type" else v)
                           for k, v in headers]
                names = {k.lower() for k, _v in headers}
                extra = [(b"content-security-policy", (CSP if html else CSP_FILES).encode()),
                         *HEADERS]
                message = {**message, "headers": [*headers, *(
                    (k, v) for k, v in extra if k not in names)]}
            await send(message)

        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        host = host_of(headers.get(b"host", b"").decode("latin-1"))
        if host not in self.hosts and not (self.any_ip and _is_ip(host)):
            await _plain(send_safe, 400, _both(N_(
                "This desk does not answer to the name {host}; open it by its own address."),
                host=host[:100] or "?"))
            return
        limit = self.limit_for(scope.get("path", ""))
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > limit:  # refused before a byte is read
            await _plain(send_safe, 413, _both(
                N_("The upload is larger than {mb} MB in all; send the files in parts."),
                mb=max(limit // 2**20, 1)))
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise body_too_large(limit)
            return message

        await self.app(scope, counted, send_safe)


TEXT_TYPES = (b"text/", b"application/json", b"application/xml", b"application/javascript",
              b"image/svg+xml")


def with_charset(content_type: bytes) -> bytes:
    """A text type said with its charset (every page, error and file the desk serves is UTF-8):
    a browser left to guess shows Vietnamese as "Biá»ƒu máº«u"."""
    if content_type.lower().startswith(TEXT_TYPES) and b"charset=" not in content_type.lower():
        return content_type + b"; charset=utf-8"
    return content_type


async def _plain(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BoundedParser(MultiPartParser):
    """Starlette's multipart parser, with each file's bytes counted as they arrive and refused
    past `max_file`, before they are written to the spooled file."""

    def __init__(self, *args: Any, max_file: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_file = max_file
        self._file_bytes = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is not None:
            self._file_bytes += end - start
            if self._file_bytes > self.max_file:
                raise upload_too_large(part.file.filename or "?", self.max_file)
        super().on_part_data(data, start, end)
