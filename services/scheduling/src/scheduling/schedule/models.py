"""A cycle's schedule: the draft a job generated (reviews as a JSON document), until it is
published; afterwards its reviews are ``planned_review`` rows and this keeps the quality."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from scheduling.db import Base


class ScheduleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class CycleSchedule(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "cycle_schedules"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[ScheduleStatus] = mapped_column(
        Enum(
            ScheduleStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    job_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    seed: Mapped[int] = mapped_column(Integer)
    solver_status: Mapped[str] = mapped_column(String(20))
    # The draft's reviews: [{"review_id", "urn", "days", "mode", "lead", "reviewers", "ic",
    # "focus", "milestones": {...}}]; emptied once published (the rows take over).
    draft: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # {"objective": n, "terms": {term: score}, "broken": [{rule, urn, person_id, detail}]}
    quality: Mapped[dict[str, Any]] = mapped_column(JSON)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by: Mapped[str | None] = mapped_column(String(255))
