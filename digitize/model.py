"""The data that flows through the pipeline: Dossier -> Document -> Page, and each stage's result.

These models are the JSON contract of DESIGN.md (`run --json`, `extract --json`, `verify --json`);
`digitize schema export` publishes their JSON Schemas.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from digitize.errors import printable

# Paths and messages as they reach users and JSON (a non-UTF-8 file name must not break them).
Text = Annotated[str, BeforeValidator(lambda v: printable(str(v)))]


class Status(StrEnum):
    ok = "ok"
    failed = "failed"
    needs_review = "needs_review"
    incomplete = "incomplete"  # a dossier: some documents failed, the good ones are kept


class DocKind(StrEnum):
    van_ban = "van_ban"
    don = "don"


class Model(BaseModel):
    """A pydantic model whose validators are built when first used, not when imported: a
    command builds the few models it uses (signing one document uses three of some forty)."""

    model_config = ConfigDict(defer_build=True)


class Frozen(Model):
    model_config = ConfigDict(frozen=True, defer_build=True)


Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in a page's pixels


class Word(Frozen):
    """One recognised word: text (NFC), box in page pixels (upright page), confidence 0..100;
    `hand` where its ink is a pen's blue on a colour scan (a number or day written in);
    `agreed` where a pen's digits were read alike by a second reader (ocr.blanks)."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    block: int
    par: int
    line: int
    hand: bool = False
    agreed: bool = False


def document_reference(meta: Mapping[str, object]) -> str:
    """Số, year (legal documents) and ký hiệu as printed together: "15/QĐ-UBND",
    "21/2026/TT-BCT"; empty when none was read."""
    return "/".join(str(meta[k]) for k in ("number", "number_year", "symbol") if meta.get(k))


class OcrPage(Frozen):
    """What the OCR stage learned about one page."""

    index: int
    width: int
    height: int
    dpi: float
    rotation: int = Field(description="degrees clockwise applied to make the page upright")
    skew: float = Field(0.0, description="degrees counter-clockwise applied to level the text")
    text: str
    words: tuple[Word, ...]
    mean_conf: float
    blank: bool = False


class OcrDocument(Frozen):
    source: Path
    pdf: Path
    text: str
    pages: tuple[OcrPage, ...]
    needs_review: tuple[str, ...] = ()


class Evidence(Frozen):
    """Where a field was read: the OCR line and its box (fractions of the upright page)."""

    page: int
    box: tuple[float, float, float, float] = Field(description="x0, y0, x1, y1 in 0..1")
    text: str


class Override(Frozen):
    """A value a person set or confirmed instead of the extracted one."""

    field: str
    old: Any = None
    new: Any
    time: str  # ISO 8601, +07:00
    operator: str
    source: str = Field(description="review, or the override file it came from")


class Extraction(Frozen):
    """Metadata of one document in the keys of DESIGN.md, with per-field confidence."""

    doc_kind: DocKind
    metadata: dict[str, Any]
    confidence: dict[str, float]
    review: tuple[str, ...] = Field(default=(), description="fields a clerk should check")
    evidence: dict[str, Evidence] = Field(default_factory=dict)
    overrides: tuple[Override, ...] = ()


class SignatureInfo(Frozen):
    level: str
    signer: str
    signing_time: str
    field: str = ""
    certificate_serial: str = ""
    certificate_subject: str = ""
    certificate_issuer: str = ""


class InputSignature(Frozen):
    """A signature the input file already carried (a citizen's or an agency's signed PDF):
    checked, reported, and kept with the file byte for byte."""

    field: str
    signer: str
    signing_time: str | None = None
    status: str = Field(description="valid, invalid or indeterminate (ETSI TS 119 102-1)")
    sub_indication: str = ""
    reasons: list[str] = Field(default_factory=list)


class Event(Frozen):
    """One provenance event (PREMIS vocabulary): what happened, when, by which agent."""

    type: str  # capture, ocr, metadata extraction, metadata modification, signing, packaging
    time: str  # ISO 8601, +07:00
    agent: str  # software with version, or the certificate subject of a signer
    detail: str = ""
    outcome: str = "success"


class DocumentResult(Model):
    """One document of a dossier, as `run --json` and `extract --json` print it."""

    source: Text
    status: Status
    pdf: Text | None = None
    bundle: Text | None = Field(None, description="its own package (SIP_tailieu) in a loose run")
    sheet: Literal["cover", "index"] | None = Field(
        None, description="the dossier's cover or index sheet: in the package's documentation, "
                          "not one of its documents")
    text_file: Text | None = None
    hocr_file: Text | None = None
    doc_kind: DocKind | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    confidence: dict[str, float] = Field(default_factory=dict)
    signature: SignatureInfo | None = None
    review: list[str] = Field(default_factory=list)
    error: Text | None = None
    source_sha256: str | None = None
    evidence: dict[str, Evidence] = Field(
        default_factory=dict, description="where each field was read on the page")
    overrides: list[Override] = Field(
        default_factory=list, description="values set or confirmed by a person (review)")
    provenance: list[Event] = Field(default_factory=list)
    input_signatures: list[InputSignature] = Field(
        default_factory=list, description="signatures the input already carried; such a file "
                                          "goes into the package byte for byte, not re-signed")
    active_content: list[str] = Field(
        default_factory=list, description="active content the input PDF carried: javascript, "
                                          "launch, embedded_files, xfa. A signed input keeps it "
                                          "(byte for byte); an unsigned one's copy never has it")
    work_key: str | None = Field(
        None, description="checksum of what made this document (its input, place in the "
                          "dossier, corrections and the run's settings): a later run keeps a "
                          "finished document whose key is unchanged instead of redoing it")
    reused_from: Text | None = Field(
        None, description="the signed PDF this document was reused from (by `reuse`), "
                          "taken byte for byte: source_sha256 is its checksum")
    reused_dossier: Text | None = Field(
        None, description="the dossier (its code, else its id) the reused document or result "
                          "was first digitized in")

    @property
    def reference(self) -> str:
        """Số and ký hiệu as printed together: "15/QĐ-UBND" (empty when neither was read)."""
        return document_reference(self.metadata)

    @property
    def kind_label(self) -> str:
        """The kind and type code, e.g. "van_ban QĐ"."""
        kind = self.doc_kind.value if self.doc_kind else ""
        return f"{kind} {self.metadata.get('doc_type_code', '')}".strip()


class ComponentRef(Frozen):
    """A component of the dossier's procedure (thành phần hồ sơ), by code and name."""

    code: str
    name: str


class ResultRecord(DocumentResult):
    """A result of the procedure digitized with the dossier (kết quả giải quyết: a decision,
    permit, certificate), added by `digitize result add` or the web desk: a document of the
    dossier (OCR'd, its metadata read, signed as the desk's copy or kept byte for byte when it
    came signed) that carries the result's code and goes into the package's own file group."""

    code: str = Field("", description="the result's code (mã kết quả, MaGiayToKetQua); empty "
                                      "when it is not known yet (the result needs review)")
    name: str = Field("", description="the result's name as the procedure's catalogue words it")
    signed: bool = Field(False, description="signed: by the desk, or by the agency that issued "
                                            "it (kept byte for byte)")
    component_code: str | None = Field(None, description="its component code, where the "
                                                         "one-stop system gives results one")


class DossierResult(Model):
    id: Text
    status: Status
    folder: Text | None = Field(None, description="the dossier's input folder")
    dossier_code: str | None = None
    file_code: str | None = None
    bundle: Text | None = None
    loose: bool = Field(False, description="documents outside a dossier: one SIP_tailieu each")
    agency_code: str | None = Field(None, description="the desk's agency ([agency] code)")
    desk: Text | None = Field(None, description="the desk that digitized it ([desk] name)")
    operator: Text | None = Field(None, description="the clerk (--operator, [desk] operator, "
                                                    "else the login)")
    procedure: Text | None = Field(None, description="its administrative procedure (TTHC), as "
                                                     "the application form names it")
    received: str | None = Field(None, description="the day it was received, from the dossier "
                                                   "code (YYYY-MM-DD)")
    procedure_code: str | None = Field(None, description="its procedure's code in the desk's "
                                                         "catalogue (mã TTHC, e.g. 1.001234)")
    missing_components: list[ComponentRef] = Field(
        default_factory=list, description="required components of its procedure that no "
                                          "document was matched to (the dossier needs review)")
    review: list[str] = Field(default_factory=list, description="why the dossier as a whole "
                                                                "needs review")
    results: list[ResultRecord] = Field(default_factory=list, description="the procedure's "
                                        "results digitized with it (`digitize result add`)")
    documents: list[DocumentResult] = Field(default_factory=list)
    error: Text | None = None
    provenance: list[Event] = Field(default_factory=list)
    resumed: bool = Field(False, description="finished by an earlier run; left as it was")
    finished: str | None = Field(None, description="when its processing ended (+07:00)")
    seconds: float | None = Field(None, description="time from its first page to its package")


class Totals(Model):
    dossiers: int = 0
    resumed: int = 0
    incomplete: int = Field(0, description="dossiers with failed documents, the rest kept")
    documents: int = 0
    pages: int = 0
    ok: int = 0
    needs_review: int = 0
    failed: int = 0
    signed: int = 0
    seconds: float = 0.0

    def add(self, dossier: DossierResult) -> None:
        """Count one dossier and its documents in."""
        self.dossiers += 1
        self.resumed += dossier.resumed
        self.incomplete += dossier.status is Status.incomplete
        for doc in dossier.documents:
            if doc.sheet:  # the dossier's cover or index: not one of its documents
                continue
            self.documents += 1
            self.pages += int(doc.metadata.get("page_count") or 0)
            setattr(self, doc.status.value, getattr(self, doc.status.value) + 1)
            self.signed += doc.signature is not None


class RunSummary(Model):
    dossiers: list[DossierResult]
    totals: Totals

    @property
    def any_failed(self) -> bool:
        """A failed document, or a dossier that got no package (exit 1 for cron scripts)."""
        return self.totals.failed > 0 or any(d.status in (Status.failed, Status.incomplete)
                                             for d in self.dossiers)


DOSSIER_RECORD = "dossier.json"  # what `run` writes in OUT/<dossier>/


def moved_path(path: str, dossier_dir: Path, dossier_id: str, always: bool = False) -> Path:
    """A path recorded by `run`, found again when the output folder was moved since (`always`:
    in `dossier_dir` even when the recorded one still exists, as for a copy)."""
    p = Path(path)
    if (p.exists() and not always) or dossier_id not in p.parts:
        return p
    parts = p.parts
    tail = parts[len(parts) - parts[::-1].index(dossier_id):]
    return dossier_dir.joinpath(*tail)


def dossier_records(target: Path) -> list[Path]:
    """The record of one dossier's output folder, or those of every dossier in an output
    folder (empty when there are none). Hidden folders are a run's own (a dossier being
    staged, outputs on their way out, work files), never a dossier of the desk's: pathlib's
    "*" matches them too."""
    if (target / DOSSIER_RECORD).is_file():
        return [target / DOSSIER_RECORD]
    return sorted(r for r in target.glob(f"*/{DOSSIER_RECORD}")
                  if not r.parent.name.startswith("."))


def read_dossiers(target: Path) -> list[tuple[Path, DossierResult]]:
    """(folder, record) of each dossier `dossier_records` finds that is still there when it is
    read: a run swapping a dossier's outputs in, or a clerk removing one, can take it between
    the two steps."""
    found = []
    for record in dossier_records(target):
        try:
            found.append((record.parent, read_dossier(record.parent)))
        except FileNotFoundError:
            continue
    return found


def read_dossier(folder: Path) -> DossierResult:
    """The record `run` wrote in a dossier's output folder."""
    return DossierResult.model_validate_json((folder / DOSSIER_RECORD).read_text(
        encoding="utf-8"))
