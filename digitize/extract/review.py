"""What `digitize review` walks a clerk through: the fields of finished dossiers that need a
person's eye, each with the OCR line it was read from and a crop of that part of the page; and
where the answers go (OUT/.overrides/<dossier>.toml, which the next `run` applies)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from digitize.errors import NoInputError
from digitize.extract.overrides import (
    FIELDS,
    OVERRIDES_DIR,
    OverrideFile,
    load_overrides,
    save_overrides,
    writing_overrides,
)
from digitize.i18n import N_, _, translations
from digitize.model import (
    DOSSIER_RECORD,
    DocumentResult,
    DossierResult,
    Evidence,
    ResultRecord,
    Status,
    read_dossiers,
)
from digitize.poppler import NotDrawn, draw

CROPS_DIR = ".review"


_REVIEW_NOTE = N_("{field}: missing or uncertain")


def review_note(field: str) -> str:
    """The note that sends a field to review."""
    return _(_REVIEW_NOTE).format(field=field)


@dataclass(frozen=True)
class ReviewItem:
    dossier: DossierResult
    out: Path  # the run's output folder
    doc: DocumentResult
    field: str

    @property
    def value(self) -> object:
        return self.doc.metadata.get(self.field)

    @property
    def confidence(self) -> float:
        return self.doc.confidence.get(self.field, 0.0)

    @property
    def evidence(self) -> Evidence | None:
        return self.doc.evidence.get(self.field)

    @property
    def notes(self) -> list[str]:
        """Why the field is here beyond its confidence (the index of documents disagrees …)."""
        # The record keeps the note in the language the run spoke.
        generic = {note.format(field=self.field) for note in translations(_REVIEW_NOTE)}
        return [n.split(":", 1)[1].strip() for n in self.doc.review
                if n.split(":", 1)[0] == self.field and n not in generic]


def finished(target: Path) -> list[tuple[Path, DossierResult]]:
    """The finished dossiers under `target`, each with the run's output folder that holds it;
    NoInputError where there is none."""
    found = read_dossiers(target)
    if not found:
        raise NoInputError(_("{target} holds no processed dossier ({RECORD}); give the output "
                             "folder of `digitize run` or one dossier inside it.").format(
                               target=target, RECORD=DOSSIER_RECORD))
    return [(folder.parent, record) for folder, record in found]


def pending(target: Path) -> list[ReviewItem]:
    """Every field flagged for review under `target`, dossier by dossier, document by
    document."""
    return fields_to_review(finished(target))


def fields_to_review(dossiers: list[tuple[Path, DossierResult]]) -> list[ReviewItem]:
    """Every field flagged for review in these finished dossiers (`finished`)."""
    items: list[ReviewItem] = []
    for out, dossier in dossiers:
        for doc in dossier.documents:
            if doc.status is not Status.needs_review:
                continue
            fields = dict.fromkeys(n.split(":", 1)[0] for n in doc.review)
            items += [ReviewItem(dossier, out, doc, f) for f in fields
                      if f in FIELDS]
    return items


@dataclass(frozen=True)
class ResultToConfirm:
    """A procedure's result whose code needs a person (`digitize result add … --code`)."""

    dossier: DossierResult
    out: Path  # the run's output folder
    result: ResultRecord

    @property
    def notes(self) -> list[str]:
        return list(self.result.review)


def results_to_confirm(dossiers: list[tuple[Path, DossierResult]]) -> list[ResultToConfirm]:
    """Every result of these finished dossiers (`finished`) that needs review (its code
    unsure or unknown): it is confirmed by adding it again with its code, not field by
    field."""
    return [ResultToConfirm(dossier, out, r) for out, dossier in dossiers
            for r in dossier.results if r.status is Status.needs_review]


def crop(item: ReviewItem, margin: float = 0.02, dpi: int = 110) -> Path | None:
    """A PNG of the page region the field was read from, for the clerk to look at; None when
    the field was not found on the page or there is no PDF."""
    ev = item.evidence
    if ev is None or not item.doc.pdf or not Path(item.doc.pdf).is_file():
        return None
    folder = item.out / CROPS_DIR / item.dossier.id
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{Path(item.doc.pdf).stem}-{item.field}.png"
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        try:
            png = draw(Path(item.doc.pdf), Path(tmp), dpi, page=ev.page + 1)[ev.page + 1]
        except NotDrawn:
            return None  # the clerk reads the page itself
        with Image.open(png) as page:
            w, h = page.size
            x0, y0, x1, y1 = ev.box
            box = (max(0, round((x0 - margin) * w)), max(0, round((y0 - margin) * h)),
                   min(w, round((x1 + margin) * w)), min(h, round((y1 + margin) * h)))
            page.crop(box).save(target)
    return target


def record_answers(out: Path, dossier_id: str, answers: dict[str, dict[str, object]],
                   operator: str) -> Path:
    """Merge a clerk's answers (input file name -> field -> value) into the dossier's override
    file; later answers replace earlier ones for the same field. Answers saved at the same
    time to the same dossier (two clerks, two fields) are all kept."""
    path = out / OVERRIDES_DIR / f"{dossier_id}.toml"
    with writing_overrides(out):
        data = load_overrides(path) if path.is_file() else OverrideFile()
        docs = {k: dict(v) for k, v in data.documents.items()}
        for name, values in answers.items():
            docs.setdefault(name, {}).update({k: v if isinstance(v, int) else str(v)
                                              for k, v in values.items()})
        save_overrides(OverrideFile(operator=operator or data.operator, documents=docs), path)
    return path
