"""HTTP models of schedule jobs: generating drafts, repairing a published schedule."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.directory import LaCode
from scheduling.academic_year import AcademicYear
from scheduling.planning.jobs.models import JobKind, JobStatus

Seed = Annotated[int, Field(ge=0, le=2**31 - 1, description="Same seed, same schedule")]
Effort = Annotated[
    float,
    Field(
        gt=0,
        le=120,
        description="Search budget in CP-SAT deterministic time units (about a second of "
        "search each on a fast core); the same budget and seed give the same schedule",
    ),
]


class ScheduleJobIn(StrictModel):
    """Generate the year's draft schedule of one cycle."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"seed": 7}]})

    seed: Seed = 0
    deterministic_time: Effort | None = None


class LaScheduleJobIn(ScheduleJobIn):
    """Generate every unpublished cycle of an LA's academic year together (reviewers shared
    across partnerships where their policies allow)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"la_code": "881", "academic_year": "2027-28"}]}
    )

    la_code: LaCode
    academic_year: AcademicYear


class RepairIn(StrictModel):
    """Re-check a published schedule against today's data (unavailable dates, conflicts,
    roles, calendars) and repair what breaks a rule, changing as little as possible."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Sam is ill"}]})

    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    seed: Seed = 0


class ExplanationOut(BaseModel):
    rule: str = Field(description="The rule or data that stops a schedule")
    message: str = Field(description="What a Partnership Lead can act on")
    urn: int | None = None
    person_id: uuid.UUID | None = None
    partnership_id: uuid.UUID | None = None
    cycle_id: uuid.UUID | None = None
    person_ids: list[uuid.UUID] = Field(default=[], description="The people who block it")


class JobCycleOut(BaseModel):
    cycle_id: uuid.UUID
    partnership_id: uuid.UUID
    reviews: int = Field(description="Reviews in the draft written (0 when skipped)")
    objective: int | None = Field(description="The draft's soft-objective penalty")
    skipped: str | None = Field(
        None,
        description="Why no draft was written for it: `published` (it was published "
        "meanwhile) or `unscheduled` (see `explanations`)",
    )
    unscheduled: bool = Field(
        False,
        description="An LA job found no schedule for this cycle; the others got their drafts",
    )
    explanations: list[ExplanationOut] = Field(
        default=[], description="Why this cycle has no schedule (when `unscheduled`)"
    )


class ChangeOut(BaseModel):
    review_id: uuid.UUID
    urn: int
    cycle_id: uuid.UUID
    change: str = Field(description="`rescheduled` or `team_changed` (published as such)")
    version: int


class ScheduleJobOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "01a20000-0000-7000-8000-000000000001",
                    "kind": "generate",
                    "status": "succeeded",
                    "progress": 100,
                    "la_code": "881",
                    "academic_year": "2027-28",
                    "whole_la": False,
                    "cycle_ids": ["01a20000-0000-7000-8000-000000000002"],
                    "seed": 0,
                    "deterministic_time": 5.0,
                    "solver_status": "optimal",
                    "objective": 42,
                    "explanations": [],
                    "cycles": [],
                    "partial": False,
                    "unscheduled_cycles": [],
                    "changes": [],
                    "reason": None,
                    "created_at": "2027-06-01T09:00:00Z",
                    "started_at": "2027-06-01T09:00:00Z",
                    "finished_at": "2027-06-01T09:00:03Z",
                }
            ]
        }
    )

    id: uuid.UUID
    kind: JobKind
    status: JobStatus
    progress: int = Field(ge=0, le=100)
    la_code: str
    academic_year: str
    whole_la: bool = Field(description="Every unpublished cycle of the LA's year")
    cycle_ids: list[uuid.UUID]
    seed: int
    deterministic_time: float
    solver_status: str | None = Field(
        description="optimal, feasible, infeasible, unknown, cancelled; for a repair: "
        "unchanged, repaired, infeasible"
    )
    objective: int | None
    explanations: list[ExplanationOut] = Field(
        description="Why no schedule (or repair) exists, naming the school, the person or the "
        "rule; for a partial LA job, every explanation of its unscheduled cycles"
    )
    cycles: list[JobCycleOut] = Field(
        description="Generate: the draft written per cycle, or, for a cycle an LA job could "
        "not schedule, `unscheduled` with its explanations"
    )
    partial: bool = Field(
        False,
        description="An LA job that wrote drafts for some cycles and left the "
        "`unscheduled_cycles` without one (explained); it still `succeeded`",
    )
    unscheduled_cycles: list[uuid.UUID] = Field(
        default=[], description="The cycles an LA job left without a draft"
    )
    changes: list[ChangeOut] = Field(description="Repair: the reviews changed and published")
    reason: str | None = Field(description="Why the job failed or was cancelled")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


def job_out(job: Any) -> ScheduleJobOut:
    outcome: dict[str, Any] = job.outcome or {}
    return ScheduleJobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress=job.progress,
        la_code=job.la_code,
        academic_year=job.academic_year,
        whole_la=job.whole_la,
        cycle_ids=[uuid.UUID(c) for c in job.cycle_ids],
        seed=job.seed,
        deterministic_time=job.deterministic_time,
        solver_status=outcome.get("solver_status"),
        objective=outcome.get("objective"),
        explanations=[ExplanationOut(**e) for e in outcome.get("explanations", [])],
        cycles=[JobCycleOut(**c) for c in outcome.get("cycles", [])],
        partial=outcome.get("partial", False),
        unscheduled_cycles=[uuid.UUID(c) for c in outcome.get("unscheduled_cycles", [])],
        changes=[ChangeOut(**c) for c in outcome.get("changes", [])],
        reason=job.reason,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
