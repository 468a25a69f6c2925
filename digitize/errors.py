"""Typed errors. Each carries one plain sentence for the user and the exit code of DESIGN.md."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NO_INPUT = 3
EXIT_ENVIRONMENT = 4
EXIT_INTERRUPTED = 130

# What each exit code means, for the documentation's reference page (generated from this).
EXIT_MEANINGS: dict[int, str] = {
    EXIT_OK: "all done (documents may still be `needs_review`)",
    EXIT_PARTIAL: "finished, but some items failed or did not verify (listed in the output), a "
    "dossier got no package (`incomplete`: its good documents are kept; or its procedure is not "
    "in the catalogue), or `find` found nothing",
    EXIT_USAGE: "usage error: bad option, unreadable config, a `--procedure` (or `procedures "
    "show` code) the catalogue does not have, a `result add --code` the dossier's procedure does "
    "not issue",
    EXIT_NO_INPUT: "no usable input: nothing found, or no input exists; a procedure file "
    "`procedures import` refuses (nothing is imported), or no catalogue imported (`procedures "
    "list`); `result add` for a dossier not in OUT, one without a package, or a result file "
    "that does not exist or cannot be read (nothing is written)",
    EXIT_ENVIRONMENT: "environment or credential problem: Tesseract or language data missing, "
    "key file missing, wrong password, PIN or OTP, no secret and no terminal, no scanner, an "
    "upload target that refuses the credentials or whose SSH host key is unknown or changed; a "
    "one-stop system that refuses the token, does not answer in time or answers what is not a "
    "one-stop system's answer; the shared index cannot be reached (`find`; `index sync` with "
    "changes still waiting); `doctor` found a problem",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); run the same command again",
}


def printable(text: str) -> str:
    """Text that can be printed and written as UTF-8 JSON: file names that are not UTF-8 (old
    scanners on Windows code pages) reach Python as surrogates; show those bytes as U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class DigitizeError(Exception):
    """Base class: `str(err)` is the user-facing message; `exit_code` what the CLI returns."""

    exit_code = EXIT_PARTIAL

    def __init__(self, message: str) -> None:
        message = printable(message)
        super().__init__(message)
        self.message = message


class InputFileError(DigitizeError):
    """One input file cannot be used; that document fails and the batch goes on."""


class NoInputError(DigitizeError):
    """Nothing usable was found in the inputs."""

    exit_code = EXIT_NO_INPUT


class EnvironmentProblem(DigitizeError):
    """A tool, language pack or service the pipeline needs is missing or broken."""

    exit_code = EXIT_ENVIRONMENT


class CredentialError(DigitizeError):
    """The signing identity cannot be opened: missing file, wrong password or PIN, no secret."""

    exit_code = EXIT_ENVIRONMENT


class UsageProblem(DigitizeError):
    """The command line or the configuration file is wrong."""

    exit_code = EXIT_USAGE


class OutputError(EnvironmentProblem):
    """An output could not be written (disk full, file too large, permission denied): the run
    stops, since every later write would fail too."""
