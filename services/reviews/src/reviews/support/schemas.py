"""HTTP models of support requests: a partner school asked to support an action."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.reviews import ActionKind, SupportStatus
from reviews.workshop.models import PlannedAction

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class SupportAnswerIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"answer": "accepted", "note": "Our English lead can visit fortnightly."}]
        }
    )

    answer: Literal["accepted", "declined"]
    note: Note | None = None


class SupportRequestOut(StrictModel):
    """An action a school of the caller's is asked to support. Its words are not here: they
    stay with the school that wrote them (the event carries them where the agreement lets)."""

    action_id: uuid.UUID
    review_id: uuid.UUID
    urn: int = Field(description="The school the action is for")
    support_urn: int = Field(description="The school asked to support it")
    kind: ActionKind
    due_date: date
    status: SupportStatus
    answered_at: datetime | None
    note: str | None = Field(description="The supporting school's note")

    @classmethod
    def of(cls, action: PlannedAction, urn: int) -> SupportRequestOut:
        assert action.support_urn is not None
        assert action.support_status is not None
        return cls(
            action_id=action.id,
            review_id=action.review_id,
            urn=urn,
            support_urn=action.support_urn,
            kind=action.kind,
            due_date=action.due_date,
            status=action.support_status,
            answered_at=action.support_answered_at,
            note=action.support_note,
        )


class SupportRequestsOut(StrictModel):
    data: list[SupportRequestOut] = Field(description="Soonest due first")
