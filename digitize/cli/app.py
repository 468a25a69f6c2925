"""The `digitize` app: global options (--version, --ui-lang), the commands of every group in the
order `--help` lists them, and `main`, the console script.

`main` imports only the module of the command it runs (`digitize sign` never imports the OCR,
packaging or web stacks, and Typer builds one command instead of 24): a clerk signing one
dossier feels every tenth of a second of start-up. Help, completion and unknown names load all.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import signal
import sys
from typing import Annotated

import typer

from digitize import __version__
from digitize.errors import DigitizeError
from digitize.i18n import _, set_language
from digitize.i18n.framework import localise_framework, localise_params

app = typer.Typer(
    name="digitize",
    help=_("Turn scanned dossiers from the one-stop desk (Bộ phận Một cửa) into searchable PDFs, "
         "TT 05/2025 metadata, PAdES signatures and submission packages.\n\n"
         "Exit codes: 0 all done; 1 finished but some items failed or did not verify; 2 usage "
         "error; 3 no usable input; 4 environment or credential problem; 130 interrupted."),
    no_args_is_help=True, add_completion=True, rich_markup_mode="markdown",
    pretty_exceptions_enable=False)


# The order `digitize --help` lists the commands in: a clerk's day, then setup and the index.
COMMANDS = ("run", "watch", "ocr", "extract", "review", "sign", "verify", "renew", "bundle",
            "upload", "report", "serve", "scan", "separator", "split", "doctor", "init", "find",
            "reuse", "forget")


# The module of digitize.cli that declares each command, and each group's (module, attribute).
MODULES = {"run": "run", "watch": "run", "report": "run", "ocr": "ocr", "extract": "ocr",
           "review": "ocr", "sign": "sign", "renew": "sign", "verify": "verify",
           "bundle": "bundle", "upload": "bundle", "serve": "serve", "scan": "desk",
           "separator": "desk", "split": "desk", "doctor": "desk", "init": "desk",
           "find": "index", "reuse": "index", "forget": "index"}
GROUPS = {"schema": ("schema", "app"), "index": ("index", "index_app"),
          "trust": ("trust", "app"), "procedures": ("procedures", "app"),
          "result": ("result", "app")}
# Global options that take a value, so that `--ui-lang vi sign` finds `sign`.
_VALUED = ("--ui-lang",)


def _name(info: typer.models.CommandInfo) -> str:
    return info.name or info.callback.__name__.replace("_", "-")  # type: ignore[union-attr]


def _module(name: str, attr: str = "app") -> typer.Typer:
    """The Typer group `attr` of digitize.cli.`name`, imported now."""
    group: typer.Typer = getattr(importlib.import_module(f"digitize.cli.{name}"), attr)
    return group


def wanted(argv: list[str]) -> str | None:
    """The command or group that argv runs, or None when every command must be known: help,
    no command, shell completion, or a name digitize does not have."""
    if any(k.endswith("_COMPLETE") for k in os.environ if k.startswith("_")):
        return None
    args = iter(argv)
    for arg in args:
        if arg in _VALUED:
            next(args, None)
        elif not arg.startswith("-"):
            return arg if arg in MODULES or arg in GROUPS else None
        elif arg in ("--help", "-h"):
            return None
    return None


def add_commands(only: str | None = None) -> None:
    """Register the command `only` (with its module's others), or all in COMMANDS' order."""
    if only in GROUPS:
        app.add_typer(_module(*GROUPS[only]), name=only)
        return
    modules = [MODULES[only]] if only else list(dict.fromkeys(MODULES.values()))
    found = [info for m in modules for info in _module(m).registered_commands]
    names = [_name(info) for info in found]
    if only is None:  # a new command needs its place in COMMANDS and MODULES
        assert sorted(names) == sorted(COMMANDS) == sorted(MODULES), names
    app.registered_commands += sorted(found, key=lambda info: COMMANDS.index(_name(info)))
    if only is None:
        for name in GROUPS:
            add_commands(name)


def _version(value: bool) -> None:
    """digitize's version and those of the parts whose behaviour it depends on."""
    if not value:
        return
    from importlib.metadata import version as package_version

    from digitize.cli.output import out
    from digitize.ocr import tesseract

    out.print(f"digitize {__version__}", highlight=False)
    out.print(f"pyHanko {package_version('pyhanko')}", highlight=False)
    try:
        out.print(tesseract.version().replace("tesseract", "Tesseract", 1), highlight=False)
        folder = tesseract.tessdata_dir()
        for code in sorted(tesseract.installed_languages()):
            data = folder / f"{code}.traineddata" if folder else None
            shown = tesseract.data_version(data) if data else ""
            out.print("  " + _("language data {code}: {version}").format(
                code=code, version=shown or _("version not recorded")),
                      highlight=False)
    except DigitizeError as exc:
        out.print(exc.message, highlight=False)
    raise typer.Exit()


def _ui_lang(value: str | None) -> None:
    if value is not None:  # chosen at start already (help is built then); this checks it
        try:
            set_language(value)
        except DigitizeError as exc:
            raise typer.BadParameter(exc.message) from None


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True,
        help=_("Show the versions of digitize, pyHanko, Tesseract and its language data."))
    ] = False,
    ui_lang: Annotated[str | None, typer.Option(
        "--ui-lang", callback=_ui_lang, is_eager=True,
        help=_("Interface language: vi or en (default: [ui] lang, else the locale)."))] = None,
) -> None:
    """digitize: paper dossiers to signed, archivable TT 05/2025 packages."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def quiet_libraries() -> None:
    """Libraries' own log records (pyHanko logs a damaged certificate it skips with its
    traceback) stay out of what a clerk sees: with no handler of the root's, Python would print
    them, tracebacks and all, on stderr. What went wrong reaches the clerk as our sentence;
    DIGITIZE_DEBUG=1 shows the libraries' records too."""
    root = logging.getLogger()
    if os.environ.get("DIGITIZE_DEBUG"):
        logging.basicConfig(level=logging.WARNING)
    elif not root.handlers:
        root.addHandler(logging.NullHandler())


def main() -> None:
    # A handler of our own, not Python's default: asyncio.run (which pyHanko uses for every
    # signature and validation) replaces the default one with a handler that cancels its task,
    # and a library that swallows the cancellation would swallow the clerk's Ctrl-C with it.
    signal.signal(signal.SIGINT, _interrupt)
    quiet_libraries()
    localise_framework()
    add_commands(wanted(sys.argv[1:]))
    cli = typer.main.get_command(app)
    localise_params(cli)
    try:
        cli(prog_name="digitize")
    except SystemExit as exc:
        if isinstance(exc.code, int | None):
            leave(exc.code or 0)
        raise


def leave(code: int) -> None:
    """Exit without the interpreter's teardown: freeing every module and object of the signing
    stack took 0.3-0.4 s after the work was done (a third of signing one document). The exit
    functions run first (logging flushes, temporary folders go, worker pools stop); a thread
    still running makes it exit the ordinary way."""
    import atexit
    import threading

    if threading.active_count() > 1:
        raise SystemExit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing can reach it
            stream.flush()
    os._exit(code)
