"""Routes of /v1/insights/support: support brokering (knowledge:read). Schools are named only
where their agreements allow it; a school or partnership the caller may not see by name is 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from knowledge.answers.brokering import service
from knowledge.answers.brokering.schemas import RoundIn, RoundOut, SupportMatches
from knowledge.answers.insight.router import OptionalYear, check_year
from knowledge.deps import NOT_VISIBLE, KnowledgeReader, SessionDep

router = APIRouter(prefix="/v1/insights/support", tags=["support brokering"])


@router.get(
    "/schools/{urn}",
    name="get_support_matches",
    summary="Schools that could support a school",
    description=(
        "For each area for development of the school's review (`year`, default its latest), "
        "the schools with a matching triangulated strength (the same theme or a more specific "
        "one) found in that year or the one before: in a partnership with the school first, "
        "then by evidence, recency and distance. Only schools whose agreement lets them be "
        "named to the caller: of its partnerships that name their schools, or of other "
        "partnerships that offer `named_for_support`. For the school itself, and for the lead "
        "and members of a partnership that names it; else 404."
    ),
    response_model=SupportMatches,
)
async def get_support_matches(
    urn: Annotated[int, Path(ge=100000, le=999999, description="The school's URN")],
    session: SessionDep,
    principal: KnowledgeReader,
    year: OptionalYear = None,
    limit: Annotated[int, Query(ge=1, le=50, description="Offers per area")] = 10,
) -> SupportMatches:
    check_year(year, "query.year")
    return await service.matches_for_school(session, principal, urn, year, limit)


@router.post(
    "/rounds",
    responses=NOT_VISIBLE,
    name="propose_brokering_round",
    summary="Propose a partnership's brokering round",
    description=(
        "Pairs every area for development of the partnership's reviews that year with a "
        "school that can support it, each helper taking at most its capacity of pairings "
        "(`capacities`, else `default_capacity`): the most needs met, then the best pairings "
        "by the ranking of `/support/schools/{urn}`, as one optimal assignment (min-cost "
        "flow), not need by need. Computed, not stored. For the lead or a member school of a "
        "partnership whose agreement names its schools; else 404."
    ),
    response_model=RoundOut,
)
async def propose_brokering_round(
    body: RoundIn, session: SessionDep, principal: KnowledgeReader
) -> RoundOut:
    check_year(body.academic_year, "body.academic_year")
    return await service.brokering_round(session, principal, body)
