"""`digitize doctor`: is this desk ready to run the pipeline? Each check says what it found and,
when something is wrong, the exact command or config line that fixes it. Problems stop the
pipeline; warnings only limit it (no scanner, no TSA for B-T and above, little disk)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from digitize.config import Config, index_path
from digitize.errors import DigitizeError

OK, WARNING, PROBLEM = "ok", "warning", "problem"
MIN_FREE = 2 * 2**30  # bytes: a day's dossiers at the desk, with room for temporary pages
APT = "sudo apt-get install"


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok, warning or problem
    detail: str
    fix: str = ""


def _tool(name: str, package: str, why: str, needed: bool = True) -> Check:
    path = shutil.which(name)
    if path:
        return Check(name, OK, path)
    return Check(name, PROBLEM if needed else WARNING, f"{name} is missing ({why})",
                 f"{APT} {package}")


def _tesseract(cfg: Config) -> Iterator[Check]:
    from digitize.ocr import tesseract

    if not shutil.which("tesseract"):
        yield Check("tesseract", PROBLEM, "Tesseract is not installed", f"{APT} tesseract-ocr")
        return
    yield Check("tesseract", OK, tesseract.version())
    have = tesseract.installed_languages()
    for code in cfg.ocr.lang.split("+"):
        if code in have:
            yield Check(f"language data {code}", OK, "installed")
        else:
            yield Check(f"language data {code}", PROBLEM,
                        f"Tesseract has no '{code}' language data (needed by [ocr] lang = "
                        f"\"{cfg.ocr.lang}\")", f"{APT} {tesseract.apt_package(code)}")
    if "osd" in have:
        yield Check("orientation data (osd)", OK, "installed")
    else:
        yield Check("orientation data (osd)", PROBLEM,
                    "Tesseract cannot turn pages upright without its OSD data",
                    f"{APT} tesseract-ocr-osd")


def _signer(cfg: Config) -> Iterator[Check]:
    from digitize.signing.sources import KeyChoice, open_identity

    sc = cfg.signer
    if sc.pkcs11_module is not None:
        yield from _token(cfg)
        if not (os.environ.get("DIGITIZE_SECRET") or sc.secret_file):
            yield Check("signing identity", WARNING, "the token's certificate is checked when "
                        "`run` logs in with the PIN", "")
            return
    warnings: list[str] = []
    try:
        ident = open_identity(sc, KeyChoice(), None, warnings.append)
    except DigitizeError as exc:
        fix = "digitize init, or set [signer] in the config" if "No signing identity" in \
            exc.message else "see the message"
        yield Check("signing identity", PROBLEM, exc.message, fix)
        return
    try:
        cert = ident.certificate
        end = cert.not_valid_after
        days = (end - dt.datetime.now(dt.UTC)).days
        name = ident.common_name
        detail = f"{name}, valid until {end:%d/%m/%Y} ({days} days), chain of {len(ident.chain)}"
        if days < 0:
            yield Check("signing identity", PROBLEM, f"{detail}: expired",
                        "renew the certificate with your provider and set [signer]")
        elif days < 30:
            yield Check("signing identity", WARNING, f"{detail}: expires soon",
                        "renew the certificate with your provider")
        else:
            yield Check("signing identity", OK, detail)
        for w in warnings:
            yield Check("signing identity", WARNING, w, "set [signer] in the config "
                        "(digitize init)")
        if not ident.chain and cert.issuer != cert.subject:
            yield Check("certificate chain", WARNING, "no CA certificates with the signer's",
                        "set [signer] chain = [\"ca.pem\"]")
    finally:
        ident.close()


def _token(cfg: Config) -> Iterator[Check]:
    from digitize.signing.pkcs11 import token_labels

    sc = cfg.signer
    module = sc.pkcs11_module
    assert module is not None
    if not module.is_file():
        yield Check("PKCS#11 module", PROBLEM, f"{module} does not exist",
                    f"{APT} softhsm2 (or the token's driver), or fix [signer] pkcs11_module")
        return
    try:
        labels = token_labels(str(module))
    except DigitizeError as exc:
        yield Check("PKCS#11 module", PROBLEM, exc.message, "install the token's driver")
        return
    yield Check("PKCS#11 module", OK, str(module))
    if sc.token_label in labels:
        yield Check("token", OK, f"'{sc.token_label}' present")
    else:
        found = ", ".join(f"'{x}'" for x in labels) or "none"
        yield Check("token", PROBLEM, f"no token labelled '{sc.token_label}' (found: {found})",
                    "plug the token in, or for SoftHSM2: softhsm2-util --init-token --free "
                    f"--label '{sc.token_label}'; or fix [signer] token_label")


def _trust(cfg: Config) -> Iterator[Check]:
    from digitize.signing.signer import load_certs

    for path in cfg.verify.trust:
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        try:
            certs = [c for f in files for c in load_certs(f)]
        except (OSError, ValueError) as exc:
            yield Check("trust store", PROBLEM, f"{path} cannot be read ({exc})",
                        "fix [verify] trust in the config")
            continue
        if certs:
            yield Check("trust store", OK, f"{path}: {len(certs)} certificates")
        else:
            yield Check("trust store", PROBLEM, f"{path} holds no certificate",
                        "put the root CA certificates (PEM/DER) there")


def _tsa(cfg: Config, timeout: float) -> Iterator[Check]:
    sc = cfg.signer
    if not sc.tsa_url:
        status = WARNING if sc.level != "B-B" else OK
        yield Check("time-stamping server", status, "none configured (needed for B-T and "
                    f"above; [signer] level is {sc.level})", "" if status == OK else
                    "set [signer] tsa_url = \"https://…\"")
        return
    parts = urlsplit(sc.tsa_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        yield Check("time-stamping server", PROBLEM if sc.level != "B-B" else WARNING,
                    f"{sc.tsa_url} cannot be reached ({exc})",
                    "check the network or [signer] tsa_url")
        return
    yield Check("time-stamping server", OK, f"{sc.tsa_url} answers")


def _disk(folder: Path) -> Check:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    detail = f"{free / 2**30:.1f} GiB free at {probe}"
    if free < MIN_FREE:
        return Check("disk space", WARNING, detail, f"free some space on {probe}")
    return Check("disk space", OK, detail)


def _config_file(cfg: Config) -> Check:
    if cfg.source is None:
        return Check("config file", WARNING, "none: built-in defaults (agency not set)",
                     "digitize init")
    if cfg.agency.code == "000.00.00.H00":
        return Check("config file", WARNING, f"{cfg.source}: [agency] is not set",
                     f"digitize init, or set [agency] name and code in {cfg.source}")
    return Check("config file", OK, str(cfg.source))


def _index(cfg: Config) -> Check:
    path = index_path(cfg)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK):
        return Check("index", OK, str(path))
    return Check("index", PROBLEM, f"{path} cannot be written",
                 "set [index] path to a folder you may write")


def run_checks(cfg: Config, out: Path | None = None, timeout: float = 3.0) -> list[Check]:
    """Every check, in the order a clerk would fix them."""
    steps: list[Callable[[], Iterator[Check] | Check]] = [
        lambda: _config_file(cfg),
        lambda: _tesseract(cfg),
        lambda: _tool("pdfsig", "poppler-utils", "independent signature check"),
        lambda: _tool("pdftoppm", "poppler-utils", "page images for review and splitting"),
        lambda: _tool("qpdf", "qpdf", "PDF structure check"),
        lambda: _tool("scanimage", "sane-utils", "scanning from the desk", needed=False),
        lambda: _signer(cfg),
        lambda: _trust(cfg),
        lambda: _tsa(cfg, timeout),
        lambda: _index(cfg),
        lambda: _disk(out or cfg.scan.inbox),
    ]
    checks: list[Check] = []
    for step in steps:
        got = step()
        checks += [got] if isinstance(got, Check) else list(got)
    return checks
