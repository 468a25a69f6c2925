"""Thông tư 05/2025/TT-BNV metadata: the 18 dossier fields (EAD.xml) and the 21 document fields
(EAD_doc_*.xml), and how digitize's extracted metadata maps onto them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from digitize.schemas.codes import (
    CONFIDENCE_DIGITIZED,
    DOC_TYPES,
    LANGUAGE_VI,
    MODE_PUBLIC,
    OTHER_TYPE_CODE,
)

FORMAT_DIGITIZED = "Bản số hóa (PDF/A)"
DEFAULT_MAINTENANCE = "01"


class _Fields(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DossierFields(_Fields):
    """EAD.xml, in the order of the circular."""

    fileCode: str
    title: str
    maintenance: str
    mode: str
    language: str
    startDate: str
    endDate: str
    keyword: str
    totalDoc: int
    numberOfPaper: int
    numberOfPage: int
    format: str
    inforSign: str
    confidenceLevel: str
    paperFileCode: str
    riskRecovery: str
    riskRecoveryStatus: str
    description: str


class DocumentFields(_Fields):
    """EAD_doc_<file>.xml, in the order of the circular."""

    docId: str
    docCode: str
    maintenance: str
    typeName: str
    codeNumber: str
    codeNotation: str
    issuedDate: str
    organName: str
    subject: str
    language: str
    numberOfPage: int
    inforSign: str
    keyword: str
    mode: str
    confidenceLevel: str
    autograph: str
    format: str
    riskRecovery: str
    riskRecoveryStatus: str
    process: str
    description: str


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


def document_fields(file_code: str, seq: int, meta: Mapping[str, Any], signer: str | None,
                    maintenance: str = DEFAULT_MAINTENANCE) -> DocumentFields:
    is_form = meta.get("applicant_name") is not None
    subject = str(meta.get("subject") or meta.get("doc_type_name") or "")
    if is_form and meta.get("applicant_name"):
        subject = f"{meta.get('doc_type_name', '')} - {meta['applicant_name']}".strip(" -")
    return DocumentFields(
        docId=f"{file_code}.{seq}", docCode=f"{file_code}.{seq:07d}", maintenance=maintenance,
        typeName=_type_code(meta), codeNumber=str(meta.get("number") or ""),
        codeNotation=str(meta.get("symbol") or ""), issuedDate=dmy(meta.get("issued_date")),
        organName=str(meta.get("issuer") or ""), subject=subject, language=LANGUAGE_VI,
        numberOfPage=int(meta.get("page_count") or 0), inforSign=_sign_info(signer),
        keyword=str(meta.get("doc_type_name") or ""), mode=MODE_PUBLIC,
        confidenceLevel=CONFIDENCE_DIGITIZED, autograph=str(meta.get("signer") or ""),
        format=FORMAT_DIGITIZED, riskRecovery="0", riskRecoveryStatus="",
        process="Số hóa từ bản giấy", description="")


def dossier_fields(file_code: str, title: str, paper_code: str,
                   docs: Sequence[Mapping[str, Any]], signer: str | None,
                   maintenance: str = DEFAULT_MAINTENANCE) -> DossierFields:
    dates = sorted(str(d["issued_date"]) for d in docs if d.get("issued_date"))
    pages = sum(int(d.get("page_count") or 0) for d in docs)
    keywords = sorted({str(d["doc_type_name"]) for d in docs if d.get("doc_type_name")})
    return DossierFields(
        fileCode=file_code, title=title, maintenance=maintenance, mode=MODE_PUBLIC,
        language=LANGUAGE_VI, startDate=dmy(dates[0] if dates else None),
        endDate=dmy(dates[-1] if dates else None), keyword="; ".join(keywords),
        totalDoc=len(docs), numberOfPaper=pages, numberOfPage=pages, format=FORMAT_DIGITIZED,
        inforSign=_sign_info(signer), confidenceLevel=CONFIDENCE_DIGITIZED,
        paperFileCode=paper_code, riskRecovery="0", riskRecoveryStatus="", description="")
