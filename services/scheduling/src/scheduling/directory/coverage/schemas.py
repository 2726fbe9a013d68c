"""HTTP models of an LA's coverage: counts of schools (never a school), partnerships by name."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_PARTNERSHIP: dict[str, Any] = {
    "id": "0b6c3d55-7f55-4d8e-9a53-3d4c1b7e0a11",
    "name": "Chelmsford North",
    "members": 9,
}


class PartnershipGap(BaseModel):
    """A partnership that lacks a lead or this year's cycle."""

    id: uuid.UUID
    name: str
    members: int = Field(description="Its member schools, counted")


class SchoolCoverage(BaseModel):
    open: int = Field(description="The LA's open schools (including those proposed to close)")
    in_partnership: int = Field(description="Of those, members of at least one partnership")
    in_no_partnership: int = Field(description="Of those, members of none")
    in_no_partnership_by_phase: dict[str, int] = Field(
        description="`in_no_partnership` by phase (phases with none are left out)"
    )


class Coverage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "la_code": "881",
                    "academic_year": "2026-27",
                    "schools": {
                        "open": 400,
                        "in_partnership": 389,
                        "in_no_partnership": 11,
                        "in_no_partnership_by_phase": {"primary": 8, "secondary": 3},
                    },
                    "partnerships": 36,
                    "without_lead": [_PARTNERSHIP],
                    "without_cycle": [_PARTNERSHIP],
                }
            ]
        }
    )

    la_code: str
    academic_year: str
    schools: SchoolCoverage
    partnerships: int = Field(description="The LA's partnerships")
    without_lead: list[PartnershipGap] = Field(
        description="Partnerships nobody holds the `partnership_lead` role of, by name"
    )
    without_cycle: list[PartnershipGap] = Field(
        description="Partnerships with no cycle for the academic year, by name"
    )
