"""Routes of /v1/people: a person, their roles, training, unavailable dates and declared
conflicts. Adding unavailable dates and reading a person's conflicts are planning's routes
(``scheduling.planning.people.router``), under the same paths."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response

from common.auth import Principal
from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, Sync
from common.http.problems import validation_failed
from contracts.directory import Urn
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep
from scheduling.directory.expertise import Expertise
from scheduling.directory.person import bulk, service
from scheduling.directory.person.models import Person, RoleKind
from scheduling.directory.person.schemas import (
    BulkPeopleIn,
    BulkPeopleOut,
    ConflictIn,
    PersonIn,
    PersonOut,
    PersonPatch,
    RolesIn,
    Source,
    TrainingIn,
    WaiverIn,
    person_out,
)

router = APIRouter(prefix="/v1/people", tags=["people"])

PersonId = Annotated[UUID, Path(description="Person id (UUIDv7)")]
ItemId = Annotated[UUID, Path(description="Id of the item")]

CHANGE_NOTE = " Needs `If-Match` with the person's ETag; answers the person with the new ETag."


def answer(response: Response, principal: Principal, person: Person) -> PersonOut:
    """The person as every change route answers them: the body, and the new ETag."""
    set_etag(response, person.version)
    return person_out(person, show_private=service.shows_private(principal, person))


@router.get(
    "",
    name="list_people",
    summary="List people",
    description="People visible to the caller, oldest change first; sync with `updated_since`.",
    response_model=Page[PersonOut],
)
async def list_people(
    session: SessionDep,
    principal: DirectoryReader,
    params: Pagination,
    sync: Sync,
    school: Annotated[Urn | None, Query(description="Has a role at this URN")] = None,
    partnership: Annotated[
        UUID | None, Query(description="Has a role at this partnership or a member school")
    ] = None,
    role: Annotated[RoleKind | None, Query(description="Has this role")] = None,
    expertise: Annotated[Expertise | None, Query(description="Has this expertise")] = None,
    external_source: Annotated[
        Source | None, Query(description="Has an id from this system (see `external_id`)")
    ] = None,
    external_id: Annotated[
        str | None,
        Query(max_length=100, description="With `external_source`: has this id there"),
    ] = None,
) -> Page[PersonOut]:
    if external_id is not None and external_source is None:
        message = "external_id needs external_source (the system that issued it)."
        raise validation_failed([{"field": "query.external_id", "message": message}])
    external = (external_source, external_id) if external_source is not None else None
    people, next_cursor = await service.list_people(
        session,
        principal,
        params,
        urn=school,
        partnership_id=partnership,
        role=role,
        expertise=expertise,
        external=external,
        sync=sync,
    )
    data = [person_out(p, show_private=service.shows_private(principal, p)) for p in people]
    return Page(data=data, next_cursor=next_cursor)


@router.post(
    "",
    name="create_person",
    summary="Register a person",
    description=(
        "Registers a person with their roles (at least one, each at a school or partnership "
        "the caller manages). The email must be unique. Send `Idempotency-Key` to retry safely."
    ),
    status_code=201,
    response_model=PersonOut,
)
async def create_person(
    body: PersonIn,
    idempotency: IdempotencyKey,
    session: SessionDep,
    principal: DirectoryWriter,
) -> Response:
    stored = await service.create_person(session, principal, body, idempotency)
    return stored.to_response()


@router.post(
    "/bulk",
    name="upsert_people",
    summary="Create or update people in bulk (MIS sync)",
    description=(
        "Up to 100 people as an issuing system (`source`) holds them, each keyed by its "
        "`external_id` there: a person with that id is updated (name, email, expertise; roles "
        "replaced when they differ), else one with the same email and no id from `source` is "
        "linked and updated, else one is created. Idempotent: the same batch again changes "
        "nothing. Each row runs in a savepoint of its own and answers its own status (201, "
        "200, or a problem such as 409 `email-taken`, 403 `outside-tenancy`); the response "
        "is 200 whenever the batch was read. Roles removed leave tombstones "
        "(`GET /v1/tombstones`)."
    ),
    response_model=BulkPeopleOut,
)
async def upsert_people(
    body: BulkPeopleIn, session: SessionDep, principal: DirectoryWriter
) -> BulkPeopleOut:
    return await bulk.upsert_people(session, principal, body)


@router.get("/{person_id}", name="get_person", summary="Get a person", response_model=PersonOut)
async def get_person(
    person_id: PersonId, response: Response, session: SessionDep, principal: DirectoryReader
) -> PersonOut:
    person = await service.get_person(session, principal, person_id)
    return answer(response, principal, person)


@router.patch(
    "/{person_id}",
    name="patch_person",
    summary="Change a person's name, email or expertise",
    description="Expertise, when given, replaces the list." + CHANGE_NOTE,
    response_model=PersonOut,
)
async def patch_person(
    person_id: PersonId,
    body: PersonPatch,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.patch_person(session, principal, person_id, body, expected)
    return answer(response, principal, person)


@router.put(
    "/{person_id}/roles",
    name="put_person_roles",
    summary="Replace a person's roles",
    description="Each role names a school or a partnership the caller manages." + CHANGE_NOTE,
    response_model=PersonOut,
)
async def put_roles(
    person_id: PersonId,
    body: RolesIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.put_roles(session, principal, person_id, body.roles, expected)
    return answer(response, principal, person)


@router.post(
    "/{person_id}/training",
    name="add_person_training",
    summary="Record training",
    description="Adds a training record." + CHANGE_NOTE,
    response_model=PersonOut,
)
async def add_training(
    person_id: PersonId,
    body: TrainingIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.add_training(session, principal, person_id, body, expected)
    return answer(response, principal, person)


@router.delete(
    "/{person_id}/training/{item_id}",
    name="delete_person_training",
    summary="Delete a training record",
    description=CHANGE_NOTE.strip(),
    response_model=PersonOut,
)
async def delete_training(
    person_id: PersonId,
    item_id: ItemId,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.remove_item(session, principal, person_id, "training", item_id, expected)
    return answer(response, principal, person)


@router.delete(
    "/{person_id}/unavailability/{item_id}",
    name="delete_person_unavailability",
    summary="Delete an unavailable date range",
    description=CHANGE_NOTE.strip(),
    response_model=PersonOut,
)
async def delete_unavailability(
    person_id: PersonId,
    item_id: ItemId,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.remove_item(
        session, principal, person_id, "unavailability", item_id, expected
    )
    return answer(response, principal, person)


@router.post(
    "/{person_id}/conflicts",
    name="declare_person_conflict",
    summary="Declare a conflict of interest",
    description="Hard: never assign. Soft: allowed once waived with a reason." + CHANGE_NOTE,
    response_model=PersonOut,
)
async def declare_conflict(
    person_id: PersonId,
    body: ConflictIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.add_conflict(session, principal, person_id, body, expected)
    return answer(response, principal, person)


@router.delete(
    "/{person_id}/conflicts/{item_id}",
    name="delete_person_conflict",
    summary="Withdraw a declared conflict",
    description=CHANGE_NOTE.strip(),
    response_model=PersonOut,
)
async def delete_conflict(
    person_id: PersonId,
    item_id: ItemId,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.remove_item(
        session, principal, person_id, "conflicts", item_id, expected
    )
    return answer(response, principal, person)


@router.put(
    "/{person_id}/conflicts/{item_id}/waiver",
    name="waive_person_conflict",
    summary="Waive a soft conflict",
    description="Records the reason, who and when; a hard conflict answers 409." + CHANGE_NOTE,
    response_model=PersonOut,
)
async def waive_conflict(
    person_id: PersonId,
    item_id: ItemId,
    body: WaiverIn,
    expected: IfMatchVersion,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person = await service.waive_conflict(
        session, principal, person_id, item_id, body.reason, expected
    )
    return answer(response, principal, person)
