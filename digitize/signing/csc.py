"""Remote signing over the Cloud Signature Consortium API (CSC v1 and v2), as Viettel MySign and
Mobile-ID expose it: the credential's certificates from `credentials/info`, one
`credentials/authorize` (PIN, OTP) and one `signatures/signHash` for the hashes of a whole batch.

pyHanko's CSC support gives the session and credential descriptions (CSCServiceSessionInfo,
CSCCredentialInfo, the `credentials/info` parser) and the check of the signature mechanism
against the credential's algorithms. Its transport (aiohttp) and its batching (coroutines of one
event loop) do not fit a batch whose documents are signed in threads, so requests carry the
calls and a HashRound collects the hashes of every document of the batch: the last one to
arrive sends them all, so a dossier costs one authorisation (one OTP). Tokens, PINs and OTPs
travel only in request bodies and headers, never in a message or a log.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from asn1crypto import algos
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.csc_signer import (
    CSCCredentialInfo,
    CSCServiceSessionInfo,
    _process_certificate_info_response,
)

from digitize import answers
from digitize.answers import Answer
from digitize.errors import CredentialError, UsageProblem
from digitize.i18n import N_, _
from digitize.identity import Identity, KeySpec, identity_from
from digitize.signing.secrets import read_secret

ENV_TOKEN = "DIGITIZE_CSC_TOKEN"  # a user access token (OAuth2 bearer)
ENV_CLIENT_SECRET = "DIGITIZE_CSC_CLIENT_SECRET"  # OAuth2 client credentials
ENV_OTP = "DIGITIZE_OTP"
API_VERSIONS = ("v1", "v2")


@dataclass(frozen=True)
class CscSettings:
    """Where the service is and how to reach the credential; secrets are read when opened."""

    url: str
    credential: str = ""  # empty: the account's only credential
    api: str = "v1"
    token_file: Path | None = None
    client_id: str = ""
    client_secret_file: Path | None = None
    otp_file: Path | None = None
    timeout_s: float = 10.0
    batch: int = 50  # documents per authorisation at most (the credential's multisign too)


ANSWER_LIMIT = 4 * 2**20  # a batch's signatures and a credential's chain: a few tens of kB


def _service_error(resp: Answer) -> str:
    """The service's own error code and description (CSC: `error`, `error_description`),
    shortened; services do not echo secrets in them."""
    try:
        body = resp.json()
    except ValueError:
        return f"HTTP {resp.status_code}"
    if not isinstance(body, dict):
        return f"HTTP {resp.status_code}"
    code, text = str(body.get("error", "")), str(body.get("error_description", ""))
    return (f"{code}: {text}" if code and text else code or text or
            f"HTTP {resp.status_code}")[:200]


class CscClient:
    """One requests session to one CSC service, with its bearer token."""

    def __init__(self, settings: CscSettings) -> None:
        if settings.api not in API_VERSIONS:
            raise UsageProblem(_("[signer] csc_api must be one of {items}, not '{api}'.").format(
                                   items=", ".join(API_VERSIONS), api=settings.api))
        self.settings = settings
        self.http = requests.Session()
        self.session_info = CSCServiceSessionInfo(settings.url.rstrip("/"), settings.credential,
                                                  self._token(), api_ver=settings.api)

    def _token(self) -> str:
        token = read_secret(ENV_TOKEN, self.settings.token_file, N_("access token")).strip()
        if token:
            return token
        secret = read_secret(ENV_CLIENT_SECRET, self.settings.client_secret_file,
                             N_("client secret")).strip()
        if not (self.settings.client_id and secret):
            raise CredentialError(_("No access token for the signing service: set {env}, "
                                    "[signer] csc_token_file, or csc_client_id with "
                                    "{env2}.").format(env=ENV_TOKEN, env2=ENV_CLIENT_SECRET))
        body = self._post(f"{self.settings.url.rstrip('/')}/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": self.settings.client_id,
            "client_secret": secret}, what="oauth2/token")
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise CredentialError(_("The signing service at {url} gave no access token for "
                                    "client '{client}'; check csc_client_id and the client "
                                    "secret.").format(url=self.settings.url,
                                                      client=self.settings.client_id))
        return token

    def _post(self, url: str, what: str, json: dict[str, Any] | None = None,
              data: dict[str, str] | None = None, headers: dict[str, str] | None = None
              ) -> Any:
        shown, timeout = self.settings.url, self.settings.timeout_s
        try:
            resp = answers.request(self.http, "POST", url, timeout=timeout, limit=ANSWER_LIMIT,
                                   json=json, data=data, headers=headers or {})
        except requests.Timeout as exc:
            raise CredentialError(_("The signing service at {url} did not answer {what} within "
                                    "{timeout} s; nothing was signed. Try again later or raise "
                                    "[signer] timeout_s.").format(
                                      url=shown, what=what,
                                      timeout=exc.seconds if isinstance(exc, answers.TooSlow)
                                      else timeout)) from exc
        except answers.TooLarge as exc:
            raise CredentialError(_("The signing service at {url} answered {what} with more "
                                    "than {limit} MB; nothing was signed. Check [signer] "
                                    "csc_url.").format(url=shown, what=what,
                                                       limit=ANSWER_LIMIT // 2**20)) from exc
        except requests.RequestException as exc:
            raise CredentialError(_("The signing service at {url} cannot be reached ({kind}); "
                                    "check [signer] csc_url and the network.").format(
                                      url=shown, kind=type(exc).__name__)) from exc
        if resp.status_code == 401:
            raise CredentialError(_("The signing service at {url} refused the access token "
                                    "({error}): it has expired or was revoked. Get a new token "
                                    "and sign again.").format(url=shown,
                                                              error=_service_error(resp)))
        if resp.status_code >= 400:
            raise CredentialError(_("The signing service at {url} refused {what} "
                                    "({error}).").format(url=shown, what=what,
                                                         error=self._explain(resp)))
        if resp.status_code == 204 or not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError as exc:
            raise CredentialError(_("The signing service at {url} answered {what} with "
                                    "something that is not JSON; check [signer] csc_url (it is "
                                    "the part before /csc/{api}).").format(
                                      url=shown, what=what, api=self.settings.api)) from exc

    @staticmethod
    def _explain(resp: Answer) -> str:
        error = _service_error(resp)
        low = error.lower()
        if "otp" in low:
            return _("{error} — the OTP was wrong or has expired; nothing was signed").format(
                error=error)
        if "pin" in low:
            return _("{error} — the PIN was wrong; nothing was signed, and the service may "
                     "lock the credential after a few wrong tries").format(error=error)
        return error

    def call(self, endpoint: str, body: dict[str, Any]) -> Any:
        return self._post(self.session_info.endpoint_url(endpoint), endpoint, json=body,
                          headers=self.session_info.auth_headers)


@dataclass(frozen=True)
class Credential:
    info: CSCCredentialInfo
    credential_id: str
    pin_needed: bool
    otp: str  # "", "offline" or "online" (the service sends it: credentials/sendOTP)

    @property
    def multisign(self) -> int:
        return max(1, self.info.max_batch_size)


def _pick_credential(client: CscClient) -> str:
    if client.settings.credential:
        return client.settings.credential
    found = client.call("credentials/list", {"maxResults": 20}).get("credentialIDs") or []
    if len(found) != 1:
        raise CredentialError(_("The signing account at {url} has {count} credentials ({items}); "
                                "choose one with [signer] csc_credential.").format(
                                  url=client.settings.url, count=len(found),
                                  items=", ".join(map(str, found)) or "none"))
    return str(found[0])


def _auth_needs(body: dict[str, Any]) -> tuple[bool, str]:
    """Whether authorisation takes a PIN and which OTP: v1 lists `PIN` and `OTP`, v2 an
    `auth.objects` list."""
    objects = (body.get("auth") or {}).get("objects")
    if isinstance(objects, list):
        kinds = {str(o.get("type", "")).upper(): o for o in objects if isinstance(o, dict)}
        otp = kinds.get("OTP")
        return "PIN" in kinds, (str(otp.get("generator", "offline")) if otp else "")
    pin = str((body.get("PIN") or {}).get("presence", "false")).lower() == "true"
    otp_info = body.get("OTP") or {}
    has_otp = str(otp_info.get("presence", "false")).lower() == "true"
    return pin, str(otp_info.get("type", "offline")) if has_otp else ""


def read_credential(client: CscClient) -> Credential:
    cred_id = _pick_credential(client)
    body = client.call("credentials/info", {"credentialID": cred_id, "certificates": "chain",
                                            "certInfo": False, "authInfo": True})
    try:
        info = _process_certificate_info_response(body)
    except SigningError as exc:
        raise CredentialError(_("The signing service at {url} described credential {cred} "
                                "without usable certificates or algorithms ({exc}).").format(
                                  url=client.settings.url, cred=cred_id, exc=exc)) from exc
    status = str((body.get("key") or {}).get("status", "enabled"))
    if status != "enabled":
        raise CredentialError(_("Credential {cred} at {url} is {status}; ask the provider to "
                                "enable it or renew it.").format(cred=cred_id,
                                                                url=client.settings.url,
                                                                status=status))
    pin, otp = _auth_needs(body)
    return Credential(info, cred_id, pin, otp)


@dataclass
class _Pending:
    digest: bytes
    algorithm: str
    result: bytes | None = None
    error: BaseException | None = None


@dataclass
class HashRound:
    """The documents of one batch: each thread hands in its hash and waits; the last one to
    arrive (or the last to leave without one) sends them all. Threads take turns with the PDF
    work (`turn`): pyHanko's font and appearance objects are shared by the batch and are not
    safe to use from two threads at once, and under the GIL the turns cost nothing."""

    active: int
    send: Callable[[list[_Pending]], None]
    pending: list[_Pending] = field(default_factory=list)
    lock: threading.Condition = field(default_factory=threading.Condition)
    baton: threading.Lock = field(default_factory=threading.Lock)
    holder: threading.local = field(default_factory=threading.local)

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self.baton:
            self.holder.held = True
            try:
                yield
            finally:
                self.holder.held = False

    def _flush_if_ready(self) -> None:
        if self.pending and len(self.pending) >= self.active:
            batch, self.pending = self.pending, []
            try:
                self.send(batch)
            except BaseException as exc:  # every waiting document gets it
                for p in batch:
                    p.error = exc
            self.lock.notify_all()

    def submit(self, digest: bytes, algorithm: str) -> bytes:
        item = _Pending(digest, algorithm)
        held = getattr(self.holder, "held", False)
        if held:
            self.baton.release()  # the others do their PDF work while this one waits
        try:
            with self.lock:
                self.pending.append(item)
                self._flush_if_ready()
                while item.result is None and item.error is None:
                    self.lock.wait()
        finally:
            if held:
                self.baton.acquire()
        if item.error is not None:
            raise item.error
        assert item.result is not None
        return item.result

    def leave(self) -> None:
        with self.lock:
            self.active -= 1
            self._flush_if_ready()


class CscSigner(Signer):
    """A pyHanko signer whose raw signatures come from `signatures/signHash`."""

    def __init__(self, client: CscClient, credential: Credential, pin: bytes,
                 otp: Callable[[], str]) -> None:
        self.client, self.credential, self._pin, self._otp = client, credential, pin, otp
        self._local = threading.local()
        super().__init__(signing_cert=credential.info.signing_cert,
                         cert_registry=credential.info.as_cert_store(), embed_roots=True)

    def get_signature_mechanism_for_digest(self, digest_algorithm: str) -> Any:
        mechanism = super().get_signature_mechanism_for_digest(digest_algorithm)
        if mechanism["algorithm"].native not in self.credential.info.supported_mechanisms:
            allowed = ", ".join(sorted(self.credential.info.supported_mechanisms))
            raise CredentialError(_("Credential {cred} cannot sign with {mech} (it offers "
                                    "{allowed}).").format(cred=self.credential.credential_id,
                                                          mech=mechanism["algorithm"].native,
                                                          allowed=allowed))
        return mechanism

    def start_round(self, documents: int) -> HashRound:
        """The calling thread's documents share one round (see sign_batch)."""
        return HashRound(documents, self._send)

    def join(self, hash_round: HashRound) -> None:
        self._local.round = hash_round

    async def async_sign_raw(self, data: bytes, digest_algorithm: str,
                             dry_run: bool = False) -> bytes:
        if dry_run:
            return bytes(512)
        digest = hashlib.new(digest_algorithm, data).digest()
        hash_round = getattr(self._local, "round", None) or HashRound(1, self._send)
        return hash_round.submit(digest, digest_algorithm)

    def _send(self, batch: list[_Pending]) -> None:
        algorithms = {p.algorithm for p in batch}
        if len(algorithms) != 1:
            raise CredentialError(_("The documents of one batch use different digest "
                                    "algorithms; sign them separately."))
        step = self.credential.multisign  # a round holds at most [signer] csc_batch
        for start in range(0, len(batch), step):
            group = batch[start:start + step]
            signatures = self._sign_hashes([p.digest for p in group], group[0].algorithm)
            for p, sig in zip(group, signatures, strict=True):
                p.result = sig

    def _authorize(self, hashes: list[str], oid: str) -> str:
        cred = self.credential
        body: dict[str, Any] = {"credentialID": cred.credential_id, "numSignatures": len(hashes)}
        if cred.info.hash_pinning_required:  # SCAL2: the SAD is bound to these hashes
            body["hashes" if self.client.settings.api == "v2" else "hash"] = hashes
            if self.client.settings.api == "v2":
                body["hashAlgorithmOID"] = oid
        if cred.pin_needed:
            body["PIN"] = self._pin.decode()
        if cred.otp:
            if cred.otp == "online":
                self.client.call("credentials/sendOTP", {"credentialID": cred.credential_id})
            body["OTP"] = self._otp()
        sad = self.client.call("credentials/authorize", body).get("SAD")
        if not isinstance(sad, str) or not sad:
            raise CredentialError(_("The signing service at {url} authorised credential {cred} "
                                    "without giving activation data (SAD).").format(
                                      url=self.client.settings.url, cred=cred.credential_id))
        return sad

    def _sign_hashes(self, digests: list[bytes], algorithm: str) -> list[bytes]:
        hashes = [base64.b64encode(d).decode("ascii") for d in digests]
        oid = algos.DigestAlgorithmId(algorithm).dotted
        mechanism = self.get_signature_mechanism_for_digest(algorithm)
        sad = self._authorize(hashes, oid)
        v2 = self.client.settings.api == "v2"
        body: dict[str, Any] = {"credentialID": self.credential.credential_id, "SAD": sad,
                                "hashes" if v2 else "hash": hashes,
                                "hashAlgorithmOID" if v2 else "hashAlgo": oid,
                                "signAlgo": mechanism["algorithm"].dotted}
        answer = self.client.call("signatures/signHash", body).get("signatures")
        if not isinstance(answer, list) or len(answer) != len(hashes):
            raise CredentialError(_("The signing service at {url} returned {got} signatures for "
                                    "{count} hashes; nothing was signed.").format(
                                      url=self.client.settings.url,
                                      got=len(answer) if isinstance(answer, list) else 0,
                                      count=len(hashes)))
        try:
            return [base64.b64decode(s, validate=True) for s in answer]
        except (ValueError, TypeError) as exc:
            raise CredentialError(_("The signing service at {url} returned signatures that are "
                                    "not base64; nothing was signed.").format(
                                      url=self.client.settings.url)) from exc


def otp_source(settings: CscSettings, ask: Callable[[], str] | None) -> Callable[[], str]:
    """Where each authorisation's OTP comes from: $DIGITIZE_OTP, the OTP file, else a prompt."""
    def read() -> str:
        found = read_secret(ENV_OTP, settings.otp_file, N_("OTP")).strip()
        if found:
            return found
        if ask is None:
            raise CredentialError(_("Credential needs a one-time password (OTP): set {env}, "
                                    "[signer] csc_otp_file, or sign in a terminal to be "
                                    "asked.").format(env=ENV_OTP))
        return ask()
    return read


def open_csc(spec: KeySpec, pin: Callable[[], bytes], ask_otp: Callable[[], str] | None
             ) -> Identity:
    """The remote credential as an identity: its certificate and chain from the service, the PIN
    asked only when the credential takes one."""
    assert spec.csc is not None
    client = CscClient(spec.csc)
    credential = read_credential(client)
    where = f"CSC credential '{credential.credential_id}' ({spec.csc.url})"
    signer = CscSigner(client, credential, pin() if credential.pin_needed else b"",
                       otp_source(spec.csc, ask_otp))
    return identity_from(signer, where, spec)
