"""A meeting of a cycle: a headteachers' meeting, a training session, the June evaluation
session, or another the lead adds. Cancelling keeps the row (the calendar feeds send it as
cancelled); ``version`` rises on every change (the ICS SEQUENCE)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from common.ids import new_id
from scheduling.db import Base


class MeetingKind(StrEnum):
    HEADTEACHER_MEETING = "headteacher_meeting"
    TRAINING = "training"
    EVALUATION = "evaluation"
    OTHER = "other"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


def _enum(enum: type[StrEnum]) -> Enum:
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class Meeting(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("cycle_id", "generated_key"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus))
    # What the policy generated it as ("headteacher:autumn1", "training:reviewer:autumn1",
    # "evaluation"); generating again adds only the missing ones. Null when added by hand.
    generated_key: Mapped[str | None] = mapped_column(String(80))
