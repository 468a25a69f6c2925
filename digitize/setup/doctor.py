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

from digitize.config import Config, IndexLocation, index_location, index_path
from digitize.errors import DigitizeError, UsageProblem
from digitize.i18n import N_, _

OK, WARNING, PROBLEM = "ok", "warning", "problem"
MIN_FREE = 2 * 2**30  # bytes: a day's dossiers at the desk, with room for temporary pages
APT = "sudo apt-get install"


@dataclass(frozen=True)
class Check:
    key: str  # stable, for scripts: "tesseract", "language:vie", "token"…
    name: str  # in the interface language
    status: str  # ok, warning or problem
    detail: str
    fix: str = ""


def _tool(name: str, package: str, why: str, needed: bool = True) -> Check:
    path = shutil.which(name)
    if path:
        return Check(name, name, OK, path)
    return Check(name, name, PROBLEM if needed else WARNING,
                 _("{tool} is missing ({why})").format(tool=name, why=_(why)),
                 f"{APT} {package}")


def _tesseract(cfg: Config) -> Iterator[Check]:
    from digitize.ocr import tesseract

    if not shutil.which("tesseract"):
        yield Check("tesseract", "tesseract", PROBLEM, _("Tesseract is not installed"),
                    f"{APT} tesseract-ocr")
        return
    yield Check("tesseract", "tesseract", OK, tesseract.version())
    have = tesseract.installed_languages()
    for code in cfg.ocr.lang.split("+"):
        name = _("language data {code}").format(code=code)
        if code == "vie" and code in have:
            yield _vie_model(cfg.ocr.best_vie)
        elif code in have:
            yield Check(f"language:{code}", name, OK, _("installed"))
        else:
            yield Check(f"language:{code}", name, PROBLEM,
                        _("Tesseract has no '{code}' language data (needed by [ocr] lang = "
                          "\"{lang}\")").format(code=code, lang=cfg.ocr.lang),
                        f"{APT} {tesseract.apt_package(code)}")
    from digitize.ocr.reread import DIGITS_LANG

    name = _("language data {code}").format(code=DIGITS_LANG)
    if DIGITS_LANG in cfg.ocr.lang.split("+"):
        pass  # checked above, as a language the pages are read in
    elif DIGITS_LANG in have:
        yield Check(f"language:{DIGITS_LANG}", name, OK, _("installed"))
    else:
        yield Check(f"language:{DIGITS_LANG}", name, WARNING,
                    _("Tesseract has no '{code}' language data: digits written in by hand are "
                      "read with the Vietnamese model, which misreads more of them").format(
                          code=DIGITS_LANG),
                    f"{APT} {tesseract.apt_package(DIGITS_LANG)}")
    yield _engine(tesseract.version().split()[-1])
    name = _("orientation data (osd)")
    if "osd" in have:
        yield Check("language:osd", name, OK, _("installed"))
    else:
        yield Check("language:osd", name, PROBLEM,
                    _("Tesseract cannot turn pages upright without its OSD data"),
                    f"{APT} tesseract-ocr-osd")


def _engine(command: str) -> Check:
    """Whether Tesseract runs inside digitize's workers (tesserocr), with the command's
    library: a wheel carrying a Tesseract of its own reads some words differently."""
    from digitize.ocr import engine

    fix = "make deps"
    if not engine.in_process():
        return Check("tesserocr", "tesserocr", WARNING, _("not loaded: Tesseract runs as one "
                                                          "process per reading, slower"), fix)
    library = engine.library_version()
    if library != command:
        return Check("tesserocr", "tesserocr", WARNING,
                     _("it carries Tesseract {library}, the command is {command}: some words "
                       "are read differently").format(library=library, command=command),
                     ".venv/bin/pip install --force-reinstall --no-deps --no-binary tesserocr "
                     "tesserocr")
    return Check("tesserocr", "tesserocr", OK,
                 _("Tesseract {library} inside the workers").format(library=library))


def _vie_model(best: bool) -> Check:
    """Which `vie` model Tesseract reads with: the system's (Debian's fast network), or with
    [ocr] best_vie the best network shipped with digitize, warned about where it cannot be."""
    from digitize.ocr import tesseract

    name = _("language data {code}").format(code="vie")
    if not best:
        return Check("language:vie", name, OK, _("installed; the system's model ([ocr] best_vie "
                                                 "= true reads with tessdata_best)"))
    folder = tesseract.data_folder()
    if folder is not None:
        return Check("language:vie", name, OK, _("tessdata_best (integer), shipped with "
                                                 "digitize: {path}").format(
            path=folder / tesseract.BEST_VIE.name))
    if os.environ.get("TESSDATA_PREFIX"):
        why = _("TESSDATA_PREFIX is set: Tesseract's model there is used")
        fix = _("unset TESSDATA_PREFIX")
    else:
        why = _("digitize's best model {path} is missing or altered: the system's model is "
                "used").format(path=tesseract.BEST_VIE)
        fix = _("reinstall digitize (make deps)")
    return Check("language:vie", name, WARNING, why + _(" (it reads fewer characters right)"),
                 fix)


def _word_list() -> Check:
    """The word pairs extraction checks tone marks against (extract/wordpairs.py)."""
    from digitize.extract.wordpairs import pairs, word_list

    name = _("Vietnamese word list")
    try:
        return Check("word_list", name, OK, _("{path}: {count} syllable pairs").format(
            path=word_list(), count=len(pairs())))
    except DigitizeError as exc:
        return Check("word_list", name, PROBLEM, exc.message, "make deps")


def _signer(cfg: Config) -> Iterator[Check]:
    from digitize.signing.sources import KeyChoice, open_identity

    sc = cfg.signer
    name = _("signing identity")
    if sc.pkcs11_module is not None:
        checks = list(_token(cfg))
        yield from checks
        if any(c.status == PROBLEM for c in checks):
            return
        if not (os.environ.get("DIGITIZE_SECRET") or sc.secret_file):
            yield Check("identity", name, WARNING, _("the token's certificate is checked when "
                                                     "`run` logs in with the PIN"))
            return
    warnings: list[str] = []
    try:
        ident = open_identity(sc, KeyChoice(), None, warnings.append)
    except DigitizeError as exc:
        yield Check("identity", name, PROBLEM, exc.message,
                    _("digitize init, or set [signer] in the config"))
        return
    try:
        cert = ident.certificate
        end = cert.not_valid_after
        days = (end - dt.datetime.now(dt.UTC)).days
        detail = _("{name}, valid until {date} ({days} days), chain of {chain}").format(
            name=ident.common_name, date=f"{end:%d/%m/%Y}", days=days, chain=len(ident.chain))
        if days < 0:
            yield Check("identity", name, PROBLEM, detail + ": " + _("expired"),
                        _("renew the certificate with your provider and set [signer]"))
        elif days < 30:
            yield Check("identity", name, WARNING, detail + ": " + _("expires soon"),
                        _("renew the certificate with your provider"))
        else:
            yield Check("identity", name, OK, detail)
        for w in warnings:
            yield Check("identity", name, WARNING, w,
                        _("set [signer] in the config (digitize init)"))
        if not ident.chain and cert.issuer != cert.subject:
            yield Check("chain", _("certificate chain"), WARNING,
                        _("no CA certificates with the signer's"),
                        "[signer] chain = [\"ca.pem\"]")
    finally:
        ident.close()


def _token(cfg: Config) -> Iterator[Check]:
    from digitize.signing.pkcs11 import token_labels

    sc = cfg.signer
    module = sc.pkcs11_module
    assert module is not None
    name = _("PKCS#11 module")
    if not module.is_file():
        yield Check("pkcs11", name, PROBLEM, _("{path} does not exist").format(path=module),
                    _("{command} (or the token's driver), or fix [signer] pkcs11_module")
                    .format(command=f"{APT} softhsm2"))
        return
    try:
        labels = token_labels(str(module))
    except DigitizeError as exc:
        yield Check("pkcs11", name, PROBLEM, exc.message, _("install the token's driver"))
        return
    yield Check("pkcs11", name, OK, str(module))
    if sc.token_label in labels:
        yield Check("token", "token", OK, _("'{label}' present").format(label=sc.token_label))
    else:
        found = ", ".join(f"'{x}'" for x in labels) or _("none")
        yield Check("token", "token", PROBLEM,
                    _("no token labelled '{label}' (found: {found})").format(
                        label=sc.token_label, found=found),
                    _("plug the token in, or for SoftHSM2: {command}; or fix [signer] "
                      "token_label").format(command="softhsm2-util --init-token --free "
                                                    f"--label '{sc.token_label}'"))


def _trust(cfg: Config) -> Iterator[Check]:
    from digitize.validation.trust import load_store, store_path, user_store

    name = _("trust store")
    for entry in cfg.verify.trust:
        path = store_path(entry)
        if not path.exists() and path == user_store():
            continue  # nothing added yet
        try:
            certs = load_store([entry])  # read as verify reads it
        except UsageProblem as exc:
            yield Check("trust", name, PROBLEM, _("{path} cannot be read ({reason})").format(
                path=path, reason=exc.message), _("fix [verify] trust in the config"))
            continue
        if certs:
            yield Check("trust", name, OK, _("{path}: {count} certificates").format(
                path=path, count=len(certs)))
        else:
            yield Check("trust", name, PROBLEM, _("{path} holds no certificate").format(
                path=path), _("put the root CA certificates (PEM/DER) there"))


def _eark(cfg: Config) -> Check:
    """E-ARK's validator, which `verify` runs on packages (a warning: the rest runs without)."""
    from digitize.bundle.eark import VALIDATOR, validator_python

    found = validator_python(cfg.verify.eark_python)
    if found is not None:
        return Check("eark", _("E-ARK validator"), OK, str(found))
    return Check("eark", _("E-ARK validator"), WARNING,
                 _("{validator} not found: verify cannot check packages against E-ARK CSIP")
                 .format(validator=VALIDATOR),
                 _("python3 -m venv VENV && VENV/bin/pip install eark-validator==1.1.3, then "
                   "[verify] eark_python = \"VENV/bin/python\""))


def _tsa(cfg: Config, timeout: float) -> Iterator[Check]:
    sc = cfg.signer
    name = _("time-stamping server")
    if not sc.tsa_url:
        status = WARNING if sc.level != "B-B" else OK
        yield Check("tsa", name, status, _("none configured (needed for B-T and above; "
                                           "[signer] level is {level})").format(level=sc.level),
                    "" if status == OK else "[signer] tsa_url = \"https://…\"")
        return
    parts = urlsplit(sc.tsa_url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname or "", port), timeout=timeout):
            pass
    except OSError as exc:
        yield Check("tsa", name, PROBLEM if sc.level != "B-B" else WARNING,
                    _("{url} cannot be reached ({reason})").format(url=sc.tsa_url, reason=exc),
                    _("check the network or [signer] tsa_url"))
        return
    yield Check("tsa", name, OK, _("{url} answers").format(url=sc.tsa_url))


def _disk(folder: Path) -> Check:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    detail = _("{size} GiB free at {path}").format(size=f"{free / 2**30:.1f}", path=probe)
    if free < MIN_FREE:
        return Check("disk", _("disk space"), WARNING, detail,
                     _("free some space on {path}").format(path=probe))
    return Check("disk", _("disk space"), OK, detail)


def _config_file(cfg: Config) -> Check:
    name = _("config file")
    if cfg.source is None:
        return Check("config", name, WARNING, _("none: built-in defaults (agency not set)"),
                     "digitize init")
    if cfg.agency.code == "000.00.00.H00":
        return Check("config", name, WARNING, _("{path}: [agency] is not set").format(
            path=cfg.source), _("digitize init, or set [agency] name and code in {path}")
            .format(path=cfg.source))
    return Check("config", name, OK, str(cfg.source))


def _index(cfg: Config, timeout: float) -> Iterator[Check]:
    path = index_path(cfg)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK):
        yield Check("index", _("index"), OK, str(path))
    else:
        yield Check("index", _("index"), PROBLEM, _("{path} cannot be written").format(
            path=path), _("set [index] path to a folder you may write"))
    loc = index_location(cfg)
    if loc.url:
        yield _shared_index(loc, timeout)


def _shared_index(loc: IndexLocation, timeout: float) -> Check:
    """The shared index answers (a desk that cannot reach it still works: its entries wait)."""
    from digitize.index.postgres import PostgresIndex, shown_url
    from digitize.index.shared import Outbox, check_url, index_password, queue_path

    name = _("shared index")
    waiting = 0
    if queue_path(loc.path).exists():
        queue = Outbox(queue_path(loc.path))
        waiting = len(queue)
        queue.close()
    try:
        with PostgresIndex(check_url(loc.url), index_password(loc),
                           connect_timeout=max(1, int(timeout)), timeout_s=loc.timeout_s) as ix:
            count = ix.count()
    except DigitizeError as exc:
        return Check("shared_index", name, WARNING, exc.message,
                     _("check [index] url and the password, or ask the province's administrator;"
                       " meanwhile {count} changes wait (digitize index sync)").format(
                         count=waiting))
    detail = _("{where}: {count} documents").format(where=shown_url(loc.url), count=count)
    if waiting:
        return Check("shared_index", name, WARNING, detail + "; " + _(
            "{count} changes wait").format(count=waiting), "digitize index sync")
    return Check("shared_index", name, OK, detail)


def run_checks(cfg: Config, out: Path | None = None, timeout: float = 3.0) -> list[Check]:
    """Every check, in the order a clerk would fix them."""
    steps: list[Callable[[], Iterator[Check] | Check]] = [
        lambda: _config_file(cfg),
        lambda: _tesseract(cfg),
        _word_list,
        lambda: _tool("pdfsig", "poppler-utils", N_("independent signature check")),
        lambda: _tool("pdftoppm", "poppler-utils", N_("page images for review and splitting")),
        lambda: _tool("qpdf", "qpdf", N_("PDF structure check")),
        lambda: _tool("scanimage", "sane-utils", N_("scanning from the desk"), needed=False),
        lambda: _signer(cfg),
        lambda: _trust(cfg),
        lambda: _eark(cfg),
        lambda: _tsa(cfg, timeout),
        lambda: _index(cfg, timeout),
        lambda: _disk(out or cfg.scan.inbox),
    ]
    checks: list[Check] = []
    for step in steps:
        got = step()
        checks += [got] if isinstance(got, Check) else list(got)
    return checks
