"""HTTP models of calendar feed tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from common.http.schemas import StrictModel
from contracts.directory import Urn
from scheduling.planning.feeds.models import FeedKind


class FeedTokenIn(StrictModel):
    """A feed of one person's, school's or partnership's reviews (with their milestones) and
    meetings: give the one id that matches ``kind``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "person", "person_id": "01a20000-0000-7000-8000-000000000020"}]
        }
    )

    kind: FeedKind
    person_id: uuid.UUID | None = None
    urn: Urn | None = None
    partnership_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        given = {
            FeedKind.PERSON: self.person_id,
            FeedKind.SCHOOL: self.urn,
            FeedKind.PARTNERSHIP: self.partnership_id,
        }
        if given[self.kind] is None or sum(v is not None for v in given.values()) != 1:
            raise ValueError(f"a {self.kind} feed names its {self.kind} and nothing else")
        return self


class FeedTokenOut(BaseModel):
    id: uuid.UUID
    kind: FeedKind
    person_id: uuid.UUID | None
    urn: int | None
    partnership_id: uuid.UUID | None
    created_at: datetime
    revoked_at: datetime | None


class CreatedFeedTokenOut(FeedTokenOut):
    url: str = Field(
        description="The feed's secret URL (shown only now): subscribe to it from Outlook or "
        "Google Calendar; it needs no bearer token. Revoke the token to close it."
    )
