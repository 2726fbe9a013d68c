"""People use cases: register, change, roles, training, unavailable dates, declared conflicts
of interest and their waivers. Decides who may see and change whom; commits here only.
(Recording unavailable dates with the repairs they need, and the automatic conflicts, are
planning's use cases: ``scheduling.planning.people``.)"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, conflict, not_found, validation_failed
from scheduling.db import IdempotencyRecord
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.tenancy import partnership_manageable
from scheduling.directory.person.models import (
    DeclaredConflict,
    Person,
    PersonExpertise,
    PersonExternalId,
    PersonRole,
    Severity,
    TrainingRecord,
    Unavailability,
)
from scheduling.directory.person.repository import PersonRepository
from scheduling.directory.person.schemas import (
    ConflictIn,
    PersonIn,
    PersonPatch,
    RoleIn,
    TrainingIn,
    person_out,
)
from scheduling.directory.person.tenancy import person_manageable, person_visible
from scheduling.directory.school.models import School
from scheduling.directory.school.tenancy import school_staff_manageable
from scheduling.directory.tombstone.models import Collection, tombstone

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)
_REMOVED = {
    "training": Collection.PERSON_TRAINING,
    "unavailability": Collection.PERSON_UNAVAILABILITY,
    "conflicts": Collection.PERSON_CONFLICTS,
}


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this person",
        detail="Only the person's school, their partnership's lead or their local authority "
        "may change them.",
        type_="not-person-manager",
    )


def _outside_tenancy(detail: str) -> ProblemError:
    return ProblemError(403, "Outside your tenancy", detail=detail, type_="outside-tenancy")


def shows_private(principal: Principal, person: Person) -> bool:
    return principal.person_id == str(person.id)


async def get_person(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> Person:
    found = await PersonRepository(session).get_where(person_id, person_visible(principal))
    if found is None:
        raise not_found(f"No person {person_id}.")
    return found


async def managed(session: AsyncSession, principal: Principal, person_id: uuid.UUID) -> Person:
    """The person if the caller may change them; 404 if they cannot see them, else 403."""
    found = await PersonRepository(session).get_where(person_id, person_manageable(principal))
    if found is None:
        await get_person(session, principal, person_id)
        raise _not_manager()
    return found


async def check_roles(session: AsyncSession, principal: Principal, roles: Sequence[RoleIn]) -> None:
    """Every school and partnership named must exist (else 422) and be the caller's to staff
    (else 403)."""
    for index, role in enumerate(roles):
        field = f"body.roles.{index}"
        if role.urn is not None:
            if await session.get(School, role.urn) is None:
                raise validation_failed([{"field": field, "message": f"No school {role.urn}."}])
            mine = exists().where(School.urn == role.urn, school_staff_manageable(principal))
            if not await session.scalar(select(mine)):
                raise _outside_tenancy(f"You may not give people roles at school {role.urn}.")
        elif role.partnership_id is not None:
            if await session.get(Partnership, role.partnership_id) is None:
                message = f"No partnership {role.partnership_id}."
                raise validation_failed([{"field": field, "message": message}])
            mine = exists().where(
                Partnership.id == role.partnership_id, partnership_manageable(principal)
            )
            if not await session.scalar(select(mine)):
                raise _outside_tenancy(
                    f"You may not give people roles at partnership {role.partnership_id}."
                )


async def email_free(session: AsyncSession, email: str, person_id: uuid.UUID | None) -> None:
    existing = await PersonRepository(session).by_email(email)
    if existing is not None and existing.id != person_id:
        raise conflict(f"Another person has the email {email}.", type_="email-taken")


async def external_ids_free(
    session: AsyncSession, ids: Mapping[str, str | None], person_id: uuid.UUID | None
) -> None:
    repository = PersonRepository(session)
    for source, external_id in ids.items():
        if external_id is None:
            continue
        owner = await repository.external_owner(source, external_id)
        if owner is not None and owner != person_id:
            raise conflict(
                f"Another person has the {source} id {external_id}.", type_="external-id-taken"
            )


def set_external_ids(person: Person, ids: Mapping[str, str | None]) -> bool:
    """Merge ``ids`` into the person's (``None`` removes a system's id); whether they changed."""
    current = {e.source: e.external_id for e in person.external_ids}
    merged = {**current, **ids}
    wanted = {source: value for source, value in merged.items() if value is not None}
    if wanted == current:
        return False
    kept = [e for e in person.external_ids if e.source in wanted]
    for entry in kept:  # changed in place: the row's key is (person, source)
        entry.external_id = wanted[entry.source]
    added = [
        PersonExternalId(source=source, external_id=value)
        for source, value in sorted(wanted.items())
        if source not in current
    ]
    person.external_ids = kept + added
    return True


def replace_roles(session: AsyncSession, person: Person, roles: Sequence[RoleIn]) -> None:
    """The person's roles become ``roles``: a role held already is kept (its id too), one no
    longer given is deleted, leaving a tombstone, and a new one is added. So writing back the
    roles one has read changes nothing, and a sync sees only what really ended."""
    wanted = {_role_key(r.model_dump()): r for r in roles}
    kept: list[PersonRole] = []
    for old in person.roles:
        key = _role_key(
            {f: getattr(old, f) for f in ("role", "urn", "partnership_id", "academic_year")}
        )
        if key in wanted:
            kept.append(old)
            del wanted[key]
            continue
        session.add(
            tombstone(
                Collection.PERSON_ROLES,
                old.id,
                person_id=person.id,
                urn=old.urn,
                partnership_id=old.partnership_id,
            )
        )
    person.roles = kept + [PersonRole(**r.model_dump()) for r in wanted.values()]


def _role_key(role: Mapping[str, Any]) -> tuple[str, int | None, str | None, str | None]:
    partnership = role.get("partnership_id")
    return (
        str(role["role"]),
        role.get("urn"),
        str(partnership) if partnership is not None else None,
        role.get("academic_year"),
    )


def touch(person: Person) -> None:
    """Mark the person changed: the UPDATE bumps ``version`` (the ETag) and ``updated_at``."""
    person.updated_at = utcnow()


async def list_people(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    urn: int | None,
    partnership_id: uuid.UUID | None,
    role: str | None,
    expertise: str | None,
    external: tuple[str, str | None] | None = None,
    sync: SyncParams,
) -> tuple[Sequence[Person], str | None]:
    repository = PersonRepository(session)
    statement = repository.visible(person_visible(principal))
    if urn is not None:
        statement = statement.where(repository.at_school(urn))
    if partnership_id is not None:
        statement = statement.where(repository.in_partnership(partnership_id))
    if role is not None:
        statement = statement.where(repository.with_role(role))
    if expertise is not None:
        statement = statement.where(repository.with_expertise(expertise))
    if external is not None:
        statement = statement.where(repository.with_external_id(*external))
    return await paginate_synced(
        session, statement, sync=sync, updated_at=Person.updated_at, id_=Person.id, params=params
    )


async def create_person(
    session: AsyncSession,
    principal: Principal,
    data: PersonIn,
    idempotency: IdempotentRequest | None,
) -> StoredResponse:
    """Register a person with at least one role the caller may give. A retry with the same
    Idempotency-Key replays the first response."""

    async def create() -> StoredResponse:
        await check_roles(session, principal, data.roles)
        await email_free(session, data.email, None)
        await external_ids_free(session, data.external_ids, None)
        person = Person(
            name=data.name,
            email=data.email,
            leaves_on=data.leaves_on,
            roles=[PersonRole(**r.model_dump()) for r in data.roles],
            expertise=[PersonExpertise(code=c) for c in dict.fromkeys(data.expertise)],
            training=[],
            unavailability=[],
            conflicts=[],
            external_ids=[
                PersonExternalId(source=s, external_id=i) for s, i in data.external_ids.items()
            ],
        )
        PersonRepository(session).add(person)
        await session.flush()
        headers = {"Location": f"/v1/people/{person.id}", "ETag": etag_for(person.version)}
        body = person_out(person, show_private=shows_private(principal, person))
        return StoredResponse.json(201, body, headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def patch_person(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    patch: PersonPatch,
    expected_version: int,
) -> Person:
    person = await managed(session, principal, person_id)
    check_version(person.version, expected_version)
    changed = False
    if patch.name is not None and patch.name != person.name:
        person.name = patch.name
        changed = True
    if patch.email is not None and patch.email != person.email:
        await email_free(session, patch.email, person.id)
        person.email = patch.email
        changed = True
    if "leaves_on" in patch.model_fields_set and patch.leaves_on != person.leaves_on:
        person.leaves_on = patch.leaves_on
        changed = True
    if patch.external_ids is not None:
        await external_ids_free(session, patch.external_ids, person.id)
        changed = set_external_ids(person, patch.external_ids) or changed
    if patch.expertise is not None:
        codes = list(dict.fromkeys(patch.expertise))
        if sorted(codes) != sorted(person.expertise_codes):
            person.expertise = [PersonExpertise(code=c) for c in codes]
            changed = True
    if changed:
        touch(person)
        await session.flush()
    await session.commit()
    return person


async def put_roles(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    roles: Sequence[RoleIn],
    expected_version: int,
) -> Person:
    """Replace the person's roles. The caller must manage the person now and be allowed to
    give every new role."""
    person = await managed(session, principal, person_id)
    check_version(person.version, expected_version)
    await check_roles(session, principal, roles)
    replace_roles(session, person, roles)
    touch(person)
    await session.flush()
    await session.commit()
    return person


async def change_person(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    expected_version: int,
    change: Callable[[Person], None],
    then: Callable[[Person], Awaitable[None]] | None = None,
) -> Person:
    """Every change to a person: the caller must manage them, the If-Match version must be
    current, and the change bumps the person's version (their ETag) before the commit;
    ``then`` adds what follows from it to the same transaction."""
    person = await managed(session, principal, person_id)
    check_version(person.version, expected_version)
    change(person)
    touch(person)
    await session.flush()
    if then is not None:
        await then(person)
    await session.commit()
    return person


async def add_training(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    data: TrainingIn,
    expected_version: int,
) -> Person:
    record = TrainingRecord(**data.model_dump())
    return await change_person(
        session, principal, person_id, expected_version, lambda p: p.training.append(record)
    )


async def add_conflict(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    data: ConflictIn,
    expected_version: int,
) -> Person:
    declared = DeclaredConflict(**data.model_dump())
    return await change_person(
        session, principal, person_id, expected_version, lambda p: p.conflicts.append(declared)
    )


async def remove_item(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    collection: str,
    item_id: uuid.UUID,
    expected_version: int,
) -> Person:
    """Delete one training record, unavailable range or declared conflict."""
    person = await managed(session, principal, person_id)
    check_version(person.version, expected_version)
    items: list[TrainingRecord] | list[Unavailability] | list[DeclaredConflict] = getattr(
        person, collection
    )
    item = next((i for i in items if i.id == item_id), None)
    if item is None:
        raise not_found(f"No {collection} item {item_id} for this person.")
    items.remove(item)  # type: ignore[arg-type]
    session.add(tombstone(_REMOVED[collection], item.id, person_id=person.id))
    touch(person)
    await session.flush()
    await session.commit()
    return person


async def waive_conflict(
    session: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID,
    conflict_id: uuid.UUID,
    reason: str,
    expected_version: int,
) -> Person:
    """Record a waiver of a soft declared conflict: the reason, who and when. Hard conflicts
    cannot be waived (409)."""
    person = await managed(session, principal, person_id)
    check_version(person.version, expected_version)
    declared = next((c for c in person.conflicts if c.id == conflict_id), None)
    if declared is None:
        raise not_found(f"No declared conflict {conflict_id} for this person.")
    if declared.severity is Severity.HARD:
        raise conflict("A hard conflict cannot be waived.", type_="hard-conflict")
    declared.waiver_reason = reason
    declared.waived_by = principal.subject
    declared.waived_at = utcnow()
    touch(person)
    await session.flush()
    await session.commit()
    return person
