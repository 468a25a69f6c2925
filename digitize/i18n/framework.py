"""Typer's own words (Usage, Options, Missing option…) in the interface language. Typer keeps
its panel titles in module constants, and its bundled copy of Click writes the rest as plain
English, so the constants are set and the few places that write words are wrapped, once,
before any help or error is printed."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from digitize.i18n import N_, _

# Phrases of Typer's Click that reach users, in their exact English.
_PHRASES = (N_("Missing option"), N_("Missing argument"), N_("Missing parameter"),
            N_("Invalid value for"), N_("Invalid value:"), N_("No such option:"),
            N_("Possible options:"), N_("Got unexpected extra argument"))
_HELP = (N_("Show this message and exit."), N_("Install completion for the current shell."),
         N_("Show completion for the current shell, to copy it or customize the installation."))
_TYPER_CONSTANTS = {
    "DEPRECATED_STRING": N_("(deprecated) "), "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"), "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"), "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"), "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}


def translate_phrases(text: str) -> str:
    for phrase in _PHRASES:
        text = text.replace(phrase, _(phrase))
    return text


def _wrap(cls: Any, name: str, after: Callable[[Any], Any]) -> None:
    original = getattr(cls, name)
    if getattr(original, "_digitize", False):
        return

    @functools.wraps(original)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return after(original(*args, **kwargs))

    wrapped._digitize = True  # type: ignore[attr-defined]
    setattr(cls, name, wrapped)


def localise_framework() -> None:
    import typer.rich_utils
    from typer._click import exceptions, formatting
    from typer._click.core import Command

    for name, text in _TYPER_CONSTANTS.items():
        setattr(typer.rich_utils, name, _(text))
    for cls in (exceptions.BadParameter, exceptions.MissingParameter, exceptions.NoSuchOption,
                exceptions.UsageError):
        _wrap(cls, "format_message", translate_phrases)

    original_usage = formatting.HelpFormatter.write_usage

    def write_usage(self: Any, prog: str, args: str = "", prefix: str | None = None) -> None:
        original_usage(self, prog, args, _("Usage:") + " " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = write_usage  # type: ignore[method-assign]

    def help_in_language(option: Any) -> Any:
        if option is not None and option.help:
            option.help = _(option.help)
        return option

    _wrap(Command, "get_help_option", help_in_language)


def localise_params(command: Any) -> None:
    """Options Typer adds (shell completion) get their help in the interface language."""
    for param in getattr(command, "params", []):
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(command, "commands", {}).values():
        localise_params(sub)
