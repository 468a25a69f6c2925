"""The desk's procedure catalogue: `procedures import` (the province's CSV or XLSX list),
`procedures list` and `procedures show CODE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.errors import user_errors
from digitize.cli.group import command
from digitize.cli.output import ID, TEXT, out, print_json, records, yes
from digitize.config import Config, load_config
from digitize.errors import NoInputError, UsageProblem
from digitize.i18n import N_, _
from digitize.procedures.model import Catalogue

app = typer.Typer(help=_("The desk's administrative procedures (TTHC) and the components of "
                         "their dossiers, imported from the province's list."),
                  no_args_is_help=True)


def _stored(cfg: Config) -> Catalogue:
    from digitize.procedures.store import catalogue_path, load_catalogue

    path = catalogue_path(cfg)
    found = load_catalogue(path)
    if found is None:
        raise NoInputError(_("No procedure catalogue at {path}; import the province's list "
                             "with `digitize procedures import FILE`.").format(path=path))
    return found


@command(app, "import")
def procedures_import(
    file: Annotated[Path, typer.Argument(
        help=_("The province's procedure list, CSV (UTF-8) or XLSX: one row per component."))],
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Import the province's procedure list as the desk's catalogue, replacing the one before.

    Example: `digitize procedures import danh_muc_tthc.xlsx`

    One row per component, the procedure's columns repeated: Mã thủ tục, Tên thủ tục, Lĩnh vực,
    Mức độ, Mã thành phần, Tên thành phần hồ sơ, Số bản chính, Số bản sao, Bắt buộc, Tên kết
    quả, Mã kết quả ([procedures] columns names other headers). A bad row refuses the whole
    file with its row number (exit 3); the catalogue is replaced whole or not at all.
    """
    from digitize.procedures.reader import read_catalogue
    from digitize.procedures.store import catalogue_path, save_catalogue

    with user_errors():
        cfg = load_config(config)
        catalogue = read_catalogue(file, cfg.procedures.columns)
        target = catalogue_path(cfg)
        save_catalogue(catalogue, target)
    if as_json:
        print_json({"catalogue": str(target), "procedures": len(catalogue.procedures),
                    "components": sum(len(p.components) for p in catalogue.procedures)})
        return
    out.print(escape(_("{procedures} procedures with {components} components imported into "
                       "{path}.").format(procedures=len(catalogue.procedures),
                                         components=sum(len(p.components)
                                                        for p in catalogue.procedures),
                                         path=target)), highlight=False)


@command(app, "list")
def procedures_list(
    config: opt.ConfigOpt = None,
    wide: opt.WideOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """List the procedures of the desk's catalogue.

    Example: `digitize procedures list --json`
    """
    with user_errors():
        catalogue = _stored(load_config(config))
    if as_json:
        print_json(catalogue)
        return
    records(_("{count} procedures").format(count=len(catalogue.procedures)),
            ((N_("Code"), ID), (N_("Procedure"), TEXT), (N_("Field"), TEXT),
             (N_("Components"), ID), (N_("Required"), ID)),
            [[p.code, escape(p.name), escape(p.field), str(len(p.components)),
              str(len(p.required))] for p in catalogue.procedures], wide)


@command(app, "show")
def procedures_show(
    code: Annotated[str, typer.Argument(help=_("The procedure's code, e.g. 1.001234."))],
    config: opt.ConfigOpt = None,
    wide: opt.WideOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Show one procedure: its components (code, name, originals, copies, required) and
    results.

    Example: `digitize procedures show 1.001234`
    """
    with user_errors():
        procedure = _stored(load_config(config)).resolve(code)
        if procedure is None:
            raise UsageProblem(_("The procedure {code} is not in the procedure catalogue; see "
                                 "`digitize procedures list`.").format(code=code))
    if as_json:
        print_json(procedure)
        return
    title = f"{procedure.code} {procedure.name}"
    records(title, ((N_("Component"), ID), (N_("Name"), TEXT), (N_("Originals"), ID),
                    (N_("Copies"), ID), (N_("Required"), ID)),
            [[c.code, escape(c.name), str(c.originals), str(c.copies), yes(c.required)]
             for c in procedure.components], wide)
    for result in procedure.results:
        out.print(escape(_("Result: {name} ({code})").format(name=result.name,
                                                             code=result.code or "-")),
                  highlight=False)
