"""Typer's own words (Usage, Options, Missing option…) in the interface language. Typer keeps
its panel titles in module constants, and its bundled copy of Click writes the rest as plain
English, so the constants are set and the few places that write words are wrapped, once,
before any help or error is printed. The constants live in `typer.rich_utils`, which Typer
imports only to print help or an error (with Rich's Markdown: ~0.1 s), so they are set when it
is imported rather than importing it for every command."""

from __future__ import annotations

import functools
import importlib.abc
import importlib.util
import sys
from collections.abc import Callable, Sequence
from types import ModuleType
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


def _set_constants(module: ModuleType) -> None:
    for name, text in _TYPER_CONSTANTS.items():
        setattr(module, name, _(text))


class _WhenImported(importlib.abc.MetaPathFinder):
    """Sets Typer's constants as soon as Typer imports `typer.rich_utils`."""

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: Any = None) -> Any:
        if fullname != "typer.rich_utils":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            loader: Any = spec.loader
            run = loader.exec_module

            def exec_module(module: ModuleType) -> None:
                run(module)
                _set_constants(module)

            loader.exec_module = exec_module  # this module's loader only
        return spec


def localise_framework() -> None:
    from typer._click import exceptions, formatting
    from typer._click.core import Command

    if "typer.rich_utils" in sys.modules:
        _set_constants(sys.modules["typer.rich_utils"])
    elif not any(isinstance(f, _WhenImported) for f in sys.meta_path):
        sys.meta_path.insert(0, _WhenImported())
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
