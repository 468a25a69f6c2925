"""What a signature is to be (level, reason, timestamp authority, appearance): read from the
configuration and the command line without loading the signing stack (pyHanko), so that a run
that signs nothing does not pay for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from digitize.config import Config


@dataclass(frozen=True)
class Appearance:
    profile: str = "archive"
    agency: str = ""
    signer_title: str = ""
    position: str = "auto"
    signature_image: Path | None = None
    seal_image: Path | None = None
    copy_form: str = "SAO Y"  # the 'copy' appearance: SAO Y, SAO LỤC or TRÍCH SAO


@dataclass(frozen=True)
class SignOptions:
    level: str = "B-B"
    reason: str = ""
    location: str = ""
    tsa_url: str = ""
    appearance: Appearance = field(default_factory=lambda: Appearance(profile="none"))
    certify: bool = False
    trust: tuple[Path, ...] = ()  # roots beside the signer's own chain, for B-LT validation
    retries: int = 3
    timeout_s: float = 10.0
    backoff_s: float = 0.5


def sign_options(cfg: Config, level: str | None = None, tsa: str | None = None,
                 appearance: str | None = None, position: str | None = None,
                 certify: bool = False, copy_form: str | None = None) -> SignOptions:
    """The signing options of [signer] and [agency], with what the command line gave instead."""
    sc = cfg.signer
    look = Appearance(profile=appearance or sc.appearance, agency=cfg.agency.name,
                      signer_title=sc.signer_title, position=position or sc.position,
                      signature_image=sc.signature_image, seal_image=sc.seal_image,
                      copy_form=copy_form or sc.copy_form)
    return SignOptions(level=level or sc.level, reason=sc.reason, location=sc.location,
                       tsa_url=tsa if tsa is not None else sc.tsa_url, appearance=look,
                       certify=certify or sc.certify, trust=tuple(cfg.verify.trust),
                       retries=sc.retries, timeout_s=sc.timeout_s)
