"""The verification report as one self-contained HTML file an archivist can file: inline style,
no scripts, no external resources; every signature with its verdict and the reasons."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from digitize import __version__
from digitize.clock import now_vn

_STYLE = """
body{font-family:"Liberation Serif","Times New Roman",serif;margin:2em;color:#111}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:left;vertical-align:top;font-size:.9em}
th{background:#eee;width:14em}.valid{color:#05600a;font-weight:bold}
.invalid{color:#a00000;font-weight:bold}.indeterminate{color:#8a5a00;font-weight:bold}
.policy{color:#444;font-size:.85em}
"""
_ROWS = (("Chữ ký / field", "field"), ("Người ký / signer", "signer_subject"),
         ("Tổ chức / organisation", "organisation"), ("Số sê-ri / serial", "signer_serial"),
         ("Nơi cấp / issuer", "issuer"), ("Thời điểm ký (khai báo) / claimed time",
                                            "signing_time"),
         ("Dấu thời gian / timestamp", "timestamp_time"),
         ("Trạng thái dấu thời gian / timestamp status", "timestamp_status"),
         ("Toàn vẹn / intact", "intact"), ("Chữ ký hợp lệ / signature value", "crypto_valid"),
         ("Tin cậy / trusted chain", "trusted"), ("Thu hồi / revocation", "revocation"),
         ("Phạm vi / coverage", "coverage"), ("Chứng thực / certification", "certification"),
         ("Thay đổi sau khi ký / changed after", "changes_after"),
         ("Mức PAdES / level", "level"), ("Chỉ dấu phụ / sub-indication", "sub_indication"))


def _status(value: str) -> str:
    return f'<span class="{escape(value)}">{escape(value.upper())}</span>'


def _file(report: Any) -> str:
    parts = [f"<h2>{escape(report.path)} — {_status(report.status.value)}</h2>"]
    if report.reasons:
        parts.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in report.reasons) +
                     "</ul>")
    for sig in report.signatures:
        rows = [f"<tr><th>Kết luận / indication</th><td>{_status(sig.status.value)}</td></tr>"]
        for label, key in _ROWS:
            value = getattr(sig, key)
            if value in (None, ""):
                continue
            shown = ("yes" if value else "no") if isinstance(value, bool) else str(value)
            rows.append(f"<tr><th>{escape(label)}</th><td>{escape(shown)}</td></tr>")
        if sig.reasons:
            rows.append("<tr><th>Lý do / reasons</th><td>" +
                        "<br>".join(escape(r) for r in sig.reasons) + "</td></tr>")
        parts.append("<table>" + "".join(rows) + "</table>")
    return "".join(parts)


def render(reports: Sequence[Any], policy: str) -> str:
    """`reports` are FileReport and PackageReport objects, as `verify` makes them."""
    body = []
    for r in reports:
        if hasattr(r, "documents"):
            body.append(f"<h2>Gói / package {escape(r.path)} — {_status(r.status.value)}</h2>"
                        f"<p>{r.files_checked} files checked.</p>")
            if r.reasons:
                body.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in r.reasons) +
                            "</ul>")
            body.extend(_file(d) for d in r.documents)
        else:
            body.append(_file(r))
    return (f"<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<title>Báo cáo kiểm tra chữ ký số / signature verification report</title>"
            f"<style>{_STYLE}</style></head><body>"
            f"<h1>Báo cáo kiểm tra chữ ký số — signature verification report</h1>"
            f"<p>Lập lúc / made {escape(now_vn())} by digitize {escape(__version__)}.</p>"
            + "".join(body) +
            f"<p class=\"policy\">Chính sách / policy: {escape(policy)}</p></body></html>\n")
