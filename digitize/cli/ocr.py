"""OCR and metadata: `ocr` (searchable PDF/A, unsigned), `extract` (fields of documents that have
text), `review` (the clerk checks the fields sent to review)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli import output
from digitize.cli.batch import open_signer, run_pipeline
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import err, out, print_json, private
from digitize.config import load_config
from digitize.i18n import N_, _
from digitize.model import Status
from digitize.privacy import mask_value

if TYPE_CHECKING:
    from digitize.extract.review import ReviewItem

app = group()


@command(app)
def ocr(
    inputs: Annotated[list[Path], typer.Argument(help=_("Scans or folders of scans."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Output folder."))],
    config: opt.ConfigOpt = None,
    lang: opt.LangOpt = None,
    jobs: opt.JobsOpt = None,
    executor: opt.ExecutorOpt = "local",
    profile: opt.ProfileOpt = "archive",
    drop_blank: opt.DropBlankOpt = False,
    keep_text: opt.KeepTextOpt = None,
    log_format: opt.LogFormatOpt = "text",
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """OCR scans into searchable PDF/A-2b files (scan image + invisible text), plain text and
    hOCR word boxes, unsigned.

    Example: `digitize ocr scan_0001.jpg scan_0002.pdf --out ocr/`
    """
    output.Privacy.show = show_personal
    with user_errors():
        output.setup_logging(log_format)
        cfg = load_config(config)
        from digitize.pipeline.options import run_options

        opts = run_options(cfg, out_dir, lang=lang, jobs=jobs, package=False, profile=profile,
                           drop_blank=drop_blank, keep_text=keep_text, executor=executor)
        summary = run_pipeline(inputs, opts, None, "ocr")
    docs = [d for dossier in summary.dossiers for d in dossier.documents]
    if as_json:
        print_json(docs)
    else:
        output.records("digitize ocr", ((N_("Source"), output.ID), (N_("Status"), output.ID),
                                        (N_("PDF"), output.ID), (N_("Note"), output.TEXT)),
                       [[escape(output.shown_path(d.source)), output.status_cell(d.status),
                         escape(output.shown_path(d.pdf or "")),
                         escape(private(d.error or "; ".join(d.review)))] for d in docs])
    exit_for(summary.any_failed)


@command(app)
def extract(
    files: Annotated[list[Path], typer.Argument(
        help=_("PDFs with a text layer, hOCR files (from `ocr`/`run`: keeps word confidences), or "
             ".txt files."))],
    config: opt.ConfigOpt = None,
    overrides: Annotated[Path | None, typer.Option(
        "--overrides", help=_("Override file (TOML, tables keyed by file name); see the docs "
                              "(Review and overrides)."))
    ] = None,
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Read the metadata of documents that already have text (no OCR).

    Example: `digitize extract out/HS-1/H49.2026.261120-0001.2.hocr --json`
    """
    from digitize.extract.files import extract_files

    output.Privacy.show = show_personal
    with user_errors():
        results = extract_files(files, load_config(config), overrides)
    if as_json:
        print_json(results)
    else:
        for r in results:
            rows = [[k, escape(str(v if output.Privacy.show else mask_value(k, v))),
                     f"{r.confidence.get(k, 0):.2f}"] for k, v in r.metadata.items()]
            if r.error:
                rows.append([_("error"), escape(r.error), ""])
            output.records(f"{r.source} — {r.status.value}", (
                (N_("Field"), output.ID), (N_("Value"), output.TEXT),
                (N_("Confidence"), output.ID)), rows)
    exit_for(any(r.status is Status.failed for r in results))


def _result_command(source: str, dossier: str, out_dir: Path) -> str:
    """The command that confirms a result's code (the clerk puts the code in)."""
    import shlex

    return (f"digitize result add {shlex.quote(source)} --dossier {shlex.quote(dossier)} "
            f"--out {shlex.quote(str(out_dir))} --code " + _("CODE"))


def ask_field(item: ReviewItem) -> str | None:
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
    for note in item.notes:
        err.print(f"  [yellow]{escape(note)}[/]", highlight=False)
    if ev is not None:
        err.print("  " + escape(_("OCR line (page {page}): {text}").format(
            page=ev.page + 1, text=ev.text)), highlight=False)
    image = crop(item)
    if image is not None:
        err.print("  " + escape(_("page crop: {path}").format(path=image)), highlight=False)
    while True:
        try:
            answer = Prompt.ask("  " + _("correct value (Enter keeps the value read, '-' skips)"),
                                default="" if item.value is None else str(item.value),
                                show_default=False, console=err)
        except EOFError:  # the answers piped in ran out: this field and the rest wait
            return None
        if answer.strip() == "-" or (not answer.strip() and item.value is None):
            return None
        try:
            normalise(item.field, answer)
        except ValueError as exc:
            err.print(f"  [red]{escape(str(exc))}[/]; " + escape(_("try again.")),
                      highlight=False)
            continue
        return answer


@command(app)
def review(
    target: Annotated[Path, typer.Argument(
        help=_("Output folder of `run`, or one dossier's folder inside it."))],
    config: opt.ConfigOpt = None,
    operator: Annotated[str, typer.Option(
        help=_("Name recorded with each change (default: [review] operator, else the login)."))
    ] = "",
    rerun: Annotated[bool, typer.Option(
        help=_("Run the changed dossiers again so that their PDFs, signatures and packages carry "
             "the corrections."))] = True,
    p12: opt.P12Opt = None,
    secret_file: opt.SecretOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Walk through the fields that need review, showing the OCR line and a crop of the page, and
    accept or correct each value.

    Example: `digitize review out/`

    Answers go to OUT/.overrides/<dossier>.toml (the same format as a dossier's
    digitize-overrides.toml, see the docs). With --rerun (the default) the changed dossiers are
    processed again, so the corrected values are in the metadata, the PDF, the package and its
    provenance (old value, new value, time, operator). Results of the procedure whose code
    is unsure are listed at the end with the `digitize result add … --code` that confirms them.
    """
    from digitize.extract.overrides import normalise, operator_name
    from digitize.extract.review import (
        fields_to_review,
        finished,
        record_answers,
        results_to_confirm,
    )

    with user_errors():
        cfg = load_config(config)
        who = operator_name(operator, cfg.review.operator)
        dossiers = finished(target)  # each record read once, for the fields and the results
        items = fields_to_review(dossiers)
        results = results_to_confirm(dossiers)
        answers: dict[str, dict[str, dict[str, object]]] = {}
        folders: dict[str, Path] = {}
        for item in items:
            value = ask_field(item)
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
            identity = open_signer(cfg, p12, secret_file)
            from digitize.pipeline.options import run_options

            summary = run_pipeline(sources, run_options(cfg, next(iter(folders.values()))),
                                   identity, "review")
    confirm = [{"dossier": r.dossier.id, "source": r.result.source, "code": r.result.code,
                "notes": r.notes, "command": _result_command(r.result.source, r.dossier.id,
                                                             r.out)} for r in results]
    result = {"fields": len(items), "answered": sum(len(v) for a in answers.values()
                                                    for v in a.values()),
              "override_files": [str(p) for p in written],
              "rerun": summary.model_dump(mode="json") if summary else None,
              "results": confirm}
    if as_json:
        print_json(result)
    else:
        out.print(_("{answered} of {fields} fields answered; {files}").format(
            answered=result["answered"], fields=len(items),
            files=", ".join(result["override_files"]) or _("nothing written")), highlight=False)
        for r in confirm:
            out.print(_("Result of {dossier} to confirm ({notes}): {command}").format(
                dossier=r["dossier"], notes="; ".join(r["notes"]), command=r["command"]),
                highlight=False)
        if summary is not None:
            output.summary_table(summary)
    exit_for(summary is not None and summary.totals.failed > 0)
