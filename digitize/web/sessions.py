"""The desk's logins, kept on the server: the cookie only names a session (signed, so it cannot
be made up), and the server says whether that session is still open. Logout closes it, so a
copy of the cookie taken before is worth nothing after; a new password (`digitize serve
--set-password`, even while the server runs) closes every session the old one opened. The
sessions and the key that signs the cookies are kept beside the password file, owner-only, so a
restart of the server logs nobody out."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from pathlib import Path

from digitize.errors import CredentialError
from digitize.i18n import _
from digitize.web.auth import stored_hash

log = logging.getLogger("digitize")
SESSION_S = 12 * 3600  # as long as the cookie lives
MAX_SESSIONS = 1000  # the oldest are closed first: a desk has a handful of clerks


def sessions_path(password_file: Path) -> Path:
    return password_file.with_name(password_file.name + ".sessions")


def desk_key(path: Path) -> str:
    """The key that signs the cookies (and with them each form's CSRF token) of a desk without a
    login, kept in `path` (the data folder's `web-secret`, mode 600) so that a restart of the
    server leaves every open tab working. A file others may read is refused; where the folder
    cannot be written the key lives as long as the process, with a warning."""
    if path.is_file():
        if path.stat().st_mode & 0o077:
            raise CredentialError(_("The login file {path} can be read by other users; run "
                                    "`chmod 600 {path}`.").format(path=path))
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    key = secrets.token_urlsafe(32)
    try:
        _write_private(path, key)
    except OSError as exc:
        log.warning(_("The desk's key cannot be kept in {path} ({error}); a restart of the "
                      "server will make open pages ask to be opened again.").format(
                        path=path, error=exc))
    return key


def _write_private(path: Path, text: str) -> None:
    """`text` written whole into `path`, owner-only from the start, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Logins:
    """The login's password hash (read again when its file changes) and the sessions it
    opened. `password_file` None: a hash given as it is, sessions in memory only."""

    def __init__(self, hashed: str, password_file: Path | None = None) -> None:
        self._file = password_file
        self._store = sessions_path(password_file) if password_file else None
        self._lock = threading.Lock()
        self._stamp = self._stat()
        self._hashed: str | None = hashed
        self.key = secrets.token_urlsafe(32)
        self._sessions: dict[str, float] = {}  # sha256 of the session id -> when it ends
        self._load()

    @classmethod
    def from_file(cls, password_file: Path) -> Logins | None:
        """The logins of the password stored in `password_file`; None when none is set."""
        hashed = stored_hash(password_file)
        return cls(hashed, password_file) if hashed else None

    # ------------------------------------------------------------------ the password
    def hashed(self) -> str | None:
        """The password's hash as its file holds it now; None (nobody gets in) when the file
        was removed or made readable by others."""
        with self._lock:
            self._refresh()
            return self._hashed

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = self._file.stat() if self._file else None
        except OSError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size) if st else None

    def _refresh(self) -> None:
        if self._file is None:
            return
        stamp = self._stat()
        if stamp == self._stamp:
            return
        self._stamp = stamp
        try:
            hashed = stored_hash(self._file)
        except (CredentialError, OSError):
            hashed = None
        if hashed != self._hashed:
            self._hashed = hashed
            self._sessions.clear()  # a new password ends every session of the old one
            self._save()

    # ------------------------------------------------------------------ sessions
    def start(self) -> str:
        """A new session's id, for the cookie."""
        sid = secrets.token_urlsafe(32)
        with self._lock:
            self._refresh()
            now = time.time()
            self._sessions = {k: v for k, v in self._sessions.items() if v > now}
            while len(self._sessions) >= MAX_SESSIONS:
                del self._sessions[min(self._sessions, key=self._sessions.__getitem__)]
            self._sessions[_digest(sid)] = now + SESSION_S
            self._save()
        return sid

    def alive(self, sid: object) -> bool:
        if not isinstance(sid, str) or not sid:
            return False
        with self._lock:
            self._refresh()
            return self._hashed is not None and self._sessions.get(_digest(sid), 0) > time.time()

    def end(self, sid: object) -> None:
        if not isinstance(sid, str):
            return
        with self._lock:
            if self._sessions.pop(_digest(sid), None) is not None:
                self._save()

    # ------------------------------------------------------------------ the file
    def _generation(self) -> str:
        return _digest(self._hashed or "")[:16]

    def _load(self) -> None:
        """The key and the sessions kept by an earlier run; the sessions only when they were
        opened with the password of now. A damaged file is started again (everyone logs in)."""
        if self._store is None or not self._store.is_file():
            self._save()
            return
        if self._store.stat().st_mode & 0o077:
            raise CredentialError(_("The login file {path} can be read by other users; run "
                                    "`chmod 600 {path}`.").format(path=self._store))
        try:
            data = json.loads(self._store.read_text(encoding="utf-8"))
            key, generation, sessions = data["key"], data["generation"], data["sessions"]
            if not isinstance(key, str) or len(key) < 32 or not isinstance(sessions, dict):
                raise ValueError
        except (ValueError, KeyError, TypeError, OSError):
            self._save()
            return
        self.key = key
        if generation == self._generation():
            now = time.time()
            self._sessions = {str(k): float(v) for k, v in sessions.items()
                              if isinstance(v, int | float) and v > now}
        self._save()

    def _save(self) -> None:
        """Written whole, owner-only from the start, then renamed into place."""
        if self._store is None:
            return
        data = json.dumps({"key": self.key, "generation": self._generation(),
                           "sessions": self._sessions})
        try:
            _write_private(self._store, data)
        except OSError as exc:
            # A password file in a folder the server may only read (/etc/digitize): the
            # sessions still work, kept in memory; a restart then logs everyone out.
            log.warning(_("The login's sessions cannot be kept in {path} ({error}); a restart "
                          "of the server will log everyone out.").format(path=self._store,
                                                                         error=exc))
            self._store = None
