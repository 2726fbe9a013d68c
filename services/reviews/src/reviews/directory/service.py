"""The directory read model of reviews: the shared projection over this service's tables."""

from __future__ import annotations

from readmodel.directory import DirectoryProjection
from reviews.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    DirectorySchoolAgreement,
)

directory = DirectoryProjection(
    school=DirectorySchool,
    partnership=DirectoryPartnership,
    membership=DirectoryMembership,
    agreement=DirectoryAgreement,
    school_agreement=DirectorySchoolAgreement,
)
