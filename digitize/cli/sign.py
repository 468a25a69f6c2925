"""Signing: `sign` (PAdES by incremental update) and `renew` (long-term validation, B-LTA)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from digitize.cli import options as opt
from digitize.cli.batch import open_signer
from digitize.cli.errors import exit_for, user_errors
from digitize.cli.group import command, group
from digitize.cli.output import RichProgress, print_outcomes
from digitize.config import load_config
from digitize.i18n import N_, _
from digitize.signing.options import sign_options
from digitize.signing.sign import signed_copies

app = group()


@command(app)
def sign(
    pdfs: Annotated[list[Path], typer.Argument(help=_("PDFs to sign."))],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help=_("Folder for the signed copies."))],
    config: opt.ConfigOpt = None,
    level: opt.LevelOpt = None,
    p12: opt.P12Opt = None,
    key: opt.KeyOpt = None,
    cert: opt.CertOpt = None,
    chain: opt.ChainOpt = None,
    pkcs11_module: opt.Pkcs11Opt = None,
    token_label: opt.TokenOpt = "",
    key_label: opt.KeyLabelOpt = "",
    secret_file: opt.SecretOpt = None,
    source: opt.SourceOpt = "",
    tsa: opt.TsaOpt = None,
    appearance: opt.AppearanceOpt = None,
    copy_form: opt.CopyFormOpt = None,
    position: opt.PositionOpt = None,
    certify: opt.CertifyOpt = False,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", min=0, help=_("Parallel signing processes for file keys (default: "
                                    "[signer] jobs, 0 = all cores; a token signs in one)."))
    ] = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Sign PDFs (PAdES, by incremental update); the originals stay as they are. Signing an
    already signed PDF adds a signature and keeps the earlier ones valid (countersigning).

    Example: `DIGITIZE_SECRET=… digitize sign a.pdf b.pdf --p12 agency.p12 --out signed/`

    With a USB token: `digitize sign *.pdf --pkcs11-module /usr/lib/…/libtoken.so --token-label
    CKS --out signed/` (the PIN is asked once for the whole batch).

    A copy of a paper original (ND 30): `digitize sign scan.pdf --appearance copy --copy-form
    "SAO Y" --out copies/` puts "SAO Y", the agency and the time at the top right of page 1.

    Remote signing (CSC API): `digitize sign *.pdf --source csc --out signed/` with [signer]
    csc_url and csc_credential; the whole batch is authorised once (one OTP).
    """
    from digitize.pipeline.executors import default_jobs
    from digitize.signing.batch import sign_batch

    with user_errors():
        cfg = load_config(config)
        opts = sign_options(cfg, level, tsa, appearance, position, certify, copy_form)
        identity = open_signer(cfg, p12, secret_file, key, cert, chain, pkcs11_module,
                               token_label, key_label, source)
        work = signed_copies(pdfs, out_dir)
        workers = jobs if jobs is not None else cfg.signer.jobs
        with RichProgress("sign", N_("documents")) as progress:
            progress.start(len(work))
            results = sign_batch(work, identity, opts, workers or default_jobs(),
                                 done=lambda _r: progress.advance())
        identity.close()
    rows = [{"source": str(r.source), "status": "ok" if r.signature else "failed",
             **({"pdf": str(r.target), "signature": r.signature.model_dump()} if r.signature
                else {"error": r.error})} for r in results]

    def signed(r: dict[str, Any]) -> str:
        s = r["signature"]
        return (f"[green]{escape(_('signed'))}[/] {escape(r['pdf'])} ({s['level']}, "
                f"{escape(s['signer'])}, {s['signing_time']})")

    print_outcomes(rows, as_json, signed)
    exit_for(any(r["status"] != "ok" for r in rows))


@command(app)
def renew(
    paths: Annotated[list[Path], typer.Argument(
        help=_("Signed PDFs, or packages (uuid-… folders, or a dossier's output folder)."))],
    out_dir: Annotated[Path | None, typer.Option(
        "--out", "-o", help=_("Write renewed PDFs here (default: renew in place; packages are "
                            "always renewed in place, whole or not at all)."))] = None,
    tsa: opt.TsaOpt = None,
    trust: Annotated[list[Path] | None, typer.Option(
        "--trust", help=_("Root certificates of the signers and TSAs (adds to [verify] trust)."))
    ] = None,
    config: opt.ConfigOpt = None,
    as_json: opt.JsonOpt = False,
) -> None:
    """Renew long-term signatures (PAdES B-LTA) before certificates or timestamps expire: add
    current validation data for every signature and timestamp, then a new document timestamp.
    Earlier signatures stay valid; package checksums and provenance are updated.

    Example: `digitize renew archive/ --tsa http://tsa.example.vn/tsr`
    """
    from digitize.signing.renew import renew_paths
    from digitize.validation.fetch import FetchPolicy

    with user_errors():
        cfg = load_config(config)
        fetch = FetchPolicy(allow_private=cfg.verify.allow_private_fetch,
                            timeout_s=cfg.signer.timeout_s)
        renewed = renew_paths(paths, out_dir, tsa or cfg.signer.tsa_url,
                              [*cfg.verify.trust, *(trust or [])], fetch)
    results = [{"path": str(r.path), "status": "failed", "error": r.error} if r.error else
               {"path": str(r.path), "status": "ok",
                "files": [f.model_dump(mode="json") for f in r.files]} for r in renewed]
    print_outcomes(results, as_json, lambda r: f"[green]{escape(_('renewed'))}[/] "
                   f"{escape(r['path'])} (" + escape(_("{count} PDFs, B-LTA").format(
                       count=len(r["files"]))) + ")")
    exit_for(any(r["status"] != "ok" for r in results))
