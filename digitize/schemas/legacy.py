"""Legacy export in the field set of Thông tư 02/2019/TT-BNV (Phụ lục I, replaced by TT 05/2025
on 01/7/2025), for archive systems that still import it. Derived from the TT 05/2025 fields, so
it says nothing the package does not."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from digitize.schemas.codes import CONFIDENCE_LEVELS, LANGUAGES, MAINTENANCE, MODES, TYPE_NAMES
from digitize.schemas.tt05 import DocumentFields, DossierFields

PHYSICAL_STATE = "Bình thường"


class _Legacy(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, serialize_by_alias=True)


class LegacyDossier(_Legacy):
    """Thông tin đầu vào của hồ sơ (TT 02/2019)."""

    file_code: str = Field(alias="Mã hồ sơ", max_length=50)
    title: str = Field(alias="Tiêu đề hồ sơ", max_length=1000)
    retention: str = Field(alias="Thời hạn bảo quản", max_length=30)
    access: str = Field(alias="Chế độ sử dụng", max_length=20)
    language: str = Field(alias="Ngôn ngữ", max_length=100)
    start: str = Field(alias="Thời gian bắt đầu", description="DD/MM/YYYY")
    end: str = Field(alias="Thời gian kết thúc", description="DD/MM/YYYY")
    total_docs: int = Field(alias="Tổng số văn bản trong hồ sơ")
    notes: str = Field(alias="Chú giải", max_length=2000)
    info_sign: str = Field(alias="Ký hiệu thông tin", max_length=30)
    keywords: str = Field(alias="Từ khóa", max_length=100)
    sheets: int = Field(alias="Số lượng tờ")
    pages: int = Field(alias="Số lượng trang")
    physical: str = Field(alias="Tình trạng vật lý", max_length=50)


class LegacyDocument(_Legacy):
    """Thông tin đầu vào của văn bản (TT 02/2019)."""

    doc_id: str = Field(alias="Mã định danh văn bản")
    archive_code: str = Field(alias="Mã lưu trữ tài liệu")
    language: str = Field(alias="Ngôn ngữ", max_length=100)
    pages: int = Field(alias="Số lượng trang")
    type_name: str = Field(alias="Tên loại văn bản", max_length=100)
    number: str = Field(alias="Số của văn bản", max_length=11)
    notation: str = Field(alias="Ký hiệu của văn bản", max_length=30)
    issued: str = Field(alias="Ngày, tháng, năm văn bản", description="DD/MM/YYYY")
    organ: str = Field(alias="Tên cơ quan, tổ chức ban hành văn bản", max_length=200)
    subject: str = Field(alias="Trích yếu nội dung", max_length=500)
    notes: str = Field(alias="Ghi chú", max_length=500)
    info_sign: str = Field(alias="Ký hiệu thông tin", max_length=30)
    keywords: str = Field(alias="Từ khóa", max_length=100)
    access: str = Field(alias="Chế độ sử dụng", max_length=20)
    confidence: str = Field(alias="Mức độ tin cậy", max_length=30)
    autograph: str = Field(alias="Bút tích", max_length=2000)
    physical: str = Field(alias="Tình trạng vật lý", max_length=50)


class LegacyExport(_Legacy):
    standard: str = Field("Thông tư 02/2019/TT-BNV (legacy field set)", alias="Tiêu chuẩn")
    dossier: LegacyDossier = Field(alias="Hồ sơ")
    documents: list[LegacyDocument] = Field(alias="Văn bản")


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def legacy_export(dossier: DossierFields, docs: Sequence[DocumentFields]) -> LegacyExport:
    d = dossier
    legacy_docs = []
    for doc in docs:
        values: dict[str, Any] = dict(
            doc_id=doc.docId, archive_code=doc.docCode, language=LANGUAGES[doc.language],
            pages=doc.numberOfPage, type_name=TYPE_NAMES[doc.typeName],
            number=doc.codeNumber, notation=_cut(doc.codeNotation, 30), issued=doc.issuedDate,
            organ=_cut(doc.organName, 200), subject=_cut(doc.subject, 500),
            notes=_cut(doc.description, 500), info_sign="", keywords=_cut(doc.keyword, 100),
            access=MODES[doc.mode], confidence=CONFIDENCE_LEVELS[doc.confidenceLevel],
            autograph=doc.autograph, physical=PHYSICAL_STATE)
        legacy_docs.append(LegacyDocument(**values))
    return LegacyExport(dossier=LegacyDossier(
        file_code=d.fileCode, title=d.title, retention=MAINTENANCE[d.maintenance],
        access=MODES[d.mode], language=LANGUAGES[d.language], start=d.startDate, end=d.endDate,
        total_docs=d.totalDoc, notes=_cut(d.description, 2000), info_sign="",
        keywords=_cut(d.keyword, 100), sheets=d.numberOfPaper, pages=d.numberOfPage,
        physical=PHYSICAL_STATE), documents=legacy_docs)
