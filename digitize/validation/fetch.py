"""What verification may fetch (OCSP, CRL, the issuers a certificate names in caIssuers): the
addresses come from the files being verified, so anyone who sends a file chooses them. Only
public addresses are called (every address the host resolves to is checked, and the connection
goes to the address checked, so a name that resolves again elsewhere gains nothing), never
loopback, link-local, private or reserved ones unless `[verify] allow_private_fetch` says so;
no redirects; every request has a timeout, an overall deadline and a size cap; and a file gets
a small budget of requests. pyHanko's requests-based fetchers do the parsing; only their HTTP
calls are replaced. `renew` fetches the same way, and asks its time-stamping server through
`GuardedTimeStamper`: the operator chose that address, so any is allowed, with the same timeout,
deadline and size cap."""

from __future__ import annotations

import ipaddress
import socket
import time
from asyncio import to_thread
from collections.abc import Awaitable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3
from asn1crypto import tsp
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko_certvalidator.fetchers import FetcherBackend, Fetchers
from pyhanko_certvalidator.fetchers.api import FetchLimits
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget
from pyhanko_certvalidator.fetchers.requests_fetchers.cert_fetch_client import (
    RequestsCertificateFetcher,
)
from pyhanko_certvalidator.fetchers.requests_fetchers.crl_client import RequestsCRLFetcher
from pyhanko_certvalidator.fetchers.requests_fetchers.ocsp_client import RequestsOCSPFetcher

USER_AGENT = "digitize-verify"
# Far above what a real chain needs (a signer, two CAs, a TSA, their OCSP and CRLs), far below
# what a hostile file would like to make the server do.
LIMITS = FetchLimits(max_requests=40, max_cert_requests=10, max_aia_urls_per_object=3)


@dataclass(frozen=True)
class FetchPolicy:
    """Where and how much verification may fetch."""

    allow_private: bool = False  # loopback, link-local, private: only a test PKI lives there
    timeout_s: float = 10.0  # connecting, and each wait for data
    deadline_s: float = 30.0  # one whole request
    max_bytes: int = 10 * 2**20  # a national CA's CRL is a few MB


_policy = FetchPolicy()


def set_policy(policy: FetchPolicy) -> None:
    """The process's policy, set once from the configuration by the commands that verify
    (forked workers inherit it; any other worker keeps the safe default)."""
    global _policy
    _policy = policy


def current_policy() -> FetchPolicy:
    return _policy


class FetchRefused(requests.RequestException):
    """A fetch the policy does not allow, or an answer it does not accept (pyHanko's fetchers
    report a RequestException as an unreachable source: revocation "unavailable")."""


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return ip.is_global and not ip.is_multicast


def allowed_address(host: str, port: int, policy: FetchPolicy) -> str:
    """The address to connect to: the first the host resolves to, once every one it resolves
    to is allowed; FetchRefused otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchRefused(f"{host}: {exc}") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise FetchRefused(f"{host} has no address")
    if not policy.allow_private:
        for address in addresses:
            if not _public(address):
                raise FetchRefused(f"{host} resolves to {address}, which is not a public "
                                   "address ([verify] allow_private_fetch)")
    return addresses[0]


@dataclass(frozen=True)
class Fetched:
    """The parts of requests' Response that pyHanko's fetchers read."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes


def fetch(url: str, policy: FetchPolicy, *, headers: Mapping[str, str],
          body: bytes | None = None) -> Fetched:
    """GET (or POST `body`) `url` under `policy`; FetchRefused for anything else than a 200
    answer within the limits."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchRefused(f"not an http(s) URL: {url}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchRefused(f"{url}: {exc}") from exc
    host = parts.hostname
    address = allowed_address(host, port, policy)
    timeout = urllib3.Timeout(connect=policy.timeout_s, read=policy.timeout_s)
    # The connection goes to the address checked; the name travels in Host (and in TLS's SNI
    # and certificate check), so a second lookup cannot swap in another address.
    pool: urllib3.HTTPConnectionPool
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False,
                                           maxsize=1, server_hostname=host,
                                           assert_hostname=host)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False,
                                          maxsize=1)
    sent = {**headers, "Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": USER_AGENT}
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    deadline = time.monotonic() + policy.deadline_s
    try:
        res = pool.urlopen("POST" if body is not None else "GET", target, body=body,
                           headers=sent, redirect=False, retries=False,
                           preload_content=False)
        try:
            if res.status != 200:
                raise FetchRefused(f"{url}: status {res.status}")
            length = res.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > policy.max_bytes:
                raise FetchRefused(f"{url}: {length} bytes, over {policy.max_bytes}")
            data = bytearray()
            while chunk := res.read1(65536):
                data += chunk
                if len(data) > policy.max_bytes:
                    raise FetchRefused(f"{url}: over {policy.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchRefused(f"{url}: slower than {policy.deadline_s} s")
            return Fetched(res.status, res.headers, bytes(data))
        finally:
            res.release_conn()
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        raise FetchRefused(f"{url}: {exc}") from exc
    finally:
        pool.close()


class _Guarded:
    """pyHanko's requests-based fetchers, with their two HTTP calls made by `fetch`."""

    policy: FetchPolicy

    def _get(self, url: str, *, acceptable_content_types: Any) -> Awaitable[Fetched]:
        headers = {"Accept": ",".join(acceptable_content_types)}
        return to_thread(fetch, url, self.policy, headers=headers)

    def _post(self, url: str, data: bytes, *, content_type: str,
              acceptable_content_types: Any) -> Awaitable[Fetched]:
        headers = {"Accept": ",".join(acceptable_content_types), "Content-Type": content_type}
        return to_thread(fetch, url, self.policy, headers=headers, body=data)


class _Ocsp(_Guarded, RequestsOCSPFetcher):
    pass


class _Crl(_Guarded, RequestsCRLFetcher):
    pass


class _Certs(_Guarded, RequestsCertificateFetcher):
    pass


class GuardedFetcherBackend(FetcherBackend):
    """A fetcher backend for pyHanko's validation contexts that keeps to a FetchPolicy, with a
    fresh request budget for each context."""

    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or current_policy()

    def get_fetchers(self) -> Fetchers:
        budget = FetchBudget(LIMITS)
        made = []
        for kind in (_Ocsp, _Crl, _Certs):
            fetcher: Any = kind(per_request_timeout=self.policy.timeout_s, budget=budget)
            fetcher.policy = self.policy
            made.append(fetcher)
        return Fetchers(ocsp_fetcher=made[0], crl_fetcher=made[1], cert_fetcher=made[2])

    async def close(self) -> None:
        return None  # nothing is kept open: each request has its own connection


class GuardedTimeStamper(RequestsHTTPTimeStamper):
    """pyHanko's RFC 3161 client with its one HTTP call made by `fetch` under `policy`."""

    def __init__(self, url: str, policy: FetchPolicy) -> None:
        super().__init__(url, timeout=policy.timeout_s)
        self.policy = policy

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        def ask() -> tsp.TimeStampResp:
            try:
                res = fetch(self.url, self.policy, headers=self.request_headers(),
                            body=req.dump())
            except FetchRefused as exc:
                raise TimestampRequestError(
                    f"Error in communication with timestamp server: {exc}") from exc
            if res.headers.get("Content-Type") != "application/timestamp-reply":
                raise TimestampRequestError("Timestamp server response is malformed.")
            return tsp.TimeStampResp.load(res.content)

        return await to_thread(ask)
