"""Overdue milestones already announced: one row per (review, milestone, due date), written in
the same transaction as the ``reviews.milestone.overdue`` outbox row, so that the event is sent
once however many replicas sweep at once and however often they restart.

The due date is part of the key: when a reschedule moves a milestone and the new date passes
too, that is a new lateness and is announced again (once); a reschedule that keeps the date,
or a replayed plan, announces nothing new.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db import UTCDateTime
from reviews.db import Base


class OverdueMilestone(Base):
    __tablename__ = "overdue_milestones"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    milestone: Mapped[str] = mapped_column(String(40), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
