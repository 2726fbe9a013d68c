"""Cycle use cases: create a partnership's cycle for a year, change its policy, member schools'
requests. The partnership's lead or LA manages the cycle; member schools read it and manage
their own request. Commits here only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import (
    ProblemError,
    conflict,
    not_found,
    precondition_required,
    validation_failed,
)
from scheduling.db import IdempotencyRecord
from scheduling.directory.cycle.models import Cycle, CycleRequest
from scheduling.directory.cycle.repository import CycleRepository
from scheduling.directory.cycle.schemas import CycleIn, CycleOut, Policy, RequestIn
from scheduling.directory.cycle.tenancy import cycle_manageable, cycle_visible, school_requests_own
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.tenancy import partnership_manageable, partnership_visible
from scheduling.directory.school.models import School

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this cycle",
        detail="Only the partnership's lead or its local authority may change its cycle.",
        type_="not-partnership-manager",
    )


def cycle_out(cycle: Cycle) -> CycleOut:
    return CycleOut(
        id=cycle.id,
        partnership_id=cycle.partnership_id,
        academic_year=cycle.academic_year,
        policy=Policy.model_validate(cycle.policy),
        version=cycle.version,
        created_at=cycle.created_at,
        updated_at=cycle.updated_at,
    )


async def get_cycle(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID) -> Cycle:
    found = await CycleRepository(session).get_where(cycle_id, cycle_visible(principal))
    if found is None:
        raise not_found(f"No cycle {cycle_id}.")
    return found


async def _managed(session: AsyncSession, principal: Principal, cycle_id: uuid.UUID) -> Cycle:
    found = await CycleRepository(session).get_where(cycle_id, cycle_manageable(principal))
    if found is None:
        await get_cycle(session, principal, cycle_id)
        raise _not_manager()
    return found


async def list_cycles(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    partnership_id: uuid.UUID | None,
    academic_year: str | None,
    sync: SyncParams,
) -> tuple[Sequence[Cycle], str | None]:
    statement = CycleRepository(session).visible(cycle_visible(principal))
    if partnership_id is not None:
        statement = statement.where(Cycle.partnership_id == partnership_id)
    if academic_year is not None:
        statement = statement.where(Cycle.academic_year == academic_year)
    return await paginate_synced(
        session, statement, sync=sync, updated_at=Cycle.updated_at, id_=Cycle.id, params=params
    )


async def create_cycle(
    session: AsyncSession,
    principal: Principal,
    data: CycleIn,
    idempotency: IdempotentRequest | None,
    *,
    partnership_in_path: bool = False,
) -> StoredResponse:
    """One cycle per partnership per academic year (409 for a second one). A partnership the
    caller cannot see is a 422 when named in the body, a 404 when it is the path's resource."""

    async def create() -> StoredResponse:
        partnership = await session.scalar(
            select(Partnership).where(
                Partnership.id == data.partnership_id, partnership_visible(principal)
            )
        )
        if partnership is None:
            message = f"No partnership {data.partnership_id}."
            if partnership_in_path:
                raise not_found(message)
            raise validation_failed([{"field": "body.partnership_id", "message": message}])
        manageable = await session.scalar(
            select(Partnership.id).where(
                Partnership.id == data.partnership_id, partnership_manageable(principal)
            )
        )
        if manageable is None:
            raise _not_manager()
        repository = CycleRepository(session)
        if await repository.for_year(data.partnership_id, data.academic_year) is not None:
            raise conflict(
                f"The partnership already has a cycle for {data.academic_year}.",
                type_="cycle-exists",
            )
        cycle = repository.add(
            Cycle(
                partnership_id=data.partnership_id,
                academic_year=data.academic_year,
                policy=data.policy.model_dump(mode="json"),
            )
        )
        await session.flush()
        headers = {"Location": f"/v1/cycles/{cycle.id}", "ETag": etag_for(cycle.version)}
        return StoredResponse.json(201, cycle_out(cycle), headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


def _merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    merged = dict(current)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _policy_problem(error: ValidationError) -> ProblemError:
    errors = [
        {
            "field": ".".join(["body", "policy", *(str(p) for p in e["loc"])]),
            "message": e["msg"],
        }
        for e in error.errors()
    ]
    return validation_failed(errors, detail="The policy is not valid.")


async def patch_cycle(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    policy_patch: dict[str, Any],
    expected_version: int,
) -> Cycle:
    """Merge part of a policy into the current one and validate the result whole."""
    cycle = await _managed(session, principal, cycle_id)
    check_version(cycle.version, expected_version)
    try:
        policy = Policy.model_validate(_merge(cycle.policy, policy_patch))
    except ValidationError as error:
        raise _policy_problem(error) from error
    document = policy.model_dump(mode="json")
    if document != cycle.policy:
        cycle.policy = document
        await session.flush()
    await session.commit()
    return cycle


async def _request_access(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, urn: int
) -> Cycle:
    """The cycle if the caller manages it or the school is theirs; 404 otherwise (as if there
    were no such request)."""
    cycle = await get_cycle(session, principal, cycle_id)
    manages = await CycleRepository(session).get_where(cycle_id, cycle_manageable(principal))
    if manages is None:
        own = await session.scalar(
            select(School.urn).where(School.urn == urn, school_requests_own(principal))
        )
        if own is None:
            raise not_found(f"No request of school {urn} in cycle {cycle_id}.")
    return cycle


async def list_requests(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    params: PageParams,
    sync: SyncParams,
) -> tuple[Sequence[CycleRequest], str | None]:
    """Managers see every request; a member school (or its trust) sees its own."""
    await get_cycle(session, principal, cycle_id)
    repository = CycleRepository(session)
    statement = repository.requests(cycle_id)
    if await repository.get_where(cycle_id, cycle_manageable(principal)) is None:
        statement = statement.where(
            CycleRequest.urn.in_(select(School.urn).where(school_requests_own(principal)))
        )
    return await paginate_synced(
        session,
        statement,
        sync=sync,
        updated_at=CycleRequest.updated_at,
        id_=CycleRequest.urn,
        params=params,
    )


async def get_request(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, urn: int
) -> CycleRequest:
    await _request_access(session, principal, cycle_id, urn)
    found = await CycleRepository(session).request(cycle_id, urn)
    if found is None:
        raise not_found(f"No request of school {urn} in cycle {cycle_id}.")
    return found


async def put_request(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    urn: int,
    data: RequestIn,
    expected_version: int | None,
) -> tuple[CycleRequest, bool]:
    """Create (True) or replace a member school's request. The mode must be one the policy
    allows; the school must be a member of the cycle's partnership."""
    cycle = await _request_access(session, principal, cycle_id, urn)
    member = await session.get(Membership, (cycle.partnership_id, urn))
    if member is None:
        raise not_found(f"School {urn} is not a member of this cycle's partnership.")
    policy = Policy.model_validate(cycle.policy)
    if data.mode not in policy.modes:
        allowed = ", ".join(policy.modes)
        message = f"The cycle's policy allows only {allowed}."
        raise validation_failed([{"field": "body.mode", "message": message}])
    values = data.model_dump(mode="json")
    repository = CycleRepository(session)
    existing = await repository.request(cycle_id, urn)
    if existing is None:
        created = CycleRequest(cycle_id=cycle_id, urn=urn, **values)
        session.add(created)
        await session.flush()
        await session.commit()
        return created, True
    if expected_version is None:
        raise precondition_required()
    check_version(existing.version, expected_version)
    for field, value in values.items():
        if getattr(existing, field) != value:
            setattr(existing, field, value)
    await session.flush()
    await session.commit()
    return existing, False
