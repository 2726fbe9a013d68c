"""HTTP models of the import job resource."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from scheduling.directory.gias.models import FileKind, JobStatus


class Counts(BaseModel):
    rows: int = Field(description="Data rows read")
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Rows that could not be imported (see `rejections`)")
    skipped: int = Field(
        description="Rows outside the job's LAs, and groups that are not trusts: not errors"
    )


class ImportFileOut(BaseModel):
    kind: FileKind
    filename: str
    size: int = Field(description="Bytes")
    counts: Counts


class RejectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    file: FileKind
    line: int = Field(description="Line number in the file (the header is line 1)")
    key: str | None = Field(description="The row's URN or Group UID as written")
    reason: str


class ImportOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b6f4e0e-7a0c-4c47-9d43-4f3f5b0f8f0a",
                    "status": "running",
                    "progress": 42,
                    "national": False,
                    "la_codes": ["881"],
                    "files": [
                        {
                            "kind": "establishments",
                            "filename": "edubasealldata20261120.csv",
                            "size": 61234567,
                            "counts": {
                                "rows": 21000,
                                "created": 20990,
                                "updated": 0,
                                "unchanged": 0,
                                "rejected": 1,
                                "skipped": 9,
                            },
                        }
                    ],
                    "counts": {
                        "rows": 21000,
                        "created": 20990,
                        "updated": 0,
                        "unchanged": 0,
                        "rejected": 1,
                        "skipped": 9,
                    },
                    "rejections": [
                        {
                            "file": "establishments",
                            "line": 17,
                            "key": "10A001",
                            "reason": "URN '10A001' is not a six-digit number",
                        }
                    ],
                    "rejections_shown": 1,
                    "reason": None,
                    "created_at": "2026-11-23T09:00:00Z",
                    "started_at": "2026-11-23T09:00:01Z",
                    "finished_at": None,
                }
            ]
        }
    )

    id: uuid.UUID
    status: JobStatus
    progress: int = Field(ge=0, le=100, description="Percent of the uploaded bytes processed")
    national: bool = Field(description="True for an imports:admin job (every LA)")
    la_codes: list[str] = Field(description="The LAs a non-national job imports")
    files: list[ImportFileOut]
    counts: Counts = Field(description="Totals over the files")
    rejections: list[RejectionOut] = Field(
        description="The first rejected rows (at most 200 shown; `counts.rejected` has them all)"
    )
    rejections_shown: int
    reason: str | None = Field(description="Why the job failed or was cancelled")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
