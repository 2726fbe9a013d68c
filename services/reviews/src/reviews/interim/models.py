"""Interim progress updates: between the plan's agreement and the 90-day review, the IC or the
school notes how an action is going (a date, a note, its success criteria met, partly or not
yet). Appended, never edited: the history of an action as it is lived."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, Enum, ForeignKey, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db import UTCDateTime
from common.ids import new_id
from contracts.reviews import CriteriaStatus, ReviewState
from reviews.db import Base

#: The states in which an action's progress is noted: after the agreement, until the 90-day
#: review is recorded (``progress_review`` without it).
UPDATING_STATES = frozenset({ReviewState.ACTION_PLAN_AGREED, ReviewState.PROGRESS_REVIEW})


class ActionUpdate(Base):
    __tablename__ = "action_updates"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("planned_actions.id", ondelete="CASCADE"), index=True
    )
    noted_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    criteria: Mapped[CriteriaStatus] = mapped_column(
        Enum(
            CriteriaStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    noted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
