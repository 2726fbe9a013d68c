"""HTTP models of the insights: themes, trends, action outcomes, process measures.

A suppressed figure is ``null`` with ``suppressed: true`` and ``suppressed_reason``; a figure
about no school is absent (themes) or 0. Codes come with their labels (``label``), and the
threshold with where it comes from (``threshold_source``). Named views (a school's own, a
partnership whose agreement is ``named``) carry the schools' URNs and finding counts;
aggregate views carry only school counts and shares.
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from contracts.schedule import AcademicYear
from knowledge.answers.disclosure.suppression import SuppressedReason

ScopeKind = Literal["school", "partnership", "trust", "la", "all"]
View = Literal["named", "aggregated"]

SCOPE_EXAMPLE: dict[str, JsonValue] = {"kind": "la", "id": "881", "name": "Essex"}


class ScopeOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SCOPE_EXAMPLE]})

    kind: ScopeKind
    id: str | None = Field(description="URN, partnership id, trust UID, LA code; null for all")
    name: str | None = Field(
        description="The school's, partnership's, trust's or LA's name (an LA's as DfE names "
        "it, e.g. 881 Essex); null for `all` and where unknown"
    )


class Count(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"value": 12, "suppressed": False}]})

    value: int | None = Field(description="null when suppressed")
    suppressed: bool
    suppressed_reason: SuppressedReason | None = Field(
        default=None,
        description="Why it is hidden: `fewer_than_threshold` (about fewer schools than the "
        "threshold) or `complementary` (hidden so that another hidden figure cannot be worked "
        "out from it); null when shown",
    )


class ThemeFigure(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "curriculum.reading",
                    "kind": "area_for_development",
                    "schools": 7,
                    "share": 0.35,
                    "suppressed": False,
                    "findings": None,
                    "triangulated": None,
                    "urns": None,
                }
            ]
        }
    )

    code: str = Field(description="Counts its sub-themes too")
    label: str | None = Field(default=None, description="The theme's label in the taxonomy")
    kind: Literal["strength", "area_for_development"]
    schools: int | None = Field(description="Schools that raised it; null when suppressed")
    share: float | None = Field(description="Of the reviewed schools; null when either is hidden")
    suppressed: bool
    suppressed_reason: SuppressedReason | None = Field(
        default=None, description="Why it is hidden (as `Count.suppressed_reason`)"
    )
    findings: int | None = Field(None, description="Named views only")
    triangulated: int | None = Field(None, description="Named views only")
    urns: list[int] | None = Field(None, description="Named views only")


class YearThemes(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "academic_year": "2026-27",
                    "reviewed_schools": {"value": 20, "suppressed": False},
                    "themes": [],
                }
            ]
        }
    )

    academic_year: AcademicYear
    reviewed_schools: Count
    themes: list[ThemeFigure]


class ThresholdPartnership(BaseModel):
    id: uuid.UUID
    name: str | None = Field(description="Null unless the caller may see the partnership")


class ThresholdSource(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kind": "default", "partnerships": []}]}
    )

    kind: Literal["agreement", "default"] = Field(
        description="`agreement`: the strictest data-sharing agreement among the partnerships "
        "counted in the scope; `default`: no agreement asks for more than the default"
    )
    partnerships: list[ThresholdPartnership] = Field(
        description="The partnerships whose agreement sets it (named where the caller may see "
        "the partnership)"
    )


class ThemeInsights(YearThemes):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": SCOPE_EXAMPLE,
                    "view": "aggregated",
                    "threshold": 5,
                    "academic_year": "2026-27",
                    "reviewed_schools": {"value": 20, "suppressed": False},
                    "themes": [],
                }
            ]
        }
    )

    scope: ScopeOut
    view: View
    threshold: int | None = Field(description="Smallest number of schools a figure may be about")
    threshold_source: ThresholdSource | None = Field(
        default=None, description="Where the threshold comes from; null for named views"
    )


class ThemeTrends(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": SCOPE_EXAMPLE,
                    "view": "aggregated",
                    "theme": "curriculum.reading",
                    "years": [],
                }
            ]
        }
    )

    scope: ScopeOut
    view: View
    theme: str | None
    years: list[YearThemes] = Field(description="Oldest first")


Rating = Literal["on_track", "at_risk", "off_track", "done"]


class OutcomeFigure(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "key": "coaching_mentoring",
                    "rated": {"value": 9, "suppressed": False},
                    "ratings": {"on_track": {"value": 6, "suppressed": False}},
                    "actions": None,
                }
            ]
        }
    )

    key: str = Field(description="An action kind, or a theme code (counting its sub-themes)")
    label: str | None = Field(default=None, description="The action kind's or theme's label")
    rated: Count = Field(description="Schools with actions of it rated at the 90-day review")
    ratings: dict[Rating, Count] = Field(description="Schools with an action rated so")
    actions: dict[Rating, int] | None = Field(None, description="Named views only")


class OutcomeInsights(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": SCOPE_EXAMPLE,
                    "view": "aggregated",
                    "threshold": 5,
                    "academic_year": "2026-27",
                    "by": "kind",
                    "progress_reviewed_schools": {"value": 20, "suppressed": False},
                    "data": [],
                }
            ]
        }
    )

    scope: ScopeOut
    view: View
    threshold: int | None
    threshold_source: ThresholdSource | None = Field(
        default=None, description="Where the threshold comes from; null for named views"
    )
    academic_year: AcademicYear
    by: Literal["kind", "theme"]
    progress_reviewed_schools: Count
    data: list[OutcomeFigure]
