"""HTTP models of the trust resource (read-only: trusts come from the GIAS import)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class TrustOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "uid": "16234",
                    "name": "Chelmer Learning Trust",
                    "group_type": "Multi-academy trust",
                    "status": "Open",
                    "companies_house_number": "07654321",
                    "open_date": "2012-09-01",
                    "close_date": None,
                    "version": 1,
                    "created_at": "2026-11-23T09:00:00Z",
                    "updated_at": "2026-11-23T09:00:00Z",
                }
            ]
        },
    )

    uid: str = Field(description="GIAS Group UID")
    name: str
    group_type: str = Field(description="GIAS group type, e.g. Multi-academy trust")
    status: str = Field(description="GIAS group status, e.g. Open")
    companies_house_number: str | None
    open_date: date | None
    close_date: date | None
    version: int
    created_at: datetime
    updated_at: datetime
