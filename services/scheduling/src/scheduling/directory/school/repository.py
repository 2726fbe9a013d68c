"""Queries on schools. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from common.db import Repository
from scheduling.directory.membership.models import Membership
from scheduling.directory.school.models import School, SchoolLink


class SchoolRepository(Repository[School]):
    model = School

    async def trust_name(self, uid: str) -> str | None:
        """The directory's name for the trust. Its table is read through the shared metadata:
        the trust package imports this one (its tenancy reads schools), never the reverse."""
        trusts = School.metadata.tables["trusts"]
        name: str | None = await self.session.scalar(
            select(trusts.c.name).where(trusts.c.uid == uid)
        )
        return name

    async def get_visible(self, urn: int, visible: ColumnElement[bool]) -> School | None:
        return await self.session.scalar(select(School).where(School.urn == urn, visible))

    def filtered(
        self,
        visible: ColumnElement[bool],
        *,
        la_code: str | None = None,
        trust_uid: str | None = None,
        partnership_id: Any = None,
    ) -> Select[School]:
        statement = select(School).where(visible)
        if la_code is not None:
            statement = statement.where(School.la_code == la_code)
        if trust_uid is not None:
            statement = statement.where(School.trust_uid == trust_uid)
        if partnership_id is not None:
            members = select(Membership.urn).where(Membership.partnership_id == partnership_id)
            statement = statement.where(School.urn.in_(members))
        return statement

    async def links(self, urn: int) -> Sequence[SchoolLink]:
        statement = (
            select(SchoolLink)
            .where(or_(SchoolLink.urn == urn, SchoolLink.linked_urn == urn))
            .order_by(SchoolLink.urn, SchoolLink.linked_urn, SchoolLink.link_type)
        )
        return (await self.session.scalars(statement)).all()
