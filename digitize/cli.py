"""The `digitize` command line: parses options, calls the library, prints with Rich.

Logs and progress go to stderr; with --json, stdout carries exactly one JSON document.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, TypeAdapter
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from digitize import __version__
from digitize.clock import VN_TZ
from digitize.config import Config, index_path, load_config
from digitize.errors import (
    EXIT_INTERRUPTED,
    EXIT_NO_INPUT,
    EXIT_OK,
    EXIT_PARTIAL,
    DigitizeError,
    EnvironmentProblem,
    InputFileError,
    NoInputError,
    UsageProblem,
)
from digitize.i18n import N_, _, set_language
from digitize.i18n.framework import localise_framework, localise_params
from digitize.model import DOSSIER_RECORD, DocumentResult, RunSummary, Status, read_dossier
from digitize.privacy import mask_data, mask_text, mask_value

app = typer.Typer(
    name="digitize",
    help=_("Turn scanned dossiers from the one-stop desk (Bộ phận Một cửa) into searchable PDFs, "
         "TT 05/2025 metadata, PAdES signatures and submission packages.\n\n"
         "Exit codes: 0 all done; 1 finished but some items failed or did not verify; 2 usage "
         "error; 3 no usable input; 4 environment or credential problem; 130 interrupted."),
    no_args_is_help=True, add_completion=True, rich_markup_mode="markdown",
    pretty_exceptions_enable=False)
schema_app = typer.Typer(help=_("Publish the schemas of digitize's outputs."), no_args_is_help=True)
app.add_typer(schema_app, name="schema")

err = Console(stderr=True)
out = Console()


def _cmd(group: typer.Typer, name: str | None = None) -> Callable[[Callable[..., Any]],
                                                                   Callable[..., Any]]:
    """A command whose help is its docstring in the interface language."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        return group.command(name, help=_(inspect.cleandoc(fn.__doc__ or "")))(fn)
    return wrap


class _Privacy:
    """Whether this command may print citizens' personal data (--show-personal-data)."""

    show = False


def _private(text: str) -> str:
    return text if _Privacy.show else mask_text(text)

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config",
    help=_("TOML config file (default: $DIGITIZE_CONFIG, then the user config folder)."),
    envvar="DIGITIZE_CONFIG", show_envvar=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print one JSON document on stdout."))]
JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", "-j", min=0, help=_("Pages OCR'd in parallel (default: config, 0 = all cores)."))]
LangOpt = Annotated[str | None, typer.Option(
    "--lang", help=_("Tesseract languages, e.g. vie or vie+eng (default: config, vie)."))]
P12Opt = Annotated[Path | None, typer.Option(
    "--p12",
    help=_("PKCS#12 signing key (default: [signer] p12 in config, else the demo identity)."))]
SecretOpt = Annotated[Path | None, typer.Option(
    "--secret-file",
    help=_("File holding the PKCS#12 password (else $DIGITIZE_SECRET or a prompt)."))]
ExecutorOpt = Annotated[str, typer.Option(
    "--executor", help=_("Where pages are OCR'd: local (a process pool of --jobs), dask-local (a "
                       "Dask LocalCluster here), or dask://HOST:PORT (a running Dask cluster; "
                       "inputs and --out on storage every worker mounts at the same path)."))]
LogFormatOpt = Annotated[str, typer.Option(
    "--log-format", help=_("Logs on stderr as text lines or JSON lines (for log collectors)."))]
ProfileOpt = Annotated[str, typer.Option(
    "--profile", help=_("archive (TT 05/2025: colour as scanned, lossless or original JPEG) or "
                      "compact (desk copies: greyscale or bilevel where the page allows)."))]
DropBlankOpt = Annotated[bool, typer.Option(
    "--drop-blank",
    help=_("Leave pages that look blank out of the PDF (they are always flagged)."))]
IndexOpt = Annotated[Path | None, typer.Option(
    "--index",
    help=_("Index file (default: [index] path, else one per user in the data folder)."))]
PersonalOpt = Annotated[bool, typer.Option(
    "--show-personal-data", help=_("Print ID (CCCD) and phone numbers and birth dates as they are; "
                                 "by default logs, tables and --json mask them (Decree "
                                 "13/2023/NĐ-CP)."))]
SIGNING = "Signing"
LevelOpt = Annotated[str | None, typer.Option(
    "--level", help=_("PAdES level: B-B, B-T (+ timestamp), B-LT (+ certificates and OCSP/CRL in "
                    "the PDF), B-LTA (+ document timestamp). Default: [signer] level, B-B."),
    rich_help_panel=SIGNING)]
KeyOpt = Annotated[Path | None, typer.Option(
    "--key", help=_("PEM/DER private key (with --cert and --chain)."), rich_help_panel=SIGNING)]
CertOpt = Annotated[Path | None, typer.Option(
    "--cert", help=_("The signer's certificate, for --key."), rich_help_panel=SIGNING)]
ChainOpt = Annotated[list[Path] | None, typer.Option(
    "--chain", help=_("CA certificates of the signer's chain (repeat for each file)."),
    rich_help_panel=SIGNING)]
Pkcs11Opt = Annotated[Path | None, typer.Option(
    "--pkcs11-module", help=_("PKCS#11 library of a USB token or HSM; the PIN comes from "
                            "$DIGITIZE_SECRET, --secret-file or a prompt."),
    rich_help_panel=SIGNING)]
TokenOpt = Annotated[str, typer.Option(
    "--token-label", help=_("Label of the token (with --pkcs11-module)."), rich_help_panel=SIGNING)]
KeyLabelOpt = Annotated[str, typer.Option(
    "--key-label", help=_("Label of the key and certificate on the token."),
    rich_help_panel=SIGNING)]
TsaOpt = Annotated[str | None, typer.Option(
    "--tsa", help=_("RFC 3161 time-stamping server URL (default: [signer] tsa_url)."),
    rich_help_panel=SIGNING)]
AppearanceOpt = Annotated[str | None, typer.Option(
    "--appearance", help=_("none, archive (TT 05/2025: agency and time, top right of page 1), "
                         "person (signature image, ND 30) or agency (seal over the signature). "
                         "Default: [signer] appearance, archive."), rich_help_panel=SIGNING)]
PositionOpt = Annotated[str | None, typer.Option(
    "--position", help=_("auto (the signature block OCR found, else the profile's place) or "
                       "PAGE:x0,y0,x1,y1 in points from the bottom left."),
    rich_help_panel=SIGNING)]
CertifyOpt = Annotated[bool, typer.Option(
    "--certify", help=_("Certify (DocMDP: form filling allowed) instead of approval signing; for "
                      "the final archive copy."), rich_help_panel=SIGNING)]


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


# --------------------------------------------------------------------------- helpers
@contextmanager
def _user_errors() -> Iterator[None]:
    """Typed errors become one red sentence and their exit code; Ctrl-C exits 130."""
    try:
        yield
    except DigitizeError as exc:
        err.print(f"[bold red]digitize:[/] {escape(_private(exc.message))}", highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("[yellow]" + escape(_("Interrupted. Run the same command again to start "
                                         "over; finished dossiers are complete in the output "
                                         "folder.")) + "[/]")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        if os.environ.get("DIGITIZE_DEBUG"):
            raise
        err.print("[bold red]digitize:[/] " + escape(_(
            "unexpected error ({error}). This is a bug: please report it with the output of the "
            "same command run with DIGITIZE_DEBUG=1.").format(
                error=f"{type(exc).__name__}: {exc}")), highlight=False)
        raise typer.Exit(EXIT_PARTIAL) from None


def _config(path: Path | None) -> Config:
    return load_config(path)


def _json_text(data: Any, indent: int | None = 2) -> str:
    """JSON of a model or plain data, personal data masked unless --show-personal-data."""
    plain = data.model_dump(mode="json") if isinstance(data, BaseModel) else \
        TypeAdapter(Any).dump_python(data, mode="json")
    return json.dumps(plain if _Privacy.show else mask_data(plain), ensure_ascii=False,
                      indent=indent)


def _print_json(data: Any) -> None:
    sys.stdout.write(_json_text(data) + "\n")


class _RichProgress:
    """The pipeline's Progress drawn as a Rich bar on stderr."""

    def __init__(self, label: str, unit: str = N_("pages")) -> None:
        self._bar = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn(_(unit)), TimeElapsedColumn(), console=err,
                             transient=False, disable=not err.is_terminal)
        self._task: Any = None

    def __enter__(self) -> _RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._bar.stop()

    def start(self, total_pages: int) -> None:
        self._task = self._bar.add_task("pages", total=total_pages)

    def advance(self, pages: int = 1) -> None:
        if self._task is not None and pages:
            self._bar.advance(self._task, pages)




class _LogHandler(logging.Handler):
    """Log records on stderr: readable lines (through Rich, so they sit above a progress bar)
    or, for log collectors, one JSON object per line with the dossier and document ids."""

    def __init__(self, fmt: str) -> None:
        super().__init__(logging.INFO)
        self.fmt = fmt

    def emit(self, record: logging.LogRecord) -> None:
        fields = {k: getattr(record, k) for k in ("dossier", "document", "bundle")
                  if getattr(record, k, None)}
        if self.fmt == "json":
            sys.stderr.write(json.dumps({
                "time": datetime.fromtimestamp(record.created, VN_TZ).isoformat(
                    timespec="milliseconds"),
                "level": record.levelname.lower(), "message": _private(record.getMessage()),
                **{k: _private(str(v)) for k, v in fields.items()}},
                ensure_ascii=False) + "\n")
            return
        where = fields.get("dossier", "")
        style = "red" if record.levelno >= logging.WARNING else "dim"
        err.print(f"[{style}]{escape(_private(where))}[/] {escape(_private(record.getMessage()))}",
                  highlight=False)


LOG_FORMATS = ("text", "json")


def _setup_logging(fmt: str) -> None:
    if fmt not in LOG_FORMATS:
        raise UsageProblem(_("Unknown log format {fmt}; use text or json.").format(fmt=fmt))
    logger = logging.getLogger("digitize")
    logger.handlers[:] = [_LogHandler(fmt)]
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _ask_secret() -> Callable[[], str] | None:
    if not sys.stdin.isatty():
        return None
    return lambda: typer.prompt(_("Password for the signing key"), hide_input=True, err=True)


def _identity(cfg: Config, p12: Path | None, secret_file: Path | None, key: Path | None = None,
              cert: Path | None = None, chain: list[Path] | None = None,
              pkcs11_module: Path | None = None, token_label: str = "",
              key_label: str = "") -> Any:
    from digitize.signing.sources import KeyChoice, open_identity

    choice = KeyChoice(p12=p12, key=key, cert=cert, chain=tuple(chain or ()),
                       pkcs11_module=pkcs11_module, token_label=token_label,
                       key_label=key_label, secret_file=secret_file)
    return open_identity(cfg.signer, choice, _ask_secret(),
                         warn=_warn)


def _warn(message: str) -> None:
    err.print(f"[yellow]{escape(_('warning:'))}[/] {escape(_private(message))}", highlight=False)


def _sign_options(cfg: Config, level: str | None = None, tsa: str | None = None,
                  appearance: str | None = None, position: str | None = None,
                  certify: bool = False) -> Any:
    from digitize.signing.appearance import Appearance
    from digitize.signing.sign import SignOptions

    sc = cfg.signer
    look = Appearance(profile=appearance or sc.appearance, agency=cfg.agency.name,
                      signer_title=sc.signer_title, position=position or sc.position,
                      signature_image=sc.signature_image, seal_image=sc.seal_image)
    return SignOptions(level=level or sc.level, reason=sc.reason, location=sc.location,
                       tsa_url=tsa if tsa is not None else sc.tsa_url, appearance=look,
                       certify=certify or sc.certify, trust=tuple(cfg.verify.trust),
                       retries=sc.retries, timeout_s=sc.timeout_s)


STATUS_STYLE = {Status.ok: "green", Status.needs_review: "yellow", Status.failed: "red"}


def _table(title: str, columns: Sequence[str]) -> Table:
    """A table whose column headers (marked with N_) show in the interface language."""
    table = Table(title=title)
    for col in columns:
        table.add_column(_(col), overflow="fold")
    return table


_STATUS_TEXT = {Status.ok: N_("ok"), Status.needs_review: N_("needs_review"),
                Status.failed: N_("failed")}


def _status(status: Status) -> str:
    return f"[{STATUS_STYLE[status]}]{escape(_(_STATUS_TEXT[status]))}[/]"


def _yes(value: object) -> str:
    return _("yes") if value else _("no")


def _summary_table(summary: RunSummary) -> None:
    table = _table("digitize run", (N_("Dossier"), N_("Document"), N_("Status"),
                                    N_("Kind / type"), N_("Number"), N_("Fields"), N_("Signed"),
                                    N_("Note")))
    for d in summary.dossiers:
        for i, doc in enumerate(d.documents):
            meta = doc.metadata
            number = "/".join(str(meta[k]) for k in ("number", "symbol") if meta.get(k))
            kind = f"{doc.doc_kind.value if doc.doc_kind else ''} {meta.get('doc_type_code', '')}"
            note = _private(doc.error or "; ".join(doc.review))
            table.add_row(escape(_private(d.id)) if i == 0 else "",
                          escape(_private(Path(doc.source).name)), _status(doc.status),
                          kind.strip(), escape(number), str(len(meta)), _yes(doc.signature),
                          escape(note))
    out.print(table)
    t = summary.totals
    if t.resumed:
        out.print(_("{count} dossiers were finished by an earlier run and left as they "
                    "were.").format(count=t.resumed))
    out.print(_("{dossiers} dossiers, {documents} documents, {pages} pages in {seconds} s: "
                "[green]{ok} ok[/], [yellow]{review} to review[/], [red]{failed} failed[/], "
                "{signed} signed.").format(
        dossiers=t.dossiers, documents=t.documents, pages=t.pages, seconds=f"{t.seconds:.1f}",
        ok=t.ok, review=t.needs_review, failed=t.failed, signed=t.signed))
    for d in summary.dossiers:
        if d.bundle:
            out.print("  " + _("package {dossier}: {path}").format(dossier=d.id, path=d.bundle),
                      highlight=False)
        elif d.error:
            out.print(f"  [red]{escape(d.id)}: {escape(_private(d.error))}[/]", highlight=False)


def _check_profile(profile: str) -> None:
    from digitize.ocr.page import PROFILES

    if profile not in PROFILES:
        raise UsageProblem(_("Unknown profile {profile}; use one of {choices}.").format(
            profile=profile, choices=", ".join(PROFILES)))


def _exit_for(failed: bool) -> None:
    raise typer.Exit(EXIT_PARTIAL if failed else EXIT_OK)


def _out_dir(given: Path | None, cfg: Config) -> Path:
    if given is not None:
        return given
    if cfg.run.out is None:
        raise UsageProblem(_("Say where the outputs go: --out OUT, or [run] out in the "
                             "config."))
    return cfg.run.out


def _any_failed(summary: RunSummary) -> bool:
    """A failed document, or a dossier that got no package (exit 1 for cron scripts)."""
    return summary.totals.failed > 0 or any(d.status is Status.failed for d in summary.dossiers)


# --------------------------------------------------------------------------- run / ocr
def _batch(inputs: Sequence[Path], out_dir: Path, cfg: Config, *, lang: str | None,
           jobs: int | None, identity: Any, package: bool, profile: str,
           drop_blank: bool, label: str, retry_failed: bool = False,
           executor: str = "local", signing: Any = None, index: Path | None = None
           ) -> RunSummary:
    from digitize.pipeline.run import RunOptions, run_batch

    _check_profile(profile)
    opts = RunOptions(out=out_dir, config=cfg, lang=lang or cfg.ocr.lang,
                      jobs=cfg.ocr.jobs if jobs is None else jobs,
                      signing=signing or _sign_options(cfg), package=package, profile=profile,
                      drop_blank=drop_blank, retry_failed=retry_failed, executor=executor,
                      # Every packaging run keeps the index current (review and scan --run too).
                      index=index_path(cfg, index) if package and cfg.index.enabled else None)
    with _RichProgress(label) as progress:
        return run_batch(inputs, opts, identity, progress)


@_cmd(app)
def run(
    inputs: Annotated[list[Path], typer.Argument(
        help=_("Dossier folders, folders of dossier folders, or single scans."))],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Output folder (default: [run] out)."))] = None,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    jobs: JobsOpt = None,
    executor: ExecutorOpt = "local",
    profile: Annotated[str | None, typer.Option(
        "--profile", help=_("archive (TT 05/2025: colour as scanned, lossless or original JPEG) or "
                          "compact (desk copies: greyscale or bilevel where the page allows). "
                          "Default: [run] profile, archive."))] = None,
    drop_blank: DropBlankOpt = False,
    level: LevelOpt = None,
    p12: P12Opt = None,
    key: KeyOpt = None,
    cert: CertOpt = None,
    chain: ChainOpt = None,
    pkcs11_module: Pkcs11Opt = None,
    token_label: TokenOpt = "",
    key_label: KeyLabelOpt = "",
    secret_file: SecretOpt = None,
    tsa: TsaOpt = None,
    appearance: AppearanceOpt = None,
    position: PositionOpt = None,
    no_sign: Annotated[bool, typer.Option("--no-sign", help=_("Skip signing."))] = False,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help=_("Try again the documents an earlier run quarantined (those "
                               "whose file has not changed since)."))] = False,
    index: IndexOpt = None,
    log_format: LogFormatOpt = "text",
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run the whole pipeline: OCR, metadata, signing and one TT 05/2025 package per dossier.

    Example: `digitize run scans/2026-11-20 --out out/`

    Each dossier gets `OUT/<dossier>/` with the package (`uuid-…/`), the OCR text and the metadata
    JSON of every document; OUT/summary.json sums up the batch. Bad pages fail their document
    only; the rest of the batch goes on (exit 1).

    Safe to run again: finished dossiers are skipped, so after a crash or Ctrl-C the same
    command resumes. A second run on the same OUT waits for nobody: it exits 4 at once.

    Every dossier is added to the index (`digitize find`) unless [index] enabled = false.
    """
    _Privacy.show = show_personal
    with _user_errors():
        _setup_logging(log_format)
        cfg = _config(config)
        signing = _sign_options(cfg, level, tsa, appearance, position)
        identity = None if no_sign else _identity(cfg, p12, secret_file, key, cert, chain,
                                                  pkcs11_module, token_label, key_label)
        summary = _batch(inputs, _out_dir(out_dir, cfg), cfg, lang=lang, jobs=jobs,
                         identity=identity, signing=signing, package=True,
                         profile=profile or cfg.run.profile, drop_blank=drop_blank,
                         retry_failed=retry_failed, executor=executor, label="run",
                         index=index)
    if as_json:
        _print_json(summary)
    else:
        _summary_table(summary)
    _exit_for(_any_failed(summary))


@_cmd(app)
def watch(
    inbox: Annotated[Path, typer.Argument(help=_("The scanner's drop folder."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Output folder."))],
    settle: Annotated[float, typer.Option(
        "--settle", min=0, help=_("Seconds a dossier's files must stay unchanged before it is "
                                "processed (scanners write slowly)."))] = 30.0,
    interval: Annotated[float, typer.Option(
        "--interval", min=0.05, help=_("Seconds between looks at the drop folder."))] = 5.0,
    config: ConfigOpt = None,
    lang: LangOpt = None,
    jobs: JobsOpt = None,
    profile: ProfileOpt = "archive",
    p12: P12Opt = None,
    secret_file: SecretOpt = None,
    no_sign: Annotated[bool, typer.Option("--no-sign", help=_("Skip signing."))] = False,
    index: IndexOpt = None,
    log_format: LogFormatOpt = "text",
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Watch a scanner's drop folder and run each dossier once its files stop changing.

    Example: `digitize watch /srv/scanner-inbox --out /srv/digitized --settle 60`

    Keeps going after bad input. SIGTERM or Ctrl-C: the dossier under way is finished, then
    it stops (exit 0). With --json, one JSON summary per line for each batch it ran.
    """
    import threading

    from digitize.pipeline.run import RunOptions
    from digitize.pipeline.watch import Watcher

    stop = threading.Event()
    _Privacy.show = show_personal
    with _user_errors():
        _setup_logging(log_format)
        cfg = _config(config)
        _check_profile(profile)
        if not inbox.is_dir():
            raise NoInputError(_("{path} is not a folder; check the path.").format(path=inbox))
        identity = None if no_sign else _identity(cfg, p12, secret_file)
        from digitize.ocr.tesseract import check_languages

        check_languages(lang or cfg.ocr.lang)
        opts = RunOptions(out=out_dir, config=cfg, lang=lang or cfg.ocr.lang,
                          jobs=cfg.ocr.jobs if jobs is None else jobs, profile=profile,
                          signing=_sign_options(cfg),
                          index=index_path(cfg, index) if cfg.index.enabled else None)

        def report(summary: RunSummary) -> None:
            if as_json:
                sys.stdout.write(_json_text(summary, indent=None) + "\n")
                sys.stdout.flush()
            for d in summary.dossiers:
                err.print(f"{escape(d.id)}: {_status(d.status)}"
                          + (f" — {escape(_private(d.error))}" if d.error else ""),
                          highlight=False)

        watcher = Watcher(inbox, opts, identity, settle_s=settle, on_result=report,
                          on_error=lambda m: err.print(f"[yellow]{escape(_private(m))}[/]"))
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        err.print(escape(_("Watching {folder} (settle {settle} s); SIGTERM or Ctrl-C stops.")
                         .format(folder=inbox, settle=f"{settle:g}")), highlight=False)
        watcher.run(stop, interval)
    err.print(_("Stopped."))


@_cmd(app)
def ocr(
    inputs: Annotated[list[Path], typer.Argument(help=_("Scans or folders of scans."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Output folder."))],
    config: ConfigOpt = None,
    lang: LangOpt = None,
    jobs: JobsOpt = None,
    executor: ExecutorOpt = "local",
    profile: ProfileOpt = "archive",
    drop_blank: DropBlankOpt = False,
    log_format: LogFormatOpt = "text",
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """OCR scans into searchable PDF/A-2b files (scan image + invisible text), plain text and
    hOCR word boxes, unsigned.

    Example: `digitize ocr scan_0001.jpg scan_0002.pdf --out ocr/`
    """
    _Privacy.show = show_personal
    with _user_errors():
        _setup_logging(log_format)
        cfg = _config(config)
        summary = _batch(inputs, out_dir, cfg, lang=lang, jobs=jobs, identity=None,
                         package=False, profile=profile, drop_blank=drop_blank,
                         executor=executor, label="ocr")
    docs = [d for dossier in summary.dossiers for d in dossier.documents]
    if as_json:
        _print_json(docs)
    else:
        table = _table("digitize ocr", (N_("Source"), N_("Status"), N_("PDF"), N_("Note")))
        for d in docs:
            table.add_row(escape(d.source), _status(d.status), escape(d.pdf or ""),
                          escape(_private(d.error or "; ".join(d.review))))
        out.print(table)
    _exit_for(_any_failed(summary))


# --------------------------------------------------------------------------- extract
@_cmd(app)
def extract(
    files: Annotated[list[Path], typer.Argument(
        help=_("PDFs with a text layer, hOCR files (from `ocr`/`run`: keeps word confidences), or "
             ".txt files."))],
    config: ConfigOpt = None,
    overrides: Annotated[Path | None, typer.Option(
        "--overrides", help=_("Override file (TOML, tables keyed by file name); see README."))
    ] = None,
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Read the metadata of documents that already have text (no OCR).

    Example: `digitize extract out/HS-1/H49.2026.261120-0001.2.hocr --json`
    """
    from digitize.extract import extract as extract_fields
    from digitize.extract import segments_from_text
    from digitize.extract.hocr import segments_from_hocr
    from digitize.extract.overrides import apply_overrides, load_overrides, operator_name
    from digitize.extract.pdftext import segments_from_pdf
    from digitize.extract.review import review_note

    _Privacy.show = show_personal
    with _user_errors():
        cfg = _config(config)
        fixes = load_overrides(overrides) if overrides else None
        results: list[DocumentResult] = []
        for f in files:
            try:
                if not f.is_file():
                    raise InputFileError(_("{path} does not exist or is not a file.").format(
                        path=f))
                if f.suffix.lower() == ".pdf":
                    segs, pages = segments_from_pdf(f)
                elif f.suffix.lower() in (".hocr", ".html"):
                    segs, pages = segments_from_hocr(f)
                else:
                    text = f.read_text(encoding="utf-8", errors="replace")
                    segs, pages = segments_from_text(text), text.count("\f") + 1
                ex = extract_fields(segs, pages, cfg.extract.min_field_confidence)
                if fixes is not None and f.name in fixes.documents:
                    ex = apply_overrides(ex, fixes.documents[f.name],
                                         operator_name(fixes.operator, cfg.review.operator),
                                         str(overrides))
                results.append(DocumentResult(
                    source=str(f), status=Status.needs_review if ex.review else Status.ok,
                    doc_kind=ex.doc_kind, metadata=ex.metadata, confidence=ex.confidence,
                    review=[review_note(k) for k in ex.review],
                    evidence=ex.evidence, overrides=list(ex.overrides)))
            except InputFileError as exc:
                results.append(DocumentResult(source=str(f), status=Status.failed,
                                              error=exc.message))
    if as_json:
        _print_json(results)
    else:
        for r in results:
            table = _table(f"{escape(r.source)} — {_status(r.status)}",
                           (N_("Field"), N_("Value"), N_("Confidence")))
            for k, v in r.metadata.items():
                shown = v if _Privacy.show else mask_value(k, v)
                table.add_row(k, escape(str(shown)), f"{r.confidence.get(k, 0):.2f}")
            if r.error:
                table.add_row(_("error"), escape(r.error), "")
            out.print(table)
    _exit_for(any(r.status is Status.failed for r in results))


# --------------------------------------------------------------------------- review
def _ask_field(item: Any) -> str | None:
    """One field: the value read, where, and the clerk's answer (None = leave it for later)."""
    from rich.prompt import Prompt

    from digitize.extract.overrides import normalise
    from digitize.extract.review import crop

    ev = item.evidence
    err.print(f"\n[bold]{escape(item.dossier.id)}[/] · {escape(Path(item.doc.source).name)} · "
              f"[cyan]{item.field}[/]")
    shown = _("(not found)") if item.value is None else repr(item.value)
    err.print("  " + escape(_("read: {value}  confidence {confidence}").format(
        value=shown, confidence=f"{item.confidence:.2f}")), highlight=False)
    if ev is not None:
        err.print("  " + escape(_("OCR line (page {page}): {text}").format(
            page=ev.page + 1, text=ev.text)), highlight=False)
    image = crop(item)
    if image is not None:
        err.print("  " + escape(_("page crop: {path}").format(path=image)), highlight=False)
    while True:
        answer = Prompt.ask("  " + _("correct value (Enter keeps the value read, '-' skips)"),
                            default="" if item.value is None else str(item.value),
                            show_default=False, console=err)
        if answer.strip() == "-" or (not answer.strip() and item.value is None):
            return None
        try:
            normalise(item.field, answer)
        except ValueError as exc:
            err.print(f"  [red]{escape(str(exc))}[/]; " + escape(_("try again.")),
                      highlight=False)
            continue
        return answer


@_cmd(app)
def review(
    target: Annotated[Path, typer.Argument(
        help=_("Output folder of `run`, or one dossier's folder inside it."))],
    config: ConfigOpt = None,
    operator: Annotated[str, typer.Option(
        help=_("Name recorded with each change (default: [review] operator, else the login)."))
    ] = "",
    rerun: Annotated[bool, typer.Option(
        help=_("Run the changed dossiers again so that their PDFs, signatures and packages carry "
             "the corrections."))] = True,
    p12: P12Opt = None,
    secret_file: SecretOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk through the fields that need review, showing the OCR line and a crop of the page, and
    accept or correct each value.

    Example: `digitize review out/`

    Answers go to OUT/.overrides/<dossier>.toml (the same format as a dossier's
    digitize-overrides.toml, see README). With --rerun (the default) the changed dossiers are
    processed again, so the corrected values are in the metadata, the PDF, the package and its
    provenance (old value, new value, time, operator).
    """
    from digitize.extract.overrides import normalise, operator_name
    from digitize.extract.review import pending, record_answers

    with _user_errors():
        cfg = _config(config)
        who = operator_name(operator, cfg.review.operator)
        items = pending(target)
        answers: dict[str, dict[str, dict[str, object]]] = {}
        folders: dict[str, Path] = {}
        for item in items:
            value = _ask_field(item)
            if value is None:
                continue
            by_doc = answers.setdefault(item.dossier.id, {})
            by_doc.setdefault(Path(item.doc.source).name, {})[item.field] = normalise(
                item.field, value)
            folders[item.dossier.id] = item.out
        written = [record_answers(folders[d], d, a, who) for d, a in answers.items()]
        summary = None
        if rerun and answers:
            dossiers = [d for d in (i.dossier for i in items) if d.id in answers]
            sources = list(dict.fromkeys(Path(d.folder) for d in dossiers if d.folder))
            identity = _identity(cfg, p12, secret_file)
            summary = _batch(sources, next(iter(folders.values())), cfg, lang=None, jobs=None,
                             identity=identity, package=True, profile=cfg.run.profile,
                             drop_blank=False, label="review")
    result = {"fields": len(items), "answered": sum(len(v) for a in answers.values()
                                                    for v in a.values()),
              "override_files": [str(p) for p in written],
              "rerun": summary.model_dump(mode="json") if summary else None}
    if as_json:
        _print_json(result)
    else:
        out.print(_("{answered} of {fields} fields answered; {files}").format(
            answered=result["answered"], fields=len(items),
            files=", ".join(result["override_files"]) or _("nothing written")), highlight=False)
        if summary is not None:
            _summary_table(summary)
    _exit_for(summary is not None and summary.totals.failed > 0)


# --------------------------------------------------------------------------- sign
@_cmd(app)
def sign(
    pdfs: Annotated[list[Path], typer.Argument(help=_("PDFs to sign."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Folder for the signed copies."))],
    config: ConfigOpt = None,
    level: LevelOpt = None,
    p12: P12Opt = None,
    key: KeyOpt = None,
    cert: CertOpt = None,
    chain: ChainOpt = None,
    pkcs11_module: Pkcs11Opt = None,
    token_label: TokenOpt = "",
    key_label: KeyLabelOpt = "",
    secret_file: SecretOpt = None,
    tsa: TsaOpt = None,
    appearance: AppearanceOpt = None,
    position: PositionOpt = None,
    certify: CertifyOpt = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=0, help=_("Parallel signing processes for file keys (default: "
                                    "[signer] jobs, 0 = all cores; a token signs in one)."))
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign PDFs (PAdES, by incremental update); the originals stay as they are. Signing an
    already signed PDF adds a signature and keeps the earlier ones valid (countersigning).

    Example: `DIGITIZE_SECRET=… digitize sign a.pdf b.pdf --p12 agency.p12 --out signed/`

    With a USB token: `digitize sign *.pdf --pkcs11-module /usr/lib/…/libtoken.so --token-label
    CKS --out signed/` (the PIN is asked once for the whole batch).
    """
    from digitize.pipeline.executors import default_jobs
    from digitize.signing.batch import sign_batch

    with _user_errors():
        cfg = _config(config)
        opts = _sign_options(cfg, level, tsa, appearance, position, certify)
        identity = _identity(cfg, p12, secret_file, key, cert, chain, pkcs11_module,
                             token_label, key_label)
        work: list[tuple[Path, Path]] = []
        for pdf in pdfs:
            target = out_dir / pdf.name
            if target.resolve() == pdf.resolve():
                raise UsageProblem(_("--out would overwrite {path}; choose another folder.")
                                   .format(path=pdf))
            work.append((pdf, target))
        workers = jobs if jobs is not None else cfg.signer.jobs
        with _RichProgress("sign", N_("documents")) as progress:
            progress.start(len(work))
            results = sign_batch(work, identity, opts, workers or default_jobs(),
                                 done=lambda _r: progress.advance())
        identity.close()
    rows = [{"source": str(r.source), "status": "ok" if r.signature else "failed",
             **({"pdf": str(r.target), "signature": r.signature.model_dump()} if r.signature
                else {"error": r.error})} for r in results]
    if as_json:
        _print_json(rows)
    else:
        for r in rows:
            if r["status"] == "ok":
                s = r["signature"]
                out.print(f"[green]{escape(_('signed'))}[/] {escape(r['pdf'])} ({s['level']}, "
                          f"{escape(s['signer'])}, {s['signing_time']})", highlight=False)
            else:
                _print_failed(r["error"])
    _exit_for(any(r["status"] != "ok" for r in rows))


def _print_failed(message: str) -> None:
    out.print(f"[red]{escape(_('failed'))}[/] {escape(_private(message))}", highlight=False)


# --------------------------------------------------------------------------- verify
@_cmd(app)
def verify(
    paths: Annotated[list[Path], typer.Argument(
        help=_("Signed PDFs, packages (folder or .zip), or `run` output folders."))],
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", help=_("Trusted root certificates (PEM/DER file or folder); adds to "
                        "[verify] trust in config."))] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help=_("Fetch no OCSP/CRL; use only what the files carry."))] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help=_("Also write a self-contained HTML report to this file."))] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check every signature (who, when, integrity, chain, revocation, timestamp, PAdES level,
    certification, later changes), and for packages, zips and bags every file's SHA-256, the
    METS/EAD structure and the TT 05/2025 metadata.

    Example: `digitize verify out/ --trust /etc/digitize/roots/ --report report.html`

    Verdicts follow ETSI TS 119 102-1: valid, invalid, or indeterminate with a sub-indication.
    Exit 0 only when everything is valid; invalid or indeterminate exits 1.
    """
    from digitize.bundle.verify import PackageReport, verify_paths
    from digitize.pipeline.executors import default_jobs
    from digitize.signing.verify import FileReport, Indication, load_trust

    with _user_errors():
        cfg = _config(config)
        roots = load_trust([*cfg.verify.trust, *(trust or [])])
        reports: list[FileReport | PackageReport] = verify_paths(paths, roots, offline,
                                                                 default_jobs())
        if report is not None:
            from digitize.fsutil import write_text_atomic
            from digitize.signing.html_report import render
            from digitize.signing.verify import POLICY

            write_text_atomic(report, render(reports, POLICY))
    if as_json:
        _print_json([r.model_dump(mode="json") for r in reports])
    else:
        table = _table("digitize verify", (N_("File"), N_("Status"), N_("Signer"),
                                           N_("Signed at"), N_("Level"), N_("Why")))
        style = {Indication.valid: "green", Indication.indeterminate: "yellow",
                 Indication.invalid: "red"}
        shown = {Indication.valid: _("valid"), Indication.indeterminate: _("indeterminate"),
                 Indication.invalid: _("invalid")}
        for r in reports:
            files = r.documents if isinstance(r, PackageReport) else [r]
            if isinstance(r, PackageReport):
                table.add_row(f"[bold]{escape(r.path)}[/] (" + escape(_(
                    "{count} files checked").format(count=r.files_checked)) + ")",
                              f"[{style[r.status]}]{shown[r.status]}[/]", "", "", "",
                              escape("; ".join(r.reasons)))
            for f in files:
                sigs = f.signatures or [None]
                for s in sigs:
                    table.add_row(escape(f"  {Path(f.path).name}" if isinstance(r, PackageReport)
                                         else f.path),
                                  f"[{style[s.status if s else f.status]}]"
                                  f"{shown[s.status if s else f.status]}[/]",
                                  escape(s.signer) if s else "",
                                  (s.signing_time or "") if s else "",
                                  s.level if s else "",
                                  escape("; ".join(([s.sub_indication] if s and
                                                    s.sub_indication else []) +
                                                   (s.reasons if s else f.reasons))))
        out.print(table)
        out.print(_("Policy: {policy}").format(policy=_(reports[0].policy)) if reports else "",
                  style="dim")
    _exit_for(any(r.status is not Indication.valid for r in reports))


@_cmd(app)
def renew(
    paths: Annotated[list[Path], typer.Argument(
        help=_("Signed PDFs, or packages (uuid-… folders, or a dossier's output folder)."))],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Write renewed PDFs here (default: renew in place; packages are "
                            "always renewed in place, whole or not at all)."))] = None,
    tsa: TsaOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", help=_("Root certificates of the signers and TSAs (adds to [verify] trust)."))
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Renew long-term signatures (PAdES B-LTA) before certificates or timestamps expire: add
    current validation data for every signature and timestamp, then a new document timestamp.
    Earlier signatures stay valid; package checksums and provenance are updated.

    Example: `digitize renew archive/ --tsa http://tsa.example.vn/tsr`
    """
    from digitize.bundle.transfer import find_package
    from digitize.signing.renew import renew_package, renew_pdf
    from digitize.signing.verify import FileReport, load_trust

    with _user_errors():
        cfg = _config(config)
        url = tsa or cfg.signer.tsa_url
        if not url:
            raise UsageProblem(_("Renewal needs a time-stamping server: pass --tsa URL or set "
                                 "[signer] tsa_url."))
        roots = load_trust([*cfg.verify.trust, *(trust or [])])
        results: list[dict[str, Any]] = []
        for p in paths:
            try:
                pkg = find_package(p) if p.is_dir() else None
                if p.is_dir() and pkg is None:
                    raise InputFileError(_("{path} is not a package or a dossier's output "
                                           "folder.").format(path=p))
                reports: list[FileReport] = renew_package(pkg, url, roots,
                                                          cfg.signer.timeout_s) if pkg else [
                    renew_pdf(p, (out_dir / p.name) if out_dir else p, url, roots,
                              cfg.signer.timeout_s)]
                results.append({"path": str(p), "status": "ok",
                                "files": [r.model_dump(mode="json") for r in reports]})
            except InputFileError as exc:
                results.append({"path": str(p), "status": "failed", "error": exc.message})
    if as_json:
        _print_json(results)
    else:
        for r in results:
            if r["status"] == "ok":
                out.print(f"[green]{escape(_('renewed'))}[/] {escape(r['path'])} (" +
                          escape(_("{count} PDFs, B-LTA").format(count=len(r["files"]))) + ")",
                          highlight=False)
            else:
                _print_failed(r["error"])
    _exit_for(any(r["status"] != "ok" for r in results))


# --------------------------------------------------------------------------- bundle
@_cmd(app)
def bundle(
    packages: Annotated[list[Path], typer.Argument(
        help=_("Package folders (uuid-…) or `run` output folders of dossiers."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Where to put the bundles."))],
    as_zip: Annotated[bool, typer.Option(
        "--zip", help=_("Write each bundle as a reproducible .zip (same package, same bytes)."))
    ] = False,
    aip: Annotated[bool, typer.Option(
        "--aip", help=_("Archival package: add PREMIS preservation metadata (needs the "
                      "dossier.json `run` wrote beside the package)."))] = False,
    bagit: Annotated[bool, typer.Option(
        "--bagit", help=_("Wrap in a BagIt 1.0 bag (SHA-256 and SHA-512 manifests)."))] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check packages made by `run` and make them ready for transfer: as they are (SIP) or as
    an archival package (AIP), bare or bagged, as a folder or a zip.

    Example: `digitize bundle out/000.00.31.H49-261120-0001 --out transfer/ --aip --zip`

    A package whose checksums, METS or EAD do not check out is not bundled (exit 1).
    """
    from digitize.bundle.check import is_package
    from digitize.bundle.transfer import export_bundle

    results: list[dict[str, Any]] = []
    with _user_errors():
        cfg = _config(config)
        for p in packages:
            found = [p] if is_package(p) else sorted(
                m.parent for m in p.glob("uuid-*/METS.xml")) if p.is_dir() else []
            if not found:
                results.append({"source": str(p), "status": "failed",
                                "error": _("{path} holds no package (a uuid-… folder with "
                                           "METS.xml); make one with 'digitize run' first.")
                                .format(path=p)})
                continue
            for pkg in found:
                dossier = read_dossier(pkg.parent) \
                    if (pkg.parent / DOSSIER_RECORD).is_file() else None
                try:
                    target = export_bundle(pkg, out_dir, aip=aip, bag=bagit, as_zip=as_zip,
                                           dossier=dossier, organisation=cfg.agency.name)
                except InputFileError as exc:
                    results.append({"source": str(pkg), "status": "failed",
                                    "error": exc.message})
                    continue
                results.append({"source": str(pkg), "status": "ok", "bundle": str(target),
                                "kind": ("AIP" if aip else "SIP") + (" bag" if bagit else "")
                                + (" zip" if as_zip else "")})
    if as_json:
        _print_json(results)
    else:
        for r in results:
            if r["status"] == "ok":
                out.print(f"[green]{escape(_('bundled'))}[/] {escape(r['bundle'])} "
                          f"({r['kind']})", highlight=False)
            else:
                _print_failed(r["error"])
    _exit_for(any(r["status"] != "ok" for r in results))


# --------------------------------------------------------------------------- upload
@_cmd(app)
def upload(
    bundles: Annotated[list[Path], typer.Argument(help=_("Bundle files (zips from `bundle`)."))],
    to: Annotated[str | None, typer.Option(
        "--to", help=_("An http(s) URL of the archive's receiver, or a folder (default: "
                     "[upload] to in config)."))] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help=_("Overwrite a different bundle of the same name at the target."))
    ] = False,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deliver bundles to the archive exactly once: resumable, retried, checksum-confirmed.

    Example: `DIGITIZE_UPLOAD_TOKEN=… digitize upload transfer/*.zip --to https://archive.example/api`

    A bundle the target already holds is reported `already there`; different bytes under the
    same name are refused unless --replace. Every delivery is written to the upload journal.
    """
    from digitize.bundle.upload import ENV_TOKEN, UploadError
    from digitize.bundle.upload import upload as deliver
    from digitize.config import state_dir

    results: list[dict[str, Any]] = []
    with _user_errors():
        cfg = _config(config)
        target = to or cfg.upload.to
        if not target:
            raise UsageProblem(_("No upload target: pass --to URL|DIR or set [upload] to."))
        token = os.environ.get(ENV_TOKEN) or (
            cfg.upload.token_file.read_text(encoding="utf-8").strip()
            if cfg.upload.token_file else None)
        journal = cfg.upload.journal or state_dir() / "uploads.jsonl"
        for b in bundles:
            try:
                d = deliver(b, target, token=token, replace=replace, journal=journal)
                results.append({"bundle": str(b), "status": d.status, "target": d.target,
                                "sha256": d.sha256, "size": d.size})
            except (UploadError, InputFileError) as exc:
                results.append({"bundle": str(b), "status": "failed", "error": exc.message})
    if as_json:
        _print_json(results)
    else:
        for r in results:
            style = "red" if r["status"] == "failed" else "green"
            shown = {"uploaded": _("uploaded"), "already there": _("already there"),
                     "replaced": _("replaced"), "failed": _("failed")}.get(r["status"],
                                                                         r["status"])
            out.print(f"[{style}]{escape(shown)}[/] {escape(r['bundle'])} "
                      f"{escape(r.get('error') or r.get('target', ''))}", highlight=False)
    _exit_for(any(r["status"] == "failed" for r in results))


# --------------------------------------------------------------------------- report
@_cmd(app)
def report(
    outs: Annotated[list[Path], typer.Argument(help=_("Output folders of `run`."))],
    since: Annotated[str | None, typer.Option(
        "--since", help=_("Only dossiers finished on or after this date (YYYY-MM-DD)."))] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help=_("Also write a CSV file."))
                        ] = None,
    chart: Annotated[Path | None, typer.Option(
        "--chart", help=_("Also draw documents per day as a PNG chart."))] = None,
    as_json: JsonOpt = False,
) -> None:
    """The figures a province reports on: dossiers and documents digitized, pages, the shares
    signed, searchable and needing review, failures by reason, median time per dossier, per day.

    Example: `digitize report /srv/digitized --since 2026-11-01 --csv kpi.csv --chart kpi.png`
    """
    from datetime import date

    from digitize.pipeline.report import draw_chart, load_dossiers, make_report, write_csv

    with _user_errors():
        try:
            start = date.fromisoformat(since) if since else None
        except ValueError:
            raise UsageProblem(_("--since {value} is not a date; write it as YYYY-MM-DD.")
                               .format(value=since)) from None
        missing = [o for o in outs if not o.is_dir()]
        if missing:
            raise NoInputError(_("{path} is not an output folder of 'digitize run'.").format(
                path=missing[0]))
        result = make_report(load_dossiers(outs, start))
        if csv_file:
            write_csv(result, csv_file)
        if chart:
            draw_chart(result, chart)
    rows = [f.row() for f in result.days]
    if as_json:
        _print_json({"total": result.total.row(), "days": rows, "failures": result.failures})
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
    for reason, count in result.failures.items():
        out.print(f"  {count} × {escape(reason)}", highlight=False)


# --------------------------------------------------------------------------- at the desk
SplitOpt = Annotated[str | None, typer.Option(
    "--split", help=_("none (one document), separator (at separator sheets: `digitize "
                    "separator`) or blank (at blank pages). Default: [scan] split, none."))]


def _children_table(title: str, children: Sequence[Any]) -> None:
    table = _table(title, (N_("Document"), N_("Pages of the stack"),
                           N_("Type from the separator")))
    for c in children:
        table.add_row(escape(c.path.name), ", ".join(map(str, c.pages)), escape(c.doc_type))
    out.print(table)


@_cmd(app)
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
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Scan a dossier straight from the scanner (SANE) into its folder, optionally split into
    documents and run through the pipeline.

    Example: `digitize scan --dossier 000.00.31.H49-261123-0007 --split separator --run --out out/`

    Pages are kept as lossless TIFF at the scanned resolution; nothing is written when the
    scanner gives no page. `digitize scan --list` shows the devices.
    """
    from digitize.scan.sane import MODES, SOURCES, ScanRequest
    from digitize.scan.sane import list_devices as find_devices
    from digitize.scan.session import scan_dossier

    with _user_errors():
        cfg = _config(config)
        devices = find_devices() if list_devices else []
    if list_devices:
        if as_json:
            _print_json([vars(d) for d in devices])
        else:
            for d in devices:
                out.print(f"{escape(d.name)}\t{escape(d.vendor)} {escape(d.model)} "
                          f"({escape(d.kind)})", highlight=False)
            if not devices:
                err.print(_("No scanner found: check that it is on and connected, and that "
                            "`scanimage -L` sees it."))
        raise typer.Exit(EXIT_OK if devices else EXIT_NO_INPUT)
    sc = cfg.scan
    with _user_errors():
        if not dossier:
            raise UsageProblem(_("Name the dossier: --dossier CODE (mã hồ sơ)."))
        target = _out_dir(out_dir, cfg) if run_after else None
        name = device or sc.device
        if not name:
            found = find_devices()
            if not found:
                raise EnvironmentProblem(_("No scanner found; connect it and check "
                                           "`scanimage -L`, or name one with --device."))
            name = found[0].name
        src = source or sc.source
        colour = mode or sc.mode
        if src not in SOURCES or colour not in MODES:
            raise UsageProblem(_("Use --source {sources} and --mode {modes}.").format(
                sources="|".join(SOURCES), modes="|".join(MODES)))
        req = ScanRequest(device=name, source=src, duplex=sc.duplex if duplex is None else duplex,
                          dpi=dpi or sc.dpi, mode=colour, pages=pages, extra=tuple(sc.options),
                          timeout_s=sc.timeout_s)
        folder = (inbox or sc.inbox) / dossier
        progress = Progress(TextColumn("[bold]scan"), TextColumn("{task.completed} pages"),
                            TimeElapsedColumn(), console=err, disable=not err.is_terminal)
        with progress:
            task = progress.add_task("scan", total=None)
            result = scan_dossier(req, folder, split or sc.split,
                                  lambda n: progress.update(task, completed=n))
    if result.problem:
        _warn(result.problem)
    if as_json and not run_after:
        _print_json({"folder": str(result.folder), "pages": result.pages,
                     "documents": [{"file": str(c.path), "pages": list(c.pages),
                                    "doc_type": c.doc_type or None} for c in result.documents],
                     "problem": result.problem})
    elif not as_json:
        _children_table(escape(_("{pages} pages scanned into {folder}").format(
            pages=result.pages, folder=result.folder)), result.documents)
    if target is not None:
        with _user_errors():
            summary = _batch([result.folder], target, cfg, lang=None, jobs=None,
                             identity=_identity(cfg, None, None), package=True,
                             profile=cfg.run.profile, drop_blank=False, label="run")
        if as_json:
            _print_json(summary)
        else:
            _summary_table(summary)
        _exit_for(_any_failed(summary) or result.problem is not None)
    _exit_for(result.problem is not None)


@_cmd(app)
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

    with _user_errors():
        write_separator(out_file, doc_type or "")
    out.print(_("separator sheet: {path}").format(path=out_file), highlight=False)


@_cmd(app, "split")
def split_cmd(
    stack: Annotated[list[Path], typer.Argument(
        help=_("One scanned stack: a multi-page PDF or TIFF, or the page images of one session "
             "in order (a folder of them is taken in name order)."))],
    out_folder: Annotated[Path, typer.Option(
        "--out", "-o", help=_("Dossier folder to write the documents to (made if missing)."))],
    by: Annotated[str, typer.Option(
        "--by", help=_("separator (sheets from `digitize separator`) or blank (blank pages)."))
    ] = "separator",
    as_json: JsonOpt = False,
) -> None:
    """Split a scanned stack into documents, one file each, without the separator pages.

    Example: `digitize split stack.pdf --out scans/000.00.31.H49-261123-0007`

    The stack is not changed. Each document records the pages it came from; `run` puts that
    in its provenance.
    """
    from digitize.scan.split import record_types, split_stack

    with _user_errors():
        files: list[Path] = []
        for s in stack:
            if s.is_dir():
                files += sorted(p for p in s.iterdir() if p.is_file()
                                and not p.name.startswith("."))
            elif s.is_file():
                files.append(s)
            else:
                raise NoInputError(_("{path} does not exist; check the path.").format(path=s))
        if not files:
            raise NoInputError(_("No pages to split were found."))
        children = split_stack(files, out_folder, by, Path(files[0]).stem)
        record_types(out_folder, children)
    if as_json:
        _print_json([{"file": str(c.path), "pages": list(c.pages), "doc_type": c.doc_type or None}
                     for c in children])
    else:
        _children_table(escape(_("{count} documents in {folder}").format(
            count=len(children), folder=out_folder)), children)


# --------------------------------------------------------------------------- setup
@_cmd(app)
def doctor(
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Output folder whose free space to check (default: [run] out)."))
    ] = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check that this desk can run the pipeline: Tesseract and its language data, pdfsig,
    qpdf, the signing identity or token, trust store, TSA, config, index and disk space.

    Example: `digitize doctor`

    Each problem comes with the command that fixes it. Exit 0 when the pipeline can run,
    4 when something it needs is missing.
    """
    from digitize.config import load_config
    from digitize.errors import EXIT_ENVIRONMENT
    from digitize.setup.doctor import PROBLEM, Check, run_checks

    try:
        cfg = load_config(config)
        checks = run_checks(cfg, out_dir or cfg.run.out)
    except DigitizeError as exc:
        checks = [Check("config", _("config file"), PROBLEM, exc.message,
                        _("fix the file, or digitize init"))]
    if as_json:
        _print_json([vars(c) for c in checks])
    else:
        table = _table("digitize doctor", (N_("Check"), N_("Status"), N_("Found"), N_("Fix")))
        style = {"ok": "green", "warning": "yellow", "problem": "red"}
        shown = {"ok": _("ok"), "warning": _("warning"), "problem": _("problem")}
        for c in checks:
            table.add_row(escape(c.name), f"[{style[c.status]}]{shown[c.status]}[/]",
                          escape(c.detail),
                          escape(c.fix))
        out.print(table)
    bad = [c for c in checks if c.status == PROBLEM]
    if not as_json:
        out.print(_("{count} problems: the pipeline cannot run until they are fixed.").format(
            count=len(bad)) if bad else _("Ready: the pipeline can run."))
    raise typer.Exit(EXIT_ENVIRONMENT if bad else EXIT_OK)


@_cmd(app)
def init(
    from_file: Annotated[Path | None, typer.Option(
        "--from", help=_("Answers in a TOML file (keys as in README), for provisioning many desks "
                       "without questions."))] = None,
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
    from digitize.config import default_config_path
    from digitize.setup.init import ask_answers, read_answers, write_config

    with _user_errors():
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


# --------------------------------------------------------------------------- index
index_app = typer.Typer(help=_("The local index of digitized documents (`find`, `reuse`)."),
                        no_args_is_help=True)
app.add_typer(index_app, name="index")


def _iso_date(text: str | None, option: str) -> str:
    from digitize.extract.overrides import iso_date

    if not text:
        return ""
    try:
        return iso_date(text)
    except ValueError:
        raise UsageProblem(_("{option} {value!r} is not a date; write it as 2026-11-20 or "
                             "20/11/2026.").format(option=option, value=text)) from None


def _hit_json(hit: Any) -> dict[str, Any]:
    e = hit.entry
    return {"id": hit.id, "pdf": e.pdf, "present": Path(e.pdf).is_file(), "sha256": e.sha256,
            "bundle": e.bundle or None, "dossier_id": e.dossier_id,
            "dossier_code": e.dossier_code or None, "doc_kind": e.doc_kind or None,
            "metadata": e.metadata,
            "signature": {"level": e.signature_level, "signer": e.signer,
                          "signing_time": e.signing_time} if e.signature_level else None,
            "snippet": hit.snippet}


@_cmd(app)
def find(
    text: Annotated[str | None, typer.Argument(
        help=_("Words or \"an exact phrase\" of the OCR text or fields; accents and case do not "
             "matter (quyet dinh finds Quyết định)."))] = None,
    id_number: Annotated[str | None, typer.Option(
        "--id-number", help=_("CCCD/CMND number of the person (field or text)."))] = None,
    applicant: Annotated[str | None, typer.Option(
        "--applicant", help=_("Applicant's name (accents do not matter)."))] = None,
    dossier: Annotated[str | None, typer.Option(
        "--dossier", help=_("Dossier code (mã hồ sơ) or dossier folder name."))] = None,
    doc_type: Annotated[str | None, typer.Option(
        "--type", help=_("Document type code: QĐ (or QD), TB, CV, ĐN…"))] = None,
    date_from: Annotated[str | None, typer.Option(
        "--from", help=_("Issued on or after this date (2026-11-01 or 01/11/2026)."))] = None,
    date_to: Annotated[str | None, typer.Option("--to", help=_("Issued on or before."))] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("At most this many."))] = 20,
    config: ConfigOpt = None,
    index: IndexOpt = None,
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Find documents already digitized, newest first: with their package, signature and a
    snippet of the text.

    Example: `digitize find "quyet dinh" --type QĐ --from 2026-01-01`, or
    `digitize find --id-number 008190012345`

    Exit 0 when something was found, 1 when nothing was.
    """
    from digitize.index.store import Index, Query

    _Privacy.show = show_personal
    with _user_errors():
        cfg = _config(config)
        q = Query(text=text or "", id_number=id_number or "", applicant=applicant or "",
                  dossier=dossier or "", doc_type=doc_type or "",
                  date_from=_iso_date(date_from, "--from"), date_to=_iso_date(date_to, "--to"),
                  limit=limit)
        if q == Query(limit=limit):
            raise UsageProblem(_("Say what to find: words, --id-number, --applicant, "
                                 "--dossier, --type, --from or --to."))
        with Index(index_path(cfg, index)) as ix:
            hits = ix.find(q)
    if as_json:
        _print_json([_hit_json(h) for h in hits])
    else:
        table = _table(f"digitize find: {len(hits)}", (
            N_("Id"), N_("Dossier"), N_("Type"), N_("Number"), N_("Date"), N_("Person"),
            N_("Signed"), N_("Text")))
        for h in hits:
            e = h.entry
            number = "/".join(v for v in (e.number, e.symbol) if v)
            person = " ".join(v for v in (e.applicant_name, _private(e.id_number)) if v)
            signed = e.signature_level or f"[red]{_yes(False)}[/]"
            if not Path(e.pdf).is_file():
                signed = f"[red]{escape(_('file missing'))}[/]"
            table.add_row(str(h.id), escape(e.dossier_code or e.dossier_id),
                          escape(e.doc_type_code or e.doc_kind), escape(number), e.issued_date,
                          escape(person), signed, escape(_private(h.snippet)))
        out.print(table)
        if hits:
            out.print(escape(_("Package of the first: {path}").format(
                path=hits[0].entry.bundle or hits[0].entry.pdf)), highlight=False)
    _exit_for(not hits)


@_cmd(app)
def reuse(
    documents: Annotated[list[str], typer.Argument(
        help=_("Index ids (from `digitize find`) or paths of indexed signed PDFs."))],
    into: Annotated[Path, typer.Option(
        "--into", help=_("The new dossier's output folder, OUT/<dossier>, made by `run`."))],
    config: ConfigOpt = None,
    index: IndexOpt = None,
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Add earlier signed documents to a new dossier's package without scanning, OCR or
    signing them again: the same bytes (checked by SHA-256), so their signatures stay valid.

    Example: `digitize reuse 1234 --into out/000.00.31.H49-261123-0007`

    The new package records where each came from (provenance); `bundle --aip` carries it into
    PREMIS. A later `run` of the dossier keeps the reused documents.
    """
    from digitize.index.entries import index_dossier
    from digitize.index.store import Index
    from digitize.pipeline.reuse import reuse_documents

    _Privacy.show = show_personal
    with _user_errors():
        cfg = _config(config)
        where = index_path(cfg, index)
        with Index(where) as ix:
            entries = [ix.lookup(doc) for doc in documents]
        done = reuse_documents(entries, into, cfg)
        if cfg.index.enabled or index is not None:
            index_dossier(where, into.parent, done.dossier)
    result, added = done.dossier, done.added
    if as_json:
        _print_json({"dossier": result.id, "bundle": result.bundle, "added": added})
    else:
        for d in added:
            out.print(escape(_("added {name} as {path}").format(
                name=Path(d.reused_from or "").name, path=d.pdf or "")), highlight=False)
        if not added:
            out.print(_("Nothing added: those documents are already in the dossier."))
        out.print(escape(_("package: {path}").format(path=result.bundle)), highlight=False)


@_cmd(app)
def forget(
    id_number: Annotated[str, typer.Option(
        "--id-number", help=_("CCCD (12 digits) or CMND (9 digits) of the person."))],
    config: ConfigOpt = None,
    index: IndexOpt = None,
    show_personal: PersonalOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Remove a person from the index: every document with their ID number as a field or in
    its text. Signed packages and archives are not touched (they are records).

    Example: `digitize forget --id-number 008190012345`
    """
    from digitize.index.store import Index

    _Privacy.show = show_personal
    with _user_errors():
        cfg = _config(config)
        with Index(index_path(cfg, index)) as ix:
            removed = ix.forget(id_number)
    rows = [{"pdf": e.pdf, "dossier_id": e.dossier_id, "doc_type_code": e.doc_type_code,
             "number": "/".join(v for v in (e.number, e.symbol) if v),
             "applicant_name": e.applicant_name} for e in removed]
    if as_json:
        _print_json({"removed": rows})
    else:
        for r in rows:
            out.print(escape(_("removed")) + f" {escape(r['dossier_id'])} "
                      f"{escape(r['doc_type_code'])} "
                      f"{escape(r['number'])} {escape(r['pdf'])}", highlight=False)
        out.print(_("{count} documents removed from the index; their packages are kept.")
                  .format(count=len(rows)))


@_cmd(index_app, "rebuild")
def index_rebuild(
    outs: Annotated[list[Path], typer.Argument(help=_("Output folders of `digitize run`."))],
    config: ConfigOpt = None,
    index: IndexOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make the index anew from the dossiers in these output folders (what is not in them
    leaves the index).

    Example: `digitize index rebuild /srv/digitized/2026-*`
    """
    from digitize.index.entries import output_entries
    from digitize.index.store import Index

    with _user_errors():
        cfg = _config(config)
        target = index_path(cfg, index)
        fresh = target.with_name(f".{target.name}.{os.getpid()}.part")
        fresh.unlink(missing_ok=True)
        try:
            with Index(fresh) as ix:
                count = ix.add_many(output_entries(outs))
            os.replace(fresh, target)
        finally:
            fresh.unlink(missing_ok=True)
    if as_json:
        _print_json({"index": str(target), "documents": count})
    else:
        out.print(escape(_("{count} documents indexed in {path}.").format(count=count,
                                                                          path=target)),
                  highlight=False)


# --------------------------------------------------------------------------- schema
@_cmd(schema_app, "export")
def schema_export(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Folder for the schema files."))],
) -> None:
    """Write the JSON Schemas of every --json output and TT 05/2025 field set, and the XML
    schemas packages use.

    Example: `digitize schema export --out schemas/`
    """
    from digitize.bundle.verify import PackageReport
    from digitize.fsutil import write_bytes_atomic, write_text_atomic
    from digitize.schemas.legacy import LegacyExport
    from digitize.schemas.tt05 import DocumentFields, DossierFields
    from digitize.schemas.xsd import package_schema_files
    from digitize.signing.verify import FileReport

    with _user_errors():
        schemas: dict[str, Any] = {
            "run.schema.json": RunSummary.model_json_schema(),
            "document.schema.json": DocumentResult.model_json_schema(),
            "verify-file.schema.json": FileReport.model_json_schema(),
            "verify-package.schema.json": PackageReport.model_json_schema(),
            "tt05-dossier.schema.json": DossierFields.model_json_schema(),
            "tt05-document.schema.json": DocumentFields.model_json_schema(),
            "tt02-legacy.schema.json": LegacyExport.model_json_schema(by_alias=True),
        }
        for name, schema in schemas.items():
            write_text_atomic(out_dir / name, json.dumps(schema, ensure_ascii=False, indent=2))
        for name, data in package_schema_files().items():
            write_bytes_atomic(out_dir / name, data)
    out.print(escape(_("Wrote {count} schema files to {path}").format(
        count=len(schemas) + len(package_schema_files()), path=out_dir)))


@_cmd(schema_app, "legacy")
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
    import tempfile

    from digitize.bundle.sip import package_fields
    from digitize.bundle.transfer import find_package, unpack_zip
    from digitize.fsutil import write_text_atomic
    from digitize.schemas.legacy import legacy_export

    with _user_errors(), tempfile.TemporaryDirectory() as tmp:
        folder = unpack_zip(package, Path(tmp)) if package.suffix == ".zip" else package
        pkg = find_package(folder) if folder.is_dir() else None
        if pkg is None:
            raise NoInputError(_("{path} holds no package (METS.xml); give a package folder, "
                                 "its zip or bag, or a dossier's output folder.").format(
                                     path=package))
        text = legacy_export(*package_fields(pkg)).model_dump_json(indent=2)
        if out_file is None:
            sys.stdout.write(text + "\n")
        else:
            write_text_atomic(out_file, text)
            out.print(escape(_("Wrote the TT 02/2019 field set of {name} to {path}").format(
                name=pkg.name, path=out_file)), highlight=False)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # A handler of our own, not Python's default: asyncio.run (which pyHanko uses for every
    # signature and validation) replaces the default one with a handler that cancels its task,
    # and a library that swallows the cancellation would swallow the clerk's Ctrl-C with it.
    signal.signal(signal.SIGINT, _interrupt)
    localise_framework()
    command = typer.main.get_command(app)
    localise_params(command)
    command(prog_name="digitize")


if __name__ == "__main__":
    main()
