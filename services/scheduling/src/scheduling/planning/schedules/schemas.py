"""HTTP models of a cycle's schedule (draft or published) and its quality report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from scheduling.planning.kernel.models import CycleSchedule, PlanRole, ScheduleStatus
from scheduling.planning.reviews.schemas import MilestonesOut, PlannedReviewOut, TeamMemberOut


class SoftBreakOut(BaseModel):
    rule: str = Field(description="The soft term: expertise, balance, preferred_half_term, ...")
    urn: int | None
    person_id: str | None
    detail: str


class QualityOut(BaseModel):
    objective: int = Field(description="The weighted penalty (lower is better)")
    terms: dict[str, int] = Field(description="Each soft term's weighted penalty")
    broken: list[SoftBreakOut] = Field(description="Each soft rule the schedule breaks")


class ScheduleOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cycle_id": "01a20000-0000-7000-8000-000000000002",
                    "status": "draft",
                    "version": 1,
                    "job_id": "01a20000-0000-7000-8000-000000000001",
                    "seed": 0,
                    "solver_status": "optimal",
                    "generated_at": "2027-06-01T09:00:03Z",
                    "published_at": None,
                    "quality": {"objective": 12, "terms": {"travel": 12}, "broken": []},
                    "reviews": [],
                }
            ]
        }
    )

    cycle_id: uuid.UUID
    status: ScheduleStatus
    version: int = Field(description="ETag; `If-Match` on publish publishes this one")
    job_id: uuid.UUID = Field(description="The job that generated it")
    seed: int
    solver_status: str
    generated_at: datetime
    published_at: datetime | None
    quality: QualityOut = Field(
        description="As generated; recomputed by each change and repair once published"
    )
    reviews: list[PlannedReviewOut]


def draft_reviews(
    schedule: CycleSchedule,
    partnership_id: uuid.UUID,
    la_code: str,
    year: str,
    names: dict[uuid.UUID, str],
    homes: dict[uuid.UUID, int | None],
) -> list[PlannedReviewOut]:
    out = []
    for d in schedule.draft:

        def member(pid: str, role: PlanRole) -> TeamMemberOut:
            person = uuid.UUID(pid)
            return TeamMemberOut(
                person_id=person, name=names.get(person), role=role, home_urn=homes.get(person)
            )

        out.append(
            PlannedReviewOut(
                id=uuid.UUID(d["review_id"]),
                cycle_id=schedule.cycle_id,
                partnership_id=partnership_id,
                la_code=la_code,
                academic_year=year,
                urn=d["urn"],
                status="draft",
                mode=d["mode"],
                days=d["days"],
                team=[
                    member(d["lead"], PlanRole.LEAD_REVIEWER),
                    *(member(r, PlanRole.REVIEWER) for r in d["reviewers"]),
                ],
                improvement_champion=member(d["ic"], PlanRole.IMPROVEMENT_CHAMPION),
                shadows=[member(p, PlanRole.SHADOW) for p in d.get("shadows", ())],
                assistant_ic=(
                    member(d["assistant_ic"], PlanRole.ASSISTANT_IC)
                    if d.get("assistant_ic")
                    else None
                ),
                focus=d["focus"],
                milestones=MilestonesOut.model_validate(d["milestones"]),
                version=None,
            )
        )
    return out


def quality_out(document: dict[str, Any]) -> QualityOut:
    return QualityOut.model_validate(document)
