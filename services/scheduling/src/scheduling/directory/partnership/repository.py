"""Queries on partnerships, memberships and agreements. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, select

from common.db import Repository
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership, SharingAgreement


class PartnershipRepository(Repository[Partnership]):
    model = Partnership

    async def get_where(
        self, partnership_id: uuid.UUID, condition: ColumnElement[bool]
    ) -> Partnership | None:
        return await self.session.scalar(
            select(Partnership).where(Partnership.id == partnership_id, condition)
        )

    def visible(self, condition: ColumnElement[bool]) -> Select[Partnership]:
        return select(Partnership).where(condition)

    async def membership(self, partnership_id: uuid.UUID, urn: int) -> Membership | None:
        return await self.session.get(Membership, (partnership_id, urn))

    def members(self, partnership_id: uuid.UUID) -> Select[Membership]:
        return select(Membership).where(Membership.partnership_id == partnership_id)

    async def agreement(self, partnership_id: uuid.UUID) -> SharingAgreement | None:
        return await self.session.get(SharingAgreement, partnership_id)
