"""Schedule job use cases: start one (a cycle's draft, an LA's year, a repair), read it, cancel
it; and queue the repairs a newly unavailable person makes necessary. Who may: a cycle's
partnership lead or LA for a cycle; the LA for its whole year. Commits here only (except
:func:`queue_repairs_for_person`, which joins its caller's transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import String, and_, cast, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import AfterParams, PageParams, paginate_after
from common.http.problems import ProblemError, conflict, not_found
from scheduling.db import IdempotencyRecord
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.cycle.tenancy import cycle_manageable, cycle_visible
from scheduling.directory.partnership.models import Partnership
from scheduling.planning.jobs.models import FINISHED, JobKind, JobStatus, ScheduleJob
from scheduling.planning.jobs.repository import ScheduleJobRepository
from scheduling.planning.jobs.schemas import LaScheduleJobIn, RepairIn, ScheduleJobIn, job_out
from scheduling.planning.kernel.models import (
    CycleSchedule,
    PlannedReview,
    PlannedReviewPerson,
    PlanStatus,
    ScheduleStatus,
)

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this cycle",
        detail="Only the partnership's lead or its local authority may schedule its cycle.",
        type_="not-partnership-manager",
    )


async def _managed_cycle(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID
) -> tuple[Cycle, Partnership]:
    """The cycle and its partnership if the caller manages it; 404 if they cannot see it."""
    visible = await session.scalar(
        select(Cycle).where(Cycle.id == cycle_id, cycle_visible(principal))
    )
    if visible is None:
        raise not_found(f"No cycle {cycle_id}.")
    managed = await session.scalar(
        select(Cycle.id).where(Cycle.id == cycle_id, cycle_manageable(principal))
    )
    if managed is None:
        raise _not_manager()
    partnership = await session.get(Partnership, visible.partnership_id)
    assert partnership is not None
    return visible, partnership


async def _job_stored(
    session: AsyncSession,
    idempotency: IdempotentRequest | None,
    build: Callable[[], Awaitable[ScheduleJob]],
) -> StoredResponse:
    """Check and queue the job (``build``), or replay the first answer to a retry."""

    async def create() -> StoredResponse:
        job = await build()
        ScheduleJobRepository(session).add(job)
        await session.flush()
        headers = {"Location": f"/v1/schedule-jobs/{job.id}"}
        return StoredResponse.json(202, job_out(job), headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


def _new_job(
    principal: Principal,
    kind: JobKind,
    la_code: str,
    academic_year: str,
    cycles: Sequence[uuid.UUID],
    *,
    seed: int,
    deterministic_time: float,
    whole_la: bool = False,
    trigger: dict[str, object] | None = None,
) -> ScheduleJob:
    now = utcnow()
    return ScheduleJob(
        kind=kind,
        status=JobStatus.QUEUED,
        created_by=principal.subject,
        la_code=la_code,
        academic_year=academic_year,
        cycle_ids=[str(c) for c in cycles],
        whole_la=whole_la,
        seed=seed,
        deterministic_time=deterministic_time,
        trigger=dict(trigger or {}),
        progress=0,
        cancel_requested=False,
        heartbeat_at=now,
    )


async def _refuse_published(session: AsyncSession, cycle_id: uuid.UUID) -> None:
    schedule = await session.get(CycleSchedule, cycle_id)
    if schedule is not None and schedule.status is ScheduleStatus.PUBLISHED:
        raise conflict(
            "The cycle's schedule is published: change its reviews (PATCH), cancel them, or "
            "ask for a repair instead of generating it again.",
            type_="schedule-published",
        )


async def _refuse_running(
    session: AsyncSession, cycle_ids: Sequence[uuid.UUID], kind: JobKind
) -> None:
    wanted = {str(c) for c in cycle_ids}
    for job in await ScheduleJobRepository(session).unfinished(kind):
        if wanted & set(job.cycle_ids):
            raise conflict(
                f"Schedule job {job.id} is still working on this cycle; wait for it or cancel it.",
                type_="schedule-job-running",
            )


async def start_for_cycle(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    data: ScheduleJobIn,
    idempotency: IdempotentRequest | None,
    *,
    default_effort: float,
) -> StoredResponse:
    async def build() -> ScheduleJob:
        cycle, partnership = await _managed_cycle(session, principal, cycle_id)
        await _refuse_published(session, cycle_id)
        await _refuse_running(session, [cycle_id], JobKind.GENERATE)
        return _new_job(
            principal,
            JobKind.GENERATE,
            partnership.la_code,
            cycle.academic_year,
            [cycle_id],
            seed=data.seed,
            deterministic_time=data.deterministic_time or default_effort,
        )

    return await _job_stored(session, idempotency, build)


async def start_for_la(
    session: AsyncSession,
    principal: Principal,
    data: LaScheduleJobIn,
    idempotency: IdempotentRequest | None,
    *,
    default_effort: float,
) -> StoredResponse:
    """Every cycle of the LA's year whose schedule is not published, solved together."""
    return await _job_stored(
        session, idempotency, lambda: _la_job(session, principal, data, default_effort)
    )


async def _la_job(
    session: AsyncSession, principal: Principal, data: LaScheduleJobIn, default_effort: float
) -> ScheduleJob:
    if data.la_code not in principal.la:
        raise ProblemError(
            403,
            "Outside your tenancy",
            detail=f"Only LA {data.la_code} schedules its whole year.",
            type_="outside-tenancy",
        )
    published = select(CycleSchedule.cycle_id).where(
        CycleSchedule.status == ScheduleStatus.PUBLISHED
    )
    cycles = list(
        await session.scalars(
            select(Cycle.id)
            .join(Partnership, Partnership.id == Cycle.partnership_id)
            .where(
                Partnership.la_code == data.la_code,
                Cycle.academic_year == data.academic_year,
                Cycle.id.not_in(published),
            )
            .order_by(Cycle.id)
        )
    )
    if not cycles:
        raise conflict(
            f"LA {data.la_code} has no unpublished cycle in {data.academic_year} to schedule.",
            type_="nothing-to-schedule",
        )
    await _refuse_running(session, cycles, JobKind.GENERATE)
    return _new_job(
        principal,
        JobKind.GENERATE,
        data.la_code,
        data.academic_year,
        cycles,
        seed=data.seed,
        deterministic_time=data.deterministic_time or default_effort,
        whole_la=True,
    )


async def start_repair(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    data: RepairIn,
    idempotency: IdempotentRequest | None,
    *,
    default_effort: float,
) -> StoredResponse:
    async def build() -> ScheduleJob:
        cycle, partnership = await _managed_cycle(session, principal, cycle_id)
        schedule = await session.get(CycleSchedule, cycle_id)
        if schedule is None or schedule.status is not ScheduleStatus.PUBLISHED:
            raise conflict(
                "Only a published schedule is repaired; regenerate a draft instead.",
                type_="schedule-not-published",
            )
        return _new_job(
            principal,
            JobKind.REPAIR,
            partnership.la_code,
            cycle.academic_year,
            [cycle_id],
            seed=data.seed,
            deterministic_time=default_effort,
            trigger={"reason": data.reason} if data.reason else {},
        )

    return await _job_stored(session, idempotency, build)


async def queue_repairs_for_person(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    starts_on: date,
    ends_on: date,
    *,
    default_effort: float,
) -> list[uuid.UUID]:
    """A person became unavailable: a repair job for each published cycle where they are on
    a review (a review day, the workshop or the 90-day review) in those dates. Added to the
    caller's session; it commits them with the unavailability."""
    reviews = await session.scalars(
        select(PlannedReview)
        .join(PlannedReviewPerson, PlannedReviewPerson.review_id == PlannedReview.id)
        .where(
            PlannedReviewPerson.person_id == person_id,
            PlannedReview.status == PlanStatus.PLANNED,
        )
    )
    cycles: dict[uuid.UUID, PlannedReview] = {}
    for review in reviews:
        engaged = set(review.dates()) | {
            review.milestone("workshop_on"),
            review.milestone("progress_review_due"),
        }
        if any(starts_on <= d <= ends_on for d in engaged):
            cycles.setdefault(review.cycle_id, review)
    jobs = []
    for cycle_id, review in sorted(cycles.items()):
        job = _new_job(
            principal,
            JobKind.REPAIR,
            review.la_code,
            review.academic_year,
            [cycle_id],
            seed=0,
            deterministic_time=default_effort,
            trigger={
                "person_id": str(person_id),
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
            },
        )
        ScheduleJobRepository(session).add(job)
        jobs.append(job)
    await session.flush()
    return [job.id for job in jobs]


async def _visible_job(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID
) -> ScheduleJob:
    """An LA's job is its own; a cycle's job is seen by whoever manages the cycle."""
    job = await session.get(ScheduleJob, job_id)
    if job is None:
        raise not_found(f"No schedule job {job_id}.")
    if job.la_code in principal.la:
        return job
    if not job.whole_la and job.cycle_ids:
        ids = [uuid.UUID(c) for c in job.cycle_ids]
        managed = await session.scalar(
            select(Cycle.id).where(Cycle.id.in_(ids), cycle_manageable(principal)).limit(1)
        )
        if managed is not None:
            return job
    raise not_found(f"No schedule job {job_id}.")


async def list_jobs(
    session: AsyncSession, principal: Principal, params: PageParams, after: AfterParams
) -> tuple[Sequence[ScheduleJob], str | None]:
    """The jobs ``_visible_job`` lets the caller see, newest first: its LAs' jobs, and the
    cycle jobs of the cycles it manages (found in the JSON list's text by their quoted id);
    after ``after``, oldest first."""
    managed = (
        await session.scalars(select(Cycle.id).where(cycle_manageable(principal)).limit(1000))
    ).all()
    text = cast(ScheduleJob.cycle_ids, String)
    of_cycles = and_(
        ScheduleJob.whole_la.is_(False),
        or_(false(), *(text.contains(f'"{cycle_id}"') for cycle_id in managed)),
    )
    mine = ScheduleJob.la_code.in_(principal.la) if principal.la else false()
    statement = select(ScheduleJob).where(or_(mine, of_cycles))
    order = (ScheduleJob.created_at, ScheduleJob.id)
    return await paginate_after(
        session,
        statement,
        after=after,
        id_=ScheduleJob.id,
        order_by=order,
        params=params,
        descending=True,
    )


async def get_job(
    session: AsyncSession, principal: Principal, job_id: uuid.UUID, *, stale_after: float
) -> ScheduleJob:
    job = await _visible_job(session, principal, job_id)
    # only a running job has a heartbeat to miss: a queued one waits for a search slot
    if job.status is JobStatus.RUNNING and _is_stale(job, stale_after):
        finish(job, JobStatus.FAILED, "The service running this job stopped.")
        await session.commit()
    return job


async def cancel_job(session: AsyncSession, principal: Principal, job_id: uuid.UUID) -> ScheduleJob:
    """The search stops at once (nothing is written); a job still queued is cancelled now."""
    job = await _visible_job(session, principal, job_id)
    if job.status in FINISHED:
        raise conflict(f"The job has already {job.status.value}.", type_="schedule-job-finished")
    job.cancel_requested = True
    if job.status is JobStatus.QUEUED:
        finish(job, JobStatus.CANCELLED, "Cancelled before it started.")
    await session.commit()
    return job


def _is_stale(job: ScheduleJob, stale_after: float) -> bool:
    beat = job.heartbeat_at or job.created_at
    return beat < utcnow() - timedelta(seconds=stale_after)


def finish(job: ScheduleJob, status: JobStatus, reason: str | None) -> None:
    job.status = status
    job.reason = reason
    job.finished_at = utcnow()
    if status is JobStatus.SUCCEEDED:
        job.progress = 100


async def fail_stale(session: AsyncSession, *, stale_after: float) -> int:
    """At start-up: running jobs whose process stopped (no heartbeat) are failed."""
    before = utcnow() - timedelta(seconds=stale_after)
    jobs = await ScheduleJobRepository(session).stale(before)
    for job in jobs:
        finish(job, JobStatus.FAILED, "The service running this job stopped.")
    await session.commit()
    return len(jobs)


async def queued(session: AsyncSession) -> list[uuid.UUID]:
    return [job.id for job in await ScheduleJobRepository(session).queued()]
