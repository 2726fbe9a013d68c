"""An area of an LA: a named group of the LA's partnerships (Essex has four quadrants). A
partnership is in at most one area (``partnerships.area_id``)."""

from __future__ import annotations

import uuid

from sqlalchemy import String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, VersionedMixin
from common.ids import new_id
from scheduling.db import Base


class Area(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("la_code", "name", name="uq_areas_la_code_name"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    name: Mapped[str] = mapped_column(String(200))
