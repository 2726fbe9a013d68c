"""A calendar feed token: the secret in a feed's URL, for one person, school or partnership.
Only a hash of the secret is stored; a revoked token's feed answers 404."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, UTCDateTime
from common.ids import new_id
from scheduling.db import Base


class FeedKind(StrEnum):
    PERSON = "person"
    SCHOOL = "school"
    PARTNERSHIP = "partnership"


class FeedToken(TimestampMixin, Base):
    __tablename__ = "feed_tokens"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN urn IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN partnership_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    kind: Mapped[FeedKind] = mapped_column(
        Enum(FeedKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    urn: Mapped[int | None] = mapped_column(Integer)
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # sha256 of the secret, hex: the secret itself is shown once, when the token is created
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(255), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
