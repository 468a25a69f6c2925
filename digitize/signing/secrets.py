"""Where a PKCS#12 password or PIN comes from: $DIGITIZE_SECRET, a file, or a prompt — never argv,
never logged."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from digitize.errors import CredentialError
from digitize.i18n import _

ENV_SECRET = "DIGITIZE_SECRET"


def resolve_secret(secret_file: Path | None, ask: Callable[[], str] | None) -> bytes:
    """The secret from the environment, else `secret_file`, else `ask()` (a terminal prompt)."""
    env = os.environ.get(ENV_SECRET)
    if env:
        return env.encode()
    if secret_file is not None:
        try:
            return secret_file.read_text(encoding="utf-8").strip().encode()
        except OSError as exc:
            raise CredentialError(_("Cannot read the secret file {secret_file} ({strerror}); "
                                    "check its path and permissions.").format(
                                      secret_file=secret_file, strerror=exc.strerror)) from exc
    if ask is not None:
        return ask().encode()
    raise CredentialError(_("No password for the signing key: set {ENV_SECRET}, pass "
                            "--secret-file FILE, or run in a terminal to be asked.").format(
                              ENV_SECRET=ENV_SECRET))
