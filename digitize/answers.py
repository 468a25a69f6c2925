"""An HTTP answer read whole by a deadline and within a size, over requests (streamed). A
timeout in requests bounds each wait for data, not the answer: a server that trickles its
answer a byte at a time, each within the timeout, or sends without end, would hold a batch (or
`watch`) for as long as it kept going. The clients of the services the operator names (CSC
signing, the one-stop system, a WebDAV archive's short answers) read their answers here;
verification's fetches, whose addresses come from the files, have their own stricter guard
(validation.fetch)."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
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


def request(session: requests.Session, method: str, url: str, *, timeout: float, limit: int,
            **kwargs: Any) -> Answer:
    """`method` `url` with `session`, the answer read whole within DEADLINE_TIMEOUTS ×
    `timeout` and `limit` bytes; requests' exceptions for every failure (TooSlow and TooLarge
    among them). For requests whose answer is short: not for sending or fetching whole files,
    whose time grows with their size."""
    deadline = DEADLINE_TIMEOUTS * timeout
    ends = time.monotonic() + deadline
    with session.request(method, url, timeout=timeout, stream=True, **kwargs) as resp:
        data = bytearray()
        try:
            while chunk := resp.raw.read1(65536, decode_content=True):
                data += chunk
                if len(data) > limit:
                    raise TooLarge(limit)
                if time.monotonic() > ends:
                    raise TooSlow(deadline)
        except urllib3.exceptions.TimeoutError as exc:
            raise requests.ReadTimeout(str(exc)) from exc
        except urllib3.exceptions.HTTPError as exc:
            raise requests.ConnectionError(str(exc)) from exc
        return Answer(resp.status_code, resp.headers, bytes(data))
