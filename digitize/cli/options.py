"""The option types several commands share (Annotated, so each command declares one line)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from digitize.i18n import _

ConfigOpt = Annotated[Path | None, typer.Option(
    "--config",
    help=_("TOML config file (default: $DIGITIZE_CONFIG, then the user config folder)."),
    envvar="DIGITIZE_CONFIG", show_envvar=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help=_("Print one JSON document on stdout."))]
WideOpt = Annotated[bool, typer.Option(
    "--wide", help=_("Always print tables, whatever the terminal's width (else a narrow "
                   "terminal gets one record per block)."))]
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
KeepTextOpt = Annotated[bool | None, typer.Option(
    "--keep-text/--force-ocr",
    help=_("Born-digital PDFs (real text, no scan) keep their own text and skip OCR; "
           "--force-ocr reads every page as a scan. A scanner's invisible OCR layer is never "
           "kept. Default: [ocr] keep_text (on)."))]
IndexOpt = Annotated[Path | None, typer.Option(
    "--index",
    help=_("Index file (default: [index] path, else one per user in the data folder)."))]
ProcedureOpt = Annotated[str | None, typer.Option(
    "--procedure", help=_("The procedure (mã TTHC, e.g. 1.001234) of every dossier of this run, "
                        "from the desk's catalogue (`digitize procedures list`): each document "
                        "is matched to one of its components and a missing required one is "
                        "named."))]
ReceivedOpt = Annotated[Path | None, typer.Option(
    "--received", help=_("The one-stop system's list of received dossiers (CSV or XLSX): the "
                       "procedure of each dossier, by its code (default: [procedures] "
                       "received)."))]
PersonalOpt = Annotated[bool, typer.Option(
    "--show-personal-data", help=_("Print ID (CCCD) and phone numbers and birth dates as they are; "
                                 "by default logs, tables and --json mask them (Decree "
                                 "13/2023/NĐ-CP)."))]
SIGNING = _("Signing")  # the help panel of the signing options
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
SourceOpt = Annotated[str, typer.Option(
    "--source", help=_("\"csc\": sign with the remote credential of [signer] (csc_url, "
                       "csc_credential; token in $DIGITIZE_CSC_TOKEN, OTP in $DIGITIZE_OTP or "
                       "asked once per batch)."), rich_help_panel=SIGNING)]
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
                         "person (signature image, ND 30), agency (seal over the signature) or "
                         "copy (ND 30: SAO Y / SAO LỤC / TRÍCH SAO, agency and time, top right "
                         "of page 1). Default: [signer] appearance, archive."),
    rich_help_panel=SIGNING)]
CopyFormOpt = Annotated[str | None, typer.Option(
    "--copy-form", help=_("The copy form the 'copy' appearance shows: SAO Y, SAO LỤC or TRÍCH "
                        "SAO. Default: [signer] copy_form, SAO Y."), rich_help_panel=SIGNING)]
PositionOpt = Annotated[str | None, typer.Option(
    "--position", help=_("auto (the signature block OCR found, else the profile's place) or "
                       "PAGE:x0,y0,x1,y1 in points from the bottom left."),
    rich_help_panel=SIGNING)]
CertifyOpt = Annotated[bool, typer.Option(
    "--certify", help=_("Certify (DocMDP: form filling allowed) instead of approval signing; for "
                      "the final archive copy."), rich_help_panel=SIGNING)]
