"""Serving a test server on 127.0.0.1 in a background thread while a block runs: the one way
the development tools and the tests run their local services (CSC, PKI, receivers); and how
such a service answers, at once or a byte at a time (a server that trickles its answer)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Protocol, TypeVar


class _Server(Protocol):
    def serve_forever(self, poll_interval: float = ...) -> None: ...
    def shutdown(self) -> None: ...
    def server_close(self) -> None: ...


S = TypeVar("S", bound=_Server)


@contextmanager
def serving(server: S) -> Iterator[S]:
    """Run `server` (an http.server or werkzeug server already bound to a loopback port)
    while the block runs; shut it down, close its socket and wait for its thread after."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def send_answer(handler: BaseHTTPRequestHandler, status: int, data: bytes, kind: str,
                trickle_s: float = 0.0) -> None:
    """Answer `data` with its length; with `trickle_s`, a byte at a time that far apart, until
    all is sent or the client hangs up."""
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if not trickle_s:
        handler.wfile.write(data)
        return
    for i in range(len(data)):
        try:
            handler.wfile.write(data[i:i + 1])
            handler.wfile.flush()
        except OSError:
            return  # the client gave up
        time.sleep(trickle_s)
