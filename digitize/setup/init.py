"""`digitize init`: the first-run setup of a desk. The answers (agency, profile, signer, trust,
output folder, archive endpoint, scanner) become the config file; the same answers can come
from a TOML file (`--from`) to provision many desks alike. The written file is read back with
the loader `run` uses, so what init writes, run accepts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from digitize.config import TRUST_STORES, Config, load_config, read_toml, toml_value
from digitize.errors import UsageProblem
from digitize.fsutil import write_text_atomic
from digitize.i18n import _

SignerSource = Literal["demo", "p12", "pem", "pkcs11"]


class InitAnswers(BaseModel):
    """What `init` asks; the keys of a `--from` file."""

    model_config = ConfigDict(extra="forbid")

    agency_name: str = Field(description="Tên cơ quan, e.g. ỦY BAN NHÂN DÂN XÃ MINH XUÂN")
    agency_code: str = Field(description="Mã định danh (QCVN 102), e.g. 000.00.31.H49")
    archive_code: str = Field(description="Mã cơ quan lưu trữ that starts fileCode, e.g. H49.64.33")
    profile: Literal["archive", "compact"] = "archive"
    signer: SignerSource = "demo"
    p12: Path | None = None
    key: Path | None = None
    cert: Path | None = None
    chain: list[Path] = Field(default_factory=list)
    pkcs11_module: Path | None = None
    token_label: str = ""
    key_label: str = ""
    secret_file: Path | None = None
    level: Literal["B-B", "B-T", "B-LT", "B-LTA"] = "B-B"
    tsa_url: str = ""
    trust: list[Path] = Field(default_factory=list)
    out: Path | None = None
    archive: str = Field("", description="archive endpoint for upload: https://… or a folder")
    scanner: str = ""
    ui_lang: Literal["vi", "en", ""] = ""

    @field_validator("agency_code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}", v.strip()):
            raise ValueError(_("must look like 000.00.31.H49 (QCVN 102)"))
        return v.strip()

    def missing(self) -> str | None:
        """The first thing the chosen signer source still needs, if any."""
        need = {"p12": ["p12"], "pem": ["key", "cert"], "pkcs11": ["pkcs11_module",
                                                                   "token_label"]}
        for name in need.get(self.signer, []):
            if not getattr(self, name):
                return _("signer = \"{signer}\" needs {name}").format(signer=self.signer,
                                                                     name=name)
        if self.level != "B-B" and not self.tsa_url:
            return _("level {level} needs tsa_url").format(level=self.level)
        return None


def read_answers(path: Path) -> InitAnswers:
    answers = read_toml(path, InitAnswers, _("Answers file"), "the docs (Setting up a desk)")
    if problem := answers.missing():
        raise UsageProblem(_("{path}: {problem}.").format(path=path, problem=problem))
    return answers


def _section(name: str, values: dict[str, object]) -> list[str]:
    kept = {k: v for k, v in values.items() if v not in (None, "", [])}
    if not kept:
        return []
    return [f"\n[{name}]", *(f"{k} = {toml_value(v)}" for k, v in kept.items())]


def config_text(a: InitAnswers) -> str:
    signer: dict[str, object] = {"level": a.level, "tsa_url": a.tsa_url,
                                 "secret_file": a.secret_file}
    if a.signer == "p12":
        signer["p12"] = a.p12
    elif a.signer == "pem":
        signer.update(key=a.key, cert=a.cert, chain=[str(c) for c in a.chain])
    elif a.signer == "pkcs11":
        signer.update(pkcs11_module=a.pkcs11_module, token_label=a.token_label,
                      key_label=a.key_label)
    lines = ["# digitize configuration, written by `digitize init`; see config.example.toml."]
    lines += _section("agency", {"name": a.agency_name, "code": a.agency_code,
                                 "archive_code": a.archive_code})
    lines += _section("ui", {"lang": a.ui_lang})
    lines += _section("run", {"profile": a.profile, "out": a.out})
    lines += _section("signer", {k: str(v) if isinstance(v, Path) else v
                                 for k, v in signer.items()})
    lines += _section("verify", {"trust": [*TRUST_STORES, *(str(t) for t in a.trust)]})
    lines += _section("upload", {"to": a.archive})
    lines += _section("scan", {"device": a.scanner})
    return "\n".join(lines) + "\n"


def write_config(a: InitAnswers, target: Path, force: bool = False) -> Config:
    """Write the config and read it back as `run` will; nothing is left if that fails."""
    if target.exists() and not force:
        raise UsageProblem(_("{target} exists already; pass --force to replace it (the old one "
                             "is not kept).").format(target=target))
    staged = target.with_name(f".{target.name}.new")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(staged, config_text(a))
    try:
        cfg = load_config(staged)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    staged.replace(target)
    cfg.source = target
    return cfg


def ask_answers(ask: Callable[[str, str], str]) -> InitAnswers:
    """The questions, in order; `ask(question, default)` returns the answer."""
    a: dict[str, object] = {}
    a["agency_name"] = ask("Tên cơ quan / Agency name", "ỦY BAN NHÂN DÂN XÃ ...")
    while True:
        a["agency_code"] = ask("Mã định danh cơ quan / Agency code (QCVN 102)", "000.00.00.H00")
        try:
            InitAnswers._code(str(a["agency_code"]))
            break
        except ValueError as exc:
            ask(f"{exc}; press Enter", "")
    a["archive_code"] = ask("Mã cơ quan lưu trữ / Archive organ code (fileCode)", "H00.00.00")
    a["profile"] = ask("Hồ sơ quét / Profile (archive|compact)", "archive")
    a["signer"] = ask("Chữ ký số / Signer (demo|p12|pem|pkcs11)", "demo")
    if a["signer"] == "p12":
        a["p12"] = ask("Tệp PKCS#12 / PKCS#12 file", "")
    elif a["signer"] == "pem":
        a["key"] = ask("Khóa riêng / Private key (PEM)", "")
        a["cert"] = ask("Chứng thư số / Certificate (PEM)", "")
    elif a["signer"] == "pkcs11":
        a["pkcs11_module"] = ask("Thư viện PKCS#11 / PKCS#11 module", "")
        a["token_label"] = ask("Nhãn token / Token label", "")
        a["key_label"] = ask("Nhãn khóa / Key label", "")
    a["level"] = ask("Mức chữ ký / PAdES level (B-B|B-T|B-LT|B-LTA)", "B-B")
    if a["level"] != "B-B":
        a["tsa_url"] = ask("Máy chủ dấu thời gian / TSA URL", "")
    trust = ask("Thư mục chứng thư gốc tin cậy / Trust store folder (empty: none)", "")
    a["trust"] = [trust] if trust else []
    a["out"] = ask("Thư mục kết quả / Output folder", "out")
    a["archive"] = ask("Địa chỉ kho lưu trữ / Archive endpoint (URL or folder, empty: none)", "")
    a["scanner"] = ask("Máy quét / Scanner (digitize scan --list; empty: the first)", "")
    try:
        answers = InitAnswers.model_validate({k: v for k, v in a.items() if v != ""})
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageProblem(_("'{first}' {value}; run digitize init again.").format(
                               first=first['loc'][0], value=first['msg'].lower())) from exc
    if problem := answers.missing():
        raise UsageProblem(_("{problem}; run digitize init again.").format(problem=problem))
    return answers
