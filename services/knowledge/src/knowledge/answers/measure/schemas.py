"""HTTP models of the process and consistency measures (per scope and year), for the June
evaluation session. A suppressed measure is ``null`` with its count ``suppressed: true``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.schedule import AcademicYear
from knowledge.answers.insight.schemas import SCOPE_EXAMPLE, Count, ScopeOut, View


class ProcessRow(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "scope": SCOPE_EXAMPLE,
                    "academic_year": "2026-27",
                    "reports": {"value": 12, "suppressed": False},
                    "days_to_report": 9.5,
                    "findings_per_review": 7.2,
                    "evidence_per_finding": 3.1,
                    "triangulated_share": 0.8,
                    "workshops": {"value": 11, "suppressed": False},
                    "days_to_workshop": 30.0,
                    "progress_reviews": {"value": 10, "suppressed": False},
                    "on_time_share": 0.9,
                }
            ]
        }
    )

    scope: ScopeOut
    academic_year: AcademicYear
    reports: Count
    days_to_report: float | None = Field(description="Mean, first review day to publication")
    findings_per_review: float | None
    evidence_per_finding: float | None
    triangulated_share: float | None
    workshops: Count
    days_to_workshop: float | None = Field(description="Mean, first review day to workshop")
    progress_reviews: Count
    on_time_share: float | None = Field(description="90-day reviews done by their due date")


class ProcessMeasures(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"scope": SCOPE_EXAMPLE, "view": "aggregated", "data": []}]}
    )

    scope: ScopeOut
    view: View
    data: list[ProcessRow] = Field(description="Per scope and year: the scope, then its parts")
