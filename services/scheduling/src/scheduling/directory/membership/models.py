"""Which schools belong to which partnership: the one link that schools (a partnership's
schools see each other) and partnerships (their members) both read, so it sits below both."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Integer, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin
from scheduling.db import Base


class Membership(TimestampMixin, Base):
    __tablename__ = "partnership_members"

    partnership_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True
    )
    urn: Mapped[int] = mapped_column(
        Integer, ForeignKey("schools.urn"), primary_key=True, index=True
    )
