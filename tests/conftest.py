"""Shared fixtures: a private demo identity and config, the real `digitize` command, and one
run of the whole pipeline over samples/ that several test modules inspect, and one desk that the
web modules which only look at it share."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from digitize.devtools.testpki import (
    PASSWORD,
    PIN,
    LocalPki,
    SoftToken,
    softhsm_token,
    start_test_pki,
)
from digitize.ocr import engine
from tests.servers import Postgres, running_postgres

if TYPE_CHECKING:
    from tests.desk import Desk

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DIGITIZE = str(Path(sys.executable).parent / "digitize")


def path_without(tool: str, folder: Path) -> str:
    """A PATH on which every program of this one is found except `tool` (links in `folder`):
    a machine where that package was never installed."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in os.environ["PATH"].split(os.pathsep):
        for program in Path(entry).glob("*") if Path(entry).is_dir() else ():
            link = folder / program.name
            if program.name != tool and not link.exists() and os.access(program, os.X_OK):
                link.symlink_to(program)
    return str(folder)


def python_within(code: str, *args: str, seconds: float = 60
                  ) -> tuple[int | None, str, str]:
    """`code` run in a child Python with `args`: its exit status (None where it was still
    going after `seconds`), stdout and stderr. Its whole process group is killed at the end,
    the tools it started too (a decoder a damaged file set looping outlives its parent)."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = child.communicate(timeout=seconds)
        status: int | None = child.returncode
    except subprocess.TimeoutExpired:
        out, err, status = "", f"still going after {seconds:g} s", None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    return status, out, err


def tree_hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@dataclass(frozen=True)
class Env:
    """Environment for running the CLI: its own data folder (demo identity) and config."""

    home: Path
    vars: dict[str, str]
    ca_cert: Path
    p12: Path
    secret_file: Path

    def run(self, *args: str, extra: dict[str, str] | None = None, prefix: tuple[str, ...] = (),
            input_text: str | None = None, cwd: Path | None = None, timeout: float = 600
            ) -> subprocess.CompletedProcess[str]:
        env = {**self.vars, **(extra or {})}
        return subprocess.run([*prefix, DIGITIZE, *args], capture_output=True, text=True,
                              env=env, input=input_text, timeout=timeout, check=False, cwd=cwd)


def make_cli_env(home: Path) -> Env:
    """An environment of its own under `home` (never the developer's folders): the demo
    identity and a config naming the sample agency. Used by the fixture below and by
    benchmarks/load_test.py."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DIGITIZE_")}
    base["DIGITIZE_DATA_DIR"] = str(home / "data")
    for xdg in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        base[xdg] = str(home / xdg.lower())  # never the developer's own folders
    base["COLUMNS"] = "200"
    from digitize.signing.demo import create_demo_identity

    ident = create_demo_identity(home / "data" / "demo")
    config = home / "config.toml"
    config.write_text(
        '[agency]\nname = "ỦY BAN NHÂN DÂN XÃ MINH XUÂN"\ncode = "000.00.31.H49"\n'
        'archive_code = "H49.64.33"\n', encoding="utf-8")
    base["DIGITIZE_CONFIG"] = str(config)
    return Env(home, base, ident.ca_cert, ident.p12, ident.secret_file)


@pytest.fixture(scope="session")
def cli_env(tmp_path_factory: pytest.TempPathFactory) -> Env:
    return make_cli_env(tmp_path_factory.mktemp("digitize-home"))


@dataclass(frozen=True)
class SampleRun:
    out: Path
    result: subprocess.CompletedProcess[str]
    summary: dict
    before: dict[str, str]
    after: dict[str, str]
    truth: dict


@pytest.fixture(scope="session")
def sample_run(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> SampleRun:
    """`digitize run samples/ --out OUT --json` once, signed with the demo identity."""
    out = tmp_path_factory.mktemp("sample-run") / "out"
    before = tree_hashes(SAMPLES)
    result = cli_env.run("run", str(SAMPLES), "--out", str(out), "--json")
    after = tree_hashes(SAMPLES)
    assert result.returncode == 0, result.stderr
    truth = json.loads((SAMPLES / "truth.json").read_text(encoding="utf-8"))
    # stdout masks personal data (test_index checks it); OUT/summary.json keeps the values.
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert json.loads(result.stdout)["totals"] == summary["totals"]
    return SampleRun(out, result, summary, before, after, truth)


@pytest.fixture(scope="session")
def desk(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Desk:
    """One sample dossier run into a desk with a strict review threshold (`prepare_desk`), once
    per session, for the modules that only look at it (test_web_review, test_web_words): none
    may write into it. A module that changes its desk defines a `desk` fixture of its own."""
    from tests.desk import prepare_desk  # tests.desk imports this module

    return prepare_desk(cli_env, tmp_path_factory.mktemp("desk"))


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A real PostgreSQL server for the shared-index tests (skipped, with the reason, where one
    cannot be started; CI installs Debian's postgresql)."""
    try:
        server = running_postgres()
        pg = server.__enter__()
    except RuntimeError as exc:
        pytest.skip(f"no PostgreSQL server for the shared-index tests: {exc}")
    try:
        yield pg
    finally:
        server.__exit__(None, None, None)


@pytest.fixture
def path_of(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Switches this process between Tesseract in-process (True) and the command (False)."""

    def use(inside: bool) -> None:
        if inside:
            monkeypatch.delenv(engine.FORCE_CLI, raising=False)
        else:
            monkeypatch.setenv(engine.FORCE_CLI, "cli")
        engine._tesserocr.cache_clear()
        assert engine.in_process() == inside

    yield use
    monkeypatch.delenv(engine.FORCE_CLI, raising=False)
    engine._tesserocr.cache_clear()


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    # Folders a test locked must be unlocked for pytest to clean up.
    for p in tmp_path.rglob("*"):
        if p.is_dir():
            p.chmod(0o755)


def counting_tesseract(folder: Path) -> tuple[dict[str, str], Path]:
    """A `tesseract` first on PATH that logs each page pass (the one that writes the text-only
    PDF: `--psm 3` on a plainly upright page, `--psm 1` on others and again where that first
    reading is no upright text; not the second readings of a line or a pen's digits), then
    runs the real one; the environment also makes digitize run the command
    (DIGITIZE_TESSERACT=cli), not Tesseract inside its workers, where no command would be
    seen."""
    real = shutil.which("tesseract")
    log = folder / "tesseract-calls.log"
    wrapper = folder / "bin" / "tesseract"
    wrapper.parent.mkdir(parents=True)
    wrapper.write_text(f'#!/bin/sh\ncase " $* " in *" textonly_pdf=1 "*) echo "$1" >> "{log}" ;; '
                       f'esac\nexec "{real}" "$@"\n', encoding="utf-8")
    wrapper.chmod(0o755)
    return {"PATH": f"{wrapper.parent}:{os.environ['PATH']}", "DIGITIZE_TESSERACT": "cli"}, log


def ocr_calls(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def copy_sample(name: str, dest: Path) -> Path:
    src = next(SAMPLES.glob(f"*/{name}"))
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


@dataclass(frozen=True)
class Signing:
    pki: LocalPki
    token: SoftToken
    pdf: Path  # an unsigned searchable PDF/A with a signature block (a Quyết định)
    env: Env


@pytest.fixture(scope="session")
def signing(cli_env: Env, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Signing]:
    base = tmp_path_factory.mktemp("pki")
    out = base / "ocr"
    res = cli_env.run("ocr", str(next(SAMPLES.glob("*/02_quyet_dinh.jpg"))), "--out", str(out),
                      "--json")
    assert res.returncode == 0, res.stderr
    pdf = base / "quyet_dinh.pdf"
    Path(json.loads(res.stdout)[0]["pdf"]).replace(pdf)
    with start_test_pki(base / "pki") as pki:
        token = softhsm_token(base / "hsm", pki.signer("signer"))
        env = Env(cli_env.home, {**cli_env.vars, "SOFTHSM2_CONF": str(token.conf)},
                  cli_env.ca_cert, cli_env.p12, cli_env.secret_file)
        yield Signing(pki, token, pdf, env)


def key_args(s: Signing, source: str, label: str = "signer") -> tuple[list[str], str]:
    files = s.pki.signer(label)
    if source == "p12":
        return ["--p12", str(files.p12)], PASSWORD
    if source == "pem":
        return ["--key", str(files.key_pem), "--cert", str(files.cert_pem), "--chain",
                str(files.chain_pem)], PASSWORD
    return ["--pkcs11-module", s.token.module, "--token-label", s.token.label, "--key-label",
            s.token.key_label, "--chain", str(s.token.chain)], PIN


def sign_with(s: Signing, src: Path, out: Path, source: str = "p12", *extra: str,
          label: str = "signer", secret: str | None = None) -> subprocess.CompletedProcess[str]:
    args, default_secret = key_args(s, source, label)
    return s.env.run("sign", str(src), "--out", str(out), *args, "--tsa", s.pki.tsa_url,
                     "--json", *extra, extra={"DIGITIZE_SECRET": secret or default_secret})
