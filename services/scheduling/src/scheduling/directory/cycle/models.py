"""A cycle (one partnership's academic year) with its policy, and each member school's request.
The policy is a JSON document validated by ``schemas.Policy``; defaults live there."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, VersionedMixin
from common.ids import new_id
from scheduling.db import Base


class Mode(StrEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    BLENDED = "blended"


class Cycle(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "cycles"
    __table_args__ = (UniqueConstraint("partnership_id", "academic_year"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    partnership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    academic_year: Mapped[str] = mapped_column(String(7))
    policy: Mapped[dict[str, Any]] = mapped_column(JSON)


class CycleRequest(VersionedMixin, TimestampMixin, Base):
    """What a member school asks of its review this cycle."""

    __tablename__ = "cycle_requests"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    urn: Mapped[int] = mapped_column(Integer, ForeignKey("schools.urn"), primary_key=True)
    focus: Mapped[list[str]] = mapped_column(JSON)
    preferred_half_terms: Mapped[list[str]] = mapped_column(JSON)
    mode: Mapped[Mode] = mapped_column(
        Enum(Mode, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    days: Mapped[int] = mapped_column(Integer)
