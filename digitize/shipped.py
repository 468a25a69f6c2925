"""Data files that ship inside the package: trained models and fits (JSON), read once.

A missing file is None (the stage then works without it, as each caller documents); a file
that is there but cannot be read, parsed or built into its model is a broken install, said in
one sentence that names it, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from digitize.errors import EnvironmentProblem
from digitize.i18n import _

T = TypeVar("T")


def load(package: str, name: str, build: Callable[[dict[str, Any]], T],
         path: Path | None = None) -> T | None:
    """`build` applied to the JSON object in `name` beside `package`'s modules (or at `path`,
    where a user named another file); None where there is no such file."""
    source: Traversable | Path = path if path is not None else \
        resources.files(package).joinpath(name)
    if not source.is_file():
        return None
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        return build(data)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
            AssertionError) as exc:
        raise EnvironmentProblem(_("The data file {PATH} is damaged ({ERROR}); reinstall "
                                   "digitize (make deps).").format(PATH=source,
                                                                   ERROR=exc)) from exc
