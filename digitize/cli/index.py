"""The index of digitized documents: `find`, `reuse`, `forget` and `index rebuild`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import ID, TEXT, Privacy, out, print_json, private, records, yes
from digitize.config import index_location, load_config
from digitize.errors import EnvironmentProblem, UsageProblem
from digitize.i18n import N_, _

app = group()

index_app = typer.Typer(help=_("The index of digitized documents (`find`, `reuse`): the local "
                               "file, or the province's shared index."),
                        no_args_is_help=True)


@command(app)
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
    desk: Annotated[str | None, typer.Option(
        "--desk", help=_("Made at this desk: its name (accents do not matter) or its agency "
                         "code; for the shared index."))] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=_("At most this many."))] = 20,
    config: opt.ConfigOpt = None,
    index: opt.IndexOpt = None,
    show_personal: opt.PersonalOpt = False,
    wide: opt.WideOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Find documents already digitized, newest first: with their package, signature and a
    snippet of the text.

    Example: `digitize find "quyet dinh" --type QĐ --from 2026-01-01`, or
    `digitize find --id-number 008190012345 --desk "Một cửa xã Minh Xuân"`

    With [index] url set, the province's shared index is searched (every desk's documents);
    `--index FILE` searches a local file only.

    Exit 0 when something was found, 1 when nothing was.
    """
    from digitize.index.model import Query
    from digitize.index.store import open_index

    Privacy.show = show_personal
    with user_errors():
        cfg = load_config(config)
        q = Query.asked(text=text, id_number=id_number, applicant=applicant, dossier=dossier,
                        doc_type=doc_type, date_from=date_from, date_to=date_to, desk=desk,
                        limit=limit)
        with open_index(index_location(cfg, index)) as ix:
            hits = ix.find(q)
    if as_json:
        print_json([h.record() for h in hits])
    else:
        # The desk column only where the hits come from more than one desk (a shared index).
        desks = len({(h.entry.agency_code, h.entry.desk) for h in hits}) > 1
        rows = []
        for h in hits:
            e = h.entry
            number = "/".join(v for v in (e.number, e.symbol) if v)
            person = " ".join(v for v in (e.applicant_name, private(e.id_number)) if v)
            signed = e.signature_level or f"[red]{yes(False)}[/]"
            if not Path(e.pdf).is_file():
                signed = f"[red]{escape(_('file missing'))}[/]"
            rows.append([str(h.id), *([escape(e.desk or e.agency_code)] if desks else []),
                         escape(e.dossier_code or e.dossier_id),
                         escape(e.doc_type_code or e.doc_kind), escape(number), e.issued_date,
                         escape(person), signed, escape(private(h.snippet))])
        records(f"digitize find: {len(hits)}", (
            (N_("Id"), ID), *([(N_("Desk"), TEXT)] if desks else []), (N_("Dossier"), ID),
            (N_("Type"), ID), (N_("Number"), ID), (N_("Date"), ID), (N_("Person"), TEXT),
            (N_("Signed"), ID), (N_("Text"), TEXT)),
            rows, wide)
        if hits:
            out.print(escape(_("Package of the first: {path}").format(
                path=hits[0].entry.bundle or hits[0].entry.pdf)), highlight=False)
    exit_for(not hits)


@command(app)
def reuse(
    documents: Annotated[list[str], typer.Argument(
        help=_("Index ids (from `digitize find`) or paths of indexed signed PDFs."))],
    into: Annotated[Path, typer.Option(
        "--into", help=_("The new dossier's output folder, OUT/<dossier>, made by `run`."))],
    config: opt.ConfigOpt = None,
    index: opt.IndexOpt = None,
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Add earlier signed documents to a new dossier's package without scanning, OCR or
    signing them again: the same bytes (checked by SHA-256), so their signatures stay valid.

    Example: `digitize reuse 1234 --into out/000.00.31.H49-261123-0007`

    The new package records where each came from (provenance); `bundle --aip` carries it into
    PREMIS. A later `run` of the dossier keeps the reused documents.
    """
    from digitize.pipeline.reuse import reuse_into

    Privacy.show = show_personal
    with user_errors():
        done = reuse_into(documents, into, load_config(config), index)
    result, added = done.dossier, done.added
    if as_json:
        print_json({"dossier": result.id, "bundle": result.bundle, "added": added})
    else:
        for d in added:
            out.print(escape(_("added {name} as {path}").format(
                name=Path(d.reused_from or "").name, path=d.pdf or "")), highlight=False)
        if not added:
            out.print(_("Nothing added: those documents are already in the dossier."))
        out.print(escape(_("package: {path}").format(path=result.bundle)), highlight=False)


@command(app)
def forget(
    id_number: Annotated[str, typer.Option(
        "--id-number", help=_("CCCD (12 digits) or CMND (9 digits) of the person."))],
    config: opt.ConfigOpt = None,
    index: opt.IndexOpt = None,
    show_personal: opt.PersonalOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Remove a person from the index: every document with their ID number as a field or in
    its text, at every desk of a shared index (reported per desk). Signed packages and archives
    are not touched (they are records).

    Example: `digitize forget --id-number 008190012345`

    When the shared index cannot be reached, this desk's entries are removed at once and the
    removal waits in the queue (`digitize index sync` sends it).
    """
    from digitize.index.store import open_index

    Privacy.show = show_personal
    with user_errors():
        cfg = load_config(config)
        with open_index(index_location(cfg, index)) as ix:
            removed = ix.forget(id_number)
            waiting = ix.pending()
    rows = [{"pdf": e.pdf, "dossier_id": e.dossier_id, "doc_type_code": e.doc_type_code,
             "number": "/".join(v for v in (e.number, e.symbol) if v),
             "applicant_name": e.applicant_name, "agency_code": e.agency_code or None,
             "desk": e.desk or None} for e in removed]
    per_desk: dict[str, int] = {}
    for e in removed:
        name = e.desk or e.agency_code
        per_desk[name] = per_desk.get(name, 0) + 1
    if as_json:
        print_json({"removed": rows, "per_desk": per_desk, "queued": bool(waiting)})
    else:
        for r in rows:
            out.print(escape(_("removed")) + f" {escape(r['dossier_id'])} "
                      f"{escape(r['doc_type_code'])} "
                      f"{escape(r['number'])} {escape(r['pdf'])}", highlight=False)
        for name, count in sorted(per_desk.items()):
            out.print(escape(_("{desk}: {count} removed").format(desk=name or _("(no desk)"),
                                                                  count=count)),
                      highlight=False)
        out.print(_("{count} documents removed from the index; their packages are kept.")
                  .format(count=len(rows)))
        if waiting:
            out.print(escape(_("The shared index cannot be reached: the removal waits in the "
                               "queue; run `digitize index sync` when it is back.")),
                      highlight=False)


@command(index_app, "rebuild")
def index_rebuild(
    outs: Annotated[list[Path], typer.Argument(help=_("Output folders of `digitize run`."))],
    config: opt.ConfigOpt = None,
    index: opt.IndexOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Make the index anew from the dossiers in these output folders (what is not in them
    leaves the index).

    Example: `digitize index rebuild /srv/digitized/2026-*`
    """
    from digitize.index.updates import rebuild_index

    with user_errors():
        loc = index_location(load_config(config), index)
        count = rebuild_index(loc, outs)
    if as_json:
        print_json({"index": str(loc.path), "documents": count})
    else:
        out.print(escape(_("{count} documents indexed in {path}.").format(count=count,
                                                                          path=loc.path)),
                  highlight=False)


@command(index_app, "sync")
def index_sync(
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Send what waits for the shared index (changes made while its server could not be
    reached). Sending twice is harmless; nightly jobs may run it after `run`.

    Example: `digitize index sync`

    Exit 0 when nothing waits any more, 4 when the server still cannot be reached.
    """
    from digitize.index.shared import SharedIndex, check_url

    with user_errors():
        loc = index_location(load_config(config))
        if not loc.url:
            raise UsageProblem(_("No shared index is configured: set [index] url (or "
                                 "$DIGITIZE_INDEX_URL) to postgresql://user@host/database."))
        with SharedIndex(loc, check_url(loc.url)) as shared:
            done = shared.sync()
    if as_json:
        print_json({"index": shared.where, "sent": done.sent, "pending": done.pending,
                    "reason": done.reason or None})
    else:
        out.print(escape(_("{sent} changes sent to {where}; {pending} still wait.").format(
            sent=done.sent, where=shared.where, pending=done.pending)), highlight=False)
        if done.reason:
            out.print(escape(done.reason), highlight=False)
    if done.pending:
        raise typer.Exit(EnvironmentProblem.exit_code)
