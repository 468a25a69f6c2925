"""The verification report as one self-contained HTML file an archivist can file: inline style,
no scripts, no external resources; every signature with its verdict and the reasons."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from digitize import __version__
from digitize.clock import now_vn
from digitize.i18n import N_, _, language

_STYLE = """
body{font-family:"Liberation Serif","Times New Roman",serif;margin:2em;color:#111}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top;font-size:.9em}
th{background:#eee;width:14em}.valid{color:#05600a;font-weight:bold}
.invalid{color:#a00000;font-weight:bold}.indeterminate{color:#8a5a00;font-weight:bold}
.policy{color:#444;font-size:.85em}
"""
_ROWS = ((N_("Signature field"), "field"), (N_("Signer"), "signer_subject"),
         (N_("Organisation"), "organisation"), (N_("Certificate serial"), "signer_serial"),
         (N_("Issuer"), "issuer"), (N_("Claimed signing time"), "signing_time"),
         (N_("Timestamp"), "timestamp_time"), (N_("Timestamp status"), "timestamp_status"),
         (N_("Intact"), "intact"), (N_("Signature value"), "crypto_valid"),
         (N_("Trusted chain"), "trusted"), (N_("Revocation"), "revocation"),
         (N_("Coverage"), "coverage"), (N_("Certification"), "certification"),
         (N_("Changed after signing"), "changes_after"), (N_("Visual check"), "visual"),
         (N_("PAdES level"), "level"),
         (N_("Sub-indication"), "sub_indication"))
# ETSI TS 119 102-1 sub-indications and pyHanko's coverage levels, as a clerk reads them.
CODES = {
    "HASH_FAILURE": N_("the signed content was changed"),
    "SIG_CRYPTO_FAILURE": N_("the signature does not match the file"),
    "FORMAT_FAILURE": N_("the file was changed in a way the signature does not allow"),
    "REVOKED": N_("the signer's certificate was revoked"),
    "REVOKED_NO_POE": N_("the signer's certificate was revoked"),
    "NO_CERTIFICATE_CHAIN_FOUND": N_("the signer's certificate is not from a trusted "
                                     "authority"),
    "CHAIN_CONSTRAINTS_FAILURE": N_("the signer's certificate chain breaks its rules"),
    "OUT_OF_BOUNDS_NO_POE": N_("the certificate was not valid at the signing time"),
    "TRY_LATER": N_("the certificate's revocation could not be checked"),
    "ENTIRE_FILE": N_("the whole file"),
    "ENTIRE_REVISION": N_("the whole version that was signed"),
    "CONTIGUOUS_BLOCK_FROM_START": N_("only part of the file"),
    "UNCLEAR": N_("unclear"),
}
_DN = {"Common Name": N_("Name"), "Organizational Unit": N_("Unit"),
       "Organization": N_("Organisation"), "Country": N_("Country"),
       "Locality": N_("Place"), "State or Province": N_("Province"),
       "Email Address": N_("Email"), "Serial Number": N_("Serial number"),
       "User ID": N_("User ID")}
_INDICATIONS = {"valid": N_("valid"), "invalid": N_("invalid"),
                "indeterminate": N_("indeterminate")}


def _status(value: str) -> str:
    shown = _(_INDICATIONS.get(value, value)).upper()
    return f'<span class="{escape(value)}">{escape(shown)}</span>'


def _names(subject: str) -> str:
    """A certificate's name with its parts said in the reader's language ("Common Name: X")."""
    for part, word in _DN.items():
        subject = subject.replace(f"{part}:", f"{_(word)}:")
    return subject


def _code(code: str, plain: bool) -> str:
    """A code of the check in words; `plain`: the words alone (a clerk's page), else the words
    and the code the JSON holds."""
    if code not in CODES:
        return code
    return _(CODES[code]) if plain else f"{_(CODES[code])} ({code})"


def _file(report: Any, plain: bool = False) -> str:
    parts = [f"<h2>{escape(report.path)} — {_status(report.status.value)}</h2>"]
    if report.reasons:
        parts.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in report.reasons) +
                     "</ul>")
    for sig in report.signatures:
        rows = [f"<tr><th>{escape(_('Indication'))}</th><td>{_status(sig.status.value)}</td>"
                "</tr>"]
        for label, key in _ROWS:
            value = getattr(sig, key)
            if value in (None, ""):
                continue
            shown = (_("yes") if value else _("no")) if isinstance(value, bool) else \
                _code(value, plain) if key in ("coverage", "sub_indication") \
                else _names(str(value)) if key in ("signer_subject", "issuer") else str(value)
            rows.append(f"<tr><th>{escape(_(label))}</th><td>{escape(shown)}</td></tr>")
        if sig.reasons:
            rows.append(f"<tr><th>{escape(_('Reasons'))}</th><td>" +
                        "<br>".join(escape(r) for r in sig.reasons) + "</td></tr>")
        if getattr(sig, "visual_picture", ""):
            rows.append(f"<tr><th>{escape(_('Changed regions'))}</th><td><img alt=\"\" "
                        f"style=\"max-width:100%\" src=\"data:image/png;base64,"
                        f"{sig.visual_picture}\"></td></tr>")
        parts.append("<table>" + "".join(rows) + "</table>")
    return "".join(parts)


def render(reports: Sequence[Any], policy: str, plain: bool = False) -> str:
    """`reports` are FileReport and PackageReport objects, as `verify` makes them; `plain`: the
    checks' codes said in words only (the web desk's clerk)."""
    body = []
    for r in reports:
        if hasattr(r, "documents"):
            body.append(f"<h2>{escape(_('Package'))} {escape(r.path)} — "
                        f"{_status(r.status.value)}</h2><p>" +
                        escape(_("{count} files checked").format(count=r.files_checked)) +
                        ".</p>")
            if r.reasons:
                body.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in r.reasons) +
                            "</ul>")
            body.extend(_file(d, plain) for d in r.documents)
        else:
            body.append(_file(r, plain))
    title = escape(_("Signature verification report"))
    made = escape(_("Made {time} by digitize {version}.").format(time=now_vn(),
                                                                 version=__version__))
    return (f"<!DOCTYPE html><html lang=\"{language()}\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{title}</h1><p>{made}</p>" + "".join(body) +
            f"<p class=\"policy\">{escape(_('Policy: {policy}').format(policy=_(policy)))}"
            "</p></body></html>\n")
