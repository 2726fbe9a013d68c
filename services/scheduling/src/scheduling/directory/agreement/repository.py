"""Queries on the agreement's versions, the members' terms and their decisions. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select

from common.db import Repository
from scheduling.directory.partnership.models import (
    AgreementConsent,
    AgreementVersion,
    SchoolAgreement,
)
from scheduling.directory.person.models import PersonRole, RoleKind


class AgreementRepository(Repository[AgreementVersion]):
    model = AgreementVersion

    def versions(self, partnership_id: uuid.UUID) -> Select[AgreementVersion]:
        return select(AgreementVersion).where(AgreementVersion.partnership_id == partnership_id)

    def schools(self, partnership_id: uuid.UUID) -> Select[SchoolAgreement]:
        return select(SchoolAgreement).where(SchoolAgreement.partnership_id == partnership_id)

    def consents(self, partnership_id: uuid.UUID) -> Select[AgreementConsent]:
        return select(AgreementConsent).where(AgreementConsent.partnership_id == partnership_id)

    async def school(self, partnership_id: uuid.UUID, urn: int) -> SchoolAgreement | None:
        return await self.session.get(SchoolAgreement, (partnership_id, urn))

    async def holds_role(self, person_id: uuid.UUID, urn: int, roles: frozenset[RoleKind]) -> bool:
        found = await self.session.scalar(
            select(PersonRole.id)
            .where(
                PersonRole.person_id == person_id,
                PersonRole.urn == urn,
                PersonRole.role.in_(list(roles)),
            )
            .limit(1)
        )
        return found is not None
