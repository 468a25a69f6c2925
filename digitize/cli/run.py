"""Running the pipeline: `run` (a batch), `watch` (a drop folder), `report` (the province's
figures of what ran)."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli import output
from digitize.cli.batch import open_signer, run_pipeline
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import err, print_json, private
from digitize.config import load_config, out_folder
from digitize.errors import NoInputError
from digitize.i18n import _
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
    operator: Annotated[str | None, typer.Option(
        "--operator", help=_("The clerk recorded with each dossier (default: [desk] operator, "
                           "else the login)."))] = None,
    loose: Annotated[bool, typer.Option(
        "--loose", help=_("Documents submitted outside a dossier: one package per document "
                        "(SIP_tailieu, Thông tư 05/2025 Phụ lục IV). A folder holding a file "
                        "named .sip_tailieu is taken so without it."))] = False,
    index: opt.IndexOpt = None,
    procedure: opt.ProcedureOpt = None,
    received: opt.ReceivedOpt = None,
    log_format: opt.LogFormatOpt = "text",
    show_personal: opt.PersonalOpt = False,
    wide: opt.WideOpt = False,
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
        from digitize.signing.options import sign_options

        signing = sign_options(cfg, level, tsa, appearance, position)
        identity = None if no_sign else open_signer(cfg, p12, secret_file, key, cert, chain,
                                                    pkcs11_module, token_label, key_label)
        opts = run_options(cfg, out_folder(cfg, out_dir), lang=lang, jobs=jobs, signing=signing,
                           profile=profile, drop_blank=drop_blank, keep_text=keep_text,
                           retry_failed=retry_failed,
                           executor=executor, index=index, loose=loose, operator=operator,
                           procedure=procedure, received=received)
        summary = run_pipeline(inputs, opts, identity, "run")
    if as_json:
        print_json(summary)
    else:
        output.summary_table(summary, wide)
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
    procedure: opt.ProcedureOpt = None,
    received: opt.ReceivedOpt = None,
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
        opts = run_options(cfg, out_dir, lang=lang, jobs=jobs, profile=profile, index=index,
                           procedure=procedure, received=received)

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
        "--since", help=_("Only dossiers finished (and received) on or after this date "
                        "(YYYY-MM-DD)."))] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help=_("Only those up to this date (YYYY-MM-DD)."))] = None,
    by: Annotated[list[str] | None, typer.Option(
        "--by", help=_("Break the figures down by day, week, month, desk, operator or "
                     "procedure (several: --by month --by desk). Default: day."))] = None,
    received: Annotated[Path | None, typer.Option(
        "--received", help=_("The one-stop system's list of received dossiers (CSV or XLSX, "
                           "with the dossier code and the date received): the shares "
                           "digitized, signed, packaged and uploaded, and what was not "
                           "digitized."))] = None,
    indicators: Annotated[bool, typer.Option(
        "--indicators", help=_("Also the digitization indicators of QĐ 766/QĐ-TTg per received "
                               "dossier: components digitized, result digitized, both (full "
                               "marks at 80 %), reused, taken from the national data store; "
                               "broken down as --by says, else by month, desk, operator and "
                               "procedure."))] = False,
    csv_file: Annotated[Path | None, typer.Option("--csv", help=_("Also write a CSV file."))
                        ] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("Also draw documents per day as a PNG chart."))] = None,
    html_file: Annotated[Path | None, typer.Option(
        "--html", help=_("Write the monthly report as one self-contained HTML file."))] = None,
    pdf_file: Annotated[Path | None, typer.Option(
        "--pdf", help=_("Write the monthly report as PDF/A, for filing."))] = None,
    lang: Annotated[str, typer.Option(
        "--lang", help=_("Language of the HTML and PDF report: vi (default) or en."))] = "vi",
    wide: opt.WideOpt = False,
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """The figures a province reports on: dossiers and documents digitized, pages, the shares
    signed, searchable and needing review, failures by reason, median time per dossier; with
    --received, the share of received dossiers digitized (QĐ 468/QĐ-TTg) and the time from
    receipt to digitized.

    Example: `digitize report /srv/digitized --since 2026-11-01 --received tiep_nhan.xlsx
    --by month --by desk --html bao_cao.html --pdf bao_cao.pdf`
    """
    from digitize.pipeline.report import report_json, report_outputs, uploaded_packages, write_csv

    with user_errors():
        cfg = load_config(config)
        dims = list(dict.fromkeys(by or ["day"]))
        if html_file or pdf_file:  # the monthly report shows these whatever --by says
            dims += [d for d in ("day", "month", "desk") if d not in dims]
        listed = None
        if received is not None:
            from digitize.pipeline.received import read_received

            listed = read_received(received, cfg.report)
        journal = cfg.upload.journal
        if journal is None:
            from digitize.paths import state_dir

            journal = state_dir() / "uploads.jsonl"
        from digitize.pipeline.indicators import BREAKDOWNS, catalogue_codes

        result = report_outputs(outs, since, until, dims, listed, uploaded_packages(journal),
                                list(dict.fromkeys(by or BREAKDOWNS)) if indicators else None,
                                catalogue_codes(cfg))
        if csv_file:
            write_csv(result, csv_file)
        if chart:
            from digitize.fsutil import write_bytes_atomic
            from digitize.pipeline.charts import documents_per_day

            write_bytes_atomic(chart, documents_per_day(result.days or [result.total]))
        if html_file or pdf_file:
            from digitize.i18n import in_language
            from digitize.pipeline.charts import report_charts
            from digitize.pipeline.monthly import report_title, write_html, write_pdf

            with in_language(lang):
                charts = report_charts(result, cfg.report.target)
                title = report_title([f.key for f in result.groups.get("month", [])])
                if html_file:
                    write_html(result, charts, cfg.agency.name, title, html_file)
                if pdf_file:
                    write_pdf(result, charts, cfg.agency.name, title, pdf_file)
    if as_json:
        print_json(report_json(result))
        return
    output.report_tables(result, wide)
