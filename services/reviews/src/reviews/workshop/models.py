"""The improvement workshop (date, the IC who led it, attendance, GROW notes) and the action
plan it produces: actions with what, kind, owner role, due date, success criteria, the
findings they address, research sources and a partner school's support. The IC and the school
write them during the workshop state; agreeing the plan moves the review on and freezes it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from common.db import TimestampMixin, UTCDateTime, VersionedMixin
from common.ids import new_id
from contracts.reviews import ActionKind, ReviewState, SupportStatus
from reviews.db import Base

#: The state in which the workshop is recorded and its plan written.
WORKSHOP_STATE = ReviewState.WORKSHOP


class Workshop(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "workshops"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    held_on: Mapped[date] = mapped_column(Date)
    led_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, doc="The IC who ran it")
    #: ``[{"name": "...", "role": "..."}]``: staff, never pupils.
    attendance: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    #: ``{"goal": ..., "reality": ..., "options": ..., "will": ...}``
    grow: Mapped[dict[str, Any]] = mapped_column(JSON)


class ActionPlan(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "action_plans"

    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    actions: Mapped[list[PlannedAction]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PlannedAction.position"
    )


class PlannedAction(Base):
    __tablename__ = "planned_actions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    review_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("action_plans.review_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    kind: Mapped[ActionKind] = mapped_column(
        Enum(
            ActionKind, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e]
        )
    )
    owner_role: Mapped[str] = mapped_column(String(80))
    due_date: Mapped[date] = mapped_column(Date)
    success_criteria: Mapped[str] = mapped_column(Text)
    finding_ids: Mapped[list[str]] = mapped_column(JSON)
    #: Knowledge library source ids, as given (services do not call each other to check them).
    research_source_ids: Mapped[list[str]] = mapped_column(JSON)
    support_urn: Mapped[int | None] = mapped_column(
        Integer, index=True, doc="A partner school offering support"
    )
    #: Asked when the plan is agreed (with a ``support_urn``), then that school's answer.
    support_status: Mapped[SupportStatus | None] = mapped_column(
        Enum(
            SupportStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    support_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    support_answered_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    support_note: Mapped[str | None] = mapped_column(Text)
