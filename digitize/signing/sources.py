"""Pick the signing identity: the command line (--p12 | --key/--cert/--chain | --pkcs11-module),
else [signer] in the config, else the demo identity `make demo` creates (with a loud warning)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from digitize.config import SignerConfig
from digitize.errors import CredentialError, UsageProblem
from digitize.i18n import _
from digitize.identity import Identity, KeySpec
from digitize.signing.demo import DEMO_NAME, demo_identity
from digitize.signing.secrets import ENV_SECRET, resolve_secret
from digitize.signing.signer import open_key


@dataclass(frozen=True)
class KeyChoice:
    """Key options from the command line; unset ones fall back to the config."""

    p12: Path | None = None
    key: Path | None = None
    cert: Path | None = None
    chain: tuple[Path, ...] = ()
    pkcs11_module: Path | None = None
    token_label: str = ""
    key_label: str = ""
    secret_file: Path | None = None
    source: str = ""  # "csc": the remote credential of [signer]

    @property
    def names_a_key(self) -> bool:
        return bool(self.p12 or self.key or self.cert or self.pkcs11_module)


def _key_id(cfg: SignerConfig) -> bytes | None:
    try:
        return bytes.fromhex(cfg.key_id) if cfg.key_id else None
    except ValueError as exc:
        raise UsageProblem(_("[signer] key_id '{key_id}' is not hexadecimal.").format(
                               key_id=cfg.key_id)) from exc


def _csc_spec(cfg: SignerConfig) -> KeySpec:
    from digitize.signing.csc import CscSettings

    if not cfg.csc_url:
        raise UsageProblem(_('[signer] source = "csc" needs csc_url, the signing service\'s '
                             'address.'))
    return KeySpec("csc", csc=CscSettings(
        url=cfg.csc_url, credential=cfg.csc_credential, api=cfg.csc_api,
        token_file=cfg.csc_token_file, client_id=cfg.csc_client_id,
        client_secret_file=cfg.csc_client_secret_file, otp_file=cfg.csc_otp_file,
        timeout_s=cfg.timeout_s, batch=cfg.csc_batch))


def _spec(cfg: SignerConfig, cli: KeyChoice) -> KeySpec | None:
    if cli.source == "csc" or (cfg.source == "csc" and not cli.names_a_key):
        return _csc_spec(cfg)
    if cfg.source not in ("", "csc") or cli.source not in ("", "csc"):
        raise UsageProblem(_("Unknown signing source '{source}': leave it empty for a key file "
                             "or token, or use \"csc\" for remote signing.").format(
                               source=cli.source or cfg.source))
    if cli.p12:
        return KeySpec("p12", cli.p12)
    if cli.key or cli.cert:
        if not (cli.key and cli.cert):
            raise UsageProblem(_("--key and --cert go together (and --chain for the CA "
                                 "certificates)."))
        return KeySpec("pem", cli.key, cli.cert, cli.chain or tuple(cfg.chain))
    if cli.pkcs11_module:
        return KeySpec("pkcs11", module=str(cli.pkcs11_module),
                       token_label=cli.token_label or cfg.token_label,
                       key_label=cli.key_label or cfg.key_label or None,
                       key_id=_key_id(cfg), chain=cli.chain or tuple(cfg.chain))
    if cfg.p12:
        return KeySpec("p12", cfg.p12)
    if cfg.key and cfg.cert:
        return KeySpec("pem", cfg.key, cfg.cert, tuple(cfg.chain))
    if cfg.pkcs11_module:
        return KeySpec("pkcs11", module=str(cfg.pkcs11_module), token_label=cfg.token_label,
                       key_label=cfg.key_label or None, key_id=_key_id(cfg),
                       chain=tuple(cfg.chain))
    return None


def key_spec(cfg: SignerConfig, cli: KeyChoice, ask: Callable[[], str] | None,
             warn: Callable[[str], None]) -> KeySpec:
    """The key to open, with its secret (password or PIN) resolved; a remote credential's PIN
    is asked for when the service says it takes one (open_identity)."""
    spec = _spec(cfg, cli)
    if spec is not None and spec.kind == "csc":
        return spec
    secret_path = cli.secret_file or cfg.secret_file
    if spec is None:
        demo = demo_identity()
        if not demo.exists():
            raise CredentialError(_("No signing identity is configured: set [signer] p12, key or "
                                    "pkcs11_module in the config, pass --p12 FILE, run 'make "
                                    "demo' to create the demo identity, or use --no-sign."))
        warn(_("Signing with the demo identity '{name}' ({path}); configure [signer] for real "
               "use.").format(name=DEMO_NAME, path=demo.p12))
        spec = KeySpec("p12", demo.p12)
        if secret_path is None and not os.environ.get(ENV_SECRET):
            secret_path = demo.secret_file
    if spec.kind == "pkcs11" and not spec.token_label:
        raise UsageProblem(_("A PKCS#11 key needs its token: set [signer] token_label or pass "
                             "--token-label."))
    if spec.kind == "pem" and not _encrypted(spec.path):
        return spec  # an unencrypted PEM key needs no password
    return replace(spec, secret=resolve_secret(secret_path, ask))


def _encrypted(path: Path | None) -> bool:
    try:
        head = path.read_bytes()[:4096] if path else b""
    except OSError:
        return True  # opening it will report the problem
    return b"ENCRYPTED" in head or not head.startswith(b"-----")


def open_identity(cfg: SignerConfig, cli: KeyChoice, ask: Callable[[], str] | None,
                  warn: Callable[[str], None],
                  ask_otp: Callable[[], str] | None = None) -> Identity:
    spec = key_spec(cfg, cli, ask, warn)
    if spec.kind == "csc":
        from digitize.signing.csc import open_csc

        return open_csc(spec, lambda: resolve_secret(cli.secret_file or cfg.secret_file, ask),
                        ask_otp)
    return open_key(spec)
