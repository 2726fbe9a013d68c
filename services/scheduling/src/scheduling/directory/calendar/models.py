"""Term dates, INSET days and blackouts: per local authority and academic year, and a school's
own override (academies set their own dates). Stored as JSON documents, validated on the way in
(``schemas.py``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, VersionedMixin
from scheduling.db import Base


class LaCalendar(VersionedMixin, TimestampMixin, Base):
    """An LA's term and half-term dates for a year, its LA-wide INSET days and blackouts."""

    __tablename__ = "la_calendars"

    la_code: Mapped[str] = mapped_column(String(3), primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    # [{"half_term": "autumn1", "starts_on": "2026-09-03", "ends_on": "2026-10-23"}, ...]
    terms: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    inset_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"starts_on", "ends_on", "phases": [..] | null, "reason"}]
    blackouts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class SchoolCalendar(VersionedMixin, TimestampMixin, Base):
    """A school's own dates for a year: its terms (null: the LA's), INSET days and blackouts."""

    __tablename__ = "school_calendars"

    urn: Mapped[int] = mapped_column(Integer, ForeignKey("schools.urn"), primary_key=True)
    academic_year: Mapped[str] = mapped_column(String(7), primary_key=True)
    terms: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    inset_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    blackouts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
