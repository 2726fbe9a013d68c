"""HTTP models of the search over findings and actions."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.schedule import AcademicYear


class ThemeRef(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "curriculum.reading.phonics", "label": "Phonics and early reading"}
            ]
        }
    )

    code: str
    label: str | None = Field(description="The theme's label in the taxonomy; null when unknown")


class SearchHit(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "finding",
                    "id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e",
                    "review_id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8f",
                    "urn": 115000,
                    "school_name": "Chelmer Valley Primary",
                    "partnership_id": "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f80",
                    "partnership_name": "Chelmsford North Partnership",
                    "academic_year": "2026-27",
                    "kind": "area_for_development",
                    "theme_codes": ["curriculum.reading.phonics"],
                    "themes": [
                        {
                            "code": "curriculum.reading.phonics",
                            "label": "Phonics and early reading",
                        }
                    ],
                    "text": "Phonics teaching is not yet consistent in Year 1.",
                    "score": 1.7,
                }
            ]
        }
    )

    type: Literal["finding", "action"]
    id: uuid.UUID = Field(description="The finding's or the action's id")
    review_id: uuid.UUID
    urn: int
    school_name: str | None
    partnership_id: uuid.UUID
    partnership_name: str | None = Field(description="Null when the directory has not got it")
    academic_year: AcademicYear
    kind: str = Field(description="The finding's kind, or the action's kind")
    theme_codes: list[str]
    themes: list[ThemeRef] = Field(
        default_factory=list, description="The same codes as `theme_codes`, with their labels"
    )
    text: str
    score: float = Field(description="Relevance: higher is better (comparable within a search)")


class SearchResults(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"query": "phonics", "data": [], "next_cursor": None}]}
    )

    query: str
    data: list[SearchHit] = Field(description="Best first")
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page")
