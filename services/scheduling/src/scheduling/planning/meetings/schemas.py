"""HTTP models of a cycle's meetings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from common.http.schemas import StrictModel
from scheduling.planning.meetings.models import MeetingKind, MeetingStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class MeetingIn(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "other",
                    "title": "Annual conference",
                    "starts_at": "2028-03-01T09:30:00Z",
                    "ends_at": "2028-03-01T15:30:00Z",
                    "location": "County Hall",
                }
            ]
        }
    )

    kind: MeetingKind = MeetingKind.OTHER
    title: Title
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    location: Location | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_at <= self.starts_at:
            raise ValueError("a meeting ends after it starts")
        return self


class MeetingPatch(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"starts_at": "2027-11-24T14:00:00Z", "location": "Zoom"}]}
    )

    title: Title | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    location: Location | None = None


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    cycle_id: uuid.UUID
    partnership_id: uuid.UUID
    kind: MeetingKind
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    status: MeetingStatus
    generated_key: str | None = Field(description="What the policy generated it as; null if added")
    version: int
    updated_at: datetime


class GeneratedOut(BaseModel):
    created: list[MeetingOut] = Field(description="The policy's meetings that were missing")
    kept: int = Field(description="The policy's meetings already there (edited ones are kept)")
