"""Queries on the directory read model (schools, partnerships, members, agreements). Never
commits. A partnership whose agreement has not arrived yet is treated as sharing nothing.

The agreement is read as the terms in force (:mod:`readmodel.terms`), never as proposed: for
one school, the narrowest of the current version and the school's own terms; for figures about
a partnership, the narrowest over its members."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.directory import Visibility
from knowledge.intake.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    DirectorySchoolAgreement,
)
from readmodel import terms
from readmodel.terms import Terms

DEFAULT_THRESHOLD = 5
SHARED = frozenset({Visibility.AGGREGATED.value, Visibility.NAMED.value})


def shares(visibility: str | None) -> bool:
    """At least ``aggregated``."""
    return visibility in SHARED


def names(visibility: str | None) -> bool:
    return visibility == Visibility.NAMED.value


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def agreement(self, partnership_id: uuid.UUID) -> Terms | None:
        """The terms in force for every member of the partnership."""
        return (await self.agreements({partnership_id})).get(partnership_id)

    async def agreements(self, partnership_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Terms]:
        """Per partnership, the terms in force for every member (figures about all of them)."""
        if not partnership_ids:
            return {}
        wanted = list(partnership_ids)
        rows = await self.session.scalars(
            select(DirectoryAgreement).where(DirectoryAgreement.partnership_id.in_(wanted))
        )
        current = {row.partnership_id: row for row in rows}
        members = await self.members(current)
        own: dict[uuid.UUID, dict[int, DirectorySchoolAgreement]] = {p: {} for p in current}
        if current:
            found = await self.session.scalars(
                select(DirectorySchoolAgreement).where(
                    DirectorySchoolAgreement.partnership_id.in_(list(current))
                )
            )
            for row in found:
                own[row.partnership_id][row.urn] = row
        floors = {
            p: terms.for_partnership(agreement, sorted(members[p]), own[p])
            for p, agreement in current.items()
        }
        return {p: floor for p, floor in floors.items() if floor is not None}

    async def school_terms(self, partnership_id: uuid.UUID, urn: int) -> Terms | None:
        """The terms in force for one member school's reviews."""
        current = await self.session.get(DirectoryAgreement, partnership_id)
        own = await self.session.get(DirectorySchoolAgreement, (partnership_id, urn))
        return terms.for_school(current, own)

    async def school(self, urn: int) -> DirectorySchool | None:
        return await self.session.get(DirectorySchool, urn)

    async def schools(self, urns: Collection[int]) -> dict[int, DirectorySchool]:
        if not urns:
            return {}
        rows = await self.session.scalars(
            select(DirectorySchool).where(DirectorySchool.urn.in_(list(urns)))
        )
        return {row.urn: row for row in rows}

    async def partnerships(
        self, partnership_ids: Collection[uuid.UUID]
    ) -> dict[uuid.UUID, DirectoryPartnership]:
        if not partnership_ids:
            return {}
        rows = await self.session.scalars(
            select(DirectoryPartnership).where(DirectoryPartnership.id.in_(list(partnership_ids)))
        )
        return {row.id: row for row in rows}

    async def partnerships_in(self, la_codes: Collection[str]) -> Sequence[DirectoryPartnership]:
        if not la_codes:
            return []
        statement = select(DirectoryPartnership).where(
            DirectoryPartnership.la_code.in_(list(la_codes))
        )
        return (await self.session.scalars(statement)).all()

    async def memberships_of(self, urns: Collection[int]) -> dict[int, set[uuid.UUID]]:
        found: dict[int, set[uuid.UUID]] = {urn: set() for urn in urns}
        if not urns:
            return found
        rows = await self.session.execute(
            select(DirectoryMembership.urn, DirectoryMembership.partnership_id).where(
                DirectoryMembership.urn.in_(list(urns))
            )
        )
        for urn, partnership_id in rows:
            found[urn].add(partnership_id)
        return found

    async def members(self, partnership_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
        found: dict[uuid.UUID, set[int]] = {p: set() for p in partnership_ids}
        if not partnership_ids:
            return found
        rows = await self.session.execute(
            select(DirectoryMembership.partnership_id, DirectoryMembership.urn).where(
                DirectoryMembership.partnership_id.in_(list(partnership_ids))
            )
        )
        for partnership_id, urn in rows:
            found[partnership_id].add(urn)
        return found

    async def trust(self, trust_uid: str) -> tuple[bool, str | None]:
        """Whether a school of the trust is in the directory, and the trust's name as its
        schools' events give it (None when none does)."""
        found = (
            await self.session.execute(
                select(DirectorySchool.trust_name)
                .where(DirectorySchool.trust_uid == trust_uid)
                .order_by(DirectorySchool.trust_name.is_(None), DirectorySchool.urn)
                .limit(1)
            )
        ).first()
        return found is not None, found[0] if found is not None else None
