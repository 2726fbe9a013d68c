"""Routes of schedule jobs: generate a cycle's draft or an LA's whole year, repair a published
schedule; each a job resource (202 + Location to poll, progress, cancel)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Request, Response

from common.http.idempotency import IdempotencyKey, StoredResponse
from common.http.pagination import After, Page, Pagination
from scheduling.deps import ScheduleReader, ScheduleWriter, SessionDep
from scheduling.planning.jobs import service
from scheduling.planning.jobs.schemas import (
    LaScheduleJobIn,
    RepairIn,
    ScheduleJobIn,
    ScheduleJobOut,
    job_out,
)

router = APIRouter(tags=["schedule jobs"])

CycleId = Annotated[UUID, Path(description="Cycle id (UUIDv7)")]
JobId = Annotated[UUID, Path(description="Schedule job id")]
ACCEPTED: dict[int | str, dict[str, Any]] = {
    202: {"description": "Accepted: the job is queued", "model": ScheduleJobOut}
}


def _started(request: Request, stored: StoredResponse) -> Response:
    if not stored.replayed:
        location = stored.headers["Location"]
        request.app.state.schedules.start(UUID(location.rsplit("/", 1)[1]))
    return stored.to_response()


@router.post(
    "/v1/cycles/{cycle_id}/schedule-jobs",
    name="start_cycle_schedule_job",
    summary="Generate a cycle's draft schedule",
    description=(
        "Solves the cycle's year (every member school reviewed once, every hard rule kept; "
        "other cycles of the LA's year kept as they are, their people's engagements counted). "
        "202 with `Location` of the job to poll; when it succeeds the draft is at "
        "`GET /v1/cycles/{id}/schedule`; when no schedule exists the job fails and explains "
        "why. "
        "The same `seed` and `deterministic_time` give the same schedule. 409 when the "
        "schedule is published or a job is already working on the cycle."
    ),
    status_code=202,
    response_model=ScheduleJobOut,
    responses=ACCEPTED,
)
async def start_cycle_job(
    cycle_id: CycleId,
    body: ScheduleJobIn,
    idempotency: IdempotencyKey,
    request: Request,
    session: SessionDep,
    principal: ScheduleWriter,
) -> Response:
    stored = await service.start_for_cycle(
        session,
        principal,
        cycle_id,
        body,
        idempotency,
        default_effort=request.app.state.settings.solver_deterministic_time,
    )
    return _started(request, stored)


@router.post(
    "/v1/schedule-jobs",
    name="start_la_schedule_job",
    summary="Generate every cycle of an LA's year together",
    description=(
        "By a token of the LA: every cycle of the year whose schedule is not published, "
        "solved together so that reviewers are shared across partnerships where their "
        "policies allow. 202 with `Location`; one draft per cycle when it succeeds. A cycle "
        "whose data rule out a schedule (the explanations name its school or partnership) is "
        "left out and the others are solved again: the job still succeeds, with `partial`, "
        "the cycle `unscheduled` in `cycles` with its explanations and its id in "
        "`unscheduled_cycles`. It fails only when no cycle can be scheduled, or an "
        "explanation concerns no single cycle (a conflict core, the LA's term dates)."
    ),
    status_code=202,
    response_model=ScheduleJobOut,
    responses=ACCEPTED,
)
async def start_la_job(
    body: LaScheduleJobIn,
    idempotency: IdempotencyKey,
    request: Request,
    session: SessionDep,
    principal: ScheduleWriter,
) -> Response:
    stored = await service.start_for_la(
        session,
        principal,
        body,
        idempotency,
        default_effort=request.app.state.settings.solver_deterministic_time,
    )
    return _started(request, stored)


@router.post(
    "/v1/cycles/{cycle_id}/repairs",
    name="start_repair",
    summary="Repair a published schedule",
    description=(
        "Re-checks the cycle's published reviews against today's data (unavailable dates, "
        "conflicts, roles, calendars) with the independent checker and re-solves only the "
        "reviews that break a rule, with the fewest changes (a replacement on the same day "
        "first); reviews already under way stay. Only what changed is published "
        "(`rescheduled`, `team_changed`). Recording a person's unavailable dates starts this "
        "by itself for the cycles they are scheduled in. 202 with `Location`."
    ),
    status_code=202,
    response_model=ScheduleJobOut,
    responses=ACCEPTED,
)
async def start_repair(
    cycle_id: CycleId,
    body: RepairIn,
    idempotency: IdempotencyKey,
    request: Request,
    session: SessionDep,
    principal: ScheduleWriter,
) -> Response:
    stored = await service.start_repair(
        session,
        principal,
        cycle_id,
        body,
        idempotency,
        default_effort=request.app.state.settings.solver_deterministic_time,
    )
    return _started(request, stored)


@router.get(
    "/v1/schedule-jobs",
    name="list_schedule_jobs",
    summary="List schedule jobs",
    description=(
        "The schedule jobs the caller may see (its LAs' jobs; the jobs of the cycles it "
        "manages), newest first. New jobs: pass the `id` of the newest job you hold as "
        "`after_id` (then oldest first)."
    ),
    response_model=Page[ScheduleJobOut],
)
async def list_jobs(
    session: SessionDep, principal: ScheduleReader, params: Pagination, after: After
) -> Page[ScheduleJobOut]:
    jobs, next_cursor = await service.list_jobs(session, principal, params, after)
    return Page(data=[job_out(job) for job in jobs], next_cursor=next_cursor)


@router.get(
    "/v1/schedule-jobs/{job_id}",
    name="get_schedule_job",
    summary="A schedule job",
    response_model=ScheduleJobOut,
)
async def get_job(
    job_id: JobId, request: Request, session: SessionDep, principal: ScheduleReader
) -> ScheduleJobOut:
    stale_after = request.app.state.settings.schedule_stale_seconds
    job = await service.get_job(session, principal, job_id, stale_after=stale_after)
    return job_out(job)


@router.delete(
    "/v1/schedule-jobs/{job_id}",
    name="cancel_schedule_job",
    summary="Cancel a schedule job",
    description=(
        "Stops the search; nothing is written. 202 with the job (it turns `cancelled` "
        "shortly); 409 when it has already finished."
    ),
    status_code=202,
    response_model=ScheduleJobOut,
    responses={202: {"description": "Cancellation requested", "model": ScheduleJobOut}},
)
async def cancel_job(
    job_id: JobId, session: SessionDep, principal: ScheduleWriter
) -> ScheduleJobOut:
    return job_out(await service.cancel_job(session, principal, job_id))
