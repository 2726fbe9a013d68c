"""Queries on planned reviews. Never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, select

from common.db import Repository
from scheduling.directory.person.models import Person
from scheduling.planning.kernel.models import PlannedReview, PlannedReviewPerson


class PlannedReviewRepository(Repository[PlannedReview]):
    model = PlannedReview

    async def get_where(
        self, review_id: uuid.UUID, condition: ColumnElement[bool], *, lock: bool = False
    ) -> PlannedReview | None:
        statement = select(PlannedReview).where(PlannedReview.id == review_id, condition)
        if lock:
            statement = statement.with_for_update()
        return await self.session.scalar(statement)

    def visible(self, condition: ColumnElement[bool]) -> Select[PlannedReview]:
        return select(PlannedReview).where(condition)

    @staticmethod
    def with_person(person_id: uuid.UUID) -> ColumnElement[bool]:
        return PlannedReview.id.in_(
            select(PlannedReviewPerson.review_id).where(PlannedReviewPerson.person_id == person_id)
        )

    def of_cycle(self, cycle_id: uuid.UUID) -> Select[PlannedReview]:
        return (
            select(PlannedReview)
            .where(PlannedReview.cycle_id == cycle_id)
            .order_by(PlannedReview.first_day, PlannedReview.urn)
        )

    async def names(self, person_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
        ids = list(set(person_ids))
        if not ids:
            return {}
        rows = await self.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
        return {row.id: row.name for row in rows}

    async def existing_people(self, person_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(set(person_ids))
        return set(await self.session.scalars(select(Person.id).where(Person.id.in_(ids))))
