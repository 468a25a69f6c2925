"""An HTTP answer read whole by a deadline and within a size, over requests (streamed). A
timeout in requests bounds each wait for data, not the answer: a server that trickles its
answer a byte at a time, each within the timeout, or sends without end, would hold a batch (or
`watch`) for as long as it kept going. The clients of the services the operator names (CSC
signing, the one-stop system, an archive's short answers) read their answers here;
verification's fetches, whose addresses come from the files, have their own stricter guard
(validation.fetch). The other side is here too: how the reference receiver and the test
services send an answer, at once or, to show the first part, a byte at a time."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

import requests
import urllib3

DEADLINE_TIMEOUTS = 3  # a whole answer takes at most this many timeouts


@dataclass(frozen=True)
class Answer:
    """What the clients read of requests' Response."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class TooSlow(requests.Timeout):
    """The answer did not end by its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the answer took more than {seconds:g} s")
        self.seconds = seconds


class TooLarge(requests.RequestException):
    """The answer is longer than its limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is longer than {limit} bytes")
        self.limit = limit


def read_body(read1: Callable[[int], bytes], timeout: float, limit: int,
              started: float | None = None) -> bytes:
    """A body read with `read1` (which returns what has come, b"" at the end) by
    DEADLINE_TIMEOUTS × `timeout` from `started` (default: now) and within `limit` bytes."""
    deadline = DEADLINE_TIMEOUTS * timeout
    ends = (time.monotonic() if started is None else started) + deadline
    data = bytearray()
    while chunk := read1(65536):
        data += chunk
        if len(data) > limit:
            raise TooLarge(limit)
        if time.monotonic() > ends:
            raise TooSlow(deadline)
    return bytes(data)


def request(session: requests.Session, method: str, url: str, *, timeout: float, limit: int,
            **kwargs: Any) -> Answer:
    """`method` `url` with `session`, the answer read whole within DEADLINE_TIMEOUTS ×
    `timeout` and `limit` bytes; requests' exceptions for every failure (TooSlow and TooLarge
    among them). For requests whose answer is short: not for sending or fetching whole files,
    whose time grows with their size."""
    started = time.monotonic()
    with session.request(method, url, timeout=timeout, stream=True, **kwargs) as resp:
        try:
            body = read_body(lambda n: resp.raw.read1(n, decode_content=True), timeout, limit,
                             started)
        except urllib3.exceptions.TimeoutError as exc:
            raise requests.ReadTimeout(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        return Answer(resp.status_code, resp.headers, body)


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
