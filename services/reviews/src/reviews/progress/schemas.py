"""HTTP models of the 90-day progress review."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from common.http.schemas import StrictModel
from contracts.reviews import ActionRating
from reviews.progress.models import ProgressReview

Impact = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


class RatingIn(StrictModel):
    action_id: uuid.UUID
    rating: ActionRating
    evidence_of_impact: Impact


class ProgressReviewIn(StrictModel):
    """Every action of the agreed plan, rated once."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reviewed_on": "2027-07-14",
                    "ratings": [
                        {
                            "action_id": "0190a1b2-0000-7000-8000-0000000000d1",
                            "rating": "on_track",
                            "evidence_of_impact": "Book talk weekly in all KS2 classes.",
                        }
                    ],
                }
            ]
        }
    )

    reviewed_on: date
    ratings: list[RatingIn] = Field(min_length=1, max_length=30)

    @field_validator("ratings")
    @classmethod
    def _once_each(cls, ratings: list[RatingIn]) -> list[RatingIn]:
        ids = [r.action_id for r in ratings]
        if len(set(ids)) != len(ids):
            raise ValueError("each action is rated once")
        return ratings


class ProgressReviewOut(StrictModel):
    review_id: uuid.UUID
    reviewed_on: date
    reviewed_by: uuid.UUID
    due_date: date = Field(description="The schedule's progress_review_due")
    on_time: bool
    ratings: list[RatingIn]
    created_at: datetime

    @classmethod
    def of(cls, progress: ProgressReview, due_date: date) -> ProgressReviewOut:
        return cls(
            review_id=progress.review_id,
            reviewed_on=progress.reviewed_on,
            reviewed_by=progress.reviewed_by,
            due_date=due_date,
            on_time=progress.reviewed_on <= due_date,
            ratings=[RatingIn.model_validate(r) for r in progress.ratings],
            created_at=progress.created_at,
        )
