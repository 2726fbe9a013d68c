"""Process and consistency measures per scope and year: days from review to report and to
workshop, 90-day reviews done on time, evidence items per finding, share of findings
triangulated, findings per review. The same disclosure as the insights: a partnership that names
its schools sees its own measures whole; above the partnership (and for an ``aggregated``
partnership) a measure over fewer schools than the threshold is suppressed, with complementary
suppression across the LA and its partnerships, which a council gets as rows of one answer."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.csvsafe import write_csv
from contracts.local_authorities import la_name
from knowledge.answers.disclosure import cache
from knowledge.answers.disclosure.audience import AGGREGATED
from knowledge.answers.insight.repository import named_years, years_with_figures
from knowledge.answers.insight.schemas import Count
from knowledge.answers.insight.scopes import (
    CellView,
    Target,
    cells_for,
    named_filter,
    resolve,
    scope_cells,
)
from knowledge.answers.insight.service import count, scope_out
from knowledge.answers.measure.schemas import ProcessMeasures, ProcessRow
from knowledge.cells import LA, PARTNERSHIP, PROCESS, WHOLE
from knowledge.intake.directory.repository import DirectoryRepository

CSV_COLUMNS = (
    "scope_kind",
    "scope_id",
    "name",
    "academic_year",
    "reports",
    "days_to_report",
    "findings_per_review",
    "evidence_per_finding",
    "triangulated_share",
    "workshops",
    "days_to_workshop",
    "progress_reviews",
    "on_time_share",
)


def _ratio(top: int, bottom: int, cell: CellView | None) -> float | None:
    if cell is None or cell.suppressed or bottom == 0:
        return None
    return round(top / bottom, 4)


def _reviews(cell: CellView | None) -> int:
    return 0 if cell is None or cell.suppressed else cell.reviews


def _row(target: Target, year: str, cells: dict[tuple[str, str], CellView]) -> ProcessRow:
    report = cells.get(("report", WHOLE))
    workshop = cells.get(("workshop", WHOLE))
    progress = cells.get(("progress", WHOLE))
    reports, findings = _reviews(report), report.items if report else 0
    return ProcessRow(
        scope=scope_out(target),
        academic_year=year,
        reports=_count(report),
        days_to_report=_ratio(report.days if report else 0, reports, report),
        findings_per_review=_ratio(findings, reports, report),
        evidence_per_finding=_ratio(report.evidence if report else 0, findings, report),
        triangulated_share=_ratio(report.triangulated if report else 0, findings, report),
        workshops=_count(workshop),
        days_to_workshop=_ratio(workshop.days if workshop else 0, _reviews(workshop), workshop),
        progress_reviews=_count(progress),
        on_time_share=_ratio(progress.items if progress else 0, _reviews(progress), progress),
    )


def _count(cell: CellView | None) -> Count:
    """The number of reviews behind a measure (schools are counted for the threshold)."""
    shown = count(cell)
    if cell is not None and not cell.suppressed:
        shown.value = cell.reviews
    return shown


async def process_measures(
    session: AsyncSession,
    principal: Principal,
    *,
    scope: str,
    scope_id: str | None,
    year: str | None,
) -> ProcessMeasures:
    audience, target = await resolve(session, principal, scope, scope_id)
    if year is not None:
        years = [year]
    elif target.view == AGGREGATED:
        years = await years_with_figures(session, [target.scope], PROCESS)
    else:
        years = await named_years(session, named_filter(audience, target))
    parts = audience.parts(target.scope) if target.view == AGGREGATED else []
    ids = {uuid.UUID(p.id) for p in parts if p.kind == PARTNERSHIP}
    found = await DirectoryRepository(session).partnerships(ids)
    names = {str(k): v.name for k, v in found.items()}
    names |= {p.id: name for p in parts if p.kind == LA and (name := la_name(p.id))}
    rows = []
    for academic_year in years:
        cells, _ = await cells_for(session, audience, target, PROCESS, academic_year)
        rows.append(_row(target, academic_year, cells))
        if parts:
            answer = (await cache.answers(session, audience, PROCESS, [academic_year], parts))[
                academic_year
            ]
            for part in parts:
                part_target = Target(part, AGGREGATED, names.get(part.id))
                part_cells = scope_cells(answer.decided, part, answer.figures)
                rows.append(_row(part_target, academic_year, part_cells))
    return ProcessMeasures(scope=scope_out(target), view=target.view, data=rows)


def as_csv(measures: ProcessMeasures) -> str:
    """One line per scope and year; a suppressed measure is an empty field. Names are text a
    spreadsheet could execute (``=HYPERLINK(...)``): ``write_csv`` neutralises them."""
    return write_csv(
        CSV_COLUMNS,
        (
            [
                row.scope.kind,
                row.scope.id or "",
                row.scope.name or "",
                row.academic_year,
                row.reports.value,
                row.days_to_report,
                row.findings_per_review,
                row.evidence_per_finding,
                row.triangulated_share,
                row.workshops.value,
                row.days_to_workshop,
                row.progress_reviews.value,
                row.on_time_share,
            ]
            for row in measures.data
        ),
    )
