"""The desk's login for `digitize serve`: one password, kept only as an Argon2 hash (argon2-cffi)
in a file only its owner may read; and when a login is needed at all (always on an address other
than loopback, and wherever a password has been set)."""

from __future__ import annotations

import ipaddress
import os
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
