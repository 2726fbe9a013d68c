"""Milestones already announced, overdue or due soon.

Overdue milestones already announced: one row per (review, milestone, due date), written in
the same transaction as the ``reviews.milestone.overdue`` outbox row, so that the event is sent
once however many replicas sweep at once and however often they restart.

The due date is part of the key: when a reschedule moves a milestone and the new date passes
too, that is a new lateness and is announced again (once); a reschedule that keeps the date,
or a replayed plan, announces nothing new.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Uuid
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


class DueSoonMilestone(Base):
    """Due-soon reminders settled: one row per (review, milestone, due date, lead time), written
    in the same transaction as the ``reviews.milestone.due_soon`` outbox row. When several lead
    times are due at one sweep (a plan that arrived late), only the nearest is sent (``sent``);
    the others are settled without an event, so nobody gets two reminders at once."""

    __tablename__ = "due_soon_milestones"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    milestone: Mapped[str] = mapped_column(String(40), primary_key=True)
    due_date: Mapped[date] = mapped_column(Date, primary_key=True)
    lead_school_days: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent: Mapped[bool] = mapped_column(Boolean)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
