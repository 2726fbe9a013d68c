"""The knowledge service's copy of the directory, fed by scheduling's events (the columns and
the projection are shared with reviews: :mod:`readmodel.directory`; this service's projection,
which also moves the reviews a change concerns, is ``knowledge.intake.review.visibility``).

Used to aggregate findings by school, phase, partnership, trust and LA, and to apply each
partnership's data-sharing agreement (who may see what, and the suppression threshold).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Boolean, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from knowledge.db import Base
from readmodel.directory import (
    AgreementColumns,
    MembershipColumns,
    PartnershipColumns,
    SchoolAgreementColumns,
    SchoolColumns,
)


class DirectorySchool(SchoolColumns, Base):
    # For the distance between schools in support brokering.
    easting: Mapped[int | None]
    northing: Mapped[int | None]
    # To name a trust in an answer about it (the directory publishes no trust events).
    trust_name: Mapped[str | None] = mapped_column(String(200))


class DirectoryPartnership(PartnershipColumns, Base):
    # The LA's area (county quadrant) it is in, its name beside its id.
    area_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    area_name: Mapped[str | None] = mapped_column(String(200))


class DirectoryMembership(MembershipColumns, Base):
    pass


class DirectoryAgreement(AgreementColumns, Base):
    named_for_support: Mapped[bool] = mapped_column(Boolean, default=False)


class DirectorySchoolAgreement(SchoolAgreementColumns, Base):
    pass
