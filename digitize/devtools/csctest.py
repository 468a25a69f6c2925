"""A local CSC signing service for tests and benchmarks (never for production): the Cloud
Signature Consortium API v1 and v2 paths a remote-signing provider exposes (`oauth2/token`,
`credentials/list`, `credentials/info`, `credentials/sendOTP`, `credentials/authorize`,
`signatures/signHash`) on 127.0.0.1, signing with a key of the test PKI. It checks what a real
service checks (token, PIN, OTP, SCAL2 hashes bound to the SAD, the credential's multisign)
and can be told to misbehave (an expired token, a slow or garbled answer) so that every failure
a clerk can meet is tested against a real HTTP server.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from digitize.answers import send_answer
from digitize.devtools.loopback import serving
from digitize.identity import load_certs

SHA256_RSA = "1.2.840.113549.1.1.11"
RSA = "1.2.840.113549.1.1.1"
SHA256 = "2.16.840.1.101.3.4.2.1"


@dataclass
class TestCredential:
    key: rsa.RSAPrivateKey
    certificates: list[bytes]  # DER, the signer's first
    pin: str = "123456"
    otp: str = "654321"
    multisign: int = 10
    scal: int = 2
    status: str = "enabled"


@dataclass
class CscService:
    """The service's state; tests change it between calls (tokens, delays)."""

    url: str = ""
    credentials: dict[str, TestCredential] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)
    clients: dict[str, str] = field(default_factory=dict)  # client id -> secret
    delay_s: float = 0.0  # before answering signHash
    garbage: bool = False  # answer signHash with HTML
    trickle_s: float = 0.0  # answer signHash a byte at a time, this many seconds apart
    calls: Counter[str] = field(default_factory=Counter)
    sads: dict[str, tuple[str, frozenset[str] | None, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return token


class _Refused(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description = status, error, description


def _credential(svc: CscService, body: dict[str, Any]) -> tuple[str, TestCredential]:
    cred_id = str(body.get("credentialID", ""))
    if cred_id not in svc.credentials:
        raise _Refused(400, "invalid_request", "Invalid parameter credentialID")
    return cred_id, svc.credentials[cred_id]


def _info(body: dict[str, Any], svc: CscService, v2: bool) -> dict[str, Any]:
    _id, cred = _credential(svc, body)
    out: dict[str, Any] = {
        "key": {"status": cred.status, "algo": [SHA256_RSA, RSA], "len": cred.key.key_size},
        "cert": {"status": "valid",
                 "certificates": [base64.b64encode(c).decode() for c in cred.certificates]},
        "SCAL": str(cred.scal), "multisign": cred.multisign, "lang": "vi-VN"}
    if v2:
        out["auth"] = {"mode": "explicit", "objects": [
            {"type": "PIN", "id": "PIN", "format": "N"},
            {"type": "OTP", "id": "OTP", "generator": "offline"}]}
    else:
        out.update(authMode="explicit", PIN={"presence": "true", "format": "N"},
                   OTP={"presence": "true", "type": "offline"})
    return out


def _authorize(body: dict[str, Any], svc: CscService, v2: bool) -> dict[str, Any]:
    cred_id, cred = _credential(svc, body)
    if str(body.get("PIN", "")) != cred.pin:
        raise _Refused(400, "invalid_pin", "The PIN is invalid")
    if str(body.get("OTP", "")) != cred.otp:
        raise _Refused(400, "invalid_otp", "The OTP is invalid")
    count = int(body.get("numSignatures", 0))
    if not 1 <= count <= cred.multisign:
        raise _Refused(400, "invalid_request",
                       f"numSignatures must be between 1 and {cred.multisign}")
    bound = body.get("hashes" if v2 else "hash")
    if cred.scal == 2 and (not isinstance(bound, list) or len(bound) != count):
        raise _Refused(400, "invalid_request", "SCAL2: the hashes to sign are required")
    sad = secrets.token_urlsafe(24)
    svc.sads[sad] = (cred_id, frozenset(bound) if cred.scal == 2 else None, count)
    return {"SAD": sad, "expiresIn": 300}


def _sign_hash(body: dict[str, Any], svc: CscService, v2: bool) -> dict[str, Any]:
    cred_id, cred = _credential(svc, body)
    hashes_b64 = body.get("hashes" if v2 else "hash") or []
    sad = svc.sads.pop(str(body.get("SAD", "")), None)
    if sad is None or sad[0] != cred_id:
        raise _Refused(400, "invalid_request", "Invalid SAD")
    _cred, bound, count = sad
    if len(hashes_b64) > count or (bound is not None and not set(hashes_b64) <= bound):
        raise _Refused(400, "invalid_request", "Hashes not authorised by the SAD")
    if str(body.get("hashAlgorithmOID" if v2 else "hashAlgo", "")) != SHA256 or \
            str(body.get("signAlgo", "")) not in (SHA256_RSA, RSA):
        raise _Refused(400, "invalid_request", "Unsupported hash or signature algorithm")
    if svc.delay_s:
        time.sleep(svc.delay_s)
    return {"signatures": [base64.b64encode(cred.key.sign(
        base64.b64decode(h), padding.PKCS1v15(), Prehashed(hashes.SHA256()))).decode()
        for h in hashes_b64]}


class _Handler(BaseHTTPRequestHandler):
    svc: CscService

    def log_message(self, *args: Any) -> None:  # quiet: tests read the answers
        pass

    def _answer(self, status: int, body: Any, kind: str = "application/json",
                trickle_s: float = 0.0) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        send_answer(self, status, data, kind, trickle_s)

    def do_POST(self) -> None:  # the name http.server calls
        svc = self.svc
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.rstrip("/")
        with svc.lock:
            svc.calls[path.rsplit("/csc/", 1)[-1]] += 1
        try:
            if path == "/oauth2/token":
                form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                if svc.clients.get(form.get("client_id", "")) != form.get("client_secret") or \
                        form.get("grant_type") != "client_credentials":
                    raise _Refused(401, "invalid_client", "Client authentication failed")
                self._answer(200, {"access_token": svc.new_token(), "token_type": "Bearer",
                                   "expires_in": 3600})
                return
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            if token in svc.expired:
                raise _Refused(401, "invalid_token", "The access token expired")
            if token not in svc.tokens:
                raise _Refused(401, "invalid_token", "The access token is not valid")
            version, _sep, endpoint = path.removeprefix("/csc/").partition("/")
            if version not in ("v1", "v2"):
                raise _Refused(404, "invalid_request", "Unknown path")
            body = json.loads(raw or b"{}")
            v2 = version == "v2"
            if endpoint == "signatures/signHash" and svc.garbage:
                self._answer(200, b"<html>Bad gateway</html>", "text/html")
                return
            handlers = {"credentials/list": lambda: {"credentialIDs": list(svc.credentials)},
                        "credentials/info": lambda: _info(body, svc, v2),
                        "credentials/sendOTP": lambda: {},
                        "credentials/authorize": lambda: _authorize(body, svc, v2),
                        "signatures/signHash": lambda: _sign_hash(body, svc, v2)}
            if endpoint not in handlers:
                raise _Refused(404, "invalid_request", "Unknown path")
            self._answer(200, handlers[endpoint](),
                         trickle_s=svc.trickle_s if endpoint == "signatures/signHash" else 0.0)
        except _Refused as exc:
            self._answer(exc.status, {"error": exc.error, "error_description": exc.description})
        except (ValueError, KeyError) as exc:
            self._answer(400, {"error": "invalid_request", "error_description": str(exc)})


def credential_from_files(key_pem: Path, cert_pem: Path, chain_pem: Path,
                          password: bytes | None) -> TestCredential:
    key = serialization.load_pem_private_key(key_pem.read_bytes(), password)
    assert isinstance(key, rsa.RSAPrivateKey)
    return TestCredential(key, [c.dump() for path in (cert_pem, chain_pem)
                                for c in load_certs(path)])


@contextmanager
def serve_csc(credentials: dict[str, TestCredential]) -> Iterator[CscService]:
    """Serve a CSC service on 127.0.0.1 (an ephemeral port) while the block runs; one valid
    token is made (`next(iter(svc.tokens))`)."""
    svc = CscService(credentials=credentials)
    handler = type("Handler", (_Handler,), {"svc": svc})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    svc.url = f"http://127.0.0.1:{server.server_port}"
    svc.new_token()
    with serving(server):
        yield svc
