"""HTTP models of cycles, their policy (with defaults) and member schools' requests."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from common.http.schemas import LocalTime, StrictModel
from scheduling.academic_year import AcademicYear
from scheduling.directory.calendar.days import HalfTerm
from scheduling.directory.cycle.models import Mode
from scheduling.directory.expertise import Expertise

Positive = Annotated[int, Field(ge=1, le=1000)]
Weight = Annotated[float, Field(ge=0, le=100)]


class TeamPolicy(StrictModel):
    """One trained lead reviewer plus ``reviewers``; the IC from another school."""

    reviewers: Annotated[int, Field(ge=1, le=10)] = 2
    ic_from_other_school: bool = True


class LimitsPolicy(StrictModel):
    max_reviews_per_person_per_term: Positive = 1
    max_reviews_per_person_per_year: Positive = 3
    max_reviews_per_week: Annotated[int, Field(ge=1, le=1000, description="In the partnership")] = 3
    max_reviews_per_person_per_week: Annotated[int, Field(ge=1, le=5)] = 1
    max_workshops_per_champion_per_year: Annotated[
        int,
        Field(ge=1, le=100, description="Reviews an Improvement Champion follows up in a year"),
    ] = 4

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max_reviews_per_person_per_term > self.max_reviews_per_person_per_year:
            raise ValueError("the per-term limit is above the per-year limit")
        return self


class MilestonePolicy(StrictModel):
    """Offsets from the review date in school days (the 90-day review in calendar days)."""

    self_review_due: Annotated[int, Field(ge=1, le=100, description="School days before")] = 20
    pre_review_meeting: Annotated[int, Field(ge=1, le=100, description="School days before")] = 7
    report_due: Annotated[int, Field(ge=1, le=100, description="School days after")] = 10
    workshop_window_start: Annotated[
        int, Field(ge=1, le=200, description="School days after the review")
    ] = 10
    workshop_window_end: Annotated[
        int, Field(ge=1, le=200, description="School days after the review")
    ] = 30
    ninety_day_review: Annotated[
        int, Field(ge=1, le=365, description="Calendar days after the workshop")
    ] = 90

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.pre_review_meeting > self.self_review_due:
            raise ValueError("the pre-review meeting comes after the self-review is due")
        if self.workshop_window_start > self.workshop_window_end:
            raise ValueError("the workshop window ends before it starts")
        return self


LeadTimes = Annotated[
    list[Annotated[int, Field(ge=1, le=60)]],
    Field(max_length=3, description="School days before the milestone; [] for no reminder"),
]


class ReminderPolicy(StrictModel):
    """Due-soon reminders (``reviews.milestone.due_soon``, and the feeds' alarms): for each
    milestone, the lead times in school days (weekends, holidays and INSET days skipped).
    Each lead time gives one reminder, sent once, unless the review has reached the stage."""

    self_review_due: LeadTimes = [5]
    pre_review_meeting: LeadTimes = [3]
    report_due: LeadTimes = [3]
    workshop_window_end: LeadTimes = [5]
    progress_review_due: LeadTimes = [10]

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        for name, leads in self:
            if len(set(leads)) != len(leads):
                raise ValueError(f"{name}: each lead time is given once")
        return self


class Weights(StrictModel):
    """Weights of the soft objective (0 switches a term off)."""

    expertise_match: Weight = 5
    given_close_to_received: Weight = 2
    preferred_half_term: Weight = 3
    spread_through_year: Weight = 2
    experience_mix: Weight = 2
    travel: Weight = 1
    untrained: Weight = Field(5, description="Per place held without the training `soft` asks")
    empty_trainee_place: Weight = Field(1, description="Per shadow or assistant-IC place empty")


TrainingRule = Literal["hard", "soft", "off"]


class TrainingPolicy(StrictModel):
    """How each role is held to its training record (completed by the first day of the year,
    not expiring before its last): `hard` never without it, `soft` allowed at a cost
    (`weights.untrained`), `off` not checked. Lead-reviewer training counts as reviewer
    training."""

    lead_reviewer: TrainingRule = "hard"
    reviewer: TrainingRule = Field(
        "off", description="Off by default: reviewer training was not recorded before"
    )
    improvement_champion: TrainingRule = "hard"


class TraineesPolicy(StrictModel):
    """Places for people in training beside each review, filled by the solver and counted in
    no team size or limit but their own."""

    shadows_per_review: Annotated[
        int,
        Field(
            ge=0,
            le=3,
            description="Shadows (reviewers in training: reviewer training pending or no review "
            "done yet) on the review days; those who need the experience before next year first",
        ),
    ] = 0
    max_shadowing_per_person_per_year: Annotated[int, Field(ge=1, le=20)] = 2
    assistant_ic: bool = Field(
        False,
        description="An assistant IC (role `assistant_ic` for the year) beside the IC at the "
        "workshop and the 90-day review",
    )
    max_assisting_per_person_per_year: Annotated[int, Field(ge=1, le=20)] = 2


Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]


class TrainingSessionPolicy(StrictModel):
    """A training session of the cycle: for reviewers, lead reviewers or ICs."""

    kind: Literal["reviewer", "lead_reviewer", "improvement_champion"]
    half_term: HalfTerm
    week: Annotated[int, Field(ge=1, le=8, description="The nth week of the half-term")] = 1


def _default_training() -> list[TrainingSessionPolicy]:
    return [
        TrainingSessionPolicy(kind="reviewer", half_term=HalfTerm.AUTUMN1, week=2),
        TrainingSessionPolicy(kind="lead_reviewer", half_term=HalfTerm.AUTUMN1, week=2),
        TrainingSessionPolicy(kind="improvement_champion", half_term=HalfTerm.AUTUMN2, week=1),
    ]


class MeetingPolicy(StrictModel):
    """The cycle's meetings, generated on school days of the LA's calendar (UK time):
    a headteachers' meeting each half-term, training sessions, the June evaluation session."""

    headteacher_meetings: bool = True
    headteacher_meeting_week: Annotated[
        int, Field(ge=1, le=8, description="The nth week of each half-term")
    ] = 3
    weekday: Weekday = "wednesday"
    starts_at: LocalTime = time(13, 30)
    duration_minutes: Annotated[int, Field(ge=15, le=480)] = 120
    training: Annotated[list[TrainingSessionPolicy], Field(max_length=12)] = Field(
        default_factory=_default_training
    )
    evaluation_session: bool = Field(
        True, description="Comparing the year's reviews: the first such weekday from 15 June"
    )
    location: Annotated[str, Field(max_length=200)] | None = None


class Policy(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{}]})

    team: TeamPolicy = TeamPolicy()
    limits: LimitsPolicy = LimitsPolicy()
    modes: Annotated[list[Mode], Field(min_length=1, max_length=3)] = [
        Mode.IN_PERSON,
        Mode.VIRTUAL,
        Mode.BLENDED,
    ]
    max_distance_km: Annotated[float, Field(gt=0, le=1000, description="In-person reviews")] = 30
    milestones: MilestonePolicy = MilestonePolicy()
    reminders: ReminderPolicy = ReminderPolicy()
    reciprocal_pairs_allowed: bool = False
    rotation_cycles: Annotated[
        int, Field(ge=1, le=10, description="Cycles before reviewing the same school again")
    ] = 1
    cross_partnership_reviewers: bool = False
    weights: Weights = Weights()
    training: TrainingPolicy = TrainingPolicy()
    trainees: TraineesPolicy = TraineesPolicy()
    meetings: MeetingPolicy = MeetingPolicy()
    triangulation_min_kinds: Annotated[
        int,
        Field(
            ge=1,
            le=10,
            description="A finding is triangulated when it rests on at least this many "
            "different kinds of evidence (sent with every planned review)",
        ),
    ] = 2

    @model_validator(mode="after")
    def _unique_modes(self) -> Self:
        if len(set(self.modes)) != len(self.modes):
            raise ValueError("modes are listed once each")
        return self


class CycleIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partnership_id": "01a20000-0000-7000-8000-000000000000",
                    "academic_year": "2026-27",
                    "policy": {"team": {"reviewers": 2}},
                }
            ]
        }
    )

    partnership_id: uuid.UUID
    academic_year: AcademicYear
    policy: Policy = Policy()


class PartnershipCycleIn(StrictModel):
    """A cycle created under its partnership (``POST /v1/partnerships/{id}/cycles``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"academic_year": "2026-27", "policy": {"team": {"reviewers": 2}}}]
        }
    )

    academic_year: AcademicYear
    policy: Policy = Policy()


class CyclePatch(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"policy": {"limits": {"max_reviews_per_week": 2}}}]}
    )

    policy: dict[str, Any] = Field(
        description="Part of the policy: merged into the current one, then validated whole."
    )


class CycleOut(StrictModel):
    id: uuid.UUID
    partnership_id: uuid.UUID
    academic_year: str
    policy: Policy
    version: int
    created_at: datetime
    updated_at: datetime


class RequestIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "focus": ["reading", "send"],
                    "preferred_half_terms": ["autumn2", "spring1"],
                    "mode": "in_person",
                    "days": 1,
                }
            ]
        }
    )

    focus: Annotated[list[Expertise], Field(min_length=1, max_length=3)]
    preferred_half_terms: Annotated[list[HalfTerm], Field(max_length=6)] = []
    mode: Mode = Mode.IN_PERSON
    days: Literal[1, 2] = 1

    @model_validator(mode="after")
    def _unique(self) -> Self:
        if len(set(self.focus)) != len(self.focus):
            raise ValueError("focus areas are listed once each")
        if len(set(self.preferred_half_terms)) != len(self.preferred_half_terms):
            raise ValueError("half-terms are listed once each")
        return self


class RequestOut(StrictModel):
    cycle_id: uuid.UUID
    urn: int
    focus: list[Expertise]
    preferred_half_terms: list[HalfTerm]
    mode: Mode
    days: int
    version: int
    updated_at: datetime
