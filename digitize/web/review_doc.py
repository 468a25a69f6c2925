"""A whole document reviewed on one screen: every field of it (the ones to review first), each
with its value, its confidence in words and where it was read; and the clerk's answers checked
against the rules the run applies (the field's own form, then the TT 05/2025 field set the
package is made of) before anything is written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from digitize.extract.overrides import FIELDS as EDITABLE
from digitize.extract.overrides import normalise
from digitize.model import DocumentResult, Evidence
from digitize.privacy import mask_text, mask_value
from digitize.schemas.tt05 import MetadataError, document_fields
from digitize.web.words import confidence_words, field_label

# The TT 05/2025 document fields made from a metadata key (schemas.tt05.document_fields), so
# that a value the package would refuse is refused at its own field.
TT05_SOURCE = {"codeNumber": "number", "codeNotation": "symbol", "issuedDate": "issued_date",
               "organName": "issuer", "subject": "subject", "autograph": "signer",
               "keyword": "doc_type_name", "typeName": "doc_type_name",
               "numberOfPage": "page_count"}
_LABEL = re.compile(r"^\w+ \(([^)]*)\)")


@dataclass(frozen=True)
class DocField:
    key: str
    label: str
    value: str  # as the form shows it: empty when it is personal data and hidden
    masked: str  # the value as shown with personal data hidden
    to_review: bool
    words: str  # the confidence in words
    evidence: Evidence | None


def form_fields(doc: DocumentResult, show_personal: bool) -> list[DocField]:
    """Every field the clerk may correct that the document has or should have, the ones to
    review first (in the order the run flagged them)."""
    flagged = list(dict.fromkeys(n.split(":", 1)[0] for n in doc.review
                                 if n.split(":", 1)[0] in EDITABLE))
    keys = flagged + [k for k in EDITABLE if k in doc.metadata and k not in flagged]
    fields = []
    for key in keys:
        raw = doc.metadata.get(key)
        text = "" if raw is None else str(raw)
        masked = mask_text(str(mask_value(key, text))) if text else ""
        hidden = not show_personal and masked != text
        fields.append(DocField(key, field_label(key), "" if hidden else text, masked,
                               key in flagged, confidence_words(doc.confidence.get(key)),
                               doc.evidence.get(key)))
    return fields


def check_answers(doc: DocumentResult, fields: list[DocField], sent: dict[str, str]
                  ) -> tuple[dict[str, object], dict[str, str]]:
    """The answers to write (every field to review, as accepted or corrected, and any other
    field changed) and the problems by field; nothing is to be written while there is one. A
    hidden personal value left empty is kept as it is."""
    answers: dict[str, object] = {}
    problems: dict[str, str] = {}
    for f in fields:
        text = sent.get(f.key, f.value).strip()
        if not text and f.masked and not f.value:
            text = str(doc.metadata.get(f.key, ""))  # hidden, left alone: kept
        old = doc.metadata.get(f.key)
        if not f.to_review and text == ("" if old is None else str(old)):
            continue
        if not text:
            if f.to_review and old is None:
                continue  # still not on the page: nothing to say
            problems[f.key] = _required()
            continue
        try:
            answers[f.key] = normalise(f.key, text)
        except ValueError as exc:
            problems[f.key] = str(exc)
    if not problems:
        try:
            document_fields("H00.00.00.2026.1", 1, {**doc.metadata, **answers}, None)
        except MetadataError as exc:
            for problem in exc.problems:
                key = TT05_SOURCE.get(problem.split(" ", 1)[0], "")
                said = _LABEL.sub(lambda m: m.group(1), problem)
                problems[key if key in answers else next(iter(answers), "")] = said
    return answers, problems


def _required() -> str:
    from digitize.i18n import _

    return _("Write the value, or leave the field as it was read.")
