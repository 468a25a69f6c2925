"""Schemas: `schema export` (JSON Schemas and XSDs) and `schema legacy` (the TT 02/2019 field
set)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli.errors import user_errors
from digitize.cli.group import command
from digitize.cli.output import out
from digitize.i18n import _

app = typer.Typer(help=_("Publish the schemas of digitize's outputs."), no_args_is_help=True)


@command(app, "export")
def schema_export(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Folder for the schema files."))],
) -> None:
    """Write the JSON Schemas of every --json output and TT 05/2025 field set, and the XML
    schemas packages use.

    Example: `digitize schema export --out schemas/`
    """
    from digitize.schemas.export import export_schemas

    with user_errors():
        count = export_schemas(out_dir)
    out.print(escape(_("Wrote {count} schema files to {path}").format(count=count, path=out_dir)))


@command(app, "legacy")
def schema_legacy(
    package: Annotated[Path, typer.Argument(
        help=_("A package folder (uuid-…), a zip or bag of one, or a dossier's output folder."))],
    out_file: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("JSON file to write (default: print it)."))] = None,
) -> None:
    """Export a package's metadata in the field set of Thông tư 02/2019/TT-BNV (replaced by TT
    05/2025 on 01/7/2025) for archive systems that still import it.

    Example: `digitize schema legacy out/000.00.31.H49-261120-0001 --out legacy.json`
    """
    from digitize.bundle.transfer import package_metadata
    from digitize.fsutil import write_text_atomic
    from digitize.schemas.legacy import legacy_export

    with user_errors():
        name, dossier, documents = package_metadata(package)
        text = legacy_export(dossier, documents).model_dump_json(indent=2)
        if out_file is None:
            sys.stdout.write(text + "\n")
        else:
            write_text_atomic(out_file, text)
            out.print(escape(_("Wrote the TT 02/2019 field set of {name} to {path}").format(
                name=name, path=out_file)), highlight=False)
