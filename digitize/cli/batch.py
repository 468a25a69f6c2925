"""What the commands that run the pipeline share: the signing identity their options name (a
password prompt only in a terminal) and a batch run drawn as a progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from digitize.cli.output import RichProgress, warn
from digitize.config import Config
from digitize.i18n import _
from digitize.model import RunSummary

if TYPE_CHECKING:
    from digitize.identity import Identity
    from digitize.pipeline.options import RunOptions


def _hidden_prompt(label: str) -> Callable[[], str] | None:
    """A prompt that does not echo, in a terminal only (a script gets a clear error instead)."""
    if not sys.stdin.isatty():
        return None
    return lambda: typer.prompt(label, hide_input=True, err=True)


def ask_secret() -> Callable[[], str] | None:
    return _hidden_prompt(_("Password for the signing key"))


def ask_otp() -> Callable[[], str] | None:
    return _hidden_prompt(_("One-time password (OTP) from the signing service"))


def open_signer(cfg: Config, p12: Path | None, secret_file: Path | None, key: Path | None = None,
                cert: Path | None = None, chain: list[Path] | None = None,
                pkcs11_module: Path | None = None, token_label: str = "",
                key_label: str = "", source: str = "") -> Identity:
    """The identity the signer options name, else [signer], else the demo identity."""
    from digitize.signing.sources import KeyChoice, open_identity

    choice = KeyChoice(p12=p12, key=key, cert=cert, chain=tuple(chain or ()),
                       pkcs11_module=pkcs11_module, token_label=token_label,
                       key_label=key_label, secret_file=secret_file, source=source)
    return open_identity(cfg.signer, choice, ask_secret(), warn=warn, ask_otp=ask_otp())


def run_pipeline(inputs: Sequence[Path], opts: RunOptions, identity: Identity | None,
                 label: str) -> RunSummary:
    """A batch run with its progress bar on stderr."""
    from digitize.pipeline.run import run_batch

    with RichProgress(label) as progress:
        return run_batch(inputs, opts, identity, progress)
