"""Bundles: `bundle` (SIP or AIP, bare or bagged, folder or zip) and `upload` (to the archive)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import out, print_json, print_outcomes
from digitize.config import load_config
from digitize.i18n import _

app = group()


@command(app)
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
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Check packages made by `run` and make them ready for transfer: as they are (SIP) or as
    an archival package (AIP), bare or bagged, as a folder or a zip.

    Example: `digitize bundle out/000.00.31.H49-261120-0001 --out transfer/ --aip --zip`

    A package whose checksums, METS or EAD do not check out is not bundled (exit 1).
    """
    from digitize.bundle.transfer import bundle_paths

    with user_errors():
        cfg = load_config(config)
        done = bundle_paths(packages, out_dir, aip=aip, bag=bagit, as_zip=as_zip,
                            organisation=cfg.agency.name)
    results = [{"source": str(b.source), "status": "ok", "bundle": str(b.bundle),
                "kind": b.kind} if b.bundle else
               {"source": str(b.source), "status": "failed", "error": b.error} for b in done]
    print_outcomes(results, as_json, lambda r: f"[green]{escape(_('bundled'))}[/] "
                                               f"{escape(r['bundle'])} ({r['kind']})")
    exit_for(any(r["status"] != "ok" for r in results))


@command(app)
def upload(
    bundles: Annotated[list[Path], typer.Argument(help=_(
        "Bundle files (zips from `bundle`); for the one-stop system, dossiers' output folders "
        "or output folders."))],
    to: Annotated[str | None, typer.Option(
        "--to", help=_("A folder, sftp://user@host/folder, an https:// WebDAV share (or "
                     "webdavs://), digitize's https:// receiver, or the one-stop system: "
                     "onestop+https://… or onestop ([onestop] url) (default: [upload] to)."))
    ] = None,
    replace: Annotated[bool, typer.Option(
        "--replace", help=_("Overwrite a different bundle of the same name at the target."))
    ] = False,
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Deliver bundles to the archive exactly once: resumable, retried, checksum-confirmed.

    Example: `DIGITIZE_UPLOAD_TOKEN=… digitize upload transfer/*.zip --to https://archive.example/api`

    SFTP: `digitize upload transfer/*.zip --to sftp://digitize@archive.example/incoming` (host
    key from [upload] known_hosts or host_fingerprint, key from [upload] ssh_key or the agent).

    One-stop system: `DIGITIZE_ONESTOP_TOKEN=… digitize upload out/ --to onestop` sends each
    finished dossier's record (added, or updated when it changed; never twice).

    A bundle the target already holds is reported `already there`; different bytes under the
    same name are refused unless --replace. Every delivery is written to the upload journal. A
    refused host key or refused credentials, or a target that does not answer, exit 4.
    """
    from digitize.bundle.upload import upload_all, upload_settings

    with user_errors():
        cfg = load_config(config)
        done = upload_all(bundles, upload_settings(cfg, to), replace)
    if as_json:
        print_json(done.receipts)
    else:
        for r in done.receipts:
            style = "red" if r["status"] == "failed" else "green"
            shown = {"uploaded": _("uploaded"), "already there": _("already there"),
                     "replaced": _("replaced"), "updated": _("updated"),
                     "failed": _("failed")}.get(r["status"], r["status"])
            out.print(f"[{style}]{escape(shown)}[/] {escape(r['bundle'])} "
                      f"{escape(r.get('error') or r.get('target', ''))}", highlight=False)
    raise typer.Exit(done.exit_code)
