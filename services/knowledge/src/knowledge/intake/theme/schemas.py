"""HTTP models of the theme taxonomy."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from common.http.pagination import Page
from common.http.schemas import StrictModel
from contracts.knowledge import ThemeCode

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ThemeIn(StrictModel):
    """A new theme. Its parent is the code without its last segment and must already exist."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"code": "curriculum.reading.vocabulary", "label": "Vocabulary"}]
        }
    )

    code: ThemeCode
    label: Label


class ThemePatch(StrictModel):
    """Relabel, retire or reinstate a theme. Codes are never deleted: findings refer to them."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"label": "Phonics and early reading"}, {"retired": True}]}
    )

    label: Label | None = None
    retired: bool | None = None


class ThemeOut(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "curriculum.reading.phonics",
                    "label": "Phonics and early reading",
                    "parent": "curriculum.reading",
                    "depth": 3,
                    "retired": False,
                    "expertise_codes": ["phonics"],
                    "added_in": 1,
                    "changed_in": 1,
                    "version": 1,
                    "updated_at": "2026-09-01T08:00:00Z",
                }
            ]
        }
    )

    code: str
    label: str
    parent: str | None
    depth: int = Field(description="1 for a top-level theme")
    retired: bool = Field(description="Kept for history; not for new findings")
    expertise_codes: list[str] = Field(description="Reviewer expertise codes mapped to it")
    added_in: int = Field(description="Taxonomy version that added the theme")
    changed_in: int = Field(description="Taxonomy version that last changed the theme")
    version: int = Field(description="The theme's own version (its ETag)")
    updated_at: datetime


class ThemePage(Page[ThemeOut]):
    taxonomy_version: int = Field(description="The current version of the whole taxonomy")


class TaxonomyVersionOut(StrictModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "version": 2,
                    "change": "retired digital.remote",
                    "published_at": "2026-09-01T08:00:00Z",
                }
            ]
        },
    )

    version: int
    change: str
    published_at: datetime


class ExpertiseMappingOut(StrictModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"expertise_code": "reading", "theme_code": "curriculum.reading"}]
        },
    )

    expertise_code: str
    theme_code: str


class ExpertiseMap(StrictModel):
    taxonomy_version: int
    data: list[ExpertiseMappingOut]
