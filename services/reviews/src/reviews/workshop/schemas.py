"""HTTP models of the workshop and its action plan."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from common.http.schemas import StrictModel
from contracts.directory import Urn
from contracts.reviews import ActionKind, SupportStatus
from reviews.workshop.models import ActionPlan, PlannedAction, Workshop

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]
Role = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Attendee(StrictModel):
    name: Short
    role: Short


class Grow(StrictModel):
    """The workshop's GROW notes."""

    goal: Notes
    reality: Notes
    options: Notes
    will: Notes


class WorkshopIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "held_on": "2027-04-21",
                    "attendance": [{"name": "R. Patel", "role": "English lead"}],
                    "grow": {
                        "goal": "Every pupil reads for pleasure",
                        "reality": "Upper KS2 rarely choose books",
                        "options": "Book talk, library time, reading champions",
                        "will": "Weekly book talk from May",
                    },
                }
            ]
        }
    )

    held_on: date
    attendance: list[Attendee] = Field(min_length=1, max_length=100)
    grow: Grow


class WorkshopOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    review_id: uuid.UUID
    held_on: date
    led_by: uuid.UUID | None
    attendance: list[Attendee]
    grow: Grow
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, workshop: Workshop) -> WorkshopOut:
        return cls.model_validate(workshop)


class ActionIn(StrictModel):
    id: uuid.UUID | None = Field(None, description="Keep an existing action's id; omit for new")
    what: Notes
    kind: ActionKind
    owner_role: Role = Field(examples=["English lead"])
    due_date: date
    success_criteria: Notes
    finding_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)
    research_source_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=20,
        description="Knowledge library source ids (stored as given)",
    )
    support_urn: Urn | None = Field(None, description="A partner school offering support")

    @field_validator("finding_ids", "research_source_ids")
    @classmethod
    def _distinct(cls, values: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(set(values)) != len(values):
            raise ValueError("ids must be distinct")
        return values


class ActionPlanIn(StrictModel):
    """The whole plan, in order (replaced on every PUT)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "actions": [
                        {
                            "what": "Weekly book talk in every KS2 class",
                            "kind": "teaching_practice",
                            "owner_role": "English lead",
                            "due_date": "2027-07-16",
                            "success_criteria": "Nine in ten pupils name a book they chose",
                            "finding_ids": ["0190a1b2-0000-7000-8000-0000000000f1"],
                            "research_source_ids": ["0190a1b2-0000-7000-8000-0000000000b1"],
                            "support_urn": 115001,
                        }
                    ]
                }
            ]
        }
    )

    actions: list[ActionIn] = Field(min_length=1, max_length=30)

    @field_validator("actions")
    @classmethod
    def _distinct_ids(cls, actions: list[ActionIn]) -> list[ActionIn]:
        ids = [a.id for a in actions if a.id is not None]
        if len(set(ids)) != len(ids):
            raise ValueError("action ids must be distinct")
        return actions


class ActionOut(StrictModel):
    id: uuid.UUID
    number: int
    what: str
    kind: ActionKind
    owner_role: str
    due_date: date
    success_criteria: str
    finding_ids: list[uuid.UUID]
    theme_codes: list[str] = Field(description="Of the findings it addresses")
    research_source_ids: list[uuid.UUID]
    support_urn: int | None
    support_status: SupportStatus | None = Field(
        None, description="`asked` once the plan is agreed, then the school's answer"
    )
    support_answered_at: datetime | None = None
    support_note: str | None = Field(None, description="The supporting school's note")

    @classmethod
    def of(cls, action: PlannedAction, theme_codes: list[str]) -> ActionOut:
        return cls(
            id=action.id,
            number=action.position,
            what=action.what,
            kind=action.kind,
            owner_role=action.owner_role,
            due_date=action.due_date,
            success_criteria=action.success_criteria,
            finding_ids=[uuid.UUID(i) for i in action.finding_ids],
            theme_codes=theme_codes,
            research_source_ids=[uuid.UUID(i) for i in action.research_source_ids],
            support_urn=action.support_urn,
            support_status=action.support_status,
            support_answered_at=action.support_answered_at,
            support_note=action.support_note,
        )


class ActionPlanOut(StrictModel):
    review_id: uuid.UUID
    actions: list[ActionOut]
    agreed_at: datetime | None
    agreed_by: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, plan: ActionPlan, codes: dict[uuid.UUID, list[str]]) -> ActionPlanOut:
        return cls(
            review_id=plan.review_id,
            actions=[ActionOut.of(a, codes.get(a.id, [])) for a in plan.actions],
            agreed_at=plan.agreed_at,
            agreed_by=plan.agreed_by,
            version=plan.version,
            created_at=plan.created_at,
            updated_at=plan.updated_at,
        )


class AgreementIn(StrictModel):
    """Agree the plan (the IC, at the end of the workshop)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{}]})

    note: Notes | None = None
