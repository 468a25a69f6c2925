"""A package's E-ARK CSIP 2.1 conformance as E-ARK's own validator (eark-validator) judges it,
run offline in its own interpreter (eark_runner.py). Rules the validator fails on E-ARK's own
reference package, and the choices Thông tư 05/2025 makes otherwise than CSIP, are reported as
such and not counted as errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from digitize.i18n import N_, _
from digitize.paths import data_dir

SPEC = "2.1.0"
VALIDATOR = "eark-validator 1.1.3"
_HERE = Path(__file__).resolve().parent
# Rule -> why a failure of it is not ours.
KNOWN: dict[str, str] = {
    "CSIP4": N_("the validator fails it on E-ARK's own reference package"),
    "CSIP5": N_("the validator fails it on E-ARK's own reference package"),
    "CSIP63": N_("the validator asks every file group for a content information type, which "
                 "CSIP asks only of representations (E-ARK's reference package fails it too)"),
    "SIP14": N_("the validator looks for NOTETYPE without the csip: namespace that CSIP16 "
                "requires (E-ARK's reference package fails it too)"),
    "SIP2": N_("Thông tư 05/2025/TT-BNV declares the CSIP profile, as its sample package "
               "does"),
}


class EarkRule(BaseModel):
    rule: str
    severity: str  # ERROR, WARNING, INFO
    message: str
    count: int = 1
    known: str = ""  # why this failure is the validator's or the circular's, not the package's


class EarkReport(BaseModel):
    ran: bool
    validator: str = f"{VALIDATOR}, CSIP {SPEC}, offline"
    errors: int = 0  # ERROR results not known
    warnings: int = 0
    rules: list[EarkRule] = Field(default_factory=list)
    note: str = ""  # why it did not run

    @property
    def conforms(self) -> bool:
        return self.ran and self.errors == 0

    @property
    def failed(self) -> list[str]:
        """The rules the package fails that are its own (not the validator's or the
        circular's)."""
        return [r.rule for r in self.rules if r.severity == "ERROR" and not r.known]


def validator_python(configured: Path | None = None) -> Path | None:
    """The interpreter that has eark-validator: DIGITIZE_EARK_PYTHON, [verify] eark_python,
    the data folder's eark-validator virtualenv, or a checkout's .venv-eark (`make test`)."""
    env = os.environ.get("DIGITIZE_EARK_PYTHON")
    candidates = [Path(env)] if env else []
    if configured:
        candidates.append(configured)
    candidates += [data_dir() / "eark-validator" / "bin" / "python",
                   _HERE.parent.parent / ".venv-eark" / "bin" / "python"]
    return next((c for c in candidates if c.is_file()), None)


def _report(raw: dict[str, object]) -> EarkReport:
    if raw.get("crash"):
        return EarkReport(ran=True, errors=1, rules=[EarkRule(
            rule="crash", severity="ERROR", message=str(raw["crash"]))])
    rules: dict[tuple[str, str], EarkRule] = {}
    for r in raw.get("results", []):  # type: ignore[union-attr]
        key = (r["severity"], r["rule"])
        if key in rules:
            rules[key].count += 1
            continue
        known = KNOWN.get(r["rule"], "") if r["severity"] == "ERROR" else ""
        rules[key] = EarkRule(rule=r["rule"], severity=r["severity"], message=r["message"],
                              known=_(known) if known else "")
    found = EarkReport(ran=True, rules=[r for r in rules.values() if r.severity != "INFO"])
    found.errors = len(found.failed) or int(
        "INVALID" in (raw.get("structure"), raw.get("schema")))
    found.warnings = sum(1 for r in found.rules if r.severity == "WARNING")
    return found


def check_eark(packages: Sequence[Path], python: Path | None = None,
               timeout_s: float = 300) -> list[EarkReport]:
    """One report per package, in order; not run (with the reason) where no interpreter has
    the validator."""
    exe = validator_python(python)
    if exe is None:
        note = _("E-ARK check not run: eark-validator is not installed; run 'make test' in a "
                 "checkout, or install eark-validator==1.1.3 in its own virtualenv and set "
                 "[verify] eark_python to its python.")
        return [EarkReport(ran=False, note=note) for _p in packages]
    cmd = [str(exe), str(_HERE / "eark_runner.py"), str(_HERE / "eark_vocab"), SPEC,
           *map(str, packages)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              env={**os.environ, "PYTHONIOENCODING": "utf-8"})
        raw = json.loads(done.stdout)
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError) as exc:
        tail = locals().get("done")
        detail = (tail.stderr.strip().splitlines() or [""])[-1] if tail else str(exc)
        note = _("E-ARK check not run: the validator at {exe} failed ({detail}).").format(
            exe=exe, detail=detail or type(exc).__name__)
        return [EarkReport(ran=False, note=note) for _p in packages]
    return [_report(r) for r in raw]


if __name__ == "__main__":  # digitize's own packages, by hand: python -m digitize.bundle.eark PKG
    for pkg, rep in zip(sys.argv[1:], check_eark([Path(p) for p in sys.argv[1:]]), strict=True):
        print(pkg, rep.model_dump_json(indent=1))
