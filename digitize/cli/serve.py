"""`digitize serve`: the desk's web interface (review, verification, search, the day's figures and
intake from any desk PC's browser)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.errors import user_errors
from digitize.cli.group import command, group
from digitize.cli.output import out
from digitize.config import load_config
from digitize.i18n import _

app = group()


@command(app)
def serve(
    outs: Annotated[list[Path] | None, typer.Argument(
        help=_("Output folders of `digitize run` to show (default: [web] outs, else [run] "
             "out); new dossiers go into the first."))] = None,
    host: Annotated[str | None, typer.Option(
        "--host", help=_("Address to listen on (default [web] host, 127.0.0.1); any other "
                         "than loopback needs a login."))] = None,
    port: Annotated[int | None, typer.Option(
        "--port", help=_("Port (default [web] port, 8470)."))] = None,
    set_password: Annotated[bool, typer.Option(
        "--set-password", help=_("Set the login's password (asked twice, stored hashed) and "
                                 "exit."))] = False,
    config: opt.ConfigOpt = None,
) -> None:
    """Serve the desk's web interface: dossiers and their progress, the review queue with the
    page and the field's box, documents with their text and signatures, verification of a
    dropped file, the index search, the report, and new dossiers from uploaded scans.

    Example: `digitize serve /srv/digitized` then open http://127.0.0.1:8470/

    It listens on 127.0.0.1 unless --host says otherwise, and refuses another address until a
    password is set (`digitize serve --set-password`). Vietnamese by default, English by the
    link on every page.
    """
    from digitize.web.auth import login_needed, password_path, stored_hash

    with user_errors():
        cfg = load_config(config)
        where = password_path(cfg.web.password_file)
        if set_password:
            from digitize.web.auth import set_password as store

            first = typer.prompt(_("New password"), hide_input=True, err=True)
            again = typer.prompt(_("The same again"), hide_input=True, err=True)
            if first != again:
                from digitize.errors import UsageProblem

                raise UsageProblem(_("The two passwords differ; nothing was changed."))
            store(where, first)
            out.print(escape(_("Password set ({path}).").format(path=where)), highlight=False)
            return
        listen = host or cfg.web.host
        hashed = stored_hash(where)
        login_needed(listen, hashed)
        from digitize.validation.fetch import FetchPolicy, set_policy
        from digitize.web.app import create_app
        from digitize.web.sessions import Logins
        from digitize.web.site import Site

        # The web verify fetches (when the clerk ticks "online") as `digitize verify` does.
        set_policy(FetchPolicy(allow_private=cfg.verify.allow_private_fetch))
        folders = list(outs or cfg.web.outs or ([cfg.run.out] if cfg.run.out else []))
        site = Site(cfg, folders, cfg.web.max_upload_mb)
        # The sessions and the cookies' key are kept beside the password file.
        logins = Logins(hashed, where) if hashed else None
    import uvicorn

    url = f"http://{listen}:{port or cfg.web.port}/"
    out.print(escape(_("digitize serves {outs} at {url} (Ctrl-C stops it)").format(
        outs=", ".join(map(str, site.outs)), url=url)), highlight=False)
    # The client's address is the connection's own: failed logins are counted per address,
    # and a header is the sender's to choose; only a proxy the desk names ([web]
    # trusted_proxies) says whose request it passes on (X-Forwarded-For).
    proxies = list(cfg.web.trusted_proxies)
    uvicorn.run(create_app(site, logins, listen=listen), host=listen,
                port=port or cfg.web.port, log_level="warning", server_header=False,
                limit_concurrency=64, proxy_headers=bool(proxies),
                forwarded_allow_ips=proxies or None)
