"""HTTP models of an LA's year's progress: counts per partnership, never a school."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_COUNTS: dict[str, Any] = {
    "planned": 12,
    "held": 7,
    "reported": 5,
    "progress_reviewed": 2,
    "overdue": 1,
    "cancelled": 1,
}


class Counts(BaseModel):
    planned: int = Field(description="Reviews the schedule planned for the year, not cancelled")
    held: int = Field(description="Of those, the review day has come (`review_day` or later)")
    reported: int = Field(description="Of those, the report is published (or later)")
    progress_reviewed: int = Field(description="Of those, the 90-day review is recorded")
    overdue: int = Field(
        description="Of those, a milestone date passed before the review reached its stage"
    )
    cancelled: int = Field(description="Reviews of the year cancelled")


class PartnershipProgress(Counts):
    partnership_id: uuid.UUID
    name: str | None = Field(description="As the directory last said (null while unknown)")


class Progress(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "la_code": "881",
                    "academic_year": "2026-27",
                    "total": _COUNTS,
                    "partnerships": [
                        {
                            "partnership_id": "0b6c3d55-7f55-4d8e-9a53-3d4c1b7e0a11",
                            "name": "Chelmsford North",
                            **_COUNTS,
                        }
                    ],
                }
            ]
        }
    )

    la_code: str
    academic_year: str
    total: Counts = Field(description="The LA's reviews of the year")
    partnerships: list[PartnershipProgress] = Field(
        description="Each of the LA's partnerships, by name (none planned: zeros)"
    )
