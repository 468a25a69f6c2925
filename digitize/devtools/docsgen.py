"""The documentation's reference pages, generated from the code as the site builds, so that they
cannot drift from it: one page per command from the Typer app (usage, help, every argument and
option with its default, and the example `scripts/capture-examples.py` recorded), the config
keys from the config model of `digitize/config.py`, and the exit codes from `digitize/errors.py`.

It is an MkDocs hook (`hooks:` in mkdocs.yml): `on_config` puts the command pages into the
navigation where mkdocs.yml has `Commands: reference/cli/index.md`, `on_files` adds the pages.
Nothing it writes is committed; the examples under docs/examples/ are.
"""

from __future__ import annotations

import enum
import os
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
CLI_DIR = "reference/cli"
NAV_PLACEHOLDER = "Commands"


@dataclass(frozen=True)
class CommandDoc:
    """One command of the app: its words after `digitize` and its click command object."""

    path: tuple[str, ...]
    command: Any

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def slug(self) -> str:
        """The name of its page and its example: `index rebuild` → index-rebuild."""
        return "-".join(self.path)


def app_commands() -> list[CommandDoc]:
    """Every command and subcommand of `digitize`, in `--help`'s order, with English help."""
    os.environ["DIGITIZE_UI_LANG"] = "en"
    from digitize.i18n import set_language

    set_language("en")
    import typer.main

    from digitize.cli.app import add_commands, app

    if not app.registered_commands:
        add_commands()
    root = typer.main.get_command(app)
    return list(_walk(root, ()))


def _walk(command: Any, path: tuple[str, ...]) -> Iterator[CommandDoc]:
    subs = getattr(command, "commands", None)
    if subs is None:
        yield CommandDoc(path, command)
        return
    for name, sub in subs.items():
        yield from _walk(sub, (*path, name))


def _cell(text: object) -> str:
    """Text fit for one cell of a Markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _default(param: Any) -> str:
    default = param.default
    if default is None or callable(default) or (getattr(param, "is_flag", False) and not default):
        return ""
    if isinstance(default, list | tuple):
        return ", ".join(str(d) for d in default) if default else ""
    if isinstance(default, enum.Enum):
        default = default.value
    return f"`{default}`" if str(default) != "" else ""


def _param_type(param: Any) -> str:
    annotation = param.type_descriptor.annotation
    if typing.get_origin(annotation) in (list, tuple):
        inner = _type_name(typing.get_args(annotation)[0])
        return inner + (", repeatable" if param.param_type_name == "option" else ", one or more")
    return _type_name(annotation)


def _names(param: Any) -> str:
    if param.param_type_name == "argument":
        return f"`{param.metavar or param.name.upper()}`"
    names = ", ".join(param.opts)
    if param.secondary_opts:
        names += " / " + ", ".join(param.secondary_opts)
    return f"`{names}`"


def _usage(doc: CommandDoc) -> str:
    pieces = [f"digitize {doc.name}", "[OPTIONS]"]
    for param in doc.command.params:
        if param.param_type_name == "argument":
            name = (param.metavar or param.name.upper()) + ("..." if param.nargs == -1 else "")
            pieces.append(name if param.required else f"[{name}]")
    return " ".join(pieces)


def example_path(doc: CommandDoc) -> Path:
    return EXAMPLES / f"{doc.slug}.txt"


def command_page(doc: CommandDoc) -> str:
    """The Markdown page of one command: usage, help, parameters, its recorded example."""
    cmd = doc.command
    lines = [f"# digitize {doc.name}", "", "```", _usage(doc), "```", ""]
    if cmd.help:
        lines += [cmd.help.strip(), ""]
    params = [p for p in cmd.params if not getattr(p, "hidden", False)]
    if params:
        lines += ["| argument or option | type | default | meaning |", "|---|---|---|---|"]
        for p in params:
            kind = "flag" if getattr(p, "is_flag", False) else _param_type(p)
            required = " (required)" if p.required else ""
            lines.append(f"| {_names(p)}{required} | {_cell(kind)} | {_cell(_default(p))} "
                         f"| {_cell(getattr(p, 'help', None) or '')} |")
        lines.append("")
    example = example_path(doc)
    lines += ["## Example", ""]
    if example.is_file():
        lines += ["Recorded by `scripts/capture-examples.py` (`make examples`) on `samples/`:", "",
                  "```", example.read_text(encoding="utf-8").rstrip("\n"), "```", ""]
    else:
        lines += ["No example recorded yet: run `make examples`.", ""]
    return "\n".join(lines)


def cli_index_page(docs: list[CommandDoc]) -> str:
    from typer.main import get_command

    from digitize.cli.app import app

    lines = ["# Commands", "", get_command(app).help.strip(), "",
             "Every command has `--help`; every command that reports has `--json` (exactly one "
             "JSON document on stdout; progress and logs on stderr). These pages are generated "
             "from the command line itself as the site builds.", "",
             "| command | what it does |", "|---|---|"]
    for doc in docs:
        first = (doc.command.help or "").strip().split("\n\n")[0]
        lines.append(f"| [`digitize {doc.name}`]({doc.slug}.md) | {_cell(first)} |")
    return "\n".join(lines) + "\n"


def exit_codes_page() -> str:
    from digitize import errors

    lines = ["# Exit codes", "", "Generated from `digitize/errors.py`, where the command line "
             "takes them from.", "", "| code | name | meaning |", "|---|---|---|"]
    names = {v: k for k, v in vars(errors).items() if k.startswith("EXIT_") and isinstance(v, int)}
    for code, meaning in errors.EXIT_MEANINGS.items():
        lines.append(f"| {code} | `{names[code]}` | {_cell(meaning)} |")
    lines += ["", "Errors are one sentence naming the file and the fix; there are no tracebacks "
              "for user errors (`DIGITIZE_DEBUG=1` shows one for an unexpected internal error).",
              "", "Each typed error carries its code:", "", "| error | exit code | when |",
              "|---|---|---|"]
    for cls in sorted(_subclasses(errors.DigitizeError), key=lambda c: c.__name__):
        if cls.__module__ == errors.__name__:
            doc = (cls.__doc__ or "").strip().split("\n\n")[0]
            lines.append(f"| `{cls.__name__}` | {cls.exit_code} | {_cell(doc)} |")
    return "\n".join(lines) + "\n"


def _subclasses(cls: type) -> list[type]:
    found = [cls]
    for sub in cls.__subclasses__():
        found += _subclasses(sub)
    return found


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " or ".join(f'"{a}"' for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return " or ".join(_type_name(a) for a in args)
    if origin is not None:
        args = ", ".join(_type_name(a) for a in typing.get_args(annotation))
        return f"{origin.__name__}[{args}]"
    names = {"Path": "path", "str": "string", "int": "integer", "float": "number",
             "bool": "boolean"}
    name = getattr(annotation, "__name__", str(annotation))
    return names.get(name, name)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Path):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return str(value)


def config_sections() -> list[tuple[str, type]]:
    """The config file's tables: (name, the model of its keys), in the model's order."""
    from pydantic import BaseModel

    from digitize.config import Config

    return [(name, field.annotation) for name, field in Config.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)]


def missing_descriptions() -> list[str]:
    """The config keys whose model field has no description (the page would show none)."""
    return [f"[{name}] {key}" for name, model in config_sections()
            for key, field in model.model_fields.items() if not field.description]


def config_page() -> str:
    """Every config key: its table, type, default and meaning, from the config model."""
    from pydantic_core import PydanticUndefined

    lines = ["# Configuration reference", "",
             "Generated from the config model (`digitize/config.py`) as the site builds: every "
             "key of the TOML file, its type, its default and what it does. Every key is "
             "optional. How the file is found, and where secrets come from: "
             "[Configuration](../admin/configuration.md).", ""]
    for name, model in config_sections():
        lines += [f"## `[{name}]`", ""]
        if model.__doc__:
            lines += [" ".join(model.__doc__.split()), ""]
        lines += ["| key | type | default | meaning |", "|---|---|---|---|"]
        for key, field in model.model_fields.items():
            if field.default_factory is not None:
                default = field.default_factory()  # type: ignore[call-arg]
            else:
                default = None if field.default is PydanticUndefined else field.default
            shown = "" if default is None else f"`{_cell(_toml(default))}`"
            lines.append(f"| `{key}` | {_cell(_type_name(field.annotation))} | {shown} "
                         f"| {_cell(field.description or '')} |")
        lines.append("")
    return "\n".join(lines)


def _schema_type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_schema_type(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_schema_type(prop.get('items', {}))}"
    if "enum" in prop:
        return " or ".join(f"`{v}`" for v in prop["enum"])
    return str(prop.get("type", "any"))


def schemas_page() -> str:
    """Every schema `digitize schema export` publishes: each JSON Schema's fields, the XSDs."""
    import json

    from digitize.schemas.export import schema_files

    lines = ["# Published schemas", "",
             "Generated from the models `digitize schema export --out DIR` writes the schemas "
             "of: the JSON Schema of every `--json` output and of the TT 05/2025 field sets, "
             "and the XML schemas packages use. Their top-level fields:", ""]
    files = schema_files()
    for name, data in files.items():
        if not name.endswith(".json"):
            continue
        schema = json.loads(data)
        lines += [f"## `{name}`", ""]
        if schema.get("description"):
            lines += [" ".join(schema["description"].split()), ""]
        lines += ["| field | title | type | description |", "|---|---|---|---|"]
        for key, prop in schema.get("properties", {}).items():
            lines.append(f"| `{key}` | {_cell(prop.get('title', ''))} | "
                         f"{_cell(_schema_type(prop))} | {_cell(prop.get('description', ''))} |")
        lines.append("")
    xsds = sorted(n for n in files if not n.endswith(".json"))
    lines += ["## XML schemas", "", "Shipped with every package (`schemas/`) and published: "
              + ", ".join(f"`{n}`" for n in xsds) + ".", ""]
    return "\n".join(lines)


def generated_pages() -> dict[str, str]:
    """Every generated page: its path under docs/ and its Markdown."""
    docs = app_commands()
    pages = {f"{CLI_DIR}/index.md": cli_index_page(docs), "reference/config.md": config_page(),
             "reference/exit-codes.md": exit_codes_page(), "reference/schemas.md": schemas_page()}
    for doc in docs:
        pages[f"{CLI_DIR}/{doc.slug}.md"] = command_page(doc)
    return pages


# MkDocs hooks -----------------------------------------------------------------------------------

def on_config(config: Any) -> Any:
    """The command pages go into the navigation where mkdocs.yml names `Commands`."""
    entries = [{"Overview": f"{CLI_DIR}/index.md"}]
    entries += [{f"digitize {doc.name}": f"{CLI_DIR}/{doc.slug}.md"} for doc in app_commands()]
    _replace_placeholder(config["nav"] or [], entries)
    return config


def _replace_placeholder(nav: list[Any], entries: list[dict[str, str]]) -> bool:
    for item in nav:
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if key == NAV_PLACEHOLDER and value == f"{CLI_DIR}/index.md":
                item[key] = entries
                return True
            if isinstance(value, list) and _replace_placeholder(value, entries):
                return True
    return False


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, content in generated_pages().items():
        files.append(File.generated(config, path, content=content))
    return files
