"""A trust (a GIAS group: multi-academy trust, single-academy trust, ...), by its Group UID."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, VersionedMixin
from scheduling.db import Base


class Trust(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "trusts"

    uid: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    group_type: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(40))
    companies_house_number: Mapped[str | None] = mapped_column(String(10))
    open_date: Mapped[date | None] = mapped_column(Date)
    close_date: Mapped[date | None] = mapped_column(Date)

    # The fields a GIAS import compares to tell a change from a no-op.
    IMPORTED = ("name", "group_type", "status", "companies_house_number", "open_date", "close_date")
