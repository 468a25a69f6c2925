"""Running the pipeline: `run` (a batch), `watch` (a drop folder), `report` (the province's
figures of what ran)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from digitize.cli import options as opt
from digitize.cli import output
from digitize.cli.batch import open_signer, run_pipeline
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import err, out, print_json, private
from digitize.config import load_config, out_folder
from digitize.errors import NoInputError
from digitize.i18n import N_, _
from digitize.model import RunSummary

app = group()


@command(app)
def run(
    inputs: Annotated[list[Path], typer.Argument(
        help=_("Dossier folders, folders of dossier folders, or single scans."))],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Output folder (default: [run] out)."))] = None,
    config: opt.ConfigOpt = None,
    lang: opt.LangOpt = None,
    jobs: opt.JobsOpt = None,
    executor: opt.ExecutorOpt = "local",
    profile: Annotated[str | None, typer.Option(
        "--profile", help=_("archive (TT 05/2025: colour as scanned, lossless or original JPEG) or "
                          "compact (desk copies: greyscale or bilevel where the page allows). "
                          "Default: [run] profile, archive."))] = None,
    drop_blank: opt.DropBlankOpt = False,
    keep_text: opt.KeepTextOpt = None,
    level: opt.LevelOpt = None,
    p12: opt.P12Opt = None,
    key: opt.KeyOpt = None,
    cert: opt.CertOpt = None,
    chain: opt.ChainOpt = None,
    pkcs11_module: opt.Pkcs11Opt = None,
    token_label: opt.TokenOpt = "",
    key_label: opt.KeyLabelOpt = "",
    secret_file: opt.SecretOpt = None,
    tsa: opt.TsaOpt = None,
    appearance: opt.AppearanceOpt = None,
    position: opt.PositionOpt = None,
    no_sign: Annotated[bool, typer.Option("--no-sign", help=_("Skip signing."))] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help=_("Try again the documents an earlier run quarantined (those "
                               "whose file has not changed since)."))] = False,
    loose: Annotated[bool, typer.Option(
        "--loose", help=_("Documents submitted outside a dossier: one package per document "
                        "(SIP_tailieu, Thông tư 05/2025 Phụ lục IV). A folder holding a file "
                        "named .sip_tailieu is taken so without it."))] = False,
    index: opt.IndexOpt = None,
    log_format: opt.LogFormatOpt = "text",
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Run the whole pipeline: OCR, metadata, signing and one TT 05/2025 package per dossier
    (with --loose, one per document).

    Example: `digitize run scans/2026-11-20 --out out/`

    Each dossier gets `OUT/<dossier>/` with the package (`uuid-…/`), the OCR text and the metadata
    JSON of every document; OUT/summary.json sums up the batch. Bad pages fail their document
    only; the rest of the batch goes on (exit 1).

    Safe to run again: finished dossiers are skipped, so after a crash or Ctrl-C the same
    command resumes. A second run on the same OUT waits for nobody: it exits 4 at once.

    Every dossier is added to the index (`digitize find`) unless [index] enabled = false.
    """
    output.Privacy.show = show_personal
    with user_errors():
        output.setup_logging(log_format)
        cfg = load_config(config)
        from digitize.pipeline.options import run_options
        from digitize.signing.sign import sign_options

        signing = sign_options(cfg, level, tsa, appearance, position)
        identity = None if no_sign else open_signer(cfg, p12, secret_file, key, cert, chain,
                                                    pkcs11_module, token_label, key_label)
        opts = run_options(cfg, out_folder(cfg, out_dir), lang=lang, jobs=jobs, signing=signing,
                           profile=profile, drop_blank=drop_blank, keep_text=keep_text,
                           retry_failed=retry_failed,
                           executor=executor, index=index, loose=loose)
        summary = run_pipeline(inputs, opts, identity, "run")
    if as_json:
        print_json(summary)
    else:
        output.summary_table(summary)
    exit_for(summary.any_failed)


@command(app)
def watch(
    inbox: Annotated[Path, typer.Argument(help=_("The scanner's drop folder."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Output folder."))],
    settle: Annotated[float, typer.Option(
        "--settle", min=0, help=_("Seconds a dossier's files must stay unchanged before it is "
                                "processed (scanners write slowly)."))] = 30.0,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.05, help=_("Seconds between looks at the drop folder."))] = 5.0,
    config: opt.ConfigOpt = None,
    lang: opt.LangOpt = None,
    jobs: opt.JobsOpt = None,
    profile: opt.ProfileOpt = "archive",
    p12: opt.P12Opt = None,
    secret_file: opt.SecretOpt = None,
    no_sign: Annotated[bool, typer.Option("--no-sign", help=_("Skip signing."))] = False,
    index: opt.IndexOpt = None,
    log_format: opt.LogFormatOpt = "text",
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Watch a scanner's drop folder and run each dossier once its files stop changing.

    Example: `digitize watch /srv/scanner-inbox --out /srv/digitized --settle 60`

    Keeps going after bad input. SIGTERM or Ctrl-C: the dossier under way is finished, then
    it stops (exit 0). With --json, one JSON summary per line for each batch it ran.
    """
    import threading

    from digitize.pipeline.watch import Watcher

    stop = threading.Event()
    output.Privacy.show = show_personal
    with user_errors():
        output.setup_logging(log_format)
        cfg = load_config(config)
        from digitize.pipeline.options import check_profile, run_options

        check_profile(profile)  # before the folder and identity checks (run_options again)
        if not inbox.is_dir():
            raise NoInputError(_("{path} is not a folder; check the path.").format(path=inbox))
        identity = None if no_sign else open_signer(cfg, p12, secret_file)
        from digitize.ocr.tesseract import check_languages

        check_languages(lang or cfg.ocr.lang)
        opts = run_options(cfg, out_dir, lang=lang, jobs=jobs, profile=profile, index=index)

        def report(summary: RunSummary) -> None:
            if as_json:
                sys.stdout.write(output.json_text(summary, indent=None) + "\n")
                sys.stdout.flush()
            for d in summary.dossiers:
                err.print(f"{escape(d.id)}: {output.status_cell(d.status)}"
                          + (f" — {escape(private(d.error))}" if d.error else ""),
                          highlight=False)

        watcher = Watcher(inbox, opts, identity, settle_s=settle, on_result=report,
                          on_error=lambda m: err.print(f"[yellow]{escape(private(m))}[/]"))
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        err.print(escape(_("Watching {folder} (settle {settle} s); SIGTERM or Ctrl-C stops.")
                         .format(folder=inbox, settle=f"{settle:g}")), highlight=False)
        watcher.run(stop, interval)
    err.print(_("Stopped."))


@command(app)
def report(
    outs: Annotated[list[Path], typer.Argument(help=_("Output folders of `run`."))],
    since: Annotated[str | None, typer.Option(
        "--since", help=_("Only dossiers finished on or after this date (YYYY-MM-DD)."))] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help=_("Also write a CSV file."))
                        ] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("Also draw documents per day as a PNG chart."))] = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """The figures a province reports on: dossiers and documents digitized, pages, the shares
    signed, searchable and needing review, failures by reason, median time per dossier, per day.

    Example: `digitize report /srv/digitized --since 2026-11-01 --csv kpi.csv --chart kpi.png`
    """
    from digitize.pipeline.report import draw_chart, report_outputs, write_csv

    with user_errors():
        result = report_outputs(outs, since)
        if csv_file:
            write_csv(result, csv_file)
        if chart:
            draw_chart(result, chart)
    rows = [f.row() for f in result.days]
    if as_json:
        print_json({"total": result.total.row(), "days": rows, "failures": result.failures})
        return
    table = Table(title="digitize report")
    columns = {"day": N_("Day"), "dossiers": N_("Dossiers"), "documents": N_("Docs"),
               "pages": N_("Pages"), "share_signed": N_("Signed"),
               "share_searchable": N_("Searchable"), "share_needs_review": N_("Review"),
               "failed": N_("Failed"), "median_seconds_per_dossier": N_("Median s")}
    for label in columns.values():
        table.add_column(_(label), justify="right")
    for row in [*rows, result.total.row()]:
        table.add_row(*(f"{v:.1%}" if k.startswith("share") else str(v)
                        for k, v in ((c, row[c]) for c in columns)))
    out.print(table)
    if result.total.incomplete:
        out.print(_("{count} dossiers are incomplete: a document failed, the others are kept "
                    "signed; fix the failed ones and run again.").format(
                        count=result.total.incomplete), highlight=False)
    for reason, count in result.failures.items():
        out.print(f"  {count} × {escape(reason)}", highlight=False)
