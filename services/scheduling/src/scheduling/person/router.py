"""Routes of /v1/people: a person, their roles, training, unavailable dates and conflicts."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response

from common.auth import Principal
from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination, UpdatedSince
from contracts.directory import Urn
from scheduling.deps import DirectoryReader, DirectoryWriter, SessionDep
from scheduling.expertise import Expertise
from scheduling.person import service
from scheduling.person.models import Person, RoleKind
from scheduling.person.schemas import (
    ConflictIn,
    ConflictsOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    RolesIn,
    TrainingIn,
    UnavailabilityIn,
    WaiverIn,
    person_out,
)

router = APIRouter(prefix="/v1/people", tags=["people"])

PersonId = Annotated[UUID, Path(description="Person id (UUIDv7)")]
ItemId = Annotated[UUID, Path(description="Id of the item")]

CHANGE_NOTE = " Needs `If-Match` with the person's ETag; answers the person with the new ETag."


def _answer(response: Response, principal: Principal, person: Person) -> PersonOut:
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
    school: Annotated[Urn | None, Query(description="Has a role at this URN")] = None,
    partnership: Annotated[
        UUID | None, Query(description="Has a role at this partnership or a member school")
    ] = None,
    role: Annotated[RoleKind | None, Query(description="Has this role")] = None,
    expertise: Annotated[Expertise | None, Query(description="Has this expertise")] = None,
    updated_since: UpdatedSince = None,
) -> Page[PersonOut]:
    people, next_cursor = await service.list_people(
        session,
        principal,
        params,
        urn=school,
        partnership_id=partnership,
        role=role,
        expertise=expertise,
        updated_since=updated_since,
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


@router.get("/{person_id}", name="get_person", summary="Get a person", response_model=PersonOut)
async def get_person(
    person_id: PersonId, response: Response, session: SessionDep, principal: DirectoryReader
) -> PersonOut:
    person = await service.get_person(session, principal, person_id)
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)


@router.post(
    "/{person_id}/unavailability",
    name="add_person_unavailability",
    summary="Add dates the person cannot do",
    description=(
        "The optional reason is shown only to the person. When the person is on a published "
        "review in these dates (a review day, the workshop or the 90-day review), a repair "
        'job is started for each cycle concerned (`Link` headers, `rel="repair"`).' + CHANGE_NOTE
    ),
    response_model=PersonOut,
    responses={
        200: {
            "description": "The person, changed",
            "headers": {
                "Link": {
                    "description": "The repair jobs started: `</v1/schedule-jobs/{id}>; "
                    'rel="repair"`',
                    "schema": {"type": "string"},
                }
            },
        }
    },
)
async def add_unavailability(
    person_id: PersonId,
    body: UnavailabilityIn,
    expected: IfMatchVersion,
    request: Request,
    response: Response,
    session: SessionDep,
    principal: DirectoryWriter,
) -> PersonOut:
    person, repairs = await service.add_unavailability(
        session,
        principal,
        person_id,
        body,
        expected,
        repair_effort=request.app.state.settings.solver_deterministic_time,
    )
    for job_id in repairs:
        request.app.state.schedules.start(job_id)
    if repairs:
        response.headers["Link"] = ", ".join(
            f'</v1/schedule-jobs/{job_id}>; rel="repair"' for job_id in repairs
        )
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)


@router.get(
    "/{person_id}/conflicts",
    name="get_person_conflicts",
    summary="A person's conflicts of interest",
    description=(
        "Automatic conflicts (`source: automatic`: own school; a school reviewed in the last "
        "cycles) computed now, and declared ones (`source: declared`) with any waiver."
    ),
    response_model=ConflictsOut,
)
async def get_conflicts(
    person_id: PersonId, response: Response, session: SessionDep, principal: DirectoryReader
) -> ConflictsOut:
    person, conflicts = await service.get_conflicts(session, principal, person_id)
    set_etag(response, person.version)
    return ConflictsOut(person_id=person.id, data=conflicts)


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
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)


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
    return _answer(response, principal, person)
