"""HTTP models of the host school's feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from common.http.schemas import StrictModel
from reviews.feedback.models import HostFeedback

Rating = Annotated[int, Field(ge=1, le=5)]
Comment = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class HostFeedbackIn(StrictModel):
    """Each rating from 1 (poor) to 5 (excellent); the comment is optional."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "preparation": 5,
                    "challenge": 4,
                    "report_usefulness": 4,
                    "comment": "The team knew our SEF well; the report's areas ring true.",
                }
            ]
        }
    )

    preparation: Rating = Field(description="How well the team prepared (1-5)")
    challenge: Rating = Field(description="How well the review challenged the school (1-5)")
    report_usefulness: Rating = Field(description="How useful the report is (1-5)")
    comment: Comment | None = None


class HostFeedbackOut(StrictModel):
    review_id: uuid.UUID
    preparation: int
    challenge: int
    report_usefulness: int
    comment: str | None
    given_by: uuid.UUID | None = Field(description="The head's person id, when a person gave it")
    given_at: datetime

    @classmethod
    def of(cls, feedback: HostFeedback) -> HostFeedbackOut:
        return cls(
            review_id=feedback.review_id,
            preparation=feedback.preparation,
            challenge=feedback.challenge,
            report_usefulness=feedback.report_usefulness,
            comment=feedback.comment,
            given_by=feedback.given_by,
            given_at=feedback.given_at,
        )
