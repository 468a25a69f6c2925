"""Pick the signing identity: --p12 on the command line, else [signer] in the config, else the
demo identity `make demo` creates (with a loud warning)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from digitize.config import SignerConfig
from digitize.errors import CredentialError
from digitize.signing.demo import DEMO_NAME, demo_identity
from digitize.signing.secrets import ENV_SECRET, resolve_secret
from digitize.signing.signer import Identity, load_pkcs12


def open_identity(cfg: SignerConfig, p12: Path | None, secret_file: Path | None,
                  ask: Callable[[], str] | None, warn: Callable[[str], None]) -> Identity:
    key = p12 or cfg.p12
    secret_path = secret_file or cfg.secret_file
    if key is None:
        demo = demo_identity()
        if not demo.exists():
            raise CredentialError("No signing identity is configured: set [signer] p12 in the "
                                  "config, pass --p12 FILE, run 'make demo' to create the demo "
                                  "identity, or use --no-sign.")
        warn(f"Signing with the demo identity '{DEMO_NAME}' ({demo.p12}); configure [signer] "
             "for real use.")
        key = demo.p12
        if secret_path is None and not os.environ.get(ENV_SECRET):
            secret_path = demo.secret_file
    return load_pkcs12(key, resolve_secret(secret_path, ask))
