"""How a command is declared: in a group of its module (merged into the top level by `app`), with
its docstring as help in the interface language. `digitize.i18n.extract` finds those
docstrings by this decorator's name."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer

from digitize.i18n import _


def group() -> typer.Typer:
    """The commands of one module; `app` lists them at the top level."""
    return typer.Typer()


def command(group: typer.Typer, name: str | None = None) -> Callable[[Callable[..., Any]],
                                                                      Callable[..., Any]]:
    """A command whose help is its docstring in the interface language."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        return group.command(name, help=_(inspect.cleandoc(fn.__doc__ or "")))(fn)
    return wrap


