"""Typed errors. Each carries one plain sentence for the user and the exit code of DESIGN.md."""

from __future__ import annotations

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NO_INPUT = 3
EXIT_ENVIRONMENT = 4
EXIT_INTERRUPTED = 130


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
