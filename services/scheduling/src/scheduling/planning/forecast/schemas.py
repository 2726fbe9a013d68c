"""HTTP models of the pipeline forecast: per role the need, the pool, the shortfall and who
could be trained (named only for a caller who may see them), and this year's trainee places."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field

from common.http.schemas import StrictModel


class CandidateOut(StrictModel):
    person_id: uuid.UUID
    name: str
    reviews_this_year: int = Field(description="As a lead or a reviewer in this year's cycle")
    suggested: bool = Field(description="Among the first `shortfall` candidates")


class RoleForecastOut(StrictModel):
    role: Literal["lead_reviewer", "reviewer", "improvement_champion"]
    need: int = Field(
        description="People needed next year: one lead per review; the team's other places "
        "(`team.reviewers` each); one IC per `max_workshops_per_champion_per_year` reviews; "
        "each person at most `max_reviews_per_person_per_year` reviews"
    )
    pool: int = Field(
        description="People able to take the role all next year (training valid from its "
        "first day to its last, or the role held when the policy's training rule is `off`), "
        "known leavers out; for reviewers, those left once the leads needed are counted"
    )
    expiring: int = Field(description="Trained today, but not through next year")
    leaving: int = Field(description="Trained through next year, but leaving before its end")
    shortfall: int
    candidates: list[CandidateOut] = Field(
        description="Who could be trained, best first: for leads, trained reviewers (most "
        "reviews this year first); for reviewers, those in a reviewing role in training, then "
        "senior staff not yet able to review; for "
        "ICs, assistant ICs first, then senior staff"
    )
    candidates_not_shown: int = Field(description="Candidates the caller may not see")


class TraineePlacesOut(StrictModel):
    """This year's trainee places that give the suggested people their experience before next
    year: set them in this year's cycle policy (`trainees`) and give the people the role."""

    academic_year: str
    cycle_id: uuid.UUID | None = Field(description="This year's cycle, if there is one")
    reviews_to_come: int = Field(description="This year's planned reviews from today")
    shadows_per_review: int = Field(
        description="`trainees.shadows_per_review` that gives each suggested lead or reviewer "
        "one shadowing (at most 3)"
    )
    assistant_ic: bool = Field(description="`trainees.assistant_ic`, for the suggested ICs")
    shadows: list[CandidateOut]
    assistant_ics: list[CandidateOut]
    not_shown: int = Field(description="Suggested people the caller may not see")
    closes: bool = Field(
        description="Whether this year's reviews to come have places for every suggested person"
    )


class PartnershipForecastOut(StrictModel):
    partnership_id: uuid.UUID
    name: str
    academic_year: str = Field(description="The year forecast")
    policy_year: str | None = Field(
        description="The cycle whose policy is used: the forecast year's, else this year's; "
        "null for the defaults"
    )
    reviews: int = Field(description="One per running member school")
    roles: list[RoleForecastOut]
    places: TraineePlacesOut


class RoleTotalOut(StrictModel):
    role: Literal["lead_reviewer", "reviewer", "improvement_champion"]
    need: int
    pool: int
    shortfall: int = Field(description="The partnerships' shortfalls added up")


class LaForecastOut(StrictModel):
    la_code: str
    academic_year: str
    totals: list[RoleTotalOut]
    partnerships: list[PartnershipForecastOut]
