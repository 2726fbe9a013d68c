"""A schedule job: generating the year's reviews for one cycle or for every cycle of an LA and
year, or repairing a published schedule. Its state lives here, so any replica answers polls."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, UTCDateTime
from common.ids import new_id
from scheduling.db import Base
from scheduling.directory.gias.models import FINISHED, JobStatus

__all__ = ["FINISHED", "JobKind", "JobStatus", "ScheduleJob"]


class JobKind(StrEnum):
    GENERATE = "generate"  # draft schedules for the job's cycles
    REPAIR = "repair"  # the fewest changes to a published schedule that now breaks a rule


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ScheduleJob(TimestampMixin, Base):
    __tablename__ = "schedule_jobs"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[JobKind] = mapped_column(_enum(JobKind))
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), index=True)
    created_by: Mapped[str] = mapped_column(String(255))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    academic_year: Mapped[str] = mapped_column(String(7))
    # The cycles it schedules (generate) or repairs (repair), as strings.
    cycle_ids: Mapped[list[str]] = mapped_column(JSON)
    whole_la: Mapped[bool] = mapped_column(Boolean, default=False)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    deterministic_time: Mapped[float] = mapped_column(default=5.0)
    # What asked for it: {"reason": ..., "person_id": ..., "starts_on": ..., "ends_on": ...}
    trigger: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    # {"solver_status", "objective", "explanations": [...], "cycles": [...], "changes": [...],
    #  "stats": {...}, "partial", "unscheduled_cycles": [...]} (the last two: an LA job that
    #  left cycles unscheduled; their `cycles` entries carry their explanations)
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
