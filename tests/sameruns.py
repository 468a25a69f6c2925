"""Whether two `digitize run` output folders hold the same results, file by file and byte by
byte, once what legitimately differs between two runs of the same unsigned batch is masked:

- the run's own bookkeeping: the journal (`.digitize-journal.sqlite`, its times and paths) and
  the lock file (`.digitize.lock`, the pid and start of the run holding it) are left out;
- clock times: ISO 8601 date-times (METS CREATEDATE, PREMIS event times, JSON provenance and
  `finished`), PDF /CreationDate and /ModDate, XMP dates; and run timings (JSON `seconds`);
- random identifiers: the package's `uuid-…` name and every UUID inside (METS and PREMIS IDs,
  XMP DocumentID and InstanceID) and the PDF trailer /ID (pikepdf makes it from the time);
- where the output folder lies: its path inside JSON records;
- checksums and sizes in METS and PREMIS (CHECKSUM, SIZE, messageDigest, size): they are
  digests of files whose dates differ. Every package is checked with check_package, so they
  are right, and every file they describe is compared here in its own right.

PDFs are compared after pikepdf rewrites them the same way (streams decoded where lossless,
no object streams, fixed /ID), so two files match when every object and every decoded stream
is the same. Shared by tests/test_dask_cluster.py and benchmarks/batch_scaling.py."""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pikepdf

from digitize.bundle.check import check_package

LEFT_OUT = (".digitize-journal.sqlite", ".digitize.lock")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_DIGESTS = re.compile(r'((?:CHECKSUM|SIZE)=")[^"]*(")|'
                      r"(<premis:(?:messageDigest|size)>)[^<]*(</premis:)")


def _mask(text: str) -> str:
    return _UUID.sub("<UUID>", _TIME.sub("<TIME>", text))


def _xml(text: str) -> str:
    return _DIGESTS.sub(lambda m: "".join(g for g in m.groups() if g is not None),
                        _mask(text))


def _json(value: Any, out: str) -> Any:
    if isinstance(value, dict):
        return {k: _json(v, out) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_json(v, out) for v in value]
    if isinstance(value, str):
        return _mask(value.replace(out, "<OUT>"))
    return value


def normalised_pdf(path: Path) -> bytes:
    """The PDF without its dates and /ID, rewritten the same way whatever wrote it."""
    with pikepdf.open(path) as pdf:
        for key in ("/CreationDate", "/ModDate"):
            if key in pdf.docinfo:
                del pdf.docinfo[key]
        if "/Metadata" in pdf.Root:
            meta = pdf.Root.Metadata
            meta.write(_mask(meta.read_bytes().decode("utf-8")).encode("utf-8"))
        if "/ID" in pdf.trailer:  # else qpdf keeps its first half
            del pdf.trailer["/ID"]
        buf = io.BytesIO()
        pdf.save(buf, static_id=True, object_stream_mode=pikepdf.ObjectStreamMode.disable,
                 compress_streams=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized)
        return buf.getvalue()


def _normalised(path: Path, out: Path) -> bytes:
    if path.suffix == ".pdf":
        return normalised_pdf(path)
    if path.suffix == ".json":
        record = json.loads(path.read_text(encoding="utf-8"))
        return json.dumps(_json(record, str(out)), sort_keys=True,
                          ensure_ascii=False).encode("utf-8")
    if path.suffix == ".xml":
        return _xml(path.read_text(encoding="utf-8")).encode("utf-8")
    return path.read_bytes()


def fingerprints(out: Path) -> dict[str, str]:
    """Every output file (by its path with the package UUID masked) and the SHA-256 of its
    normalised content; AssertionError when a package does not pass check_package."""
    found: dict[str, str] = {}
    assert out.is_dir(), f"{out} is not a folder"
    for package in sorted(out.glob("*/uuid-*")):
        report = check_package(package)
        assert report.ok, (package, report.problems)
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel.startswith(LEFT_OUT):
            continue
        found[_mask(rel)] = hashlib.sha256(_normalised(path, out)).hexdigest()
    assert found, f"{out} holds no results"
    return found


def differences(a: Path, b: Path) -> list[str]:
    """What differs between two output folders once normalised: files only in one, and files
    whose content differs (empty when the runs gave the same results)."""
    fa, fb = fingerprints(a), fingerprints(b)
    diff = [f"only in {a}: {k}" for k in sorted(fa.keys() - fb.keys())]
    diff += [f"only in {b}: {k}" for k in sorted(fb.keys() - fa.keys())]
    diff += [f"differs: {k}" for k in sorted(fa.keys() & fb.keys()) if fa[k] != fb[k]]
    return diff
