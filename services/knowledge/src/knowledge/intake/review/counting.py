"""A review's cells (see ``knowledge.cells``), computed from what was ingested. Pure
functions: the same input always gives the same cells, so re-applying an event changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from knowledge.cells import (
    FINDING,
    OUTCOME_KIND,
    OUTCOME_THEME,
    PROCESS,
    WHOLE,
    CellKey,
    Cells,
    Counts,
)
from knowledge.intake.theme.models import ancestors_of


@dataclass(frozen=True)
class FindingShape:
    kind: str
    theme_codes: Sequence[str]
    evidence_count: int
    triangulated: bool


@dataclass(frozen=True)
class RatedShape:
    kind: str
    theme_codes: Sequence[str]
    rating: str


def with_ancestors(codes: Iterable[str]) -> set[str]:
    """``curriculum.reading.phonics`` counts for ``curriculum.reading`` and ``curriculum`` too."""
    keys: set[str] = set()
    for code in codes:
        keys.add(code)
        keys.update(ancestors_of(code))
    return keys


def _add(
    cells: Cells, key: CellKey, items: int = 1, triangulated: int = 0, evidence: int = 0
) -> None:
    counts = cells.setdefault(key, Counts())
    counts.items += items
    counts.triangulated += triangulated
    counts.evidence += evidence


def finding_cells(findings: Sequence[FindingShape]) -> Cells:
    cells: Cells = {(FINDING, WHOLE, WHOLE): Counts()}
    for finding in findings:
        triangulated = int(finding.triangulated)
        _add(cells, (FINDING, WHOLE, WHOLE), 1, triangulated, finding.evidence_count)
        for key in with_ancestors(finding.theme_codes):
            _add(cells, (FINDING, key, finding.kind), 1, triangulated, finding.evidence_count)
    return cells


def outcome_cells(rated: Sequence[RatedShape]) -> Cells:
    if not rated:
        return {}
    cells: Cells = {(OUTCOME_KIND, WHOLE, WHOLE): Counts(), (OUTCOME_THEME, WHOLE, WHOLE): Counts()}
    for action in rated:
        _add(cells, (OUTCOME_KIND, WHOLE, WHOLE))
        _add(cells, (OUTCOME_THEME, WHOLE, WHOLE))
        _add(cells, (OUTCOME_KIND, action.kind, WHOLE))
        _add(cells, (OUTCOME_KIND, action.kind, action.rating))
        for key in with_ancestors(action.theme_codes):
            _add(cells, (OUTCOME_THEME, key, WHOLE))
            _add(cells, (OUTCOME_THEME, key, action.rating))
    return cells


@dataclass(frozen=True)
class ProcessFacts:
    first_review_day: date | None
    report_published_at: datetime | None
    findings: int
    triangulated: int
    evidence: int
    workshop_date: date | None
    progress_on_time: bool | None


def process_cells(facts: ProcessFacts) -> Cells:
    """Days from the first review day to the report and to the workshop, the 90-day review's
    timeliness, and the report's findings, evidence and triangulation."""
    cells: Cells = {}
    day = facts.first_review_day
    if facts.report_published_at is not None and day is not None:
        cells[(PROCESS, "report", WHOLE)] = Counts(
            items=facts.findings,
            triangulated=facts.triangulated,
            evidence=facts.evidence,
            days=(facts.report_published_at.date() - day).days,
        )
    if facts.workshop_date is not None and day is not None:
        cells[(PROCESS, "workshop", WHOLE)] = Counts(days=(facts.workshop_date - day).days)
    if facts.progress_on_time is not None:
        cells[(PROCESS, "progress", WHOLE)] = Counts(items=int(facts.progress_on_time))
    return cells
