"""HTTP models of interim progress updates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from contracts.reviews import CriteriaStatus
from reviews.interim.models import ActionUpdate

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class ActionUpdateIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "noted_on": "2027-03-10",
                    "note": "Book talk runs weekly in five of six KS2 classes.",
                    "criteria": "partly",
                }
            ]
        }
    )

    noted_on: date = Field(description="The day the progress was noted (not in the future)")
    note: Note
    criteria: CriteriaStatus = Field(description="The success criteria: met, partly or not yet")


class ActionUpdateOut(StrictModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    review_id: uuid.UUID
    action_id: uuid.UUID
    noted_on: date
    note: str
    criteria: CriteriaStatus
    noted_by: uuid.UUID | None = Field(description="The person who noted it")
    created_at: datetime

    @classmethod
    def of(cls, update: ActionUpdate) -> ActionUpdateOut:
        return cls.model_validate(update)


class ActionUpdatesOut(StrictModel):
    data: list[ActionUpdateOut] = Field(description="Oldest first")
