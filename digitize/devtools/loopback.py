"""Serving a test server on 127.0.0.1 in a background thread while a block runs: the one way
the development tools and the tests run their local services (CSC, PKI, receivers)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
