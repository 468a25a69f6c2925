"""Thông tư 05/2025/TT-BNV metadata: the 18 dossier fields (EAD.xml) and the 21 document fields
(EAD_doc_*.xml), and how digitize's extracted metadata maps onto them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from digitize.errors import DigitizeError
from digitize.i18n import N_, _
from digitize.schemas.codes import (
    CONFIDENCE_DIGITIZED,
    CONFIDENCE_LEVELS,
    DOC_TYPES,
    LANGUAGE_VI,
    LANGUAGES,
    MAINTENANCE,
    MODE_PUBLIC,
    MODES,
    OTHER_TYPE_CODE,
    TYPE_NAMES,
)

FORMAT_DIGITIZED = "Bản số hóa (PDF/A)"
DEFAULT_MAINTENANCE = "01"


class MetadataError(DigitizeError):
    """Metadata that does not satisfy the TT 05/2025 field rules; `problems` names each field."""

    def __init__(self, what: str, problems: Sequence[str]) -> None:
        super().__init__(_("{what} does not meet Thông tư 05/2025/TT-BNV: {problems}").format(
            what=what, problems="; ".join(problems)))
        self.problems = list(problems)


def _code_list(name: str, codes: Mapping[str, str]) -> Any:
    listing = ", ".join(f"{k} {v}" for k, v in codes.items())
    return Annotated[Literal[tuple(codes)], Field(  # type: ignore[valid-type]
        description=f"{name}: {listing}", json_schema_extra={"x-codes": dict(codes)})]


def _real_date(value: str) -> str:
    if value:
        day, month, year = (int(x) for x in value.split("/"))
        date(year, month, day)  # ValueError -> a validation error naming the field
    return value


_DATE = Annotated[str, Field(pattern=r"^(\d{2}/\d{2}/\d{4})?$",
                             description="DD/MM/YYYY, empty when unknown"),
                  AfterValidator(_real_date)]
_TYPE = _code_list("typeName", TYPE_NAMES)
_LANG = _code_list("language", LANGUAGES)
_MAINT = _code_list("maintenance", MAINTENANCE)
_MODE = _code_list("mode", MODES)
_CONF = _code_list("confidenceLevel", CONFIDENCE_LEVELS)
_COUNT = Annotated[int, Field(ge=0, le=9999)]
_FLAG = Literal["0", "1"]


def _t(title: str, max_length: int | None = None, **kw: Any) -> Any:
    return Field(title=title, max_length=max_length, **kw)


class _Fields(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class DossierFields(_Fields):
    """Thông tin hồ sơ (EAD.xml of SIP_hoso), in the order of the circular."""

    fileCode: str = _t("Mã hồ sơ", 50, min_length=1, pattern=r"^\S+\.\d{4}\.\S+$",
                       description="mã định danh cơ quan + năm hình thành + số và ký hiệu hồ "
                                   "sơ, e.g. H49.64.33.2001.160")
    title: str = _t("Tiêu đề hồ sơ", 1000, min_length=1)
    maintenance: _MAINT = _t("Thời hạn bảo quản")
    mode: _MODE = _t("Chế độ sử dụng")
    language: _LANG = _t("Ngôn ngữ")
    startDate: _DATE = _t("Thời gian bắt đầu")
    endDate: _DATE = _t("Thời gian kết thúc")
    keyword: str = _t("Từ khóa", 500)
    totalDoc: _COUNT = _t("Tổng số văn bản trong hồ sơ")
    numberOfPaper: _COUNT = _t("Số lượng tờ")
    numberOfPage: _COUNT = _t("Số lượng trang")
    format: str = _t("Tình trạng vật lý / định dạng", 100)
    inforSign: str = _t("Thông tin chữ ký số", 500)
    confidenceLevel: _CONF = _t("Mức độ tin cậy")
    paperFileCode: str = _t("Mã hồ sơ giấy", 100, min_length=1,
                            description="required for digitized dossiers: the paper dossier's "
                                        "code (here the one-stop desk's mã hồ sơ)")
    riskRecovery: _FLAG = _t("Có rủi ro cần khôi phục", description="0 no, 1 yes")
    riskRecoveryStatus: str = _t("Tình trạng khôi phục", 255)
    description: str = _t("Ghi chú", 1000)


class DocumentFields(_Fields):
    """Thông tin tài liệu (EAD_doc_<file>.xml), in the order of the circular."""

    docId: str = _t("Mã định danh tài liệu", 60, min_length=1,
                    description="fileCode + '.' + số thứ tự, e.g. H49.64.33.2001.160.1")
    docCode: str = _t("Mã lưu trữ tài liệu", 70, min_length=1, pattern=r"^\S+\.\d{7}$",
                      description="fileCode + '.' + 7-digit sequence")
    maintenance: _MAINT = _t("Thời hạn bảo quản")
    typeName: _TYPE = _t("Tên loại tài liệu")
    codeNumber: str = _t("Số của tài liệu", 11, pattern=r"^\d*$")
    codeNotation: str = _t("Ký hiệu của tài liệu", 50)
    issuedDate: _DATE = _t("Ngày, tháng, năm tài liệu")
    organName: str = _t("Tên cơ quan, tổ chức ban hành", 300)
    subject: str = _t("Trích yếu nội dung", 1000, min_length=1)
    language: _LANG = _t("Ngôn ngữ")
    numberOfPage: _COUNT = _t("Số lượng trang")
    inforSign: str = _t("Thông tin chữ ký số", 500)
    keyword: str = _t("Từ khóa", 500)
    mode: _MODE = _t("Chế độ sử dụng")
    confidenceLevel: _CONF = _t("Mức độ tin cậy")
    autograph: str = _t("Bút tích", 2000)
    format: str = _t("Tình trạng vật lý / định dạng", 100)
    riskRecovery: _FLAG = _t("Có rủi ro cần khôi phục", description="0 no, 1 yes")
    riskRecoveryStatus: str = _t("Tình trạng khôi phục", 255)
    process: str = _t("Quy trình xử lý", 500)
    description: str = _t("Ghi chú", 1000)


F = TypeVar("F", bound=_Fields)

_REASONS = {
    "missing": N_("is missing"),
    "string_too_short": N_("is empty"),
    "string_too_long": N_("is longer than {max_length} characters"),
    "string_pattern_mismatch": N_("has the wrong form"),
    "greater_than_equal": N_("must be at least {ge}"),
    "less_than_equal": N_("must be at most {le}"),
    "int_parsing": N_("must be a whole number"),
    "extra_forbidden": N_("is not a field of this set"),
}


def _problem(model: type[BaseModel], err: Any) -> str:
    name = str(err["loc"][0]) if err["loc"] else "?"
    info = model.model_fields.get(name)
    label = f"{name} ({info.title})" if info and info.title else name
    kind = err["type"]
    shown = repr(err.get("input")) if kind != "missing" else ""
    if kind == "literal_error":
        codes = (info.json_schema_extra or {}).get("x-codes", {}) if info else {}
        span = f"{min(codes)}–{max(codes)}" if codes else "?"
        return _("{label} {value} is not a code of its list ({span})").format(
            label=label, value=shown, span=span)
    if kind == "value_error" or (kind == "string_pattern_mismatch" and info and
                                 "DD/MM/YYYY" in (info.description or "")):
        return _("{label} {value} is not a real date written DD/MM/YYYY").format(
            label=label, value=shown)
    template = _(_REASONS[kind]) if kind in _REASONS else err["msg"].lower()
    reason = template.format(**(err.get("ctx") or {}))
    if kind == "string_pattern_mismatch" and info and info.description:
        reason += " " + _("(expected {description})").format(description=info.description)
    return f"{label} {shown} {reason}".replace("  ", " ")


def validate_fields(model: type[F], data: Mapping[str, Any], what: str) -> F:
    """Build the field set or raise MetadataError naming every wrong field, in plain words."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise MetadataError(what, [_problem(model, e) for e in exc.errors()]) from exc


def dmy(iso: str | None) -> str:
    """ISO 8601 date -> DD/MM/YYYY as the circular writes dates; '' when unknown."""
    if not iso:
        return ""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return ""


def _type_code(meta: Mapping[str, Any]) -> str:
    code = meta.get("tt05_type_code")
    if code:
        return str(code)
    name = meta.get("doc_type_name")
    return next((t.tt05 for t in DOC_TYPES if t.name == name), OTHER_TYPE_CODE)


def _sign_info(signer: str | None) -> str:
    return f"Chữ ký số của {signer}" if signer else ""


def _component_note(meta: Mapping[str, Any]) -> str:
    """The document's component of its procedure (thành phần hồ sơ) in its ghi chú."""
    code = meta.get("component_code")
    if not code or code == "-":
        return ""
    return f"Thành phần hồ sơ {code}: {meta.get('component_name') or ''}".strip(": ")[:1000]


def document_fields(file_code: str, seq: int, meta: Mapping[str, Any], signer: str | None,
                    maintenance: str = DEFAULT_MAINTENANCE, note: str = "") -> DocumentFields:
    """The 21 fields of one document; `note` is added to its ghi chú (a result's code, where a
    reused document came from)."""
    is_form = meta.get("applicant_name") is not None
    subject = str(meta.get("subject") or meta.get("doc_type_name") or "")
    if is_form and meta.get("applicant_name"):
        subject = f"{meta.get('doc_type_name', '')} - {meta['applicant_name']}".strip(" -")
    return validate_fields(DocumentFields, dict(
        docId=f"{file_code}.{seq}", docCode=f"{file_code}.{seq:07d}", maintenance=maintenance,
        typeName=_type_code(meta), codeNumber=str(meta.get("number") or ""),
        codeNotation=str(meta.get("symbol") or ""), issuedDate=dmy(meta.get("issued_date")),
        organName=str(meta.get("issuer") or ""), subject=subject, language=LANGUAGE_VI,
        numberOfPage=int(meta.get("page_count") or 0), inforSign=_sign_info(signer),
        keyword=str(meta.get("doc_type_name") or ""), mode=MODE_PUBLIC,
        confidenceLevel=CONFIDENCE_DIGITIZED, autograph=str(meta.get("signer") or ""),
        format=FORMAT_DIGITIZED, riskRecovery="0", riskRecoveryStatus="",
        process="Số hóa từ bản giấy",
        description="; ".join(filter(None, (_component_note(meta), note)))[:1000]),
        _("Document {id}").format(id=f"{file_code}.{seq}"))


def dossier_fields(file_code: str, title: str, paper_code: str,
                   docs: Sequence[Mapping[str, Any]], signer: str | None,
                   maintenance: str = DEFAULT_MAINTENANCE,
                   span: tuple[str, str] | None = None, description: str = "") -> DossierFields:
    """The dossier's fields from its documents; `span` (ISO start and end dates) when its cover
    gives them."""
    dates = sorted(str(d["issued_date"]) for d in docs if d.get("issued_date"))
    if span and all(span):
        dates = list(span)
    pages = sum(int(d.get("page_count") or 0) for d in docs)
    keywords = sorted({str(d["doc_type_name"]) for d in docs if d.get("doc_type_name")})
    return validate_fields(DossierFields, dict(
        fileCode=file_code, title=title, maintenance=maintenance, mode=MODE_PUBLIC,
        language=LANGUAGE_VI, startDate=dmy(dates[0] if dates else None),
        endDate=dmy(dates[-1] if dates else None), keyword="; ".join(keywords),
        totalDoc=len(docs), numberOfPaper=pages, numberOfPage=pages, format=FORMAT_DIGITIZED,
        inforSign=_sign_info(signer), confidenceLevel=CONFIDENCE_DIGITIZED,
        paperFileCode=paper_code, riskRecovery="0", riskRecoveryStatus="",
        description=description),
        _("Dossier {id}").format(id=file_code))
