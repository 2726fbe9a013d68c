"""Route of /v1/insights/search: full-text search over the findings and actions the caller may
read (knowledge:read)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from common.http.pagination import Pagination
from knowledge.answers.insight.router import (
    CODE_PATTERN,
    YEAR_PATTERN,
    ScopeIdQuery,
    check_year,
)
from knowledge.answers.search import service
from knowledge.answers.search.schemas import SearchResults
from knowledge.deps import NOT_VISIBLE, KnowledgeReader, SessionDep

router = APIRouter(prefix="/v1/insights", tags=["insights"])


@router.get(
    "/search",
    responses=NOT_VISIBLE,
    name="search_findings_and_actions",
    summary="Search findings and actions",
    description=(
        "Full-text search (SQLite FTS5 / PostgreSQL full text), best match first, over the "
        "words of the findings and actions the caller may read: its own school's, and those "
        "of partnerships whose agreement names schools to it (as lead or member school). Words "
        "are kept only when the agreement let them leave the school, and deleted when it stops "
        "doing so; a council, a trust or the national view gets no results. Filter by `theme` "
        "(and its sub-themes), `year`, `kind`, or a `scope` (`school` or `partnership` with its "
        "`id`; 404 when not visible)."
    ),
    response_model=SearchResults,
)
async def search_findings_and_actions(
    session: SessionDep,
    principal: KnowledgeReader,
    params: Pagination,
    q: Annotated[str, Query(min_length=1, max_length=200, description="Words to find")],
    theme: Annotated[str | None, Query(pattern=CODE_PATTERN, max_length=120)] = None,
    year: Annotated[str | None, Query(pattern=YEAR_PATTERN)] = None,
    kind: Annotated[
        str | None,
        Query(
            pattern=r"^[a-z_]{1,40}$",
            description="A finding kind (strength, area_for_development) or an action kind",
        ),
    ] = None,
    scope: Annotated[
        Literal["school", "partnership"] | None,
        Query(description="Only this school or partnership"),
    ] = None,
    scope_id: ScopeIdQuery = None,
) -> SearchResults:
    check_year(year, "query.year")
    return await service.search_texts(
        session,
        principal,
        params,
        query=q,
        theme=theme,
        year=year,
        kind=kind,
        scope=scope,
        scope_id=scope_id,
    )
