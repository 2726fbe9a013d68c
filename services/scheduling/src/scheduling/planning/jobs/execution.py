"""The background work of a schedule job: load the LA's year, solve in a worker thread (so the
event loop keeps answering) while polling the job row for a cancel and writing progress, then
write the drafts (generate) or apply and publish the changes (repair), in one transaction.

Progress: 0-10 % loading, 10-90 % searching, 90-100 % writing.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common.clock import utcnow
from common.logging import get_logger
from scheduling.planning.jobs.models import FINISHED, JobKind, JobStatus, ScheduleJob
from scheduling.planning.jobs.repository import ScheduleJobRepository
from scheduling.planning.jobs.service import finish
from scheduling.planning.kernel import context as planning
from scheduling.planning.kernel.models import CycleSchedule, PlannedReview, ScheduleStatus
from scheduling.planning.kernel.plan_events import publish_plan
from scheduling.planning.kernel.plans import apply_assignment, draft_document, milestone_document
from scheduling.planning.kernel.problem import Built, generation_problem, published_problem
from scheduling.planning.kernel.quality_report import (
    added_violations,
    explanation_document,
    names_of,
    quality_document,
    schedule_quality,
    violation_document,
)
from scheduling.planning.solver import cpsat, repair
from scheduling.planning.solver import problem_types as sm
from scheduling.planning.solver.options import SolverOptions

log = get_logger(__name__)

T = TypeVar("T")
Sessions = async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class SolverSettings:
    workers: int = 1
    time_limit_s: float = 120.0  # the wall-clock safety net of a deterministic search


@dataclass
class _Outcome:
    status: JobStatus
    reason: str | None = None
    document: dict[str, Any] = field(default_factory=dict)


class _Progress:
    def __init__(self) -> None:
        self.percent = 0.0
        self.stop = threading.Event()


async def run_job(sessions: Sessions, job_id: uuid.UUID, settings: SolverSettings) -> JobStatus:
    """Run a queued job to its end (a job another replica claimed, or cancelled, is left)."""
    async with sessions() as session:
        if not await ScheduleJobRepository(session).claim(job_id, utcnow()):
            await session.rollback()
            job = await session.get(ScheduleJob, job_id)
            return job.status if job is not None else JobStatus.FAILED
        await session.commit()
        job = await session.get(ScheduleJob, job_id)
        assert job is not None
        session.expunge(job)
    try:
        if job.kind is JobKind.GENERATE:
            outcome = await _generate(sessions, job, settings)
        else:
            outcome = await _repair(sessions, job, settings)
    except asyncio.CancelledError:
        async with sessions() as session:
            await asyncio.shield(_fail_interrupted(session, job_id))
        raise
    except Exception as exc:
        log.exception("schedule_job_failed", job_id=str(job_id))
        outcome = _Outcome(JobStatus.FAILED, f"Internal error: {type(exc).__name__}.")
    async with sessions() as session:
        stored = await session.get(ScheduleJob, job_id)
        assert stored is not None
        if stored.status not in FINISHED:
            stored.outcome = outcome.document
            finish(stored, outcome.status, outcome.reason)
        await session.commit()
        return stored.status


async def _fail_interrupted(session: AsyncSession, job_id: uuid.UUID) -> None:
    job = await session.get(ScheduleJob, job_id)
    if job is not None and job.status not in FINISHED:
        finish(job, JobStatus.FAILED, "The service stopped during the job; start it again.")
        await session.commit()


async def _beat(sessions: Sessions, job_id: uuid.UUID, percent: int) -> bool:
    """Record progress and the heartbeat; True when a cancel was asked for."""
    async with sessions() as session:
        repository = ScheduleJobRepository(session)
        await repository.record_progress(job_id, percent, utcnow())
        cancel = await repository.cancel_requested(job_id)
        await session.commit()
        return cancel


async def _in_thread(
    sessions: Sessions,
    job: ScheduleJob,
    settings: SolverSettings,
    work: Callable[[SolverOptions], T],
) -> T:
    progress = _Progress()

    def report(percent: float) -> None:
        progress.percent = percent

    options = SolverOptions(
        time_limit_s=settings.time_limit_s,
        seed=job.seed,
        num_workers=settings.workers,
        deterministic_time=job.deterministic_time,
        progress=report,
        should_stop=progress.stop.is_set,
    )
    task = asyncio.ensure_future(asyncio.to_thread(work, options))
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=0.5)
            if await _beat(sessions, job.id, 10 + int(progress.percent * 0.8)):
                progress.stop.set()
            if done:
                return task.result()
    except asyncio.CancelledError:
        progress.stop.set()  # the service is stopping: the thread ends its search too
        raise


def _explained(ctx: planning.Context, why: str, explanations: Any, **extra: Any) -> _Outcome:
    return _Outcome(
        JobStatus.FAILED,
        why,
        {
            "explanations": [explanation_document(e, ctx) for e in explanations],
            **extra,
        },
    )


# An LA job drops the cycles it cannot schedule and solves again: data issues, then each
# school's prechecks, then each partnership's capacity, then the search; after these rounds
# the job fails as a whole (a bound, not a search for the largest schedulable set).
MAX_ROUNDS = 4
# Explanations that name a partnership but no school and concern only that partnership's own
# schools (a conflict core names partnerships too, but jointly with other rules: not these).
_PARTNERSHIP_RULES = frozenset({"members", "lead_capacity", "reviewer_capacity", "weekly_capacity"})


@dataclass
class _Dropped:
    """The cycles an LA job leaves unscheduled, each with the explanations that concern it,
    and every explanation in the order found (an explanation can concern two cycles)."""

    cycles: dict[uuid.UUID, list[sm.Explanation]] = field(default_factory=dict)
    explanations: list[sm.Explanation] = field(default_factory=list)

    def add(
        self, blamed: dict[uuid.UUID, list[sm.Explanation]], found: list[sm.Explanation]
    ) -> None:
        for cycle_id, theirs in blamed.items():
            self.cycles.setdefault(cycle_id, []).extend(theirs)
        self.explanations.extend(found)


def _free_cycles(ctx: planning.Context, job: ScheduleJob) -> set[uuid.UUID]:
    return {
        info.cycle.id
        for info in ctx.cycles.values()
        if str(info.cycle.id) in job.cycle_ids
        and (info.schedule is None or info.schedule.status is ScheduleStatus.DRAFT)
    }


def _blamed(
    ctx: planning.Context, built: Built, free: set[uuid.UUID], found: list[sm.Explanation]
) -> dict[uuid.UUID, list[sm.Explanation]] | None:
    """The free cycles each explanation concerns (the school's, and the partnership's it
    names); None when one concerns none of them, as leaving cycles out cannot help then."""
    by_partnership = ctx.by_partnership()
    out: dict[uuid.UUID, list[sm.Explanation]] = {}
    for e in found:
        concerned: set[uuid.UUID] = set()
        if e.urn is not None and e.urn in built.cycle_of:
            concerned.add(built.cycle_of[e.urn].cycle.id)
        named = by_partnership.get(e.partnership_id or "")
        if named is not None and (e.urn is not None or e.rule in _PARTNERSHIP_RULES):
            concerned.add(named.cycle.id)
        concerned &= free
        if not concerned:
            return None
        for cycle_id in sorted(concerned):
            out.setdefault(cycle_id, []).append(e)
    return out


async def _generate(sessions: Sessions, job: ScheduleJob, settings: SolverSettings) -> _Outcome:
    """Solve the job's cycles; an LA job leaves out the cycles whose data or prechecks rule
    out a schedule and solves the others again, so one partnership does not hold back the
    rest. A cycle's own job fails as a whole."""
    async with sessions() as session:
        ctx = await planning.load(session, job.la_code, job.academic_year)
    free = _free_cycles(ctx, job)
    dropped = _Dropped()
    rounds = MAX_ROUNDS if job.whole_la else 1
    for round_ in range(rounds):
        left = free - dropped.cycles.keys()
        built = generation_problem(ctx, left, left_out=dropped.cycles.keys())
        extra: dict[str, Any] = {}
        if built.issues:
            why, found = "The data does not allow a schedule yet.", built.issues
        else:
            await _beat(sessions, job.id, 10)
            problem = built.problem
            result = await _in_thread(sessions, job, settings, partial(cpsat.solve, problem))
            if result.status == "cancelled":
                return _Outcome(JobStatus.CANCELLED, "Cancelled; nothing was written.")
            if result.schedule is not None:
                return await _drafted(sessions, job, ctx, built, result, dropped)
            why, found = "No schedule exists: see the explanations.", list(result.explanations)
            extra = {"solver_status": result.status}
        blamed = _blamed(ctx, built, left, found) if job.whole_la else None
        if blamed is None or blamed.keys() >= left or round_ == rounds - 1:
            return _explained(ctx, why, [*dropped.explanations, *found], **extra)
        log.info("schedule_job_cycles_left_out", job_id=str(job.id), cycles=len(blamed))
        dropped.add(blamed, found)
    raise AssertionError("unreachable: the last round returns")


async def _drafted(
    sessions: Sessions,
    job: ScheduleJob,
    ctx: planning.Context,
    built: Built,
    result: sm.SolveResult,
    dropped: _Dropped,
) -> _Outcome:
    """Write the drafts found, if the independent checker accepts them, with the cycles left
    unscheduled (and why) beside them."""
    assert result.schedule is not None
    problem = built.problem
    broken = added_violations(
        problem, (), result.schedule.assignments, schools_before={a.urn for a in problem.fixed}
    )
    if broken:  # never write what the independent checker refuses
        log.error("schedule_not_checker_clean", job_id=str(job.id), violations=len(broken))
        names = names_of(ctx)
        return _Outcome(
            JobStatus.FAILED,
            "The schedule found breaks a hard rule; nothing was written.",
            {"violations": [violation_document(v, names) for v in broken]},
        )
    cycles = await _write_drafts(sessions, job, ctx, built, result)
    unscheduled = [
        _unscheduled_document(ctx, ctx.cycles[cycle_id], theirs)
        for cycle_id, theirs in dropped.cycles.items()
    ]
    return _Outcome(
        JobStatus.SUCCEEDED,
        None,
        {
            "solver_status": result.status,
            "objective": result.objective,
            "cycles": sorted([*cycles, *unscheduled], key=lambda c: str(c["partnership_id"])),
            "stats": dict(result.stats),
            "explanations": [explanation_document(e, ctx) for e in dropped.explanations],
            "unscheduled_cycles": sorted(str(c) for c in dropped.cycles),
            "partial": bool(dropped.cycles),
        },
    )


def _unscheduled_document(
    ctx: planning.Context, info: planning.CycleInfo, explanations: list[sm.Explanation]
) -> dict[str, Any]:
    return {
        "cycle_id": str(info.cycle.id),
        "partnership_id": info.key,
        "reviews": 0,
        "objective": None,
        "skipped": "unscheduled",
        "unscheduled": True,
        "explanations": [explanation_document(e, ctx) for e in explanations],
    }


async def _write_drafts(
    sessions: Sessions,
    job: ScheduleJob,
    ctx: planning.Context,
    built: Built,
    result: sm.SolveResult,
) -> list[dict[str, Any]]:
    assert result.schedule is not None
    problem = built.problem
    schools = {s.urn: s for s in problem.schools}
    out: list[dict[str, Any]] = []
    now = utcnow()
    async with sessions() as session:
        for info in sorted(ctx.cycles.values(), key=lambda i: i.key):
            if info.cycle.id not in {built.cycle_of[u].cycle.id for u in built.free}:
                continue
            schedule = await session.get(CycleSchedule, info.cycle.id, with_for_update=True)
            summary = {"cycle_id": str(info.cycle.id), "partnership_id": info.key}
            if schedule is not None and schedule.status is ScheduleStatus.PUBLISHED:
                out.append({**summary, "reviews": 0, "objective": None, "skipped": "published"})
                continue
            policy = problem.policy_for(info.key)
            draft = [
                draft_document(a, problem.calendar, schools[a.urn], policy)
                for a in result.schedule.assignments
                if built.cycle_of[a.urn] is info
            ]
            quality = quality_document(result.schedule.quality, info.key)
            values = {
                "status": ScheduleStatus.DRAFT,
                "job_id": job.id,
                "seed": job.seed,
                "solver_status": result.status,
                "draft": draft,
                "quality": quality,
                "generated_at": now,
            }
            if schedule is None:
                session.add(CycleSchedule(cycle_id=info.cycle.id, **values))
            else:
                for name, value in values.items():
                    setattr(schedule, name, value)
            out.append({**summary, "reviews": len(draft), "objective": quality["objective"]})
        await ScheduleJobRepository(session).record_progress(job.id, 95, now)
        await session.commit()
    return out


async def _repair(sessions: Sessions, job: ScheduleJob, settings: SolverSettings) -> _Outcome:
    async with sessions() as session:
        ctx = await planning.load(session, job.la_code, job.academic_year)
    cycle_id = uuid.UUID(job.cycle_ids[0])
    info = ctx.cycles.get(cycle_id)
    if (
        info is None
        or info.schedule is None
        or info.schedule.status is not ScheduleStatus.PUBLISHED
    ):
        return _Outcome(JobStatus.FAILED, "The cycle has no published schedule to repair.")
    built = published_problem(ctx)
    if built.problem.calendar.half_terms == ():
        return _explained(ctx, "The data does not allow a schedule.", built.issues)
    today = utcnow().date()
    movable = {r.urn for r in info.reviews if r.first_day > today}
    current = tuple(sorted(built.current.values(), key=lambda a: (a.dates[0], a.urn)))
    problem = built.problem
    await _beat(sessions, job.id, 10)
    result = await _in_thread(
        sessions,
        job,
        settings,
        lambda o: repair.repair(problem, current, movable=movable, options=o),
    )
    document: dict[str, Any] = {
        "solver_status": result.status,
        "broken_urns": list(result.broken),
        "widened": result.widened,
    }
    if result.status == "cancelled":
        return _Outcome(JobStatus.CANCELLED, "Cancelled; nothing was changed.")
    if result.status == "unchanged":
        return _Outcome(JobStatus.SUCCEEDED, None, document)
    if result.status != "repaired":
        return _explained(
            ctx,
            "No repair keeps every rule: the reviews named stay as they are.",
            result.explanations,
            **document,
        )
    changes = await _apply_repair(sessions, ctx, info, built, result)
    if changes is None:
        return _Outcome(
            JobStatus.FAILED, "The schedule changed while repairing; ask for a repair again."
        )
    return _Outcome(JobStatus.SUCCEEDED, None, {**document, "changes": changes})


async def _apply_repair(
    sessions: Sessions,
    ctx: planning.Context,
    info: planning.CycleInfo,
    built: Built,
    result: repair.RepairResult,
) -> list[dict[str, Any]] | None:
    """Write and publish only the reviews that changed; None if one changed meanwhile."""
    problem = built.problem
    after = {a.urn: a for a in result.assignments}
    loaded = {r.urn: r for r in info.reviews}
    schools = {s.urn: s for s in problem.schools}
    homes = {str(pid): (p.home_urns[0] if p.home_urns else None) for pid, p in ctx.people.items()}
    policy = problem.policy_for(info.key)
    changes = []
    async with sessions() as session:
        for urn in result.changed:
            review = await session.get(PlannedReview, loaded[urn].id, with_for_update=True)
            if review is None or review.version != loaded[urn].version:
                await session.rollback()
                return None
            a = after[urn]
            document = milestone_document(a, problem.calendar, schools[urn], policy)
            change = apply_assignment(review, a, document, homes)
            if change is None:
                continue
            await session.flush()
            days = problem.calendar.school_days(urn, schools[urn].phase)
            await publish_plan(session, review, change, policy=info.policy, school_days=days)
            changes.append(
                {
                    "review_id": str(review.id),
                    "urn": urn,
                    "cycle_id": str(info.cycle.id),
                    "change": change.value,
                    "version": review.version,
                }
            )
        schedule = await session.get(CycleSchedule, info.cycle.id)
        if schedule is not None:
            report = schedule_quality(problem, result.assignments)
            schedule.quality = quality_document(report, info.key)
        await session.commit()
    return changes
