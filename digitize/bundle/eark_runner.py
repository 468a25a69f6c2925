"""Run E-ARK's own validator (PyPI eark-validator) on packages, offline, and print its findings
as JSON. Executed as a script by the interpreter that has eark-validator (its own virtualenv:
it pins an lxml that digitize does not use), so it imports nothing from digitize.

    python eark_runner.py VOCAB_DIR SPEC PACKAGE...

eark-validator fetches four CSIP vocabularies from the web when imported; they are served from
VOCAB_DIR and every other URL or socket connection is refused.
"""

from __future__ import annotations

import io
import json
import socket
import sys
import urllib.error
import urllib.request
import urllib.response
from email.message import Message
from pathlib import Path
from typing import Any

VOCAB_BASE = "https://earkcsip.dilcis.eu/schema/"


def _offline(vocab: Path) -> None:
    class Local(urllib.request.BaseHandler):
        def _serve(self, req: urllib.request.Request) -> Any:
            url = req.get_full_url()
            name = url[len(VOCAB_BASE):] if url.startswith(VOCAB_BASE) else ""
            path = vocab / name
            if not name or "/" in name or not path.is_file():
                raise urllib.error.URLError(f"offline: {url} refused")
            data = path.read_bytes()
            headers = Message()
            headers["Content-Type"] = "application/xml"
            return urllib.response.addinfourl(io.BytesIO(data), headers, url, 200)

        http_open = https_open = ftp_open = unknown_open = _serve

    opener = urllib.request.OpenerDirector()
    opener.add_handler(Local())
    urllib.request.install_opener(opener)

    def refuse(*_a: Any, **_k: Any) -> Any:
        raise OSError("offline: network connection refused")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


def _severity(result: Any) -> str:
    s = str(getattr(result.severity, "value", result.severity)).upper()
    return {"WARN": "WARNING", "INFORMATION": "INFO"}.get(s, s)


def check(path: Path, version: Any) -> dict[str, Any]:
    from eark_validator.packages import PackageValidator

    try:
        report = PackageValidator(path, version).validation_report
    except Exception as exc:  # the validator's own failure on a malformed package
        return {"path": str(path), "crash": f"{type(exc).__name__}: {exc}", "results": []}
    found: list[dict[str, str]] = []
    out: dict[str, Any] = {"path": str(path), "crash": "", "results": found,
                           "structure": report.structure.status.value if report.structure
                           else "", "schema": "", "schematron": ""}
    sections = [("structure", report.structure.messages if report.structure else [])]
    if report.metadata:
        out["schema"] = report.metadata.schema_results.status.value
        out["schematron"] = report.metadata.schematron_results.status.value
        sections += [("schema", report.metadata.schema_results.messages),
                     ("schematron", report.metadata.schematron_results.messages)]
    for section, messages in sections:
        for r in messages:
            found.append({"severity": _severity(r), "section": section, "rule": str(r.rule_id),
                          "message": (r.message or "").strip(), "location": str(r.location)})
    return out


def main(argv: list[str]) -> int:
    vocab, spec, *packages = argv
    _offline(Path(vocab))
    from eark_validator.specifications.specification import SpecificationVersion

    version = SpecificationVersion("V" + spec)
    print(json.dumps([check(Path(p), version) for p in packages], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
