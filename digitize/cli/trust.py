"""The trust store: `trust list` (what signatures are checked against) and `trust add`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.errors import user_errors
from digitize.cli.group import command
from digitize.cli.output import ID, TEXT, print_json, records
from digitize.config import load_config
from digitize.i18n import N_, _
from digitize.validation.trust import StoredCertificate

app = typer.Typer(help=_("The certificates signatures are checked against: the built-in "
                         "Vietnamese anchors (vn) and your own store (user)."),
                  no_args_is_help=True)


def _print(certs: list[StoredCertificate], title: str, as_json: bool) -> None:
    if as_json:
        print_json([vars(c) for c in certs])
        return
    records(title, ((N_("Subject"), TEXT), (N_("Store"), ID), (N_("Issuer"), TEXT),
                    (N_("Valid to"), ID), (N_("Root"), ID), (N_("SHA-256"), ID)),
            [[escape(c.subject), c.store, escape(c.issuer), c.valid_to,
              _("yes") if c.root else _("no"), c.sha256[:16] + "…"] for c in certs])


@command(app, "list")
def trust_list(
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """List the certificates of the trust store [verify] trust names: the built-in Vietnamese
    anchors (NEAC's national roots and the licensed CAs under them; the Government CA's G1 and G2
    roots and sub-CAs), your own store, and any file or folder in the config.

    Example: `digitize trust list`
    """
    from digitize.validation.trust import list_store

    with user_errors():
        certs = list_store(load_config(config).verify.trust)
    _print(certs, _("{count} certificates").format(count=len(certs)), as_json)


@command(app, "add")
def trust_add(
    files: Annotated[list[Path], typer.Argument(
        help=_("PEM or DER certificates, or .p7b bundles as the CA sites publish them."))],
    as_json: opt.JsonOpt = False,
) -> None:
    """Add certificates to your own trust store (used by default, as "user" in [verify] trust).

    Example: `digitize trust add vnpt-ca.p7b`
    """
    from digitize.validation.trust import add_to_user_store

    with user_errors():
        added = [c for f in files for c in add_to_user_store(f)]
    _print(added, _("{count} certificates added").format(count=len(added)), as_json)
