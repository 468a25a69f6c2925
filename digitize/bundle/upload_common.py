"""What every upload transport shares: the receipt of one delivery, its error, the chunk size,
the number of tries and the temporary name a bundle travels under until it is whole."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from digitize.errors import EXIT_ENVIRONMENT, DigitizeError

CHUNK = 1 << 20
RETRIES = 6


class UploadError(DigitizeError):
    """One bundle could not be delivered; the others go on."""


class TargetProblem(UploadError):
    """The target cannot be reached or does not answer as it should (no answer in time, not its
    protocol): that delivery fails, the others are still tried, and the command exits 4."""

    exit_code = EXIT_ENVIRONMENT


@dataclass(frozen=True)
class Delivery:
    bundle: str
    target: str
    status: str  # uploaded | already there | replaced | updated (a one-stop record)
    sha256: str
    size: int
    resumed: int = 0  # bytes the target already had when an interrupted upload went on


def temp_name(name: str) -> str:
    """Where a bundle is written until it is complete and checked (hidden, so that an archive
    watching the folder never takes a half file)."""
    return f".{name}.part"


@dataclass(frozen=True)
class SshAuth:
    """How `sftp://` targets are trusted and logged in to (secrets come from the environment or
    files, never the command line)."""

    known_hosts: Path | None = None  # default ~/.ssh/known_hosts
    fingerprint: str = ""  # "SHA256:…" as ssh-keygen -l prints it: pinned instead
    key: Path | None = None
    passphrase: str = ""
    password: str = ""
