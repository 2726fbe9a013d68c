"""HTTP models of planned reviews (and of a draft's reviews, which have the same shape)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from common.http.schemas import StrictModel
from scheduling.directory.cycle.models import Mode
from scheduling.planning.kernel.models import PlannedReview, PlanRole, PlanStatus

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class TeamMemberOut(BaseModel):
    person_id: uuid.UUID
    name: str | None
    role: PlanRole
    home_urn: int | None


class MilestonesOut(BaseModel):
    """Due dates from the review date by the cycle's policy, in school days (the 90-day review
    in calendar days after the workshop)."""

    self_review_due: date
    pre_review_meeting: date
    report_due: date
    workshop_window_start: date
    workshop_window_end: date
    workshop_on: date = Field(description="The workshop date chosen in the window")
    progress_review_due: date


class ForcedOut(BaseModel):
    reason: str
    by: str
    rules: list[dict[str, Any]] = Field(description="The hard rules the change breaks")


class PlannedReviewOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "01a20000-0000-7000-8000-000000000010",
                    "cycle_id": "01a20000-0000-7000-8000-000000000002",
                    "partnership_id": "01a20000-0000-7000-8000-000000000003",
                    "la_code": "881",
                    "academic_year": "2027-28",
                    "urn": 115000,
                    "status": "planned",
                    "mode": "in_person",
                    "days": ["2027-11-10"],
                    "team": [
                        {
                            "person_id": "01a20000-0000-7000-8000-000000000020",
                            "name": "Jo Smith",
                            "role": "lead_reviewer",
                            "home_urn": 115001,
                        }
                    ],
                    "improvement_champion": {
                        "person_id": "01a20000-0000-7000-8000-000000000021",
                        "name": "Sam Lee",
                        "role": "improvement_champion",
                        "home_urn": 115002,
                    },
                    "shadows": [
                        {
                            "person_id": "01a20000-0000-7000-8000-000000000024",
                            "name": "Ali Khan",
                            "role": "shadow",
                            "home_urn": 115003,
                        }
                    ],
                    "assistant_ic": None,
                    "focus": ["reading"],
                    "milestones": {
                        "self_review_due": "2027-10-13",
                        "pre_review_meeting": "2027-11-01",
                        "report_due": "2027-11-24",
                        "workshop_window_start": "2027-11-24",
                        "workshop_window_end": "2027-12-08",
                        "workshop_on": "2027-11-24",
                        "progress_review_due": "2028-02-22",
                    },
                    "version": 2,
                    "forced": None,
                    "cancellation_reason": None,
                    "updated_at": "2027-07-01T09:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID = Field(description="The review's id (the reviews service uses it too)")
    cycle_id: uuid.UUID
    partnership_id: uuid.UUID
    la_code: str
    academic_year: str
    urn: int
    status: PlanStatus | str = Field(description="`draft` in a draft; `planned`, `cancelled`")
    mode: Mode
    days: list[date]
    team: list[TeamMemberOut] = Field(description="The lead reviewer first, then the reviewers")
    improvement_champion: TeamMemberOut | None
    shadows: list[TeamMemberOut] = Field(
        default_factory=list,
        description="People in training beside the team on the review days (not in the team)",
    )
    assistant_ic: TeamMemberOut | None = Field(
        None, description="Beside the IC at the workshop and the 90-day review"
    )
    focus: list[str]
    milestones: MilestonesOut
    version: int | None = Field(
        description="The plan version (ETag, ICS SEQUENCE); null in a draft"
    )
    forced: ForcedOut | None = None
    cancellation_reason: str | None = None
    updated_at: datetime | None = None


def review_out(review: PlannedReview, names: dict[uuid.UUID, str]) -> PlannedReviewOut:
    def member(p: Any) -> TeamMemberOut:
        return TeamMemberOut(
            person_id=p.person_id, name=names.get(p.person_id), role=p.role, home_urn=p.home_urn
        )

    team = [*review.with_role(PlanRole.LEAD_REVIEWER), *review.with_role(PlanRole.REVIEWER)]
    ics = review.with_role(PlanRole.IMPROVEMENT_CHAMPION)
    forced = None
    if review.forced_reason is not None:
        forced = ForcedOut(
            reason=review.forced_reason,
            by=review.forced_by or "",
            rules=list(review.forced_rules or []),
        )
    return PlannedReviewOut(
        id=review.id,
        cycle_id=review.cycle_id,
        partnership_id=review.partnership_id,
        la_code=review.la_code,
        academic_year=review.academic_year,
        urn=review.urn,
        status=review.status,
        mode=review.mode,
        days=review.dates(),
        team=[member(p) for p in team],
        improvement_champion=member(ics[0]) if ics else None,
        shadows=[member(p) for p in review.with_role(PlanRole.SHADOW)],
        assistant_ic=next((member(p) for p in review.with_role(PlanRole.ASSISTANT_IC)), None),
        focus=list(review.focus),
        milestones=MilestonesOut.model_validate(review.milestones),
        version=review.version,
        forced=forced,
        cancellation_reason=review.cancellation_reason,
        updated_at=review.updated_at,
    )


class PlannedReviewPatch(StrictModel):
    """Change a planned review's dates, mode, team, IC, shadows or assistant IC. Checked
    against every hard rule by the independent checker: 409 listing what it would break,
    unless ``force`` with a ``reason`` (recorded on the review)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"days": ["2027-11-17"]},
                {"reviewer_ids": ["01a20000-0000-7000-8000-000000000022"]},
                {"ic_id": "01a20000-0000-7000-8000-000000000023", "force": True, "reason": "x"},
                {"shadow_ids": ["01a20000-0000-7000-8000-000000000024"]},
                {"assistant_ic_id": None},
            ]
        }
    )

    days: Annotated[list[date], Field(min_length=1, max_length=2)] | None = None
    mode: Mode | None = None
    lead_id: uuid.UUID | None = None
    reviewer_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=10)] | None = None
    ic_id: uuid.UUID | None = None
    shadow_ids: (
        Annotated[
            list[uuid.UUID],
            Field(max_length=3, description="The shadows (`[]` removes them); the policy's places"),
        ]
        | None
    ) = None
    assistant_ic_id: uuid.UUID | None = Field(
        None, description="The assistant IC; an explicit `null` removes them"
    )
    force: bool = Field(False, description="Apply it even if it breaks a hard rule")
    reason: Reason | None = Field(None, description="Why, when forcing (required then)")

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.days is not None and sorted(set(self.days)) != self.days:
            raise ValueError("days are distinct and in order")
        if self.reviewer_ids is not None and len(set(self.reviewer_ids)) != len(self.reviewer_ids):
            raise ValueError("reviewers are listed once each")
        if self.shadow_ids is not None and len(set(self.shadow_ids)) != len(self.shadow_ids):
            raise ValueError("shadows are listed once each")
        if self.force and self.reason is None:
            raise ValueError("a forced change needs a reason")
        return self

    @property
    def removes_assistant_ic(self) -> bool:
        return "assistant_ic_id" in self.model_fields_set and self.assistant_ic_id is None

    def changes_something(self) -> bool:
        return self.removes_assistant_ic or any(
            v is not None
            for v in (
                self.days,
                self.mode,
                self.lead_id,
                self.reviewer_ids,
                self.ic_id,
                self.shadow_ids,
                self.assistant_ic_id,
            )
        )


class CancellationIn(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "The school closed"}]})

    reason: Reason
