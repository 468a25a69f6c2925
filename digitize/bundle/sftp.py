"""Deliver a bundle to an SFTP drop folder (Archivematica transfer sources, provincial data
centres) with paramiko: the host key checked against known_hosts or a pinned fingerprint
(never accepted blindly), key, agent or password authentication, the bytes written to a
temporary name and resumed at its remote size after a cut, the SHA-256 read back (a remote
`sha256sum` where the server gives a shell, else the bytes themselves), then renamed into
place. What the folder already holds is "already there"; different bytes are refused unless
`replace`."""

from __future__ import annotations

import base64
import hashlib
import posixpath
import shlex
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import paramiko

from digitize.bundle.upload_common import (
    CHUNK,
    RETRIES,
    Delivery,
    SshAuth,
    UploadError,
    temp_name,
)
from digitize.errors import CredentialError, UsageProblem
from digitize.fsutil import sha256_file
from digitize.i18n import _


@dataclass(frozen=True)
class SftpTarget:
    user: str
    host: str
    port: int
    folder: str  # on the server; "~/x" is under the user's home

    @property
    def shown(self) -> str:  # for receipts: never a password
        return f"sftp://{self.user}@{self.host}:{self.port}{self.folder}"


def parse_sftp(url: str) -> SftpTarget:
    parsed = urlparse(url)
    if parsed.scheme != "sftp" or not parsed.hostname or not parsed.username:
        raise UsageProblem(_("{url} is not sftp://user@host[:port]/folder.").format(url=url))
    if parsed.password:
        raise UsageProblem(_("Put no password in the URL (it would show in the process list "
                             "and logs); use $DIGITIZE_UPLOAD_PASSWORD, [upload] password_file, "
                             "a key or the SSH agent."))
    folder = unquote(parsed.path) or "/"
    if folder.startswith("/~"):
        folder = folder[1:]
    return SftpTarget(unquote(parsed.username), parsed.hostname, parsed.port or 22,
                      folder.rstrip("/") or "/")


def _fingerprint(key: paramiko.PKey) -> str:
    digest = hashlib.sha256(key.asbytes()).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


class _Pinned(paramiko.MissingHostKeyPolicy):
    """Accept the server only if its key has the pinned fingerprint."""

    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint

    def missing_host_key(self, client: paramiko.SSHClient, hostname: str,
                         key: paramiko.PKey) -> None:
        if _fingerprint(key) != self.fingerprint:
            raise paramiko.BadHostKeyException(hostname, key, key)


def _connect(target: SftpTarget, auth: SshAuth, timeout: float
             ) -> tuple[paramiko.SSHClient, paramiko.SFTPClient]:
    client = paramiko.SSHClient()
    where = f"{target.host}:{target.port}"
    if auth.fingerprint:
        client.set_missing_host_key_policy(_Pinned(auth.fingerprint))
    else:
        known = auth.known_hosts or Path.home() / ".ssh" / "known_hosts"
        if known.is_file():
            client.load_host_keys(str(known))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
    try:
        client.connect(target.host, target.port, username=target.user,
                       key_filename=str(auth.key) if auth.key else None,
                       passphrase=auth.passphrase or None, password=auth.password or None,
                       allow_agent=auth.key is None, look_for_keys=auth.key is None,
                       timeout=timeout, banner_timeout=timeout, auth_timeout=timeout)
        sftp = client.open_sftp()
        # paramiko's SFTP channel waits for ever by default: a server that stops answering
        # mid-file (a hung session) would hold the upload; this makes it a retried timeout.
        sftp.get_channel().settimeout(timeout)
        return client, sftp
    except paramiko.BadHostKeyException as exc:
        client.close()
        raise CredentialError(_("The SSH host key of {where} is not the one expected ({got}): "
                                "the server changed or someone is in between; check the "
                                "fingerprint with the archive before updating known_hosts or "
                                "[upload] host_fingerprint.").format(
                                  where=where, got=_fingerprint(exc.key))) from exc
    except paramiko.SSHException as exc:
        client.close()
        if "not found in known_hosts" in str(exc):
            raise CredentialError(_("The SSH host key of {where} is not known; get its "
                                    "fingerprint from the archive and add the key to "
                                    "known_hosts (or set [upload] host_fingerprint).").format(
                                      where=where)) from exc
        if isinstance(exc, paramiko.AuthenticationException):
            raise CredentialError(_("The SFTP server {where} refused user {user}'s "
                                    "credentials; check [upload] ssh_key, the SSH agent or "
                                    "$DIGITIZE_UPLOAD_PASSWORD.").format(
                                      where=where, user=target.user)) from exc
        raise
    except Exception:
        client.close()
        raise


def _remote_sha256(client: paramiko.SSHClient, sftp: paramiko.SFTPClient, path: str,
                   size: int) -> str:
    """`sha256sum` on the server where it gives a shell, else the bytes read back."""
    try:
        _in, out, _err = client.exec_command(f"sha256sum -- {shlex.quote(path)}", timeout=60)
        answer = out.read().decode(errors="replace").split()
        if out.channel.recv_exit_status() == 0 and answer and len(answer[0]) == 64:
            return answer[0].upper()
    except (paramiko.SSHException, OSError):
        pass
    digest = hashlib.sha256()
    with sftp.open(path, "rb") as fh:
        fh.prefetch(size)
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest().upper()


def _size(sftp: paramiko.SFTPClient, path: str) -> int | None:
    try:
        st = sftp.stat(path)
    except FileNotFoundError:
        return None
    if st.st_mode is not None and stat.S_ISDIR(st.st_mode):
        raise UploadError(_("{path} on the SFTP server is a folder, not a bundle; remove it or "
                            "upload elsewhere.").format(path=path))
    return st.st_size or 0


def _send(client: paramiko.SSHClient, sftp: paramiko.SFTPClient, bundle: Path, target: str,
          part: str, sha: str, size: int, replace: bool,
          sent: Callable[[int], None] | None) -> tuple[str, int]:
    """One connection's go at the delivery: (status, bytes found at the temporary name)."""
    existing = _size(sftp, target)
    if existing is not None:
        if existing == size and _remote_sha256(client, sftp, target, size) == sha:
            return "already there", 0
        if not replace:
            raise UploadError(_("The SFTP folder already holds a different {name}; pass "
                                "--replace to overwrite it.").format(name=bundle.name))
    offset = _size(sftp, part) or 0
    if offset > size:
        sftp.remove(part)
        offset = 0
    resumed = offset
    with open(bundle, "rb") as src, sftp.open(part, "ab" if offset else "wb") as dst:
        dst.set_pipelined(True)
        src.seek(offset)
        while offset < size:
            block = src.read(CHUNK)
            dst.write(block)
            offset += len(block)
            if sent:
                sent(offset)
    if _remote_sha256(client, sftp, part, size) != sha:
        sftp.remove(part)  # a resumed prefix that was not ours: the next try starts afresh
        raise OSError(_("the copy on the server does not match"))
    try:
        sftp.posix_rename(part, target)  # atomic, over an older bundle too (OpenSSH)
    except OSError:
        if existing is None:
            raise
        sftp.remove(target)  # a server without posix-rename: --replace was asked for
        sftp.rename(part, target)
    return ("replaced" if existing is not None else "uploaded"), resumed


def upload_sftp(bundle: Path, url: str, auth: SshAuth, replace: bool, backoff: float = 0.5,
                timeout: float = 30.0, sent: Callable[[int], None] | None = None) -> Delivery:
    """Deliver `bundle` into the SFTP folder of `url`; a cut connection is retried with
    backoff and the file resumed where the server's copy ends."""
    target = parse_sftp(url)
    sha, size = sha256_file(bundle), bundle.stat().st_size
    final = posixpath.join(target.folder, bundle.name)
    part = posixpath.join(target.folder, temp_name(bundle.name))
    delay, problem = backoff, ""
    resumed = 0
    for attempt in range(RETRIES):
        client = None
        try:
            client, sftp = _connect(target, auth, timeout)
            status, found = _send(client, sftp, bundle, final, part, sha, size, replace, sent)
            resumed = max(resumed, found)
            return Delivery(str(bundle), target.shown, status, sha, size, resumed)
        except (TimeoutError, OSError, EOFError, paramiko.SSHException) as exc:
            problem = f"{type(exc).__name__}: {exc}"
        finally:
            if client is not None:
                client.close()
        if attempt < RETRIES - 1:
            time.sleep(delay)
            delay *= 2
    raise UploadError(_("Sending {name} to {where} failed after {RETRIES} tries ({problem}); "
                        "run the same command again later, it resumes.").format(
                          name=bundle.name, where=target.shown, RETRIES=RETRIES,
                          problem=problem))
