"""HTTP models of support brokering."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from common.http.schemas import StrictModel
from contracts.directory import Urn
from contracts.schedule import AcademicYear

_OFFER: dict[str, JsonValue] = {
    "urn": 115002,
    "name": "Great Baddow Primary",
    "partnership_id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f80",
    "same_partnership": True,
    "theme_codes": ["curriculum.reading.phonics"],
    "academic_year": "2026-27",
    "evidence_items": 7,
    "distance_km": 3.2,
}


class Offer(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_OFFER]})

    urn: int
    name: str | None
    partnership_id: uuid.UUID = Field(description="The partnership of the review that found it")
    same_partnership: bool = Field(description="In a partnership with the school to support")
    theme_codes: list[str] = Field(description="The matching strengths' themes")
    academic_year: AcademicYear = Field(description="The most recent review that found it")
    evidence_items: int = Field(description="Evidence behind the matching strengths")
    distance_km: float | None = Field(description="Straight line; null without a location")


class Need(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"theme_code": "curriculum.reading", "offers": [_OFFER]}]}
    )

    theme_code: str
    offers: list[Offer] = Field(
        description="Same partnership first, then evidence, recency, distance"
    )


class SupportMatches(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "urn": 115000,
                    "academic_year": "2026-27",
                    "recent_years": ["2025-26", "2026-27"],
                    "needs": [],
                }
            ]
        }
    )

    urn: int
    academic_year: AcademicYear | None = Field(description="Whose areas for development")
    recent_years: list[str] = Field(description="Strengths from these years count")
    needs: list[Need]


class Capacity(StrictModel):
    urn: Urn
    capacity: Annotated[int, Field(ge=0, le=20)]


class RoundIn(StrictModel):
    """A partnership-wide brokering round (nothing is stored; the lead acts on the proposal)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partnership_id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f80",
                    "academic_year": "2026-27",
                    "default_capacity": 1,
                    "capacities": [{"urn": 115002, "capacity": 2}],
                }
            ]
        }
    )

    partnership_id: uuid.UUID
    academic_year: AcademicYear
    default_capacity: Annotated[int, Field(ge=0, le=20)] = 1
    capacities: Annotated[list[Capacity], Field(max_length=500)] = []


class Pairing(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"urn": 115000, "theme_code": "curriculum.reading", "helper": _OFFER}]
        }
    )

    urn: int = Field(description="The school to support")
    theme_code: str
    helper: Offer


class UnmetNeed(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"urn": 115001, "theme_code": "send", "candidates": 0}]}
    )

    urn: int
    theme_code: str
    candidates: int = Field(description="Schools that could have helped (all at capacity)")


class RoundOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "partnership_id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f80",
                    "academic_year": "2026-27",
                    "pairings": [],
                    "unmet": [],
                    "cost": 0,
                }
            ]
        }
    )

    partnership_id: uuid.UUID
    academic_year: AcademicYear
    pairings: list[Pairing]
    unmet: list[UnmetNeed]
    cost: int = Field(description="The assignment's total cost (lower is better)")
