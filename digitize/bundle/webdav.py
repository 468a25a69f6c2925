"""Deliver a bundle to a WebDAV share (document stores, Nextcloud-style shares) over requests:
PUT to a temporary name, the SHA-256 confirmed (the server's checksum header where it gives
one, else the bytes read back), then MOVE into place (`Overwrite: F` unless `replace`). WebDAV
has no standard partial PUT, so an interrupted file is sent again whole, with backoff. Bearer
or basic credentials; what the share already holds is "already there"."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse, urlunparse

import requests

from digitize import answers
from digitize.bundle.upload_common import RETRIES, Delivery, UploadError, temp_name
from digitize.errors import CredentialError, UsageProblem
from digitize.fsutil import sha256_file
from digitize.i18n import _

SHORT_ANSWER = 2**20  # a share's answer to OPTIONS, HEAD, MOVE or DELETE: headers, a line
WEBDAV_SCHEMES = {"webdav": "http", "webdavs": "https", "dav": "http", "davs": "https"}


@dataclass(frozen=True)
class DavAuth:
    token: str | None = None  # bearer
    user: str = ""  # basic, with the password
    password: str = ""


def dav_base(url: str) -> str:
    """The share's folder URL, http(s), ending in "/" (webdav:// and davs:// name it too)."""
    parsed = urlparse(url)
    scheme = WEBDAV_SCHEMES.get(parsed.scheme, parsed.scheme)
    if scheme not in ("http", "https") or not parsed.hostname:
        raise UsageProblem(_("{url} is not a WebDAV URL (https://host/path).").format(url=url))
    if parsed.password:
        raise UsageProblem(_("Put no password in the URL (it would show in the process list "
                             "and logs); use $DIGITIZE_UPLOAD_PASSWORD or [upload] "
                             "password_file."))
    return urlunparse((scheme, parsed.netloc, parsed.path.rstrip("/") + "/", "", "", ""))


def is_webdav(url: str, auth: DavAuth, timeout: float) -> bool:
    """Whether an http(s) URL is a WebDAV share (its OPTIONS answer has a DAV header) rather
    than digitize's own receiver."""
    if urlparse(url).scheme in WEBDAV_SCHEMES:
        return True
    try:
        with _session(auth) as s:
            answer = _short(s, "OPTIONS", dav_base(url), timeout)
    except requests.RequestException:
        return False
    # A share asks for credentials before it says what it is: refused ones are refused here.
    if answer.status_code in (401, 403):
        _checked(answer, dav_base(url))
    return "DAV" in answer.headers


def _session(auth: DavAuth) -> requests.Session:
    s = requests.Session()
    if auth.token:
        s.headers["Authorization"] = f"Bearer {auth.token}"
    elif auth.user:
        s.auth = (auth.user.encode(), auth.password.encode())  # UTF-8 (RFC 7617)
    return s


def _short(s: requests.Session, method: str, url: str, timeout: float, **kwargs: Any
           ) -> answers.Answer:
    """A request whose answer is headers and a line or two (OPTIONS, HEAD, PUT, MOVE, DELETE):
    read by a deadline, so a share that trickles it cannot hold the upload (a PUT's deadline
    grows with the file it sends, as does the read-back's: answers.transfer_deadline)."""
    return answers.request(s, method, url, timeout=timeout, limit=SHORT_ANSWER, **kwargs)


def _check_status(code: int, where: str) -> None:
    if code in (401, 403):
        raise CredentialError(_("The server {where} refused the credentials ({code}); check "
                                "$DIGITIZE_UPLOAD_TOKEN or [upload] token_file, or [upload] "
                                "user with $DIGITIZE_UPLOAD_PASSWORD or [upload] "
                                "password_file.").format(where=where, code=code))
    if code >= 500:
        raise OSError(f"the share answered {code}")


def _checked(resp: answers.Answer, where: str) -> answers.Answer:
    _check_status(resp.status_code, where)
    return resp


def _claimed_sha256(headers: Any) -> str:
    """A SHA-256 the server states: OC-Checksum (Nextcloud/ownCloud) or Digest (RFC 3230)."""
    found = re.search(r"SHA256:([0-9a-fA-F]{64})", headers.get("OC-Checksum", ""))
    if found:
        return found.group(1).upper()
    digest = re.search(r"sha-256=([A-Za-z0-9+/=]+)", headers.get("Digest", ""), re.I)
    if digest:
        return base64.b64decode(digest.group(1)).hex().upper()
    return ""


def _remote_sha256(s: requests.Session, url: str, timeout: float, size: int) -> str:
    """The SHA-256 the share claims for `url`, else that of its content read back (by a
    deadline that grows with `size`, the bundle's; "" where it is longer or missing)."""
    head = _checked(_short(s, "HEAD", url, timeout, allow_redirects=False), url)
    claimed = _claimed_sha256(head.headers)
    if claimed:
        return claimed
    digest = hashlib.sha256()
    try:
        status = answers.fetch_into(s, url, digest.update, timeout=timeout, size=size)
    except answers.TooLarge:
        return ""  # not the bundle
    _check_status(status, url)
    return digest.hexdigest().upper() if status == 200 else ""


def _send(s: requests.Session, bundle: Path, base: str, sha: str, replace: bool,
          timeout: float) -> str:
    final, part = base + quote(bundle.name), base + quote(temp_name(bundle.name))
    size = bundle.stat().st_size
    held = _checked(_short(s, "HEAD", final, timeout, allow_redirects=False), base)
    exists = held.status_code == 200
    if exists:
        if _remote_sha256(s, final, timeout, size) == sha:
            return "already there"
        if not replace:
            raise UploadError(_("The WebDAV share already holds a different {name}; pass "
                                "--replace to overwrite it.").format(name=bundle.name))
    with open(bundle, "rb") as fh:
        try:
            put = _checked(_short(s, "PUT", part, timeout, data=answers.Paced(fh, size, timeout),
                                  seconds=answers.transfer_deadline(timeout, size),
                                  headers={"Content-Type": "application/zip"}), base)
        except answers.Stalled as exc:
            raise answers.TooSlow(exc.seconds) from exc  # tried again, as a timeout is
    if put.status_code not in (200, 201, 204):
        raise UploadError(_("The WebDAV share did not take {name} ({code}).").format(
                              name=bundle.name, code=put.status_code))
    if _remote_sha256(s, part, timeout, size) != sha:
        _short(s, "DELETE", part, timeout)
        raise OSError(_("the copy on the share does not match"))
    moved = _checked(_short(s, "MOVE", part, timeout, headers={
        "Destination": final, "Overwrite": "T" if replace else "F"}), base)
    if moved.status_code == 412:
        _short(s, "DELETE", part, timeout)
        raise UploadError(_("The WebDAV share already holds a different {name}; pass "
                            "--replace to overwrite it.").format(name=bundle.name))
    if moved.status_code not in (201, 204):
        raise UploadError(_("The WebDAV share did not move {name} into place ({code}).").format(
                              name=bundle.name, code=moved.status_code))
    return "replaced" if exists else "uploaded"


def upload_webdav(bundle: Path, url: str, auth: DavAuth, replace: bool, backoff: float = 0.5,
                  timeout: float = 30.0) -> Delivery:
    base = dav_base(url)
    sha, size = sha256_file(bundle), bundle.stat().st_size
    delay, problem = backoff, ""
    for attempt in range(RETRIES):
        try:
            with _session(auth) as s:
                return Delivery(str(bundle), base, _send(s, bundle, base, sha, replace, timeout),
                                sha, size)
        except (OSError, requests.RequestException) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        if attempt < RETRIES - 1:
            time.sleep(delay)
            delay *= 2
    raise UploadError(_("Sending {name} to {where} failed after {RETRIES} tries ({problem}); "
                        "run the same command again later.").format(
                          name=bundle.name, where=base, RETRIES=RETRIES, problem=problem))
