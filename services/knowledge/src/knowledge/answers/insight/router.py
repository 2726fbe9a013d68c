"""Routes of /v1/insights: themes, trends and action outcomes for one scope (knowledge:read).

Who sees what is decided in the service layer (``knowledge.answers.disclosure``): a scope the
caller may not see answers 404; aggregates are suppressed below the agreement's threshold, with
complementary suppression across everything the same caller can ask."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from common.http.problems import validation_failed
from knowledge.answers.insight import service
from knowledge.answers.insight.schemas import OutcomeInsights, ScopeKind, ThemeInsights, ThemeTrends
from knowledge.deps import NOT_VISIBLE, KnowledgeReader, SessionDep

router = APIRouter(prefix="/v1/insights", tags=["insights"])

YEAR_PATTERN = r"^\d{4}-\d{2}$"
CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"

ScopeQuery = Annotated[
    ScopeKind,
    Query(description="school, partnership, trust, la (local authority) or all (national)"),
]
ScopeIdQuery = Annotated[
    str | None,
    Query(
        alias="id",
        max_length=40,
        description="URN, partnership id, trust UID or LA code; none for `all`",
        examples=["881"],
    ),
]
YearQuery = Annotated[
    str, Query(pattern=YEAR_PATTERN, description="Academic year", examples=["2026-27"])
]
OptionalYear = Annotated[str | None, Query(pattern=YEAR_PATTERN, examples=["2024-25"])]
ThemeQuery = Annotated[
    str | None,
    Query(pattern=CODE_PATTERN, max_length=120, description="A theme and its sub-themes"),
]
KindQuery = Annotated[
    Literal["strength", "area_for_development"] | None, Query(description="Only this kind")
]

SCOPE_DESCRIPTION = (
    "Scopes: `school` (the school itself, or a partnership that names it), `partnership` (its "
    "lead and members: by name when the agreement says `named`, else aggregated; its LA, "
    "aggregated, when the agreement allows), `trust` and `la` (aggregated, from partnerships "
    "whose agreement allows), `all` (national, aggregated; `knowledge:admin`). Aggregated "
    "figures about fewer schools than the threshold are `null` with `suppressed: true`, and "
    "enough others too that none can be worked out from totals or from other answers."
)


def check_year(value: str | None, field: str) -> None:
    if value is not None and int(value[5:]) != (int(value[:4]) + 1) % 100:
        message = "An academic year is like 2026-27 (the second year follows the first)."
        raise validation_failed([{"field": field, "message": message}])


@router.get(
    "/themes",
    responses=NOT_VISIBLE,
    name="get_theme_insights",
    summary="Strengths and areas for development per theme",
    description="One scope and year: per theme (counting its sub-themes) and kind, the schools "
    "that raised it and their share of the reviewed schools. " + SCOPE_DESCRIPTION,
    response_model=ThemeInsights,
)
async def get_theme_insights(
    session: SessionDep,
    principal: KnowledgeReader,
    scope: ScopeQuery,
    year: YearQuery,
    scope_id: ScopeIdQuery = None,
    theme: ThemeQuery = None,
    kind: KindQuery = None,
) -> ThemeInsights:
    check_year(year, "query.year")
    return await service.themes(
        session, principal, scope=scope, scope_id=scope_id, year=year, theme=theme, kind=kind
    )


@router.get(
    "/trends",
    responses=NOT_VISIBLE,
    name="get_theme_trends",
    summary="Themes over the years",
    description="The per-theme figures of `/v1/insights/themes` for each year from `from` to "
    "`to` (default: every year with reviews; at most 20). " + SCOPE_DESCRIPTION,
    response_model=ThemeTrends,
)
async def get_theme_trends(
    session: SessionDep,
    principal: KnowledgeReader,
    scope: ScopeQuery,
    scope_id: ScopeIdQuery = None,
    theme: ThemeQuery = None,
    kind: KindQuery = None,
    first: Annotated[str | None, Query(alias="from", pattern=YEAR_PATTERN)] = None,
    last: Annotated[str | None, Query(alias="to", pattern=YEAR_PATTERN)] = None,
) -> ThemeTrends:
    check_year(first, "query.from")
    check_year(last, "query.to")
    return await service.trends(
        session,
        principal,
        scope=scope,
        scope_id=scope_id,
        theme=theme,
        kind=kind,
        first=first,
        last=last,
    )


@router.get(
    "/outcomes",
    responses=NOT_VISIBLE,
    name="get_action_outcomes",
    summary="Action outcomes at the 90-day review",
    description="Per action kind (`by=kind`) or theme (`by=theme`): the schools with actions "
    "rated at the 90-day review, and with an action rated on track, at risk, off track or "
    "done. " + SCOPE_DESCRIPTION,
    response_model=OutcomeInsights,
)
async def get_action_outcomes(
    session: SessionDep,
    principal: KnowledgeReader,
    scope: ScopeQuery,
    year: YearQuery,
    scope_id: ScopeIdQuery = None,
    by: Annotated[Literal["kind", "theme"], Query(description="Group by")] = "kind",
) -> OutcomeInsights:
    check_year(year, "query.year")
    return await service.outcomes(
        session, principal, scope=scope, scope_id=scope_id, year=year, by=by
    )
