"""The province's procedure catalogue as data: each administrative procedure (thủ tục hành chính,
TTHC) with its code, name, field and level, the components a citizen hands in (thành phần hồ
sơ) and the results it issues (kết quả giải quyết). Frozen pydantic models: what `procedures
import` stores, and what a run matches each dossier's documents against."""

from __future__ import annotations

import re

from pydantic import Field

from digitize.extract.text import clean, fold
from digitize.model import Frozen

# Codes of the national procedure database: 1.001234 (ministry-level catalogue), 2.000123 …
PROCEDURE_CODE = re.compile(r"^\d\.\d{6}$")


class Component(Frozen):
    """One component of a procedure's dossier (thành phần hồ sơ)."""

    code: str = Field(description="component code (mã thành phần hồ sơ)")
    name: str = Field(description="its name as the catalogue words it (NFC)")
    originals: int = Field(0, ge=0, description="number of originals (số bản chính)")
    copies: int = Field(0, ge=0, description="number of copies (số bản sao)")
    required: bool = Field(True, description="a dossier without it is incomplete")


class ResultSpec(Frozen):
    """A result the procedure issues (kết quả giải quyết): a decision, permit, certificate."""

    code: str = Field("", description="result code (mã kết quả, e.g. KQ.G15.000001)")
    name: str


class Procedure(Frozen):
    code: str = Field(description="procedure code (mã TTHC), e.g. 1.001234")
    name: str
    field: str = Field("", description="its field (lĩnh vực)")
    level: str = Field("", description="its level (mức độ), as the catalogue says it")
    components: tuple[Component, ...] = ()
    results: tuple[ResultSpec, ...] = ()

    def component(self, code: str) -> Component | None:
        return next((c for c in self.components if c.code == code), None)

    @property
    def required(self) -> tuple[Component, ...]:
        return tuple(c for c in self.components if c.required)


class Catalogue(Frozen):
    """Every procedure of the desk, as imported (`source`: the file, `imported`: when)."""

    procedures: tuple[Procedure, ...] = ()
    source: str = ""
    imported: str = ""

    def get(self, code: str) -> Procedure | None:
        return next((p for p in self.procedures if p.code == code.strip()), None)

    def resolve(self, text: str) -> Procedure | None:
        """The procedure `text` names: its code, or its name as the catalogue words it (case,
        marks and spacing aside); None when it names none (or more than one)."""
        text = clean(text)
        if not text:
            return None
        found = self.get(text)
        if found is not None:
            return found
        named = [p for p in self.procedures if fold(p.name) == fold(text)]
        return named[0] if len(named) == 1 else None
