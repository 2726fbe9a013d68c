"""The bulk people upsert of an MIS sync: each row found by its external id (or, the first
time, by its email), then created, updated or left alone, in a savepoint of its own.

One savepoint per row, one commit for the batch: a bad row (an email taken, a school outside
the caller's tenancy) fails alone with its problem and the others apply, so a nightly sync of
a few hundred staff is not blocked by one typo; and as rows are keyed by external id, sending
the same batch again changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.problems import ProblemError
from scheduling.directory.person.models import (
    Person,
    PersonExpertise,
    PersonExternalId,
    PersonRole,
)
from scheduling.directory.person.repository import PersonRepository
from scheduling.directory.person.schemas import (
    BulkPeopleIn,
    BulkPeopleOut,
    BulkPersonIn,
    BulkRowOut,
    RoleIn,
    person_out,
)
from scheduling.directory.person.service import (
    check_roles,
    email_free,
    external_ids_free,
    managed,
    replace_roles,
    set_external_ids,
    shows_private,
    touch,
)

Outcome = Literal["created", "updated", "unchanged"]


def _role_keys(roles: Sequence[RoleIn] | Sequence[PersonRole]) -> set[tuple[object, ...]]:
    return {(r.role, r.urn, r.partnership_id, r.academic_year) for r in roles}


async def _create(
    session: AsyncSession, principal: Principal, source: str, row: BulkPersonIn
) -> Person:
    await check_roles(session, principal, row.roles)
    await email_free(session, row.email, None)
    await external_ids_free(session, {source: row.external_id}, None)
    person = Person(
        name=row.name,
        email=row.email,
        roles=[],
        expertise=[PersonExpertise(code=c) for c in dict.fromkeys(row.expertise)],
        training=[],
        unavailability=[],
        conflicts=[],
        external_ids=[PersonExternalId(source=source, external_id=row.external_id)],
    )
    PersonRepository(session).add(person)
    replace_roles(session, person, row.roles)
    return person


async def _update(
    session: AsyncSession, principal: Principal, source: str, row: BulkPersonIn, found: Person
) -> tuple[Outcome, Person]:
    person = await managed(session, principal, found.id)
    changed = set_external_ids(person, {source: row.external_id})
    if row.name != person.name:
        person.name = row.name
        changed = True
    if row.email != person.email:
        await email_free(session, row.email, person.id)
        person.email = row.email
        changed = True
    codes = list(dict.fromkeys(row.expertise))
    if sorted(codes) != sorted(person.expertise_codes):
        person.expertise = [PersonExpertise(code=c) for c in codes]
        changed = True
    if _role_keys(row.roles) != _role_keys(person.roles):
        await check_roles(session, principal, row.roles)
        replace_roles(session, person, row.roles)
        changed = True
    if not changed:
        return "unchanged", person
    touch(person)
    return "updated", person


async def _upsert(
    session: AsyncSession, principal: Principal, source: str, row: BulkPersonIn
) -> tuple[Outcome, Person]:
    repository = PersonRepository(session)
    found = await repository.by_external_id(source, row.external_id)
    if found is None:
        # The first sync of someone already registered: linked by their email.
        by_email = await repository.by_email(row.email)
        if by_email is not None and source not in {e.source for e in by_email.external_ids}:
            found = by_email
    if found is None:
        return "created", await _create(session, principal, source, row)
    return await _update(session, principal, source, row, found)


async def upsert_people(
    session: AsyncSession, principal: Principal, data: BulkPeopleIn
) -> BulkPeopleOut:
    results: list[BulkRowOut] = []
    for index, row in enumerate(data.people):
        try:
            async with session.begin_nested():
                outcome, person = await _upsert(session, principal, data.source, row)
                await session.flush()
                out = person_out(person, show_private=shows_private(principal, person))
        except ProblemError as exc:
            problem = exc.to_dict(instance=None, request_id=None)
            results.append(
                BulkRowOut(
                    index=index,
                    external_id=row.external_id,
                    status=exc.status,
                    outcome="failed",
                    problem=problem,
                )
            )
            continue
        status = 201 if outcome == "created" else 200
        results.append(
            BulkRowOut(
                index=index,
                external_id=row.external_id,
                status=status,
                outcome=outcome,
                person=out,
            )
        )
    await session.commit()
    return BulkPeopleOut(results=results)
