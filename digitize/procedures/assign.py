"""A dossier's procedure and its documents' components, once its documents are read.

The procedure comes from, in this order: the run's `--procedure`, a file `.procedure` in the
dossier's folder (the web intake writes it), the received list's row for the dossier code, and
the application form's procedure name when the catalogue has exactly that name. A procedure
named but not in the catalogue fails the dossier with one sentence (the rest of the batch goes
on). Each document gets `component_code` (and `component_name`) in its metadata with its
confidence, like any field: under the review threshold, or matching no component, it goes to
review, and a clerk's override of `component_code` ("-": not a component, an extra document)
wins. A required component no document is matched to is named in the dossier's
`missing_components` and review notes: the dossier is `needs_review`, never complete."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from digitize.errors import UsageProblem
from digitize.fsutil import write_text_atomic
from digitize.i18n import N_, _
from digitize.model import ComponentRef, DocumentResult, Status
from digitize.procedures.match import match_document
from digitize.procedures.model import Catalogue, Procedure

PROCEDURE_FILE = ".procedure"  # in a dossier folder: its procedure's code (or name)
FIELD = "component_code"
NOT_A_COMPONENT = "-"  # a clerk's override: an extra document, no component of the procedure


@dataclass(frozen=True)
class Sources:
    """Where a run finds each dossier's procedure besides the dossier's own folder."""

    forced: str = ""  # --procedure
    received: Mapping[str, str] = field(default_factory=dict)  # dossier code -> code or name
    received_file: str = ""


@dataclass(frozen=True)
class Checked:
    """The dossier's procedure (None: unknown), what it lacks, notes for review and, when the
    procedure it names is not in the catalogue, the sentence that fails the dossier."""

    procedure: Procedure | None = None
    missing: tuple[ComponentRef, ...] = ()
    notes: tuple[str, ...] = ()
    error: str | None = None


def checked_procedure(catalogue: Catalogue | None, text: str) -> Procedure:
    """The procedure a clerk named (--procedure, the web form), or a usage error (exit 2)
    before any work is done."""
    if catalogue is None:
        raise UsageProblem(_("Naming a procedure needs the desk's procedure catalogue; import "
                             "it first with `digitize procedures import FILE`."))
    found = catalogue.resolve(text)
    if found is None:
        raise UsageProblem(_("The procedure {code} is not in the procedure catalogue; see "
                             "`digitize procedures list`.").format(code=text))
    return found


def mark_procedure(folder: Path, code: str) -> None:
    """Say in the dossier's folder which procedure it is (scan, the web intake)."""
    write_text_atomic(folder / PROCEDURE_FILE, code + "\n")


def _named(folder: Path, dossier_code: str | None, sources: Sources) -> tuple[str, str]:
    """The procedure the dossier is said to be (code or name) and where that was said."""
    if sources.forced:
        return sources.forced, "--procedure"
    marker = folder / PROCEDURE_FILE
    try:
        text = marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    if text:
        return text, str(marker)
    if dossier_code and sources.received.get(dossier_code):
        return sources.received[dossier_code], sources.received_file
    return "", ""


def find_procedure(catalogue: Catalogue, folder: Path, dossier_code: str | None,
                   sources: Sources, docs: Sequence[DocumentResult]
                   ) -> tuple[Procedure | None, str | None]:
    """The dossier's procedure, or the sentence that says why it is not in the catalogue."""
    text, where = _named(folder, dossier_code, sources)
    if text:
        found = catalogue.resolve(text)
        if found is None:
            return None, _("The procedure '{procedure}' ({where}) is not in the procedure "
                           "catalogue; import the province's list again (digitize procedures "
                           "import FILE) or correct the code.").format(procedure=text,
                                                                     where=where)
        return found, None
    for doc in docs:
        named = catalogue.resolve(str(doc.metadata.get("procedure_name") or ""))
        if named is not None:
            return named, None
    return None, None


def _strip(doc: DocumentResult) -> None:
    """Take out what an earlier matching left (a kept document carries it)."""
    doc.review = [n for n in doc.review if n.split(":", 1)[0] != FIELD]
    if not any(o.field == FIELD for o in doc.overrides):
        doc.metadata.pop(FIELD, None)
    doc.metadata.pop("component_name", None)
    doc.confidence.pop(FIELD, None)


def assign_component(procedure: Procedure, doc: DocumentResult, text: str,
                     threshold: float) -> None:
    """Give the document its component (in place), with a review note when unsure."""
    _strip(doc)
    set_by_clerk = any(o.field == FIELD for o in doc.overrides)
    if set_by_clerk:
        code = str(doc.metadata.get(FIELD, ""))
        part = procedure.component(code)
        doc.confidence[FIELD] = 1.0
        if part is not None:
            doc.metadata["component_name"] = part.name
        elif code != NOT_A_COMPONENT:
            doc.review.append(_("{field}: {code} is not a component of procedure {procedure}"
                                ).format(field=FIELD, code=code, procedure=procedure.code))
    else:
        found = match_document(procedure, doc.metadata, text)
        doc.confidence[FIELD] = found.confidence
        if found.component is None:
            doc.review.append(_("{field}: matches no component of procedure {procedure} (best "
                                "'{name}', {score}); set it, or '-' for an extra document"
                                ).format(field=FIELD, procedure=procedure.code,
                                         name=found.runner_up.name if found.runner_up else "",
                                         score=found.score))
        else:
            doc.metadata[FIELD] = found.component.code
            doc.metadata["component_name"] = found.component.name
            if found.confidence < threshold:
                doc.review.append(_("{field}: '{title}' fits '{name}' ({score}), but also "
                                    "'{other}' ({other_score})").format(
                    field=FIELD, title=found.title, name=found.component.name,
                    score=found.score, other=found.runner_up.name if found.runner_up else "",
                    other_score=found.runner_up_score))
    if doc.status is not Status.failed:
        doc.status = Status.needs_review if doc.review else Status.ok


def check_dossier(catalogue: Catalogue | None, folder: Path, dossier_code: str | None,
                  sources: Sources, docs: Sequence[tuple[DocumentResult, str]],
                  threshold: float) -> Checked:
    """The dossier's procedure found and each document (with its text) given a component;
    nothing is checked without a catalogue."""
    if catalogue is None:
        return Checked()
    procedure, error = find_procedure(catalogue, folder, dossier_code, sources,
                                      [d for d, _t in docs])
    if error is not None:
        return Checked(error=error)
    if procedure is None:
        return Checked(notes=(_("procedure unknown: give it with --procedure, the received "
                                "list or the web form, so that its components can be "
                                "checked"),))
    for doc, text in docs:
        if doc.status is not Status.failed:
            assign_component(procedure, doc, text, threshold)
    missing = missing_components(procedure, [d for d, _t in docs])
    return Checked(procedure, missing, missing_note(missing))


def missing_components(procedure: Procedure, docs: Sequence[DocumentResult]
                       ) -> tuple[ComponentRef, ...]:
    """The required components of `procedure` that no document (not failed) is matched to."""
    have = {str(d.metadata.get(FIELD)) for d in docs if d.status is not Status.failed}
    return tuple(ComponentRef(code=c.code, name=c.name) for c in procedure.required
                 if c.code not in have)


MISSING_NOTE = N_("missing required components: {names}")


def missing_note(missing: Sequence[ComponentRef]) -> tuple[str, ...]:
    """The dossier's review note that names what it lacks (none when it lacks nothing)."""
    return (_(MISSING_NOTE).format(names="; ".join(f"{m.name} ({m.code})" for m in missing)),
            ) if missing else ()
