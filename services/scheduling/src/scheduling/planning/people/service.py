"""Planning's use cases about a person: record unavailable dates and, in the same
transaction, queue a repair of each cycle whose published plan they break; and list a
person's conflicts of interest, the automatic ones computed now from the published plans."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from scheduling.directory.person.models import Person, Unavailability
from scheduling.directory.person.schemas import ConflictOut, UnavailabilityIn
from scheduling.directory.person.service import change_person, get_person
from scheduling.planning.jobs.service import queue_repairs_for_person
from scheduling.planning.people import conflicts


async def record_unavailability(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    data: UnavailabilityIn,
    expected_version: int,
    *,
    repair_effort: float,
) -> tuple[Person, list[uuid.UUID]]:
    """Record the dates; when the person is scheduled in them (a published review day, a
    workshop or a 90-day review), queue a repair of each cycle concerned, in the same
    transaction. Returns the person and the repair jobs to start."""
    dates = Unavailability(**data.model_dump())
    jobs: list[uuid.UUID] = []

    async def repairs(person: Person) -> None:
        jobs.extend(
            await queue_repairs_for_person(
                session,
                principal,
                person.id,
                data.starts_on,
                data.ends_on,
                default_effort=repair_effort,
            )
        )

    person = await change_person(
        session,
        principal,
        person_id,
        expected_version,
        lambda p: p.unavailability.append(dates),
        repairs,
    )
    return person, jobs


async def get_conflicts(
    session: AsyncSession, principal: Principal, person_id: uuid.UUID
) -> tuple[Person, list[ConflictOut]]:
    """The person (if the caller may see them) and their conflicts, automatic and declared."""
    person = await get_person(session, principal, person_id)
    rotation = await conflicts.rotation_cycles_for(session, person)
    return person, await conflicts.conflicts_of(session, person, rotation_cycles=rotation)
