"""The knowledge service's copy of the directory, fed by scheduling's events.

Used to aggregate findings by school, phase, partnership, trust and LA, and to apply each
partnership's data-sharing agreement (who may see what, and the suppression threshold).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base


class DirectorySchool(Base):
    __tablename__ = "directory_schools"

    urn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    trust_uid: Mapped[str | None] = mapped_column(String(10), index=True)
    phase: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    easting: Mapped[int | None]
    northing: Mapped[int | None]
    source_version: Mapped[int]


class DirectoryPartnership(Base):
    __tablename__ = "directory_partnerships"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    source_version: Mapped[int]


class DirectoryMembership(Base):
    __tablename__ = "directory_memberships"

    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    urn: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class DirectoryAgreement(Base):
    __tablename__ = "directory_agreements"

    partnership_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    partnership_visibility: Mapped[str] = mapped_column(String(20))
    trust_visibility: Mapped[str] = mapped_column(String(20))
    local_authority_visibility: Mapped[str] = mapped_column(String(20))
    suppression_threshold: Mapped[int]
    named_for_support: Mapped[bool] = mapped_column(Boolean, default=False)
    source_version: Mapped[int]
