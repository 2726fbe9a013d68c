"""A tombstone per deleted row of a mirrored collection: which collection, which row, when,
and the partnership, school or person it belonged to (who may see the deletion)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from common.clock import utcnow
from common.db.base import UTCDateTime
from common.ids import new_id
from scheduling.db import Base


class Collection(StrEnum):
    PARTNERSHIP_MEMBERS = "partnership_members"
    PERSON_ROLES = "person_roles"
    PERSON_TRAINING = "person_training"
    PERSON_UNAVAILABILITY = "person_unavailability"
    PERSON_CONFLICTS = "person_conflicts"


class Tombstone(Base):
    __tablename__ = "tombstones"
    __table_args__ = (Index("ix_tombstones_feed", "collection", "removed_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    collection: Mapped[Collection] = mapped_column(
        Enum(
            Collection,
            native_enum=False,
            length=40,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    #: The deleted row's id as its list shows it (a member's URN, a record's UUID).
    entity_id: Mapped[str] = mapped_column(String(64))
    partnership_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    urn: Mapped[int | None] = mapped_column(Integer, index=True)
    person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def tombstone(
    collection: Collection,
    entity_id: object,
    *,
    partnership_id: uuid.UUID | None = None,
    urn: int | None = None,
    person_id: uuid.UUID | None = None,
) -> Tombstone:
    return Tombstone(
        collection=collection,
        entity_id=str(entity_id),
        partnership_id=partnership_id,
        urn=urn,
        person_id=person_id,
        removed_at=utcnow(),
    )
