"""The `digitize` app: global options (--version, --ui-lang), the commands of every group in the
order `--help` lists them, and `main`, the console script."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from digitize import __version__
from digitize.cli import bundle, desk, index, ocr, run, schema, serve, sign, trust, verify
from digitize.cli.output import out
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


def _name(info: typer.models.CommandInfo) -> str:
    return info.name or info.callback.__name__.replace("_", "-")  # type: ignore[union-attr]


def _add_commands(*groups: typer.Typer) -> None:
    found = [info for g in groups for info in g.registered_commands]
    names = [_name(info) for info in found]
    assert sorted(names) == sorted(COMMANDS), names  # a new command needs its place here
    app.registered_commands += sorted(found, key=lambda info: COMMANDS.index(_name(info)))


_add_commands(run.app, ocr.app, sign.app, verify.app, bundle.app, desk.app, index.app,
              serve.app)
app.add_typer(schema.app, name="schema")
app.add_typer(index.index_app, name="index")
app.add_typer(trust.app, name="trust")


def _version(value: bool) -> None:
    """digitize's version and those of the parts whose behaviour it depends on."""
    if not value:
        return
    from importlib.metadata import version as package_version

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


def main() -> None:
    # A handler of our own, not Python's default: asyncio.run (which pyHanko uses for every
    # signature and validation) replaces the default one with a handler that cancels its task,
    # and a library that swallows the cancellation would swallow the clerk's Ctrl-C with it.
    signal.signal(signal.SIGINT, _interrupt)
    localise_framework()
    cli = typer.main.get_command(app)
    localise_params(cli)
    cli(prog_name="digitize")
