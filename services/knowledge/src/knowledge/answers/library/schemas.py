"""HTTP models of the research library."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, ConfigDict, Field, JsonValue, StringConstraints, field_validator

from common.http.schemas import StrictModel
from contracts.knowledge import ThemeCode
from knowledge.answers.library.stages import Stage

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Publisher = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

EXAMPLE: dict[str, JsonValue] = {
    "title": "Improving Literacy in Key Stage 2",
    "publisher": "Education Endowment Foundation",
    "url": "https://educationendowmentfoundation.org.uk/education-evidence/guidance-reports/literacy-ks2",
    "year": None,
    "summary": "Guidance report with recommendations for improving literacy in Years 3 to 6.",
    "theme_codes": ["curriculum.reading", "writing"],
    "stages": ["primary"],
}
#: A source as the API answers it (in a list, a read and a suggestion alike).
OUT_EXAMPLE: dict[str, JsonValue] = {
    **EXAMPLE,
    "id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e",
    "version": 1,
    "created_at": "2026-09-01T08:00:00Z",
    "updated_at": "2026-09-01T08:00:00Z",
}


class SourceIn(StrictModel):
    """A source, created or replaced whole. ``year`` null when not known for sure."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    title: Title
    publisher: Publisher
    url: Annotated[AnyHttpUrl, Field(max_length=2000)]
    year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    summary: Summary
    theme_codes: Annotated[list[ThemeCode], Field(min_length=1, max_length=20)]
    stages: list[Stage] = Field(
        default_factory=list,
        max_length=4,
        description="The stages of education it is written for; empty for any stage. "
        "Suggestions for a school put sources for its stages first.",
    )

    @field_validator("theme_codes")
    @classmethod
    def _unique(cls, codes: list[str]) -> list[str]:
        return sorted(set(codes))

    @field_validator("stages")
    @classmethod
    def _unique_stages(cls, stages: list[Stage]) -> list[Stage]:
        return sorted(set(stages))


class SourceOut(StrictModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [OUT_EXAMPLE]},
    )

    id: uuid.UUID
    title: str
    publisher: str
    url: str
    year: int | None
    summary: str
    theme_codes: list[str]
    stages: list[str] = Field(description="Stages it is written for; empty for any stage")
    version: int
    created_at: datetime
    updated_at: datetime


class ThemeMatch(StrictModel):
    requested: str = Field(description="The theme asked for")
    source_theme: str = Field(description="The source's theme that matched it")
    match: Literal["exact", "descendant", "ancestor"] = Field(
        description="`descendant`: the source's theme is more specific than the one asked for"
    )


class Suggestion(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "score": 3,
                    "fits_phase": True,
                    "matches": [
                        {
                            "requested": "curriculum.reading",
                            "source_theme": "curriculum.reading",
                            "match": "exact",
                        }
                    ],
                    "source": OUT_EXAMPLE,
                }
            ]
        }
    )

    score: int = Field(description="3 per exact match, 2 per descendant, 1 per ancestor")
    fits_phase: bool = Field(
        description="Written for a stage the school teaches (or for any stage); sources that "
        "fit rank before those that do not. True when no phase was given."
    )
    matches: list[ThemeMatch]
    source: SourceOut


class Suggestions(StrictModel):
    themes: list[str]
    data: list[Suggestion]
