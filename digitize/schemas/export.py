"""The schemas digitize publishes (`digitize schema export`): the JSON Schema of every --json
output and TT 05/2025 field set, and the XML schemas packages use."""

from __future__ import annotations

import json
from pathlib import Path

from digitize.bundle.verify import PackageReport
from digitize.fsutil import write_bytes_atomic
from digitize.model import DocumentResult, RunSummary
from digitize.schemas.legacy import LegacyExport
from digitize.schemas.tt05 import DocumentFields, DossierFields
from digitize.schemas.xsd import package_schema_files
from digitize.validation.verify import FileReport


def schema_files() -> dict[str, bytes]:
    """File name -> contents of every schema digitize publishes."""
    schemas = {
        "run.schema.json": RunSummary.model_json_schema(),
        "document.schema.json": DocumentResult.model_json_schema(),
        "verify-file.schema.json": FileReport.model_json_schema(),
        "verify-package.schema.json": PackageReport.model_json_schema(),
        "tt05-dossier.schema.json": DossierFields.model_json_schema(),
        "tt05-document.schema.json": DocumentFields.model_json_schema(),
        "tt02-legacy.schema.json": LegacyExport.model_json_schema(by_alias=True),
    }
    files = {name: json.dumps(schema, ensure_ascii=False, indent=2).encode("utf-8")
             for name, schema in schemas.items()}
    return files | package_schema_files()


def export_schemas(out_dir: Path) -> int:
    """Write every schema into `out_dir`; returns how many files."""
    files = schema_files()
    for name, data in files.items():
        write_bytes_atomic(out_dir / name, data)
    return len(files)
