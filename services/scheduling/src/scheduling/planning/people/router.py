"""The routes under /v1/people that are planning's: adding unavailable dates (which may queue
repair jobs, started here once committed) and a person's conflicts of interest (the automatic
ones are a planning rule). Same paths, names and tags as the directory's person routes."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from common.http.etag import IfMatchVersion, set_etag
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep
from scheduling.directory.person.router import CHANGE_NOTE, PersonId, answer
from scheduling.directory.person.schemas import ConflictsOut, PersonOut, UnavailabilityIn
from scheduling.planning.people import service

router = APIRouter(prefix="/v1/people", tags=["people"])


@router.post(
    "/{person_id}/unavailability",
    name="add_person_unavailability",
    summary="Add dates the person cannot do",
    description=(
        "The optional reason is shown only to the person. When the person is on a published "
        "review in these dates (a review day, the workshop or the 90-day review), a repair "
        'job is started for each cycle concerned (`Link` headers, `rel="repair"`).' + CHANGE_NOTE
    ),
    response_model=PersonOut,
    responses={
        200: {
            "description": "The person, changed",
            "headers": {
                "Link": {
                    "description": "The repair jobs started: `</v1/schedule-jobs/{id}>; "
                    'rel="repair"`',
                    "schema": {"type": "string"},
                }
            },
        }
    },
)
async def add_unavailability(
    person_id: PersonId,
    body: UnavailabilityIn,
    expected: IfMatchVersion,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person, repairs = await service.record_unavailability(
        session,
        principal,
        person_id,
        body,
        expected,
        repair_effort=request.app.state.settings.solver_deterministic_time,
    )
    for job_id in repairs:
        request.app.state.schedules.start(job_id)
    if repairs:
        response.headers["Link"] = ", ".join(
            f'</v1/schedule-jobs/{job_id}>; rel="repair"' for job_id in repairs
        )
    return answer(response, principal, person)


@router.get(
    "/{person_id}/conflicts",
    name="get_person_conflicts",
    summary="A person's conflicts of interest",
    description=(
        "Automatic conflicts (`source: automatic`: own school; a school reviewed in the last "
        "cycles) computed now, and declared ones (`source: declared`) with any waiver."
    ),
    response_model=ConflictsOut,
)
async def get_conflicts(
    person_id: PersonId, response: Response, session: SessionDep, principal: DirectoryReader
) -> ConflictsOut:
    person, conflicts = await service.get_conflicts(session, principal, person_id)
    set_etag(response, person.version)
    return ConflictsOut(person_id=person.id, data=conflicts)
