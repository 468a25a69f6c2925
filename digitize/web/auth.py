"""The desk's login for `digitize serve`: one password, kept only as an Argon2 hash (argon2-cffi)
in a file only its owner may read; when a login is needed at all (always on an address other
than loopback, and wherever a password has been set); and how fast an address may guess it."""

from __future__ import annotations

import ipaddress
import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from digitize.errors import CredentialError, UsageProblem
from digitize.fsutil import write_text_atomic
from digitize.i18n import _
from digitize.paths import default_config_path

MIN_LENGTH = 10


def password_path(configured: Path | None) -> Path:
    return configured or default_config_path().with_name("web-password")


def set_password(path: Path, password: str) -> None:
    """Store the hash of a new password (mode 600); the password itself is never written."""
    from argon2 import PasswordHasher

    if len(password) < MIN_LENGTH:
        raise UsageProblem(_("The password is too short: use at least {count} characters.")
                           .format(count=MIN_LENGTH))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, PasswordHasher().hash(password) + "\n")
    os.chmod(path, 0o600)


def stored_hash(path: Path) -> str | None:
    """The stored hash, None when no password was set; a file others may read is refused."""
    if not path.is_file():
        return None
    if path.stat().st_mode & 0o077:
        raise CredentialError(_("The login file {path} can be read by other users; run `chmod "
                                "600 {path}`.").format(path=path))
    return path.read_text(encoding="utf-8").strip() or None


def check_password(hashed: str, password: str) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return PasswordHasher().verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def login_needed(host: str, hashed: str | None) -> bool:
    """A login whenever a password is set; on any other address than loopback the server does
    not start without one."""
    if hashed is None and not is_loopback(host):
        raise UsageProblem(_("digitize serve listens on {host} only with a login: set a "
                             "password first with `digitize serve --set-password`.").format(
                               host=host))
    return hashed is not None


# Password guessing: each client address has a few free tries, then waits, twice as long after
# each further failure; a success forgets its failures. When many fail everywhere at once (many
# addresses guessing together), an address that failed even once waits too, but one that has not
# failed is always heard: the right password from another PC still gets in.
FREE_TRIES = 5
FIRST_WAIT_S = 15.0
MAX_WAIT_S = 900.0
FORGET_S = 3600.0  # failures older than this are forgotten
BUSY_FAILURES = 30  # failed logins in BUSY_WINDOW_S, all addresses together
BUSY_WINDOW_S = 60.0
MAX_ADDRESSES = 10_000


@dataclass
class _Failures:
    count: int
    last: float


class Throttle:
    """Failed logins per client address, and all together."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._by_address: dict[str, _Failures] = {}
        self._recent: deque[float] = deque()

    def wait(self, address: str) -> float:
        """Seconds before `address` may try a password again; 0 when it may now."""
        now = self._clock()
        while self._recent and self._recent[0] < now - BUSY_WINDOW_S:
            self._recent.popleft()
        failed = self._by_address.get(address)
        if failed is None:
            return 0.0
        if failed.last < now - FORGET_S:
            del self._by_address[address]
            return 0.0
        free = 1 if len(self._recent) >= BUSY_FAILURES else FREE_TRIES
        if failed.count < free:
            return 0.0
        delay = min(FIRST_WAIT_S * 2 ** (failed.count - free), MAX_WAIT_S)
        return max(0.0, failed.last + delay - now)

    def attempt(self, address: str) -> None:
        """A try about to be checked counts as a failure until it succeeds, so that guesses sent
        together are counted before their slow checks end."""
        now = self._clock()
        if len(self._by_address) >= MAX_ADDRESSES:
            self._by_address = {a: f for a, f in self._by_address.items()
                                if f.last >= now - FORGET_S}
            if len(self._by_address) >= MAX_ADDRESSES:  # the oldest half goes
                keep = sorted(self._by_address.items(), key=lambda af: af[1].last)
                self._by_address = dict(keep[len(keep) // 2:])
        failed = self._by_address.setdefault(address, _Failures(0, now))
        failed.count += 1
        failed.last = now
        self._recent.append(now)

    def succeeded(self, address: str) -> None:
        self._by_address.pop(address, None)
