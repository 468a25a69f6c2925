"""Where a PKCS#12 password or PIN comes from: $DIGITIZE_SECRET, a file, or a prompt — never argv,
never logged."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from digitize.errors import CredentialError
from digitize.i18n import N_, _

ENV_SECRET = "DIGITIZE_SECRET"


def read_secret(env: str, path: Path | None, what: str = N_("secret"),
                private: bool = False) -> str:
    """The value of $`env`, else the stripped content of `path`, else "" (`what` names the
    file in the message when it cannot be read). A `private` file that other users may read is
    refused, as ssh and libpq refuse theirs."""
    found = os.environ.get(env)
    if found:
        return found
    if path is None:
        return ""
    try:
        if private and path.stat().st_mode & 0o077:
            raise CredentialError(_("The {what} file {path} can be read by other users; run "
                                    "`chmod 600 {path}`.").format(what=_(what), path=path))
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CredentialError(_("Cannot read the {what} file {path} ({strerror}); check its "
                                "path and permissions.").format(
                                  what=_(what), path=path, strerror=exc.strerror)) from exc


def resolve_secret(secret_file: Path | None, ask: Callable[[], str] | None) -> bytes:
    """The secret from the environment, else `secret_file`, else `ask()` (a terminal prompt)."""
    found = read_secret(ENV_SECRET, secret_file)
    if found:
        return found.encode()
    if ask is not None:
        return ask().encode()
    raise CredentialError(_("No password for the signing key: set {ENV_SECRET}, pass "
                            "--secret-file FILE, or run in a terminal to be asked.").format(
                              ENV_SECRET=ENV_SECRET))
