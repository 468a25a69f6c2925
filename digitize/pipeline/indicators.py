"""The digitization indicators a province is scored on (Decision 766/QĐ-TTg of 2023, the index
of service to citizens and businesses, its group on digitization; as the provincial one-stop
systems compute them per received dossier): the share of received dossiers whose components
were digitized, whose result was digitized, both (full marks at 80 %), that reused at least one
digitized component, and that took a component from the citizen's data store on the national
portal. Per period of receipt, desk, clerk and procedure; every breakdown sums to the total.
docs/admin/reports.md ("The indicators") words each definition and which parts are our reading."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from digitize.config import Config
from digitize.extract.overrides import NATIONAL
from digitize.model import DocumentResult, DossierResult, ResultRecord, Status
from digitize.pipeline.received import Received
from digitize.procedures.assign import FIELD as COMPONENT
from digitize.procedures.assign import NOT_A_COMPONENT

TARGET = 0.8  # QĐ 766: full marks for the digitization figure at 80 % of dossiers
UNKNOWN = "unknown"
# Figure -> the count it is the share of; in the order every table shows them.
FIGURES = ("components", "results", "both", "reused", "national")


def _finished(doc: DocumentResult) -> bool:
    """Digitized: not failed, with its PDF, signed by the desk or as received."""
    return doc.status is not Status.failed and bool(doc.pdf) and (
        doc.signature is not None or bool(doc.input_signatures))


def is_component(doc: DocumentResult, dossier: DossierResult) -> bool:
    """A component of the dossier: one of its documents (not its cover or index sheet) that a
    clerk did not mark as no component; where the dossier's procedure is known, one matched to
    a component of it."""
    code = doc.metadata.get(COMPONENT)
    if doc.sheet or code == NOT_A_COMPONENT:
        return False
    return bool(code) or not dossier.procedure_code


@dataclass(frozen=True)
class Facts:
    """What one received dossier counts for."""

    components: bool = False  # a component of it digitized (HoSoCoThanhPhanSoHoa = 1)
    results: bool = False  # a result of it digitized and signed
    reused: bool = False  # a component taken from an earlier digitized document or result
    national: bool = False  # a component taken from the national portal's data store

    @property
    def both(self) -> bool:
        return self.components and self.results

    def __or__(self, other: Facts) -> Facts:
        return Facts(*(a or b for a, b in zip(self.flags, other.flags, strict=True)))

    @property
    def flags(self) -> tuple[bool, bool, bool, bool]:
        return self.components, self.results, self.reused, self.national


def dossier_facts(d: DossierResult) -> Facts:
    parts = [doc for doc in d.documents if is_component(doc, d) and _finished(doc)]
    return Facts(components=bool(parts),
                 results=any(_finished(r) and isinstance(r, ResultRecord) for r in d.results),
                 reused=any(doc.reused_from for doc in parts),
                 national=any(doc.metadata.get(NATIONAL) is True for doc in parts))


@dataclass
class Indicator:
    """The received dossiers of one group (all, a month, a desk …) and how many count for each
    figure."""

    key: str
    received: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIGURES, 0))

    def add(self, facts: Facts) -> None:
        self.received += 1
        for name in FIGURES:
            self.counts[name] += bool(getattr(facts, name))

    def row(self, name: str = "group") -> dict[str, object]:
        def share(n: int) -> float:
            return round(n / self.received, 4) if self.received else 0.0

        found: dict[str, object] = {name: self.key, "received": self.received}
        found.update({f"{k}_digitized" if k in ("components", "results", "both") else k: v
                      for k, v in self.counts.items()})
        found.update({f"share_{k}": share(v) for k, v in self.counts.items()})
        found["full_marks"] = self.received > 0 and share(self.counts["both"]) >= TARGET
        return found


@dataclass
class Indicators:
    total: Indicator
    groups: dict[str, list[Indicator]]  # dimension -> its groups, in order


@dataclass(frozen=True)
class _Dossier:
    """A received dossier: its day of receipt, its records (none: not digitized) and what the
    received list says its procedure is."""

    day: date | None
    records: tuple[DossierResult, ...] = ()
    procedure: str = ""


PERIODS = ("day", "week", "month")


def period_key(dimension: str, day: date | None) -> str:
    """The group of `day` in a breakdown by day, ISO week or month (`report`'s too)."""
    if day is None:
        return UNKNOWN
    if dimension == "day":
        return day.isoformat()
    if dimension == "week":
        year, week, _wd = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-%m")


def _key(dim: str, item: _Dossier, resolve: Callable[[str], str]) -> str:
    if dim in PERIODS:
        return period_key(dim, item.day)
    if dim == "procedure":
        coded = next((r.procedure_code for r in item.records if r.procedure_code), None)
        listed = resolve(item.procedure) if item.procedure else ""
        named = next((r.procedure for r in item.records if r.procedure), None)
        return coded or listed or named or UNKNOWN
    return next((str(getattr(r, dim)) for r in item.records if getattr(r, dim, None)), UNKNOWN)


def _received_day(d: DossierResult) -> date | None:
    if d.received:
        return date.fromisoformat(d.received)
    return datetime.fromisoformat(d.finished).date() if d.finished else None


def _dossiers(records: Sequence[DossierResult], received: Sequence[Received] | None,
              since: date | None, until: date | None) -> list[_Dossier]:
    """The received dossiers of the period: the received list's rows, else every dossier the
    output folders hold (by its code, else its id) received in it."""
    by_code: dict[str, list[DossierResult]] = {}
    for d in records:
        by_code.setdefault(d.dossier_code or d.id, []).append(d)
    if received is not None:
        found = [_Dossier(r.day, tuple(by_code.get(r.code, ())), r.procedure) for r in received]
    else:
        found = [_Dossier(min(filter(None, map(_received_day, ds)), default=None), tuple(ds))
                 for ds in by_code.values()]
    return [d for d in found if (since is None or (d.day is not None and d.day >= since))
            and (until is None or (d.day is not None and d.day <= until))]


def compute_indicators(records: Sequence[DossierResult], received: Sequence[Received] | None,
                       dims: Sequence[str], since: date | None = None,
                       until: date | None = None,
                       resolve: Callable[[str], str] | None = None) -> Indicators:
    """The figures over the dossiers received from `since` to `until`, in total and broken
    down by `dims`; `resolve` turns the received list's procedure (a code or a name) into the
    catalogue's code, so that each procedure is one group."""
    resolve = resolve or (lambda text: text)
    total = Indicator("all")
    groups: dict[str, dict[str, Indicator]] = {dim: {} for dim in dims}
    for item in _dossiers(records, received, since, until):
        facts = Facts()
        for record in item.records:
            facts = facts | dossier_facts(record)
        total.add(facts)
        for dim in dims:
            key = _key(dim, item, resolve)
            groups[dim].setdefault(key, Indicator(key)).add(facts)
    return Indicators(total, {dim: [g[k] for k in sorted(g)] for dim, g in groups.items()})


BREAKDOWNS = ("month", "desk", "operator", "procedure")  # --indicators without --by


def catalogue_codes(cfg: Config) -> Callable[[str], str]:
    """A received list's procedure (its code or its name) as the desk's catalogue codes it;
    as written where there is no catalogue or it names none of its procedures."""
    from digitize.procedures.store import catalogue_path, load_catalogue

    catalogue = load_catalogue(catalogue_path(cfg))

    def code(text: str) -> str:
        found = catalogue.resolve(text) if catalogue else None
        return found.code if found else text
    return code
