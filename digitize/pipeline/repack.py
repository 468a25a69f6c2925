"""A packaged dossier's package made again around the same signed files, with documents
(`reuse`) or the procedure's results (`result add`) added: under the output folder's lock, in a
staging folder swapped in whole, so a failure leaves the dossier as it was. The results go after
the documents (numbered after them, in their own file group), and keep their text, hOCR and
record under their new numbers."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from digitize.config import Config
from digitize.errors import NoInputError
from digitize.fsutil import DIR_MODE, replace_dir, write_text_atomic
from digitize.i18n import _
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    ResultRecord,
    Status,
    moved_path,
    read_dossier,
    read_dossiers,
)
from digitize.pipeline.package import Finished, Sheets, package_dossier

log = logging.getLogger("digitize")


@dataclass(frozen=True)
class Added:
    """A file joining a dossier's package: its record, its signed PDF, its text and hOCR."""

    result: DocumentResult
    pdf: Path
    text: str = ""
    hocr: Path | None = None


def packaged(dossier_dir: Path) -> DossierResult:
    """The record of the dossier `run` packaged in `dossier_dir`; NoInputError (exit 3) when
    there is none or it has no package."""
    if not (dossier_dir / DOSSIER_RECORD).is_file():
        raise NoInputError(_("{dossier_dir} is not a dossier made by `digitize run` (no "
                             "{RECORD}); run the dossier first, then add to its output folder "
                             "OUT/<dossier>.").format(dossier_dir=dossier_dir,
                                                      RECORD=DOSSIER_RECORD))
    dossier = read_dossier(dossier_dir)
    if not dossier.bundle or dossier.status is Status.failed:
        raise NoInputError(_("{dossier_dir} has no package (its run failed or a document is "
                             "missing); fix and run it again before adding to it.").format(
                               dossier_dir=dossier_dir))
    return dossier


def _side_file(path: str | None, dossier_dir: Path, dossier_id: str) -> Path | None:
    if not path:
        return None
    found = moved_path(path, dossier_dir, dossier_id)
    return found if found.is_file() else None


def kept_results(dossier: DossierResult, dossier_dir: Path) -> list[Added]:
    """The results an earlier run or `result add` recorded whose signed PDF is still there (a
    later run keeps them in the package); a missing one is a warning naming the fix."""
    kept = []
    for res in dossier.results:
        pdf = _side_file(res.pdf, dossier_dir, dossier.id)
        if pdf is None:
            log.warning(_("the result {name} is missing from {folder}; add it again with "
                          "`digitize result add`").format(name=Path(res.source).name,
                                                          folder=dossier_dir),
                        extra={"dossier": dossier.id})
            continue
        text = _side_file(res.text_file, dossier_dir, dossier.id)
        kept.append(Added(res, pdf, text.read_text(encoding="utf-8") if text else "",
                          _side_file(res.hocr_file, dossier_dir, dossier.id)))
    return kept


def number_results(docs: Sequence[Finished], results: Sequence[Added]) -> list[Finished]:
    """The results numbered after the documents (TT 05/2025 numbers a dossier's files)."""
    after = max((d.seq for d in docs), default=0)
    return [Finished(r.result, r.pdf, after + n) for n, r in enumerate(results, 1)]


def write_side_files(staging: Path, target: Path, item: Added, stem: str) -> None:
    """A document's or result's text and hOCR beside the package, under `stem`."""
    write_text_atomic(staging / f"{stem}.txt", item.text)
    item.result.text_file = str((target / f"{stem}.txt").resolve())
    if item.hocr is not None:
        shutil.copyfile(item.hocr, staging / f"{stem}.hocr")
        item.result.hocr_file = str((target / f"{stem}.hocr").resolve())


def _sheets(dossier: DossierResult, dossier_dir: Path) -> Sheets:
    """The dossier's own scanned cover and index, for the package's documentation again."""
    found: dict[str, tuple[Path, str]] = {}
    for doc in dossier.documents:
        pdf = _side_file(doc.pdf, dossier_dir, dossier.id)
        if doc.sheet and pdf is not None:
            text = _side_file(doc.text_file, dossier_dir, dossier.id)
            found[doc.sheet] = (pdf, text.read_text(encoding="utf-8") if text else "")
    return Sheets(found.get("cover"), found.get("index"))


def repackage(dossier_dir: Path, dossier: DossierResult, config: Config,
              documents: Sequence[Added] = (), results: Sequence[Added] = ()) -> None:
    """Make the dossier's package again with `documents` after its own and `results` after its
    earlier results; the caller holds the output folder's lock."""
    docs = [d for d in dossier.documents if d.pdf and not d.sheet]
    sources = [(d, moved_path(d.pdf or "", dossier_dir, dossier.id)) for d in docs] + \
        [(a.result, a.pdf) for a in documents]
    finished = [Finished(d, pdf, n) for n, (d, pdf) in enumerate(sources, 1)]
    every_result = [*kept_results(dossier, dossier_dir), *results]
    issued = number_results(finished, every_result)
    old_results = {Path(r.pdf or "").stem for r in dossier.results}
    staging = Path(tempfile.mkdtemp(prefix=f".staging-{dossier.id}-", dir=dossier_dir.parent))
    os.chmod(staging, DIR_MODE)
    try:
        old_bundle = Path(dossier.bundle or "")
        for item in dossier_dir.iterdir():  # the results' side files are written anew below
            if item.name != old_bundle.name and item.is_file() and \
                    item.name.rsplit(".", 1)[0] not in old_results:
                shutil.copy2(item, staging / item.name)
        signer = next((d.signature.signer for d in docs if d.signature), None)
        package_dossier(dossier, finished, config, staging, dossier_dir, signer,
                        _sheets(dossier, dossier_dir), issued)
        dossier.documents = [*dossier.documents, *(a.result for a in documents)]
        dossier.results = [r for r in (a.result for a in every_result)
                           if isinstance(r, ResultRecord)]
        code = dossier.file_code or dossier.id
        for item, done in zip([*documents, *every_result],
                              [*finished[len(docs):], *issued], strict=True):
            write_side_files(staging, dossier_dir, item, f"{code}.{done.seq}")
        for done in [*finished, *issued]:
            write_text_atomic(staging / f"{Path(done.result.pdf or '').stem}.json",
                              done.result.model_dump_json(indent=2))
        write_text_atomic(staging / DOSSIER_RECORD, dossier.model_dump_json(indent=2))
        replace_dir(staging, dossier_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def dossier_folder(out: Path, dossier: str) -> Path:
    """The output folder of the dossier `dossier` names (its id, or its desk dossier code) in
    `out`; NoInputError (exit 3) when `out` has none."""
    direct = out / dossier
    if (direct / DOSSIER_RECORD).is_file():
        return direct
    for folder, record in read_dossiers(out):
        if record.dossier_code == dossier:
            return folder
    raise NoInputError(_("There is no dossier {dossier} in {out}: digitize its documents "
                         "first (digitize run … --out {out}), then add its result.").format(
                           dossier=dossier, out=out))
