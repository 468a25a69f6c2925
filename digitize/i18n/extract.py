"""The messages digitize shows, found in its source: every `_("…")` and `N_("…")`, and the
docstrings of CLI commands (their help). `scripts/update-catalogues.py` merges them into the
catalogues; a test checks that both catalogues hold exactly these."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
MARKERS = ("_", "N_")
COMMAND_DECORATOR = "command"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    return node.id if isinstance(node, ast.Name) else ""


def messages_in(path: Path) -> Iterator[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in MARKERS and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value, node.lineno
        elif isinstance(node, ast.FunctionDef) and any(
                _name(d) == COMMAND_DECORATOR for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield inspect.cleandoc(doc), node.lineno


# `_("…")` and `_('…')` in the web interface's Jinja2 templates (without escapes).
_TEMPLATE_MESSAGE = re.compile(r"""\b_\(\s*(?:"([^"\\]*)"|'([^'\\]*)')""")


def messages_in_template(path: Path) -> Iterator[tuple[str, int]]:
    text = path.read_text(encoding="utf-8")
    for m in _TEMPLATE_MESSAGE.finditer(text):
        yield m.group(1) or m.group(2), text.count("\n", 0, m.start()) + 1


def extract(package: Path = PACKAGE) -> dict[str, list[str]]:
    """msgid -> where it appears ("digitize/cli/run.py:12"), in source order."""
    found: dict[str, list[str]] = {}
    sources = [(p, messages_in) for p in sorted(package.rglob("*.py"))]
    sources += [(p, messages_in_template) for p in sorted(package.rglob("templates/*.html"))]
    for path, reader in sources:
        rel = path.relative_to(package.parent)
        for msgid, line in reader(path):
            found.setdefault(msgid, []).append(f"{rel}:{line}")
    return found
