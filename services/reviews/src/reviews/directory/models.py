"""The reviews service's copy of the directory, fed by scheduling's events (the columns and the
projection are shared with knowledge: :mod:`readmodel.directory`).

Used to decide who may see a review: the school's own staff, its partnership, its trust and
its LA, as the data-sharing terms in force for the school allow (:mod:`readmodel.terms`).
"""

from __future__ import annotations

from readmodel.directory import (
    AgreementColumns,
    MembershipColumns,
    PartnershipColumns,
    SchoolAgreementColumns,
    SchoolColumns,
)
from reviews.db import Base


class DirectorySchool(SchoolColumns, Base):
    pass


class DirectoryPartnership(PartnershipColumns, Base):
    pass


class DirectoryMembership(MembershipColumns, Base):
    pass


class DirectoryAgreement(AgreementColumns, Base):
    pass


class DirectorySchoolAgreement(SchoolAgreementColumns, Base):
    pass
