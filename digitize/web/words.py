"""What the desk shows a clerk instead of the program's own words: each metadata field by its
TT 05/2025 name, the kinds of documents, the signature checks' codes, a confidence as words,
and the library's messages with their command-line advice said as the web would say it."""

from __future__ import annotations

import functools
import re

from digitize.i18n import N_, _, translations
from digitize.validation.html_report import CODES

# The fields of the metadata (DESIGN's keys, the component codes and the TT 05/2025 codes), by
# the names TT 05/2025 and ND 30 give them.
FIELDS = {
    "doc_type_name": N_("Type of document"),
    "doc_type_code": N_("Abbreviation of the type"),
    "tt05_type_code": N_("Type code (TT 05/2025)"),
    "number": N_("Number of the document"),
    "number_year": N_("Year of the number"),
    "symbol": N_("Symbol of the document"),
    "issued_date": N_("Date of the document"),
    "place": N_("Place name"),
    "issuer": N_("Name of the issuing agency or organisation"),
    "parent_issuer": N_("Name of the managing agency"),
    "subject": N_("Summary of the content"),
    "signer": N_("Signer"),
    "signer_title": N_("Position of the signer"),
    "page_count": N_("Number of pages"),
    "language": N_("Language"),
    "applicant_name": N_("Applicant's full name"),
    "birth_date": N_("Date of birth"),
    "id_number": N_("Personal identification number"),
    "address": N_("Address"),
    "phone": N_("Phone number"),
    "procedure_name": N_("Administrative procedure"),
    "procedure_code": N_("Procedure code"),
    "component_code": N_("Component code of the dossier"),
    "component_name": N_("Component of the dossier"),
    "dossier_code": N_("Dossier code"),
    "title": N_("Title of the dossier"),
    "received_date": N_("Date received"),
}
KINDS = {"van_ban": N_("Administrative document"), "don": N_("Application form")}
# Library messages that give command-line advice, and what the web says instead.
WEB_WORDING = {
    N_("the signer's certificate does not chain to a trusted root; add the root with --trust "
       "or [verify] trust"): N_("the signer's certificate does not chain to a trusted root; "
                                "ask the administrator to add the root certificate to the "
                                "desk's trusted list"),
    N_("the file claims long-term validation data for this signature (a DSS added after it), "
       "but that data does not validate the signer's certificate and --offline fetched "
       "nothing: its revocation status was not checked"):
        N_("the file claims long-term validation data for this signature, but that data does "
           "not validate the signer's certificate and nothing was fetched (tick \"online\" to "
           "fetch it): its revocation status was not checked"),
    N_("pyHanko validation; trust: the configured store and --trust only; revocation: the "
       "validation data embedded in the PDF (DSS) first, then OCSP/CRL online (public "
       "addresses only) unless --offline, soft-fail, reported as not checked or "
       "unavailable when nothing answered for it; changes allowed after signing: form "
       "filling, further signatures, validation data and document timestamps; anything else "
       "is invalid"): N_("pyHanko validation; trust: the desk's trusted list only; revocation: "
                         "the validation data embedded in the PDF first, then OCSP/CRL online "
                         "(public addresses only) when \"online\" is ticked; changes allowed "
                         "after signing: form filling, further signatures, validation data "
                         "and document timestamps; anything else is invalid"),
    N_("{field}: missing or uncertain"): N_("{field}: not read, or not sure"),
    N_("{target} already holds a different {name}; pass --replace to overwrite it."):
        N_("{target} already holds a different {name}; ask the archive before sending it "
           "again."),
    N_("The archive already holds a different {name}; pass --replace to overwrite it."):
        N_("The archive already holds a different {name}; ask the archive before sending "
           "it again."),
}
_SLOT = re.compile(r"\\\{(\w+)\\\}")


def field_label(key: str) -> str:
    return _(FIELDS[key]) if key in FIELDS else key.replace("_", " ")


def kind_label(kind: str) -> str:
    return _(KINDS.get(kind, N_("Other document")))


def code_words(code: str) -> str:
    return _(CODES[code]) if code in CODES else (_("other problem") if code else "")


def confidence_words(value: float | None) -> str:
    if value is None:
        return _("not read")
    if value >= 0.95:
        return _("sure")
    if value >= 0.8:
        return _("probably right")
    if value >= 0.5:
        return _("unsure: check it")
    return _("doubtful: check it")


def web_text(message: str) -> str:
    """`message` with the command-line advice of the library said as the web says it (in the
    language of now), and a field's key as its name. The message may be in either language:
    a record keeps the notes of the run in the language it ran in."""
    for pattern, web in _wording_patterns():
        message = pattern.sub(lambda m, web=web: _(web).format(**{
            k: field_label(v) if k == "field" else v for k, v in m.groupdict().items()}),
            message)
    return message


@functools.cache
def _wording_patterns() -> list[tuple[re.Pattern[str], str]]:
    """Each command-line wording, in every language, as a pattern, with the web's msgid:
    made once (the catalogues do not change while the desk runs)."""
    return [(re.compile(_SLOT.sub(lambda m: rf"(?P<{m.group(1)}>\w+)" if m.group(1) == "field"
                                  else f"(?P<{m.group(1)}>[^;]+?)", re.escape(said))), web)
            for cli, web in WEB_WORDING.items() for said in {cli, *translations(cli)}]


def web_policy(policy: str) -> str:
    """The verification policy's message id as the web words it."""
    return WEB_WORDING.get(policy, policy)
