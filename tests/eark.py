"""E-ARK conformance as E-ARK's own validator judges it, run by the workplace's independent
script (../shared/tools/eark_check.py) with the validator's virtualenv that `make test` makes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECKER = ROOT.parent / "shared" / "tools" / "eark_check.py"
EARK_VENV = ROOT / ".venv-eark"
# The validator's own noise (E-ARK's reference package gets CSIP4/5/63 and SIP14) and the
# circular's profile (SIP2): the only errors a package of ours may get.
ALLOWED = {"CSIP4", "CSIP5", "CSIP63", "SIP14", "SIP2"}
needs_checker = pytest.mark.skipif(
    not CHECKER.is_file() or not (EARK_VENV / "bin" / "python").is_file(),
    reason=f"{CHECKER} or {EARK_VENV} is not here (make test makes the validator's venv; "
           "shared/ lies next to the repository)")


@dataclass(frozen=True)
class Findings:
    errors: set[str]
    warnings: set[str]
    output: str


def eark_findings(package: Path) -> Findings:
    res = subprocess.run([sys.executable, str(CHECKER), str(package)], capture_output=True,
                         text=True, timeout=300, check=False,
                         env={**os.environ, "EARK_VENV": str(EARK_VENV)})
    assert "SUMMARY packages=1" in res.stdout, res.stdout + res.stderr
    rules = re.findall(r"^\s+(ERROR|WARNING)\s+\S+\s+(\S+?):", res.stdout, re.MULTILINE)
    return Findings({r for s, r in rules if s == "ERROR"}, {r for s, r in rules if s == "WARNING"},
                    res.stdout)


def assert_conforms(package: Path) -> None:
    found = eark_findings(package)
    assert found.errors <= ALLOWED, found.output
    assert not found.warnings, found.output
