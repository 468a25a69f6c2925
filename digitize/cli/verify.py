"""Verification: `verify` (signatures, packages, zips and bags)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import ID, TEXT, out, print_json, records, shown_path
from digitize.config import load_config
from digitize.i18n import N_, _

if TYPE_CHECKING:
    from digitize.bundle.eark import EarkReport

app = group()


@command(app)
def verify(
    paths: Annotated[list[Path], typer.Argument(
        help=_("Signed PDFs, packages (folder or .zip), or `run` output folders."))],
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", help=_("Trusted root certificates (PEM/DER file or folder); adds to "
                        "[verify] trust in config."))] = None,
    trust_only: Annotated[list[Path] | None, typer.Option(
        "--trust-only", help=_("Trust only these certificates (file or folder), instead of "
                             "[verify] trust (by default the built-in Vietnamese anchors and "
                             "your own store, see `digitize trust list`)."))] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help=_("Fetch no OCSP/CRL; use only what the files carry."))] = False,
    report: Annotated[Path | None, typer.Option(
        "--report", help=_("Also write a self-contained HTML report to this file."))] = None,
    eark: Annotated[bool, typer.Option(
        "--eark/--no-eark", help=_("Check packages against E-ARK CSIP 2.1 with E-ARK's own "
                                   "validator (offline, about 2 s a run)."))] = True,
    config: opt.ConfigOpt = None,
    wide: opt.WideOpt = False,
    as_json: opt.JsonOpt = False,
) -> None:
    """Check every signature (who, when, integrity, chain, revocation, timestamp, PAdES level,
    certification, later changes), and for packages, zips and bags every file's SHA-256, the
    METS/EAD structure, the TT 05/2025 metadata and E-ARK CSIP 2.1 conformance.

    Example: `digitize verify out/ --trust /etc/digitize/roots/ --report report.html`

    Verdicts follow ETSI TS 119 102-1: valid, invalid, or indeterminate with a sub-indication.
    Exit 0 only when everything is valid; invalid or indeterminate exits 1.
    """
    from digitize.bundle.verify import PackageReport, verify_paths
    from digitize.pipeline.executors import default_jobs
    from digitize.validation.fetch import FetchPolicy, set_policy
    from digitize.validation.verify import FileReport, Indication, load_trust

    with user_errors():
        cfg = load_config(config)
        set_policy(FetchPolicy(allow_private=cfg.verify.allow_private_fetch))
        roots = load_trust([*(trust_only or cfg.verify.trust), *(trust or [])])
        reports: list[FileReport | PackageReport] = verify_paths(paths, roots, offline,
                                                                 default_jobs(),
                                                                 eark and (cfg.verify.eark_python
                                                                           or True))
        if report is not None:
            from digitize.fsutil import write_text_atomic
            from digitize.validation.html_report import render
            from digitize.validation.verify import POLICY

            write_text_atomic(report, render(reports, POLICY))
    if as_json:
        print_json([r.model_dump(mode="json") for r in reports])
    else:
        style = {Indication.valid: "green", Indication.indeterminate: "yellow",
                 Indication.invalid: "red"}
        shown = {Indication.valid: _("valid"), Indication.indeterminate: _("indeterminate"),
                 Indication.invalid: _("invalid")}
        rows: list[list[str]] = []
        for r in reports:
            files = r.documents if isinstance(r, PackageReport) else [r]
            if isinstance(r, PackageReport):
                rows.append([f"[bold]{escape(shown_path(r.path))}[/]",
                             f"[{style[r.status]}]{shown[r.status]}[/]", "", "", "",
                             escape("; ".join([_("{count} files checked").format(
                                 count=r.files_checked), *r.reasons]))])
                if r.eark is not None:
                    rows.append(list(_eark_row(r.eark)))
            for f in files:
                for s in f.signatures or [None]:
                    rows.append([
                        escape(f"  {Path(f.path).name}" if isinstance(r, PackageReport)
                               else shown_path(f.path)),
                        f"[{style[s.status if s else f.status]}]"
                        f"{shown[s.status if s else f.status]}[/]",
                        escape(s.signer) if s else "", _when(s.signing_time) if s else "",
                        s.level or "" if s else "",
                        escape("; ".join(([s.sub_indication] if s and s.sub_indication else [])
                                         + (s.reasons if s else f.reasons)
                                         + (s.warnings if s else [])))])
        records("digitize verify", ((N_("File"), ID), (N_("Status"), ID), (N_("Signer"), TEXT),
                                    (N_("Signed at"), ID), (N_("Level"), ID), (N_("Why"), TEXT)),
                rows, wide)
        out.print(_("Policy: {policy}").format(policy=_(reports[0].policy)) if reports else "",
                  style="dim")
    exit_for(any(r.status is not Indication.valid for r in reports))


def _when(iso: str | None) -> str:
    """A signing time to the minute, in the signer's zone (the JSON keeps the seconds)."""
    return (iso or "")[:16].replace("T", " ")


def _eark_row(rep: EarkReport) -> tuple[str, str, str, str, str, str]:
    if not rep.ran:
        return ("  E-ARK CSIP 2.1", f"[yellow]{_('not checked')}[/]", "", "", "",
                escape(rep.note))
    known = [r.rule for r in rep.rules if r.known]
    failed = rep.failed
    why = ([_("failed: {rules}").format(rules=", ".join(failed))] if failed else []) + \
        ([_("the validator's own or the circular's: {rules}").format(rules=", ".join(known))]
         if known else []) + \
        ([_("{count} warnings").format(count=rep.warnings)] if rep.warnings else [])
    status = f"[green]{_('conforms')}[/]" if rep.conforms else f"[red]{_('does not conform')}[/]"
    return "  E-ARK CSIP 2.1", status, "", "", "", escape("; ".join(why))
