"""An HTTP answer read whole by a deadline and within a size, over requests (streamed). A
timeout in requests bounds each wait for data, not the answer: a server that trickles its
answer a byte at a time, each within the timeout, or sends without end, would hold a batch (or
`watch`) for as long as it kept going. The clients of the services the operator names (CSC
signing, the one-stop system, an archive's short answers) read their answers here; a whole
file sent or fetched (a WebDAV share's PUT and read-back) has a deadline that grows with its
size (transfer_deadline);
verification's fetches, whose addresses come from the files, have their own stricter guard
(validation.fetch). The other side is here too: how the reference receiver and the test
services send an answer, at once or, to show the first part, a byte at a time."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any, BinaryIO

import requests
import urllib3

DEADLINE_TIMEOUTS = 3  # a whole answer takes at most this many timeouts
# Bytes a second: a whole file sent or fetched slower than this has stalled, even where each
# wait for the other side stays within the timeout (a share that reads or answers a byte at
# a time). A province's slowest link carries several times more.
MIN_RATE = 32 * 1024


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


def transfer_deadline(timeout: float, size: int) -> float:
    """How long sending or fetching a file of `size` bytes may take: DEADLINE_TIMEOUTS ×
    `timeout`, and its size at MIN_RATE."""
    return DEADLINE_TIMEOUTS * timeout + size / MIN_RATE


def _drain(read1: Callable[[int], bytes], seconds: float, limit: int, started: float,
           sink: Callable[[bytes], object]) -> None:
    ends = started + seconds
    n = 0
    while chunk := read1(65536):
        n += len(chunk)
        if n > limit:
            raise TooLarge(limit)
        sink(chunk)
        if time.monotonic() > ends:
            raise TooSlow(seconds)


def read_body(read1: Callable[[int], bytes], timeout: float, limit: int,
              started: float | None = None) -> bytes:
    """A body read with `read1` (which returns what has come, b"" at the end) by
    DEADLINE_TIMEOUTS × `timeout` from `started` (default: now) and within `limit` bytes."""
    data = bytearray()
    _drain(read1, DEADLINE_TIMEOUTS * timeout, limit,
           time.monotonic() if started is None else started, data.extend)
    return bytes(data)


def _streamed(resp: requests.Response, seconds: float, limit: int, started: float,
              sink: Callable[[bytes], object]) -> None:
    try:
        _drain(lambda n: resp.raw.read1(n, decode_content=True), seconds, limit, started, sink)
    except urllib3.exceptions.TimeoutError as exc:
        raise requests.ReadTimeout(str(exc)) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise requests.ConnectionError(str(exc)) from exc


def request(session: requests.Session, method: str, url: str, *, timeout: float, limit: int,
            seconds: float | None = None, **kwargs: Any) -> Answer:
    """`method` `url` with `session`, the answer read whole within `seconds` of the start
    (default DEADLINE_TIMEOUTS × `timeout`) and `limit` bytes; requests' exceptions for every
    failure (TooSlow and TooLarge among them). A whole file is sent as a `Paced` body with
    `seconds` its transfer_deadline, and fetched with `fetch_into`."""
    started = time.monotonic()
    with session.request(method, url, timeout=timeout, stream=True, **kwargs) as resp:
        data = bytearray()
        _streamed(resp, DEADLINE_TIMEOUTS * timeout if seconds is None else seconds, limit,
                  started, data.extend)
        return Answer(resp.status_code, resp.headers, bytes(data))


def fetch_into(session: requests.Session, url: str, sink: Callable[[bytes], object], *,
               timeout: float, size: int) -> int:
    """GET `url`, its body handed to `sink` as it comes, within transfer_deadline(`timeout`,
    `size`) and `size` bytes (a longer body raises TooLarge); the status code. requests'
    exceptions for every failure."""
    started = time.monotonic()
    with session.get(url, timeout=timeout, stream=True) as resp:
        if resp.status_code == 200:
            _streamed(resp, transfer_deadline(timeout, size), size, started, sink)
        return resp.status_code


class Stalled(Exception):
    """A file being sent did not go by its deadline (raised from inside the send, where urllib3
    would take an OSError for the connection's and retry it)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"sending took more than {seconds:g} s")
        self.seconds = seconds


class Paced(io.RawIOBase):
    """A file to send as a request's body (requests reads it as it sends) that stops the send
    with Stalled once transfer_deadline(`timeout`, its size) has passed: the other side may
    take each block within the timeout and still never finish."""

    def __init__(self, fh: BinaryIO, size: int, timeout: float) -> None:
        super().__init__()
        self._fh, self._size, self._at = fh, size, 0
        self._seconds = transfer_deadline(timeout, size)
        self._ends = time.monotonic() + self._seconds

    def __len__(self) -> int:  # requests sends Content-Length from it and tell()
        return self._size

    def tell(self) -> int:
        return self._at

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Back to the start when requests follows a redirect with the body (307, 308)."""
        self._at = self._fh.seek(offset, whence)
        return self._at

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if time.monotonic() > self._ends:
            raise Stalled(self._seconds)
        n = self._fh.readinto(buffer)
        self._at += n or 0
        return n or 0


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
