"""Configuration from a TOML file: `--config FILE`, else $DIGITIZE_CONFIG, else the user's config
folder (platformdirs), else built-in defaults. See config.example.toml for every key."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from digitize.errors import UsageProblem
from digitize.i18n import _
from digitize.paths import data_dir, default_config_path, named_config
from digitize.pdfcaps.limits import MB, PdfLimits, set_limits

ENV_INDEX_URL = "DIGITIZE_INDEX_URL"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built when first used


class AgencyConfig(_Section):
    name: str = Field("ỦY BAN NHÂN DÂN XÃ (CHƯA CẤU HÌNH)", description="the agency's name, as "
                      "on its documents and in every package")
    code: str = Field("000.00.00.H00", description="agency code of QCVN 102 (mã định danh)")
    archive_code: str = Field("H00.00.00", description="organ identifier that starts fileCode")


class OcrConfig(_Section):
    lang: str = Field("vie", description="Tesseract languages, e.g. vie or vie+eng")
    best_vie: bool = Field(False, description="read with the best vie network shipped with "
                           "digitize (tessdata_best) instead of the system's")
    jobs: int = Field(0, description="parallel pages; 0 = all cores")
    default_dpi: int = Field(300, description="assumed resolution of images that carry none")
    max_megapixels: int = Field(150, description="larger images are refused (decompression bombs)")
    min_confidence: float = Field(60.0, description="pages under this mean confidence need review")
    timeout_s: int = Field(300, description="Tesseract time limit per page")
    scheduler_timeout_s: float = Field(20.0, description="how long to try a Dask scheduler")
    keep_text: bool = Field(True, description="born-digital PDFs keep their own text, no OCR")


class PdfConfig(_Section):
    max_pages: int = Field(2000, ge=1, description="input PDFs with more pages are refused")
    max_objects: int = Field(1_000_000, ge=1, description="input PDFs with more objects are "
                                                          "refused (each costs memory)")
    max_stream_mb: int = Field(512, ge=1, description="input PDFs with a stream that unpacks "
                                                      "to more are refused (decompression "
                                                      "bombs)")


class ExtractConfig(_Section):
    min_field_confidence: float = Field(
        0.95, description="fields whose calibrated confidence is under this go to review")


class SignerConfig(_Section):
    p12: Path | None = Field(None, description="PKCS#12 file (key, certificate, chain)")
    key: Path | None = Field(None, description="PEM/DER private key (with cert and chain)")
    cert: Path | None = Field(None, description="the signer's certificate, for key")
    chain: list[Path] = Field(default_factory=list, description="CA certificates of the chain")
    pkcs11_module: Path | None = Field(None, description="PKCS#11 library of a token or HSM")
    token_label: str = Field("", description="label of the token (with pkcs11_module)")
    key_label: str = Field("", description="label of the key and certificate on the token")
    key_id: str = Field("", description="id (hex) of the key and certificate on the token")
    secret_file: Path | None = Field(None, description="file holding the password or PIN")
    source: str = Field("", description='"csc" for remote signing; empty: the key above')
    csc_url: str = Field("", description="CSC service base URL (the part before /csc/v1)")
    csc_api: str = Field("v1", description="CSC API version: v1 or v2")
    csc_credential: str = Field("", description="credential ID (empty: the account's only one)")
    csc_token_file: Path | None = Field(None, description="file holding the access token")
    csc_client_id: str = Field("", description="OAuth2 client id (client credentials grant)")
    csc_client_secret_file: Path | None = Field(None, description="file with the client secret")
    csc_otp_file: Path | None = Field(None, description="file holding the OTP (else a prompt)")
    csc_batch: int = Field(50, description="documents per authorisation (one OTP) at most")
    level: str = Field("B-B", description="B-B, B-T, B-LT or B-LTA")
    tsa_url: str = Field("", description="RFC 3161 time-stamping server (B-T and above)")
    timeout_s: float = Field(10.0, description="per request to the TSA, OCSP or CRL server")
    retries: int = Field(3, description="tries per document when a server does not answer")
    appearance: str = Field("archive", description="none, archive, person, agency or copy")
    copy_form: str = Field("SAO Y", description="the 'copy' appearance's form: SAO Y, SAO LỤC "
                                                "or TRÍCH SAO (ND 30/2020)")
    position: str = Field("auto", description="auto, or PAGE:x0,y0,x1,y1 in points")
    signature_image: Path | None = Field(None, description="PNG of the signer's signature")
    seal_image: Path | None = Field(None, description="PNG of the agency's red seal")
    signer_title: str = Field("", description="chức vụ shown by the 'person' appearance")
    certify: bool = Field(False, description="certify (DocMDP) instead of approval signing")
    countersign_inputs: bool = Field(False, description="countersign the signed PDFs handed in "
                                                        "(an incremental update that keeps "
                                                        "their signatures valid); off: kept "
                                                        "byte for byte")
    jobs: int = Field(0, description="parallel signing processes for file keys; 0 = cores")
    reason: str = Field("Số hóa tài liệu (Thông tư 05/2025/TT-BNV)",
                        description="the reason written into every signature")
    location: str = Field("", description="the place written into every signature")


class DeskConfig(_Section):
    name: str = Field("", description="this desk's name (Bộ phận Một cửa …), recorded with "
                                      "every dossier for the indicators report")
    operator: str = Field("", description="the clerk recorded with every dossier (else "
                                          "--operator, else the login)")


class ReportConfig(_Section):
    code_column: str = Field("", description="the received list's dossier-code column (empty: "
                                             "recognised, e.g. 'Mã hồ sơ')")
    date_column: str = Field("", description="its date-received column (e.g. 'Ngày tiếp "
                                             "nhận')")
    procedure_column: str = Field("", description="its procedure column (e.g. 'Thủ tục')")
    target: float = Field(0.0, ge=0, le=1, description="target share digitized drawn on the "
                                                       "chart (QĐ 468/QĐ-TTg), e.g. 0.8")


class ProceduresConfig(_Section):
    file: Path | None = Field(None, description="where the imported catalogue is kept (default: "
                                                "procedures.json in the user data folder)")
    received: Path | None = Field(None, description="the received list (CSV/XLSX) `run` and "
                                                    "`watch` read each dossier's procedure from "
                                                    "(else run --received)")
    columns: dict[str, str] = Field(default_factory=dict, description="the catalogue's headers "
                                    "when not recognised, e.g. {code = \"Mã TTHC\", "
                                    "component_code = \"Mã giấy tờ\"}")


class ReviewConfig(_Section):
    operator: str = Field("", description="name recorded with review overrides (else login)")


TRUST_STORES = ("vn", "user")  # [verify] trust entries that name a store, not a path


class VerifyConfig(_Section):
    trust: list[Path] = Field(
        default_factory=lambda: [Path(store) for store in TRUST_STORES],
        description='trust store: "vn" (the built-in Vietnamese anchors), "user" (what '
                    '`digitize trust add` added), files and folders of PEM/DER/.p7b')
    eark_python: Path | None = Field(
        None, description="python of a virtualenv with eark-validator 1.1.3, for the E-ARK "
                          "check of packages (default: found by itself, see the docs: Packages)")
    allow_private_fetch: bool = Field(
        False, description="let verification and renewal fetch OCSP, CRLs and issuers from "
                           "loopback, link-local and private addresses (a test PKI); the "
                           "addresses come from the files, so leave it off on a shared desk")


class UploadConfig(_Section):
    to: str = Field("", description="default target: a folder, sftp://user@host/folder, an "
                                    "https:// WebDAV share or receiver, webdav(s)://")
    protocol: Literal["auto", "webdav", "digitize"] = Field(
        "auto", description="for http(s) targets: auto (WebDAV when the server says DAV), "
                            "webdav, or digitize's own receiver")
    token_file: Path | None = Field(None, description="file with the archive's bearer token")
    user: str = Field("", description="WebDAV basic-auth user (the password: "
                                      "$DIGITIZE_UPLOAD_PASSWORD or password_file)")
    password_file: Path | None = Field(None, description="file with the SFTP or WebDAV password")
    ssh_key: Path | None = Field(None, description="SSH private key for sftp:// (else the SSH "
                                                   "agent and ~/.ssh keys)")
    known_hosts: Path | None = Field(None, description="known_hosts for sftp:// (default "
                                                       "~/.ssh/known_hosts)")
    host_fingerprint: str = Field("", description='pinned SSH host key, "SHA256:…" as '
                                                  "ssh-keygen -l prints it")
    journal: Path | None = Field(None, description="upload journal (default: user state dir)")


class OnestopConfig(_Section):
    url: str = Field("", description="the one-stop system's integration endpoint, https://… "
                                     "(`upload --to onestop` sends there)")
    token_file: Path | None = Field(None, description="file with its bearer token (else "
                                                      "$DIGITIZE_ONESTOP_TOKEN)")
    files_url: str = Field("", description="where the one-stop system downloads the desk's "
                                           "files: the output folder published at this "
                                           "address (each file's link is it + its path)")
    timeout_s: float = Field(30.0, gt=0, description="longest wait for one answer")
    retries: int = Field(6, ge=1, le=20, description="tries per dossier when the system "
                                                    "cannot be reached or answers 5xx")
    rename: dict[str, str] = Field(default_factory=dict, description="the province's names for "
                                   "fields, e.g. {NgayTiepNhan = \"NgayNhan\"}")
    extra: dict[str, str | int] = Field(default_factory=dict, description="fields added to "
                                        "every record as they are, e.g. {KenhThucHien = 1}")


class UiConfig(_Section):
    lang: str = Field("", description="vi or en; empty: from the locale (LANG), else vi")


class RunConfig(_Section):
    out: Path | None = Field(None, description="output folder when --out is not given")
    profile: str = Field("archive", description="archive (TT 05/2025) or compact (desk copies)")


class ScanConfig(_Section):
    device: str = Field("", description="SANE device (digitize scan --list); empty: the first")
    source: str = Field("adf", description="adf (document feeder) or flatbed")
    duplex: bool = Field(False, description="scan both sides of every sheet")
    dpi: int = Field(300, ge=200, description="TT 05/2025 asks for at least 200 dpi")
    mode: str = Field("color", description="color (as the original, TT 05/2025), gray or lineart")
    split: str = Field("none", description="none, separator (QR sheets) or blank (blank pages)")
    inbox: Path = Field(Path("scans"), description="where dossier folders are made")
    options: list[str] = Field(default_factory=list,
                               description="more scanimage options for this scanner")
    timeout_s: float = Field(1800.0, description="longest a scan session may take")


class IndexConfig(_Section):
    enabled: bool = Field(True, description="every run adds its documents to the index")
    path: Path | None = Field(None, description="index file (default: the user data folder); "
                                                "with a url: this desk's copy and queue")
    url: str = Field("", description="the province's shared index, postgresql://user@host/db "
                                     "(or $DIGITIZE_INDEX_URL); TLS settings as ?sslmode=… "
                                     "parameters; empty: the local file only")
    password_file: Path | None = Field(None, description="file (mode 600) with the shared "
                                                         "index's password, else "
                                                         "$DIGITIZE_INDEX_PASSWORD or ~/.pgpass")
    timeout_s: float = Field(30.0, gt=0, description="longest wait for one answer of the "
                                                     "shared index (a search, one dossier's "
                                                     "write); longer counts as unreachable")


class WebConfig(_Section):
    host: str = Field("127.0.0.1", description="where `digitize serve` listens; any other "
                                               "address needs a login (serve --set-password)")
    port: int = Field(8470, ge=1, le=65535, description="the port the web desk listens on")
    outs: list[Path] = Field(default_factory=list, description="output folders it shows (else "
                                                               "[run] out)")
    max_upload_mb: int = Field(200, ge=1, description="largest file a browser may send")
    allowed_hosts: list[str] = Field(default_factory=list, description="names the desk answers "
                                     "to besides its listen address (and localhost on "
                                     "loopback), e.g. [\"mot-cua.xa.gov.vn\"]; other Host "
                                     "headers get 400 (DNS rebinding)")
    password_file: Path | None = Field(None, description="the login's hash (default: in the "
                                                         "user config folder)")
    trusted_proxies: list[str] = Field(
        default_factory=list, description="addresses of reverse proxies (nginx) in front of "
        "the desk whose X-Forwarded-For names the clerk's address (failed logins are counted "
        "per clerk); from any other address the header is ignored, e.g. [\"127.0.0.1\"]")


class Config(_Section):
    agency: AgencyConfig = Field(default_factory=AgencyConfig)
    desk: DeskConfig = Field(default_factory=DeskConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    procedures: ProceduresConfig = Field(default_factory=ProceduresConfig)
    ui: UiConfig = Field(default_factory=UiConfig)
    run: RunConfig = Field(default_factory=RunConfig)
    ocr: OcrConfig = Field(default_factory=OcrConfig)
    pdf: PdfConfig = Field(default_factory=PdfConfig)
    extract: ExtractConfig = Field(default_factory=ExtractConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    signer: SignerConfig = Field(default_factory=SignerConfig)
    verify: VerifyConfig = Field(default_factory=VerifyConfig)
    upload: UploadConfig = Field(default_factory=UploadConfig)
    onestop: OnestopConfig = Field(default_factory=OnestopConfig)
    index: IndexConfig = Field(default_factory=IndexConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    scan: ScanConfig = Field(default_factory=ScanConfig)
    source: Path | None = Field(None, exclude=True, description="file it was read from")


def index_path(cfg: Config, override: Path | None = None) -> Path:
    """The index file: --index, else [index] path, else one per user in the data folder."""
    return override or cfg.index.path or data_dir() / "index.sqlite"


@dataclass(frozen=True)
class IndexLocation:
    """Where the index is: the local file, and the shared server when one is configured (the
    local file then keeps this desk's own entries and what waits to be sent)."""

    path: Path
    url: str = ""
    password_file: Path | None = None
    agency_code: str = ""
    desk: str = ""
    timeout_s: float = 30.0  # [index] timeout_s


def index_location(cfg: Config, override: Path | None = None) -> IndexLocation:
    """The index of this config: --index names a local file only (no shared server), else
    [index] path and url ($DIGITIZE_INDEX_URL wins over the config's url)."""
    url = "" if override else os.environ.get(ENV_INDEX_URL) or cfg.index.url
    return IndexLocation(path=index_path(cfg, override), url=url.strip(),
                         password_file=cfg.index.password_file, agency_code=cfg.agency.code,
                         desk=cfg.desk.name, timeout_s=cfg.index.timeout_s)


def out_folder(cfg: Config, given: Path | None = None) -> Path:
    """Where outputs go: --out, else [run] out; a usage error when neither says."""
    if given is not None:
        return given
    if cfg.run.out is None:
        raise UsageProblem(_("Say where the outputs go: --out OUT, or [run] out in the "
                             "config."))
    return cfg.run.out


def _expand(cfg: Config, base: Path) -> Config:
    def fix(p: Path | None) -> Path | None:
        if p is None:
            return None
        p = p.expanduser()
        return p if p.is_absolute() else base / p

    for name in ("p12", "key", "cert", "pkcs11_module", "secret_file", "signature_image",
                 "seal_image"):
        setattr(cfg.signer, name, fix(getattr(cfg.signer, name)))
    cfg.signer.chain = [p for p in (fix(c) for c in cfg.signer.chain) if p is not None]
    cfg.verify.trust = [t if str(t) in TRUST_STORES else p for t in cfg.verify.trust
                        if (p := fix(t)) is not None]
    cfg.upload.token_file = fix(cfg.upload.token_file)
    cfg.upload.journal = fix(cfg.upload.journal)
    cfg.onestop.token_file = fix(cfg.onestop.token_file)
    cfg.index.path = fix(cfg.index.path)
    cfg.index.password_file = fix(cfg.index.password_file)
    cfg.web.password_file = fix(cfg.web.password_file)
    cfg.web.outs = [p for p in (fix(o) for o in cfg.web.outs) if p is not None]
    cfg.run.out = fix(cfg.run.out)
    cfg.procedures.file = fix(cfg.procedures.file)
    cfg.procedures.received = fix(cfg.procedures.received)
    cfg.scan.inbox = fix(cfg.scan.inbox) or cfg.scan.inbox
    return cfg


def toml_value(value: object) -> str:
    """A TOML value: numbers and booleans as they are, lists of them, strings quoted (JSON's
    string escapes are valid TOML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


M = TypeVar("M", bound=BaseModel)


def read_toml(path: Path, model: type[M], what: str, see: str) -> M:
    """A TOML file read into `model`; an unreadable file, bad TOML or a wrong key is a usage
    error naming the file (`what` says which kind), the key and where the keys are explained."""
    try:
        return model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise UsageProblem(_("{what} {path} cannot be read ({reason}); check the path.").format(
            what=what, path=path, reason=exc.strerror)) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageProblem(_("{what} {path} is not valid TOML ({reason}); fix it.").format(
            what=what, path=path, reason=exc)) from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageProblem(_("{what} {path}: '{where}' {reason}; see {see}.").format(
            what=what, path=path, where=".".join(str(p) for p in first["loc"]),
            reason=first["msg"].lower(), see=see)) from exc


def _applied(cfg: Config) -> Config:
    """The settings that hold for the whole process, set from `cfg`: the limits on input PDFs,
    checked wherever one is opened."""
    set_limits(PdfLimits(max_pages=cfg.pdf.max_pages, max_objects=cfg.pdf.max_objects,
                         max_stream=cfg.pdf.max_stream_mb * MB))
    return cfg


def load_config(path: Path | None = None) -> Config:
    """Read the configuration (and apply its process-wide settings, see _applied); a missing
    default file means defaults, a named missing file is an error (exit 2)."""
    explicit = named_config(path)
    candidate = explicit or default_config_path()
    if not candidate.exists():
        if explicit:
            raise UsageProblem(_("Config file {candidate} does not exist; create it (see "
                                 "config.example.toml) or drop --config / DIGITIZE_CONFIG.").format(
                                   candidate=candidate))
        return _applied(Config())
    cfg = read_toml(candidate, Config, _("Config file"), "config.example.toml")
    cfg.source = candidate
    return _applied(_expand(cfg, candidate.parent))
