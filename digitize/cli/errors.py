"""Typed errors become one plain sentence on stderr and the exit code of DESIGN.md; Ctrl-C
exits 130; anything else is a bug, reported as one with how to get its traceback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.markup import escape

from digitize.cli.output import err, private
from digitize.errors import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, DigitizeError
from digitize.i18n import _


@contextmanager
def user_errors() -> Iterator[None]:
    """Typed errors become one red sentence and their exit code; Ctrl-C exits 130."""
    try:
        yield
    except DigitizeError as exc:
        err.print(f"[bold red]digitize:[/] {escape(private(exc.message))}", highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("[yellow]" + escape(_("Interrupted. Run the same command again to start "
                                         "over; finished dossiers are complete in the output "
                                         "folder.")) + "[/]")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if os.environ.get("DIGITIZE_DEBUG"):
            raise
        err.print("[bold red]digitize:[/] " + escape(_(
            "unexpected error ({error}). This is a bug: please report it with the output of the "
            "same command run with DIGITIZE_DEBUG=1.").format(
                error=f"{type(exc).__name__}: {exc}")), highlight=False)
        raise typer.Exit(EXIT_PARTIAL) from None


def exit_for(failed: bool) -> None:
    raise typer.Exit(EXIT_PARTIAL if failed else EXIT_OK)
