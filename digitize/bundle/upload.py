"""Send bundles to the archive exactly once: to a folder (copy to a temporary name, fsync, check
the checksum, rename) or over HTTP(S) with the protocol of `digitize.bundle.receiver`
(resumable chunks, retries with backoff, a checksum receipt); SFTP, WebDAV and the one-stop
system's records have their own modules. Uploading what the target already holds is a no-op;
different bytes under the same name are refused unless `replace`. A local journal records every
upload, so a cron job re-run after a crash neither loses nor repeats one.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from digitize import answers
from digitize.bundle.onestop import (
    OnestopSettings,
    dossier_folders,
    is_onestop,
    onestop_settings,
    upload_onestop,
)
from digitize.bundle.upload_common import CHUNK, RETRIES, Delivery, SshAuth, UploadError
from digitize.bundle.webdav import WEBDAV_SCHEMES, DavAuth, is_webdav, upload_webdav
from digitize.clock import now_vn
from digitize.config import Config
from digitize.errors import EXIT_OK, EXIT_PARTIAL, InputFileError, UsageProblem
from digitize.fsutil import atomic_path, sha256_file
from digitize.i18n import N_, _
from digitize.paths import state_dir
from digitize.signing.secrets import read_secret

ENV_TOKEN = "DIGITIZE_UPLOAD_TOKEN"
RECEIPT_LIMIT = 2**20  # the receiver's answers: a bundle's state or its receipt, in JSON
ENV_PASSWORD = "DIGITIZE_UPLOAD_PASSWORD"  # SFTP password or WebDAV basic password
ENV_PASSPHRASE = "DIGITIZE_SSH_PASSPHRASE"


def _journal_line(journal: Path | None, delivery: Delivery) -> None:
    if journal is None:
        return
    journal.parent.mkdir(parents=True, exist_ok=True)
    with open(journal, "a", encoding="utf-8") as fh:
        fh.write(json.dumps({**delivery.__dict__, "time": now_vn()}, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def upload_to_dir(bundle: Path, folder: Path, replace: bool) -> Delivery:
    sha, size = sha256_file(bundle), bundle.stat().st_size
    target = folder / bundle.name
    existed = target.exists()
    if existed:
        if sha256_file(target) == sha:
            return Delivery(str(bundle), str(folder), "already there", sha, size)
        if not replace:
            raise UploadError(_("{target} already holds a different {name}; pass --replace to "
                                "overwrite it.").format(target=target, name=bundle.name))
    with atomic_path(target) as tmp:
        shutil.copyfile(bundle, tmp)
        if sha256_file(tmp) != sha:
            raise UploadError(_("The copy of {name} in {folder} does not match the original; "
                                "check the disk and try again.").format(
                                  name=bundle.name, folder=folder))
    return Delivery(str(bundle), str(folder), "replaced" if existed else "uploaded", sha, size)


class _Http:
    def __init__(self, url: str, token: str | None, timeout: float) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise InputFileError(_("{url} is not an http(s) URL or a folder.").format(url=url))
        self.parsed = parsed
        self.base = parsed.path.rstrip("/")
        if token is not None and not token.isascii():
            raise UploadError(_("The upload token ({ENV_TOKEN} or [upload] token_file) holds "
                                "characters an HTTP header cannot carry; check it.").format(
                                  ENV_TOKEN=ENV_TOKEN))
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: bytes | None = None
                ) -> tuple[int, dict]:
        cls = http.client.HTTPSConnection if self.parsed.scheme == "https" else \
            http.client.HTTPConnection
        conn = cls(self.parsed.hostname, self.parsed.port, timeout=self.timeout)
        headers = {"Content-Type": "application/octet-stream"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            conn.request(method, f"{self.base}{path}", body=body, headers=headers)
            resp = conn.getresponse()
            raw = answers.read_body(resp.read1, self.timeout, RECEIPT_LIMIT)
            return resp.status, json.loads(raw) if raw else {}
        finally:
            conn.close()


def _retrying(call, what: str, backoff: float):  # type: ignore[no-untyped-def]
    """Call, retrying connection errors and 5xx answers with exponential backoff."""
    delay = backoff
    for attempt in range(RETRIES):
        try:
            status, body = call()
            if status < 500:
                return status, body
            problem = _("the archive answered {status}").format(status=status)
        except (OSError, http.client.HTTPException, json.JSONDecodeError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if attempt == RETRIES - 1:
            raise UploadError(_("{what} failed after {RETRIES} tries ({problem}); run the same "
                                "command again later, it resumes.").format(
                                  what=what, RETRIES=RETRIES, problem=problem))
        time.sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")


def upload_http(bundle: Path, url: str, token: str | None, replace: bool,
                backoff: float = 0.5, timeout: float = 30.0, chunk_size: int = CHUNK
                ) -> Delivery:
    http_ = _Http(url, token, timeout)
    name = quote(bundle.name)
    sha, size = sha256_file(bundle), bundle.stat().st_size

    def status() -> dict:
        code, body = _retrying(lambda: http_.request("GET", f"/bundles/{name}"),
                               _("Asking the archive about {name}").format(name=bundle.name),
                               backoff)
        if code == 401:
            raise UploadError(_("The archive refused the token ({ENV_TOKEN}); check it.").format(
                                  ENV_TOKEN=ENV_TOKEN))
        return body if code == 200 else {"complete": False, "received": 0}

    state = status()
    if state.get("complete") and state.get("sha256") == sha and not state.get("received"):
        return Delivery(str(bundle), url, "already there", sha, size)
    if state.get("complete") and state.get("sha256") != sha and not replace:
        raise UploadError(_("The archive already holds a different {name}; pass --replace to "
                            "overwrite it.").format(name=bundle.name))
    offset = int(state.get("received") or 0)
    if offset > size:
        http_.request("DELETE", f"/bundles/{name}/data")
        offset = 0
    with open(bundle, "rb") as fh:
        while offset < size:
            fh.seek(offset)
            chunk = fh.read(chunk_size)
            code, body = _retrying(
                lambda c=chunk, o=offset: http_.request("PUT", f"/bundles/{name}/data?offset={o}",
                                                        c),
                _("Sending {name}").format(name=bundle.name), backoff)
            if code in (200, 409):
                offset = int(body.get("received", offset))  # 409: the archive says where it is
            else:
                raise UploadError(_("The archive refused {name} ({code}: {body}).").format(
                                      name=bundle.name, code=code, body=body))
    claim = json.dumps({"sha256": sha, "size": size, "replace": replace}).encode()
    code, receipt = _retrying(lambda: http_.request("POST", f"/bundles/{name}/complete", claim),
                              _("Completing {name}").format(name=bundle.name), backoff)
    if code == 409:
        raise UploadError(_("The archive already holds a different {name}; pass --replace to "
                            "overwrite it.").format(name=bundle.name))
    if code == 422:
        raise UploadError(_("{name} arrived damaged (checksum mismatch); run the same command "
                            "again to send it afresh.").format(name=bundle.name))
    if code not in (200, 201):
        raise UploadError(_("The archive did not store {name} ({code}: {receipt}).").format(
                              name=bundle.name, code=code, receipt=receipt))
    # A receipt garbled on the way back: believe only what the archive now holds.
    if receipt.get("sha256") != sha and status().get("sha256") != sha:
        raise UploadError(_("The archive's copy of {name} does not match; run the same command "
                            "again.").format(name=bundle.name))
    kind = "already there" if receipt.get("status") == "exists" else \
        "replaced" if replace and state.get("complete") else "uploaded"
    return Delivery(str(bundle), url, kind, sha, size)


def upload(bundle: Path, settings: UploadSettings, replace: bool, backoff: float = 0.5
           ) -> Delivery:
    """Deliver one bundle (a file; zip a package first) to a folder, an SFTP folder, a WebDAV
    share or digitize's own HTTP receiver, or one dossier's record (its output folder) to the
    one-stop system, and write it to the journal."""
    to = settings.target
    scheme = to.split("://", 1)[0].lower() if "://" in to else ""
    if settings.onestop is not None:
        delivery = upload_onestop(bundle, settings.onestop, backoff)
        _journal_line(settings.journal, delivery)
        return delivery
    if not bundle.is_file():
        raise InputFileError(_("{bundle} is not a bundle file; make one with 'digitize bundle "
                               "--zip'.").format(bundle=bundle))
    if scheme == "sftp":
        from digitize.bundle.sftp import upload_sftp

        delivery = upload_sftp(bundle, to, settings.ssh, replace, backoff)
    elif scheme in WEBDAV_SCHEMES or (scheme in ("http", "https") and (
            settings.protocol == "webdav" or (settings.protocol == "auto" and
            is_webdav(to, settings.dav, 10.0)))):
        delivery = upload_webdav(bundle, to, settings.dav, replace, backoff)
    elif scheme in ("http", "https"):
        delivery = upload_http(bundle, to, settings.token, replace, backoff)
    elif scheme:
        raise UsageProblem(_("{url}: digitize uploads to a folder, sftp://, https:// (WebDAV "
                             "or its own receiver) or webdav(s)://.").format(url=to))
    else:
        folder = Path(to)
        if not folder.is_dir():
            raise InputFileError(_("{folder} is not a folder; create it or check the path.").format(
                                     folder=folder))
        delivery = upload_to_dir(bundle, folder, replace)
    _journal_line(settings.journal, delivery)
    return delivery


@dataclass(frozen=True)
class UploadSettings:
    """Where bundles go, with what credentials, and the journal every delivery is written to."""

    target: str
    token: str | None
    journal: Path | None
    protocol: str = "auto"  # for http(s): auto (WebDAV if the server says DAV), webdav, digitize
    ssh: SshAuth = field(default_factory=SshAuth)
    dav: DavAuth = field(default_factory=DavAuth)
    onestop: OnestopSettings | None = None  # the target is the one-stop system


def upload_settings(config: Config, to: str | None = None) -> UploadSettings:
    """--to (else [upload] to; `onestop` for the one-stop system of [onestop]); the token from
    $DIGITIZE_UPLOAD_TOKEN or [upload] token_file, the password from $DIGITIZE_UPLOAD_PASSWORD
    or [upload] password_file, the SSH key's passphrase from $DIGITIZE_SSH_PASSPHRASE;
    [upload] journal (else the user state folder)."""
    cfg = config.upload
    target = to or cfg.to
    if not target:
        raise UsageProblem(_("No upload target: pass --to URL|DIR or set [upload] to."))
    journal = cfg.journal or state_dir() / "uploads.jsonl"
    if is_onestop(target):
        return UploadSettings(target, None, journal, onestop=onestop_settings(config, target))
    token = read_secret(ENV_TOKEN, cfg.token_file, N_("upload token")) or None
    password = read_secret(ENV_PASSWORD, cfg.password_file, N_("upload password"))
    ssh = SshAuth(cfg.known_hosts, cfg.host_fingerprint, cfg.ssh_key,
                  read_secret(ENV_PASSPHRASE, None), password)
    return UploadSettings(target, token, journal, cfg.protocol, ssh,
                          DavAuth(token, cfg.user, password))


@dataclass(frozen=True)
class Uploaded:
    """The receipts of a batch (as `upload --json` prints them) and its exit code: 1 when a
    delivery failed, 4 when the target could not be reached or did not answer as it should."""

    receipts: list[dict[str, Any]]
    exit_code: int = EXIT_OK


def upload_all(bundles: list[Path], settings: UploadSettings, replace: bool) -> Uploaded:
    """Deliver each bundle (or each dossier's record, for the one-stop system: a dossier's or
    an output folder); one receipt each, a failed one with its reason, and the others go on.
    Refused credentials or host key stop the batch (exit 4)."""
    receipts: list[dict[str, Any]] = []
    code = EXIT_OK
    for b in dossier_folders(bundles) if settings.onestop else bundles:
        try:
            d = upload(b, settings, replace)
            receipts.append({"bundle": str(b), "status": d.status, "target": d.target,
                             "sha256": d.sha256, "size": d.size,
                             **({"resumed": d.resumed} if d.resumed else {})})
        except (UploadError, InputFileError) as exc:
            receipts.append({"bundle": str(b), "status": "failed", "error": exc.message})
            code = max(code, exc.exit_code, EXIT_PARTIAL)
    return Uploaded(receipts, code)
