"""Routes of a cycle's schedule: the draft or published reviews with the quality report, and
publishing it."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Response
from sqlalchemy.ext.asyncio import AsyncSession

from common.http.etag import OptionalIfMatchVersion, set_etag
from scheduling.deps import ScheduleReader, ScheduleWriter, SessionDep
from scheduling.planning.kernel.models import ScheduleStatus
from scheduling.planning.reviews.schemas import review_out
from scheduling.planning.reviews.service import names_for
from scheduling.planning.schedules import service
from scheduling.planning.schedules.schemas import ScheduleOut, draft_reviews, quality_out

router = APIRouter(prefix="/v1/cycles", tags=["schedules"])

CycleId = Annotated[UUID, Path(description="Cycle id (UUIDv7)")]


async def _out(session: AsyncSession, found: service.Found) -> ScheduleOut:
    schedule = found.schedule
    if schedule.status is ScheduleStatus.DRAFT:
        names, homes = await service.people_of_draft(session, schedule)
        reviews = draft_reviews(
            schedule,
            found.partnership.id,
            found.partnership.la_code,
            found.cycle.academic_year,
            names,
            homes,
        )
    else:
        names = await names_for(session, found.reviews)
        reviews = [review_out(r, names) for r in found.reviews]
    return ScheduleOut(
        cycle_id=schedule.cycle_id,
        status=schedule.status,
        version=schedule.version,
        job_id=schedule.job_id,
        seed=schedule.seed,
        solver_status=schedule.solver_status,
        generated_at=schedule.generated_at,
        published_at=schedule.published_at,
        quality=quality_out(schedule.quality),
        reviews=reviews,
    )


@router.get(
    "/{cycle_id}/schedule",
    name="get_cycle_schedule",
    summary="A cycle's schedule",
    description=(
        "The draft a job generated, or once published the planned reviews (cancelled ones "
        "too), with the quality report: each soft term's score and each soft rule broken. "
        "For the partnership's lead and LA; 404 before a job wrote one."
    ),
    response_model=ScheduleOut,
)
async def get_schedule(
    cycle_id: CycleId, response: Response, session: SessionDep, principal: ScheduleReader
) -> ScheduleOut:
    found = await service.get_schedule(session, principal, cycle_id)
    set_etag(response, found.schedule.version)
    return await _out(session, found)


@router.post(
    "/{cycle_id}/schedule/publish",
    name="publish_cycle_schedule",
    summary="Publish a cycle's draft schedule",
    description=(
        "Every draft review becomes a planned review (same id) and "
        "`scheduling.review.planned` is published for each, in one transaction. `If-Match` "
        "(optional) publishes only the draft of that version. 201 when published; 200 with "
        "nothing sent when it already was. 409 when the draft breaks hard rules with what "
        "the LA published since it was generated."
    ),
    status_code=201,
    response_model=ScheduleOut,
    responses={
        200: {"description": "Already published: nothing changed", "model": ScheduleOut},
        409: {"description": "The draft breaks hard rules (listed in `violations`)"},
    },
)
async def publish(
    cycle_id: CycleId,
    expected: OptionalIfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: ScheduleWriter,
) -> ScheduleOut:
    found, published = await service.publish(session, principal, cycle_id, expected)
    if not published:
        response.status_code = 200
    set_etag(response, found.schedule.version)
    return await _out(session, found)
