"""What a batch run is asked to do (RunOptions) and how far it is (Progress), built from the
config and what the command line gave, so that a script calls the pipeline as `run` does."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from digitize.config import Config, IndexLocation, index_location
from digitize.errors import UsageProblem
from digitize.extract.names import confirmed_signers
from digitize.extract.overrides import operator_name
from digitize.i18n import _
from digitize.ocr.page import PROFILES
from digitize.procedures.assign import Sources, checked_procedure
from digitize.procedures.model import Catalogue
from digitize.signing.options import SignOptions, sign_options


class Progress:
    """How far the pipeline is; the CLI draws it with Rich. What happens goes to `log`, with
    the dossier and document in each record's `dossier` and `document` fields."""

    def start(self, total_pages: int) -> None: ...

    def advance(self, pages: int = 1) -> None: ...



@dataclass(frozen=True)
class RunOptions:
    out: Path
    config: Config
    lang: str = "vie"
    jobs: int = 0
    signing: SignOptions = field(default_factory=SignOptions)
    package: bool = True  # False: `digitize ocr`, the PDFs go straight into OUT/<dossier>/
    loose: bool = False  # documents outside a dossier: one SIP_tailieu per document
    operator: str = ""  # the clerk recorded with each dossier (resolved by run_options)
    retry_failed: bool = False  # process documents the journal has quarantined
    profile: str = "archive"  # or "compact" (desk copies: greyscale/bilevel where possible)
    drop_blank: bool = False
    keep_text: bool = True  # born-digital PDFs keep their own text (False: OCR every page)
    executor: str = "local"  # or dask-local, dask://HOST:PORT
    index: IndexLocation | None = None  # where each finished dossier is indexed (None: not)
    # Signers' names the desk confirmed in earlier dossiers of `out` (extract/names.py).
    signers: frozenset[str] = frozenset()
    catalogue: Catalogue | None = None  # the desk's procedures (None: none imported)
    procedures: Sources = field(default_factory=Sources)  # where dossiers' procedures come from


def check_profile(profile: str) -> None:
    if profile not in PROFILES:
        raise UsageProblem(_("Unknown profile {profile}; use one of {choices}.").format(
            profile=profile, choices=", ".join(PROFILES)))


def procedure_sources(cfg: Config, catalogue: Catalogue | None, procedure: str | None = None,
                      received: Path | None = None) -> Sources:
    """Where each dossier's procedure comes from: --procedure (checked against the catalogue
    now: a wrong code stops the run before any work, exit 2) and the received list (--received,
    else [procedures] received)."""
    forced = (procedure or "").strip()
    if forced:
        forced = checked_procedure(catalogue, forced).code
    listed = received or cfg.procedures.received
    if listed is None or catalogue is None:
        return Sources(forced=forced)
    from digitize.pipeline.received import read_received

    return Sources(forced=forced, received_file=str(listed),
                   received={r.code: r.procedure for r in read_received(listed, cfg.report)
                             if r.procedure})


def run_options(cfg: Config, out: Path, *, lang: str | None = None, jobs: int | None = None,
                signing: SignOptions | None = None, package: bool = True,
                profile: str | None = None, drop_blank: bool = False,
                keep_text: bool | None = None, retry_failed: bool = False, executor: str = "local",
                index: Path | None = None, loose: bool = False,
                operator: str | None = None, procedure: str | None = None,
                received: Path | None = None) -> RunOptions:
    """The options of a run: the config's, with what the command line gave instead. Every
    packaging run keeps the index current (review and scan --run too)."""
    profile = profile or cfg.run.profile
    check_profile(profile)
    from digitize.procedures.store import catalogue_path, load_catalogue

    catalogue = load_catalogue(catalogue_path(cfg)) if package else None
    return RunOptions(out=out, config=cfg, lang=lang or cfg.ocr.lang,
                      jobs=cfg.ocr.jobs if jobs is None else jobs,
                      signing=signing or sign_options(cfg), package=package, profile=profile,
                      drop_blank=drop_blank,
                      keep_text=cfg.ocr.keep_text if keep_text is None else keep_text,
                      retry_failed=retry_failed, executor=executor, loose=loose,
                      operator=operator_name(operator or "", cfg.desk.operator,
                                             cfg.review.operator),
                      index=index_location(cfg, index) if package and cfg.index.enabled else None,
                      signers=confirmed_signers(out, cfg.extract.min_field_confidence),
                      catalogue=catalogue,
                      procedures=procedure_sources(cfg, catalogue, procedure, received))
