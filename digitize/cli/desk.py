"""At the desk: `scan` (SANE), `separator` and `split` (stacks into documents), `doctor` (what
this desk lacks) and `init` (first-run config)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import Progress, TextColumn, TimeElapsedColumn

from digitize.cli import options as opt
from digitize.cli.batch import open_signer, run_pipeline
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import ID, TEXT, err, out, print_json, records, summary_table, warn
from digitize.config import load_config, out_folder
from digitize.errors import EXIT_NO_INPUT, EXIT_OK, DigitizeError, UsageProblem
from digitize.i18n import N_, _

if TYPE_CHECKING:
    from digitize.scan.split import Child

app = group()

SplitOpt = Annotated[str | None, typer.Option(
    "--split", help=_("none (one document), separator (at separator sheets: `digitize "
                    "separator`) or blank (at blank pages). Default: [scan] split, none."))]


def children_table(title: str, children: Sequence[Child]) -> None:
    records(title, ((N_("Document"), ID), (N_("Pages of the stack"), TEXT),
                    (N_("Type from the separator"), TEXT)),
            [[escape(c.path.name), ", ".join(map(str, c.pages)), escape(c.doc_type)]
             for c in children])


@command(app)
def scan(
    dossier: Annotated[str | None, typer.Option(
        "--dossier", help=_("Dossier code (mã hồ sơ): the folder the pages go to, under --inbox."))
    ] = None,
    inbox: Annotated[Path | None, typer.Option(
        "--inbox", help=_("Folder of dossier folders (default: [scan] inbox, ./scans)."))] = None,
    device: Annotated[str | None, typer.Option(
        "--device", help=_("SANE device, as `--list` shows it (default: [scan] device, else the "
                         "first found)."))] = None,
    source: Annotated[str | None, typer.Option(
        "--source", help=_("adf (document feeder) or flatbed (default: [scan] source, adf)."))
    ] = None,
    duplex: Annotated[bool | None, typer.Option(
        "--duplex/--simplex", help=_("Both sides of each sheet (feeder)."))] = None,
    dpi: Annotated[int | None, typer.Option(
        "--dpi", min=200, help=_("Resolution; TT 05/2025 asks for at least 200 (default 300)."))
    ] = None,
    mode: Annotated[str | None, typer.Option(
        "--mode", help=_("color (as the original, the TT 05/2025 default), gray or lineart."))
    ] = None,
    pages: Annotated[int, typer.Option(
        "--pages", min=1, help=_("Flatbed: how many pages to scan in this session."))] = 1,
    split: SplitOpt = None,
    run_after: Annotated[bool, typer.Option(
        "--run", help=_("Run the pipeline on the dossier afterwards."))] = False,
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Output folder for --run (default: [run] out)."))] = None,
    list_devices: Annotated[bool, typer.Option("--list", help=_("List the scanners and stop."))
                            ] = False,
    procedure: opt.ProcedureOpt = None,
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Scan a dossier straight from the scanner (SANE) into its folder, optionally split into
    documents and run through the pipeline.

    Example: `digitize scan --dossier 000.00.31.H49-261123-0007 --split separator --run --out out/`

    Pages are kept as lossless TIFF at the scanned resolution; nothing is written when the
    scanner gives no page. `digitize scan --list` shows the devices.
    """
    from digitize.scan.sane import list_devices as find_devices
    from digitize.scan.session import scan_dossier, scan_request

    with user_errors():
        cfg = load_config(config)
        devices = find_devices() if list_devices else []
    if list_devices:
        if as_json:
            print_json([vars(d) for d in devices])
        else:
            for d in devices:
                out.print(f"{escape(d.name)}\t{escape(d.vendor)} {escape(d.model)} "
                          f"({escape(d.kind)})", highlight=False)
            if not devices:
                err.print(_("No scanner found: check that it is on and connected, and that "
                            "`scanimage -L` sees it."))
        raise typer.Exit(EXIT_OK if devices else EXIT_NO_INPUT)
    sc = cfg.scan
    with user_errors():
        if not dossier:
            raise UsageProblem(_("Name the dossier: --dossier CODE (mã hồ sơ)."))
        target = out_folder(cfg, out_dir) if run_after else None
        named = None
        if procedure:
            from digitize.procedures.assign import checked_procedure
            from digitize.procedures.store import catalogue_path, load_catalogue

            named = checked_procedure(load_catalogue(catalogue_path(cfg)), procedure)
        req = scan_request(sc, device=device, source=source, duplex=duplex, dpi=dpi, mode=mode,
                           pages=pages)
        folder = (inbox or sc.inbox) / dossier
        progress = Progress(TextColumn("[bold]scan"), TextColumn("{task.completed} pages"),
                            TimeElapsedColumn(), console=err, disable=not err.is_terminal)
        with progress:
            task = progress.add_task("scan", total=None)
            result = scan_dossier(req, folder, split or sc.split,
                                  lambda n: progress.update(task, completed=n))
    if result.problem:
        warn(result.problem)
    if named is not None and result.pages:
        from digitize.procedures.assign import mark_procedure

        with user_errors():
            mark_procedure(result.folder, named.code)
    if as_json and not run_after:
        print_json({"folder": str(result.folder), "pages": result.pages,
                     "documents": [{"file": str(c.path), "pages": list(c.pages),
                                    "doc_type": c.doc_type or None} for c in result.documents],
                     "problem": result.problem})
    elif not as_json:
        children_table(escape(_("{pages} pages scanned into {folder}").format(
            pages=result.pages, folder=result.folder)), result.documents)
    if target is not None:
        with user_errors():
            from digitize.pipeline.options import run_options

            summary = run_pipeline([result.folder], run_options(cfg, target),
                                   open_signer(cfg, None, None), "run")
        if as_json:
            print_json(summary)
        else:
            summary_table(summary)
        exit_for(summary.any_failed or result.problem is not None)
    exit_for(result.problem is not None)


@command(app)
def separator(
    out_file: Annotated[Path, typer.Option("--out", "-o", help=_("PDF to write (one A4 page)."))],
    doc_type: Annotated[str | None, typer.Option(
        "--type", help=_("Type of the document that follows, e.g. QĐ, TB, CV; `run` then takes "
                       "it as the document's type."))] = None,
) -> None:
    """Print a separator sheet: put one before each document of a stack, scan the stack, and
    `scan`/`split` with --split separator cut it there. The sheets never reach the output.

    Example: `digitize separator --out separator-QĐ.pdf --type QĐ`
    """
    from digitize.scan.separator import write_separator

    with user_errors():
        write_separator(out_file, doc_type or "")
    out.print(_("separator sheet: {path}").format(path=out_file), highlight=False)


@command(app, "split")
def split_cmd(
    stack: Annotated[list[Path], typer.Argument(
        help=_("One scanned stack: a multi-page PDF or TIFF, or the page images of one session "
             "in order (a folder of them is taken in name order)."))],
    dossier_dir: Annotated[Path, typer.Option(
        "--out", "-o", help=_("Dossier folder to write the documents to (made if missing)."))],
    by: Annotated[str, typer.Option(
        "--by", help=_("separator (sheets from `digitize separator`) or blank (blank pages)."))
    ] = "separator",
    as_json: opt.JsonOpt = False,
) -> None:
    """Split a scanned stack into documents, one file each, without the separator pages.

    Example: `digitize split stack.pdf --out scans/000.00.31.H49-261123-0007`

    The stack is not changed. Each document records the pages it came from; `run` puts that
    in its provenance.
    """
    from digitize.scan.split import record_types, split_stack, stack_files

    with user_errors():
        files = stack_files(stack)
        children = split_stack(files, dossier_dir, by, Path(files[0]).stem)
        record_types(dossier_dir, children)
    if as_json:
        print_json([{"file": str(c.path), "pages": list(c.pages), "doc_type": c.doc_type or None}
                     for c in children])
    else:
        children_table(escape(_("{count} documents in {folder}").format(
            count=len(children), folder=dossier_dir)), children)


@command(app)
def doctor(
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Output folder whose free space to check (default: [run] out)."))
    ] = None,
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Check that this desk can run the pipeline: Tesseract and its language data, the
    Vietnamese word list, pdfsig, qpdf, the signing identity or token, trust store, TSA,
    config, index and disk space.

    Example: `digitize doctor`

    Each problem comes with the command that fixes it. Exit 0 when the pipeline can run,
    4 when something it needs is missing.
    """
    from digitize.errors import EXIT_ENVIRONMENT
    from digitize.setup.doctor import PROBLEM, Check, run_checks

    try:
        cfg = load_config(config)
        checks = run_checks(cfg, out_dir or cfg.run.out)
    except DigitizeError as exc:
        checks = [Check("config", _("config file"), PROBLEM, exc.message,
                        _("fix the file, or digitize init"))]
    if as_json:
        print_json([vars(c) for c in checks])
    else:
        style = {"ok": "green", "warning": "yellow", "problem": "red"}
        shown = {"ok": _("ok"), "warning": _("warning"), "problem": _("problem")}
        records("digitize doctor", ((N_("Check"), ID), (N_("Status"), ID), (N_("Found"), TEXT),
                                    (N_("Fix"), TEXT)),
                [[escape(c.name), f"[{style[c.status]}]{shown[c.status]}[/]", escape(c.detail),
                  escape(c.fix)] for c in checks])
    bad = [c for c in checks if c.status == PROBLEM]
    if not as_json:
        out.print(_("{count} problems: the pipeline cannot run until they are fixed.").format(
            count=len(bad)) if bad else _("Ready: the pipeline can run."))
    raise typer.Exit(EXIT_ENVIRONMENT if bad else EXIT_OK)


@command(app)
def init(
    from_file: Annotated[Path | None, typer.Option(
        "--from", help=_("Answers in a TOML file (keys as in the docs), for provisioning many "
                       "desks without questions."))] = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help=_("Config file to write (default: $DIGITIZE_CONFIG, then the user "
                         "config folder)."), envvar="DIGITIZE_CONFIG", show_envvar=False)] = None,
    force: Annotated[bool, typer.Option("--force", help=_("Replace an existing config file."))
                     ] = False,
) -> None:
    """First-run setup: asks for the agency, profile, signer, trust store, output folder, archive
    endpoint and scanner, and writes the config file.

    Example: `digitize init`, or `digitize init --from desk.toml --config /etc/digitize.toml`
    """
    from digitize.paths import default_config_path
    from digitize.setup.init import ask_answers, read_answers, write_config

    with user_errors():
        target = config or default_config_path()
        if from_file is not None:
            answers = read_answers(from_file)
        elif not sys.stdin.isatty():
            raise UsageProblem(_("init asks questions in a terminal; without one, give the "
                                 "answers with --from FILE."))
        else:
            answers = ask_answers(lambda q, d: typer.prompt(q, default=d, err=True))
        cfg = write_config(answers, target, force)
    out.print(_("Config written: {path}").format(path=cfg.source), highlight=False)
    out.print(_("Next: digitize doctor"), highlight=False)
