"""A school in the directory, addressed by its DfE URN."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from common.db import TimestampMixin, VersionedMixin
from contracts.directory import Phase, SchoolStatus
from scheduling.db import Base


def _enum(enum: type[Phase] | type[SchoolStatus]) -> Enum:
    # Stored as plain strings (no native enum) so adding a value needs no migration on Postgres.
    return Enum(enum, native_enum=False, length=40, values_callable=lambda e: [m.value for m in e])


class School(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "schools"

    urn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    phase: Mapped[Phase] = mapped_column(_enum(Phase))
    la_code: Mapped[str] = mapped_column(String(3), index=True)
    establishment_number: Mapped[str | None] = mapped_column(String(4))
    trust_uid: Mapped[str | None] = mapped_column(String(10), index=True)
    # The trust's name beside its UID, so the read models can name a trust (no trust events).
    trust_name: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(8))
    easting: Mapped[int | None]
    northing: Mapped[int | None]
    status: Mapped[SchoolStatus] = mapped_column(_enum(SchoolStatus))
    # Set by the GIAS import only (a PUT leaves them as they are).
    open_date: Mapped[date | None] = mapped_column(Date)
    close_date: Mapped[date | None] = mapped_column(Date)

    # The fields a PUT replaces; used to tell a real change (which emits an event) from a no-op.
    REPLACEABLE = (
        "name",
        "phase",
        "la_code",
        "establishment_number",
        "trust_uid",
        "trust_name",
        "postcode",
        "easting",
        "northing",
        "status",
    )

    def replace(self, values: dict[str, object]) -> bool:
        """Apply a full replacement; True when anything changed."""
        changed = False
        for field in self.REPLACEABLE:
            value = values.get(field)
            if getattr(self, field) != value:
                setattr(self, field, value)
                changed = True
        return changed

    @property
    def laestab(self) -> str | None:
        if self.establishment_number is None:
            return None
        return f"{self.la_code}{self.establishment_number}"


class SchoolLink(TimestampMixin, Base):
    """A GIAS link between two URNs, as GIAS states it: ``urn`` has ``linked_urn`` as its
    ``link_type`` ("Predecessor", "Successor", "Predecessor - amalgamated", ...). Kept when a
    school converts to an academy and gets a new URN, so its history stays reachable. Neither
    URN needs to be in the directory (GIAS links closed schools we may never have imported)."""

    __tablename__ = "school_links"

    urn: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    linked_urn: Mapped[int] = mapped_column(
        Integer, primary_key=True, autoincrement=False, index=True
    )
    link_type: Mapped[str] = mapped_column(String(60), primary_key=True)
    linked_name: Mapped[str | None] = mapped_column(String(200))
    established_on: Mapped[date | None] = mapped_column(Date)
