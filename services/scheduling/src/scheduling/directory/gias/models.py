"""An import job of GIAS extracts, and the rows it rejected."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, UTCDateTime
from common.ids import new_id
from scheduling.db import Base


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class FileKind(StrEnum):
    """The three GIAS extracts, imported in this order."""

    ESTABLISHMENTS = "establishments"  # edubasealldataYYYYMMDD.csv
    GROUPS = "groups"  # allgroupsdata.csv
    LINKS = "links"  # links_edubasealldataYYYYMMDD.csv


class ImportJob(TimestampMixin, Base):
    __tablename__ = "import_jobs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    status: Mapped[JobStatus] = mapped_column(
        Enum(
            JobStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    created_by: Mapped[str] = mapped_column(String(255))
    # National (imports:admin) or limited to these LA codes: rows of other LAs are skipped.
    national: Mapped[bool] = mapped_column(Boolean)
    la_codes: Mapped[list[str]] = mapped_column(JSON)
    # [{kind, filename, path, size}], in import order.
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {kind: {rows, created, updated, unchanged, rejected, skipped}}
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ImportRejection(Base):
    """A row the import could not take; at most ``MAX_STORED_REJECTIONS`` per job are kept."""

    __tablename__ = "import_rejections"

    job_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    file: Mapped[str] = mapped_column(String(20))
    line: Mapped[int] = mapped_column(Integer)
    key: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(300))
