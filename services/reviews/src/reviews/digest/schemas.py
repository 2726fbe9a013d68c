"""The weekly digest a partnership lead's front end or mailer renders."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from contracts.reviews import ReviewState
from contracts.schedule import ReviewMode

_REVIEW = "01900000-0000-7000-8000-0000000000a1"


class DigestMilestone(BaseModel):
    """A milestone of a review that has not reached the stage it marks."""

    review_id: uuid.UUID
    urn: int
    school_name: str | None = Field(description="From the directory; null if not known yet")
    milestone: str = Field(examples=["report_due"], description="The schedule's milestone name")
    due_date: date
    expected_state: ReviewState = Field(description="The stage the review should reach by then")
    state: ReviewState = Field(description="Where the review is now")


class DigestReview(BaseModel):
    review_id: uuid.UUID
    urn: int
    school_name: str | None
    days: list[date]
    mode: ReviewMode
    state: ReviewState


class DigestOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partnership_id": "01900000-0000-7000-8000-000000000001",
                    "partnership_name": "Chelmer Valley Partnership",
                    "week": "2027-W06",
                    "starts_on": "2027-02-08",
                    "ends_on": "2027-02-14",
                    "due_this_week": [
                        {
                            "review_id": _REVIEW,
                            "urn": 115000,
                            "school_name": "Chelmer Valley Primary",
                            "milestone": "self_review_due",
                            "due_date": "2027-02-10",
                            "expected_state": "pre_review",
                            "state": "self_review",
                        }
                    ],
                    "due_next_week": [],
                    "overdue": [],
                    "reviews_this_week": [],
                    "reviews_next_week": [
                        {
                            "review_id": _REVIEW,
                            "urn": 115000,
                            "school_name": "Chelmer Valley Primary",
                            "days": ["2027-02-17"],
                            "mode": "in_person",
                            "state": "self_review",
                        }
                    ],
                }
            ]
        }
    )

    partnership_id: uuid.UUID
    partnership_name: str
    week: str = Field(description="The ISO week, e.g. 2027-W06 (Monday to Sunday)")
    starts_on: date
    ends_on: date
    due_this_week: list[DigestMilestone] = Field(
        description="Milestones due this week whose review has not reached their stage"
    )
    due_next_week: list[DigestMilestone]
    overdue: list[DigestMilestone] = Field(
        description="Milestones due before this week whose review has not reached their stage"
    )
    reviews_this_week: list[DigestReview] = Field(description="Reviews held this week")
    reviews_next_week: list[DigestReview]
