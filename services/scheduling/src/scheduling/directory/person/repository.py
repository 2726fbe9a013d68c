"""Queries on people. Never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, select

from common.db import Repository
from scheduling.directory.membership.models import Membership
from scheduling.directory.person.models import (
    Person,
    PersonExpertise,
    PersonExternalId,
    PersonRole,
)


class PersonRepository(Repository[Person]):
    model = Person

    async def get_where(
        self, person_id: uuid.UUID, condition: ColumnElement[bool]
    ) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.id == person_id, condition))

    async def by_email(self, email: str) -> Person | None:
        return await self.session.scalar(select(Person).where(Person.email == email))

    def visible(self, condition: ColumnElement[bool]) -> Select[Person]:
        return select(Person).where(condition)

    async def by_external_id(self, source: str, external_id: str) -> Person | None:
        return await self.session.scalar(
            select(Person).where(self.with_external_id(source, external_id))
        )

    async def external_owner(self, source: str, external_id: str) -> uuid.UUID | None:
        statement = select(PersonExternalId.person_id).where(
            PersonExternalId.source == source, PersonExternalId.external_id == external_id
        )
        return await self.session.scalar(statement)

    @staticmethod
    def with_external_id(source: str, external_id: str | None) -> ColumnElement[bool]:
        ids = select(PersonExternalId.person_id).where(PersonExternalId.source == source)
        if external_id is not None:
            ids = ids.where(PersonExternalId.external_id == external_id)
        return Person.id.in_(ids)

    @staticmethod
    def at_school(urn: int) -> ColumnElement[bool]:
        return Person.id.in_(select(PersonRole.person_id).where(PersonRole.urn == urn))

    @staticmethod
    def in_partnership(partnership_id: uuid.UUID) -> ColumnElement[bool]:
        """A role at the partnership, or at one of its member schools."""
        members = select(Membership.urn).where(Membership.partnership_id == partnership_id)
        return Person.id.in_(
            select(PersonRole.person_id).where(
                (PersonRole.partnership_id == partnership_id) | PersonRole.urn.in_(members)
            )
        )

    @staticmethod
    def with_role(role: str) -> ColumnElement[bool]:
        return Person.id.in_(select(PersonRole.person_id).where(PersonRole.role == role))

    @staticmethod
    def with_expertise(code: str) -> ColumnElement[bool]:
        return Person.id.in_(select(PersonExpertise.person_id).where(PersonExpertise.code == code))
