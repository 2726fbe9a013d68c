"""Insight use cases: strengths and areas for development per theme, their trends over years,
and action outcomes at the 90-day review. Read-only; tenancy and disclosure are decided in
``knowledge.answers.disclosure`` (a scope the caller may not see is a 404)."""

from __future__ import annotations

import functools

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.problems import validation_failed
from knowledge.answers.disclosure import cache
from knowledge.answers.disclosure.audience import Audience
from knowledge.answers.insight.repository import (
    named_years,
    theme_labels,
    threshold_setters,
    years_with_figures,
)
from knowledge.answers.insight.schemas import (
    Count,
    OutcomeFigure,
    OutcomeInsights,
    ScopeOut,
    ThemeFigure,
    ThemeInsights,
    ThemeTrends,
    ThresholdPartnership,
    ThresholdSource,
    YearThemes,
)
from knowledge.answers.insight.scopes import (
    CellView,
    Target,
    cells_for,
    named_filter,
    resolve,
    scope_cells,
)
from knowledge.cells import (
    ALL,
    FINDING,
    NATIONAL_ID,
    OUTCOME_KIND,
    OUTCOME_THEME,
    PARTNERSHIP,
    WHOLE,
    Scope,
)
from knowledge.intake.directory.repository import DirectoryRepository

FINDING_KINDS = ("strength", "area_for_development")
RATINGS = ("on_track", "at_risk", "off_track", "done")
MAX_YEARS = 20


def scope_out(target: Target) -> ScopeOut:
    scope = target.scope
    return ScopeOut(
        kind=scope.kind,
        id=None if scope.id == NATIONAL_ID and scope.kind == ALL else scope.id,
        name=target.name,
    )


ACTION_KIND_LABELS = {
    "curriculum": "Curriculum",
    "teaching_practice": "Teaching practice",
    "staff_training": "Staff training",
    "coaching_mentoring": "Coaching and mentoring",
    "assessment_monitoring": "Assessment and monitoring",
    "intervention": "Intervention",
    "policy_process": "Policy and process",
    "parent_community": "Parents and community",
    "environment_resources": "Environment and resources",
    "leadership": "Leadership",
    "school_to_school_support": "School-to-school support",
    "stop": "Stop (de-implement)",
    "other": "Other",
}


def count(cell: CellView | None) -> Count:
    if cell is None:
        return Count(value=0, suppressed=False)
    if cell.suppressed:
        return Count(value=None, suppressed=True, suppressed_reason=cell.reason)
    return Count(value=cell.schools, suppressed=False)


def _matches(code: str, theme: str | None) -> bool:
    return theme is None or code == theme or code.startswith(theme + ".")


def _year_themes(
    year: str,
    cells: dict[tuple[str, str], CellView],
    *,
    named: bool,
    theme: str | None,
    kind: str | None,
    labels: dict[str, str],
) -> YearThemes:
    whole = cells.get((WHOLE, WHOLE))
    reviewed = count(whole)
    rows = []
    for (code, finding_kind), cell in sorted(cells.items()):
        if code == WHOLE or finding_kind not in FINDING_KINDS or not _matches(code, theme):
            continue
        if kind is not None and finding_kind != kind:
            continue
        share = None
        if not cell.suppressed and reviewed.value:
            share = round(cell.schools / reviewed.value, 4)
        rows.append(
            ThemeFigure(
                code=code,
                label=labels.get(code),
                kind=finding_kind,
                schools=None if cell.suppressed else cell.schools,
                share=share,
                suppressed=cell.suppressed,
                suppressed_reason=cell.reason if cell.suppressed else None,
                findings=cell.items if named else None,
                triangulated=cell.triangulated if named else None,
                urns=cell.urns if named else None,
            )
        )
    return YearThemes(academic_year=year, reviewed_schools=reviewed, themes=rows)


async def themes(
    session: AsyncSession,
    principal: Principal,
    *,
    scope: str,
    scope_id: str | None,
    year: str,
    theme: str | None,
    kind: str | None,
) -> ThemeInsights:
    audience, target = await resolve(session, principal, scope, scope_id)
    cells, threshold = await cells_for(session, audience, target, FINDING, year)
    named = target.view == "named"
    labels = await theme_labels(session)
    body = _year_themes(year, cells, named=named, theme=theme, kind=kind, labels=labels)
    return ThemeInsights(  # the body's models as they are (not dumped and validated again)
        scope=scope_out(target),
        view=target.view,
        threshold=threshold,
        threshold_source=await _threshold_source(session, audience, target, year, threshold),
        academic_year=body.academic_year,
        reviewed_schools=body.reviewed_schools,
        themes=body.themes,
    )


async def _threshold_source(
    session: AsyncSession, audience: Audience, target: Target, year: str, threshold: int | None
) -> ThresholdSource | None:
    """The agreements that set an aggregate view's threshold, named where the caller may see
    their partnership; ``default`` when none asks for it."""
    if threshold is None:
        return None
    setters = await threshold_setters(session, target.scope, year, threshold)
    if not setters:
        return ThresholdSource(kind="default", partnerships=[])
    names = await DirectoryRepository(session).partnerships(setters)
    partnerships = [
        ThresholdPartnership(
            id=p,
            name=names[p].name
            if p in names and audience.view_of(Scope(PARTNERSHIP, str(p))) is not None
            else None,
        )
        for p in setters
    ]
    return ThresholdSource(kind="agreement", partnerships=partnerships)


async def _years(
    session: AsyncSession, audience: Audience, target: Target, first: str | None, last: str | None
) -> list[str]:
    """``from``..``to`` when both are given; else the years the scope has figures for."""
    if first is not None and last is not None:
        if first > last:
            raise validation_failed([{"field": "query.from", "message": "`from` is after `to`."}])
        span = [f"{y}-{(y + 1) % 100:02d}" for y in range(int(first[:4]), int(last[:4]) + 1)]
    else:
        if target.view == "named":
            known = await named_years(session, named_filter(audience, target))
        else:
            known = await years_with_figures(session, [target.scope], FINDING)
        span = [y for y in known if (first is None or y >= first) and (last is None or y <= last)]
    if len(span) > MAX_YEARS:
        raise validation_failed(
            [{"field": "query.from", "message": f"At most {MAX_YEARS} years at a time."}]
        )
    return span


async def trends(
    session: AsyncSession,
    principal: Principal,
    *,
    scope: str,
    scope_id: str | None,
    theme: str | None,
    kind: str | None,
    first: str | None,
    last: str | None,
) -> ThemeTrends:
    audience, target = await resolve(session, principal, scope, scope_id)
    span = await _years(session, audience, target, first, last)
    labels = await theme_labels(session)
    if target.view == "named":
        years = []
        for year in span:
            cells, _ = await cells_for(session, audience, target, FINDING, year)
            years.append(
                _year_themes(year, cells, named=True, theme=theme, kind=kind, labels=labels)
            )
    else:  # every year's decision at once: one read for the years not cached
        found = await cache.answers(session, audience, FINDING, span, [target.scope])

        def year_of(y: str) -> YearThemes:
            cells = scope_cells(found[y].decided, target.scope, found[y].figures)
            return _year_themes(y, cells, named=False, theme=theme, kind=kind, labels=labels)

        # A year is built once per generation (the past years of a trend rarely change).
        years = [
            cache.kept(
                session,
                ("trend", audience.key, target.scope, y, found[y].generation, theme, kind),
                functools.partial(year_of, y),
            )
            for y in span
        ]
    return ThemeTrends(
        scope=scope_out(target),
        view=target.view,
        theme=theme,
        years=years,
    )


async def outcomes(
    session: AsyncSession,
    principal: Principal,
    *,
    scope: str,
    scope_id: str | None,
    year: str,
    by: str,
) -> OutcomeInsights:
    audience, target = await resolve(session, principal, scope, scope_id)
    family = OUTCOME_KIND if by == "kind" else OUTCOME_THEME
    cells, threshold = await cells_for(session, audience, target, family, year)
    named = target.view == "named"
    labels = ACTION_KIND_LABELS if by == "kind" else await theme_labels(session)
    rows = []
    for key in sorted({key for key, _ in cells if key != WHOLE}):
        ratings = {rating: count(cells.get((key, rating))) for rating in RATINGS}
        actions = None
        if named:
            actions = {r: (c.items if (c := cells.get((key, r))) else 0) for r in RATINGS}
        rows.append(
            OutcomeFigure(
                key=key,
                label=labels.get(key),
                rated=count(cells.get((key, WHOLE))),
                ratings=ratings,
                actions=actions,
            )
        )
    return OutcomeInsights(
        scope=scope_out(target),
        view=target.view,
        threshold=threshold,
        threshold_source=await _threshold_source(session, audience, target, year, threshold),
        academic_year=year,
        by=by,
        progress_reviewed_schools=count(cells.get((WHOLE, WHOLE))),
        data=rows,
    )
