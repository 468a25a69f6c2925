"""The procedure's results (kết quả giải quyết): `result add FILE --dossier CODE` digitizes a
result into a dossier `run` packaged."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli import output
from digitize.cli.batch import open_signer
from digitize.cli.errors import user_errors
from digitize.cli.group import command
from digitize.cli.output import RichProgress, out, print_json
from digitize.config import load_config, out_folder
from digitize.i18n import _

app = typer.Typer(help=_("The procedure's results (decisions, permits, certificates) "
                         "digitized into their dossiers."), no_args_is_help=True)


@command(app, "add")
def result_add(
    file: Annotated[Path, typer.Argument(
        help=_("The result's scan or PDF (an agency's signed PDF is kept byte for byte)."))],
    dossier: Annotated[str, typer.Option(
        "--dossier", "-d", help=_("The dossier it is the result of: its dossier code or its "
                                  "folder's name in OUT."))],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("The output folder `run` made the dossier in (default: [run] "
                              "out)."))] = None,
    code: Annotated[str, typer.Option(
        "--code", help=_("The result's code (mã kết quả, e.g. KQ.DD.000001); default: the "
                         "procedure's result its title fits."))] = "",
    config: opt.ConfigOpt = None,
    lang: opt.LangOpt = None,
    p12: opt.P12Opt = None,
    secret_file: opt.SecretOpt = None,
    operator: Annotated[str | None, typer.Option(
        "--operator", help=_("The clerk recorded with the result (default: [desk] operator, "
                             "else the login)."))] = None,
    index: opt.IndexOpt = None,
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Digitize the procedure's result into its dossier: OCR (or its own text), metadata, the
    desk's signature (--p12, else [signer]; an agency's signed PDF is kept as it is), its
    result code, and the dossier's package made again with it in a file group of its own.

    Example: `digitize result add gcn_ketqua.pdf --dossier 000.00.31.H49-261201-0001 --out
    /srv/digitized`

    A dossier that is not in OUT, or has no package yet, is refused (exit 3) and nothing is
    written. Adding the same file again replaces its earlier record (e.g. with --code).
    """
    output.Privacy.show = show_personal
    with user_errors():
        cfg = load_config(config)
        from digitize.pipeline.options import run_options
        from digitize.pipeline.results import add_result, result_target

        result_target(file, out_folder(cfg, out_dir), dossier)  # before a PIN is asked for
        identity = open_signer(cfg, p12, secret_file)  # else [signer], as `watch` signs
        opts = run_options(cfg, out_folder(cfg, out_dir), lang=lang, index=index,
                           operator=operator)
        with RichProgress(_("result")) as progress:
            done = add_result(file, dossier, opts, identity, code, progress)
    if as_json:
        print_json({"dossier": done.dossier.id, "bundle": done.dossier.bundle,
                    "result": done.result})
        return
    res = done.result
    out.print(escape(_("{name}: result {code} ({status}) in {bundle}").format(
        name=file.name, code=res.code or "?", status=_(res.status.value),
        bundle=done.dossier.bundle)), highlight=False)
    for note in res.review:
        out.print(escape(output.private(note)), highlight=False)
