"""School use cases. The only place that commits."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.etag import check_version
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, not_found, precondition_required
from contracts.directory import SCHOOL_REGISTERED, SCHOOL_UPDATED, SchoolPayload
from contracts.events import TenancyPath
from scheduling.directory.school.models import School, SchoolLink
from scheduling.directory.school.repository import SchoolRepository
from scheduling.directory.school.schemas import SchoolIn
from scheduling.directory.school.tenancy import school_visible, school_writable
from scheduling.events import publish


def outside_tenancy() -> ProblemError:
    return ProblemError(
        403,
        "Outside your tenancy",
        detail="Your token does not cover this school's LA, trust or URN.",
        type_="outside-tenancy",
    )


async def get_school(session: AsyncSession, principal: Principal, urn: int) -> School:
    school = await SchoolRepository(session).get_visible(urn, school_visible(principal))
    if school is None:
        raise not_found(f"No school {urn}.")
    return school


async def get_links(
    session: AsyncSession, principal: Principal, urn: int
) -> tuple[Sequence[SchoolLink], list[int], list[int]]:
    """The school's GIAS links and its predecessor and successor URNs, read both ways."""
    await get_school(session, principal, urn)
    links = await SchoolRepository(session).links(urn)
    predecessors: set[int] = set()
    successors: set[int] = set()
    for link in links:
        kind = link.link_type.casefold()
        mine = link.urn == urn
        other = link.linked_urn if mine else link.urn
        if kind.startswith("predecessor"):
            (predecessors if mine else successors).add(other)
        elif kind.startswith("successor"):
            (successors if mine else predecessors).add(other)
    return links, sorted(predecessors), sorted(successors)


async def list_schools(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    la_code: str | None,
    trust_uid: str | None,
    partnership_id: UUID | None,
    sync: SyncParams,
) -> tuple[Sequence[School], str | None]:
    statement = SchoolRepository(session).filtered(
        school_visible(principal),
        la_code=la_code,
        trust_uid=trust_uid,
        partnership_id=partnership_id,
    )
    return await paginate_synced(
        session, statement, sync=sync, updated_at=School.updated_at, id_=School.urn, params=params
    )


async def put_school(
    session: AsyncSession,
    principal: Principal,
    urn: int,
    data: SchoolIn,
    expected_version: int | None,
) -> tuple[School, bool]:
    """Create or replace a school. Returns the school and whether it was created.

    Replacing needs ``If-Match``; a replacement that changes nothing emits no event.
    """
    repository = SchoolRepository(session)
    values = data.model_dump()
    # One query on the usual path (a visible school being replaced); only when it is not
    # visible does a second tell "absent" (create it) from "someone else's" (404).
    existing = await repository.get_visible(urn, school_visible(principal))
    if existing is None and await repository.get(urn) is not None:
        raise not_found(f"No school {urn}.")
    if not school_writable(principal, data.la_code, data.trust_uid, urn):
        raise outside_tenancy()
    values["trust_name"] = await _trust_name(repository, existing, data.trust_uid)
    if existing is None:
        school = repository.add(School(urn=urn, **values))
        await repository.flush()
        _publish(session, school, created=True)
        await session.commit()
        return school, True

    if expected_version is None:
        raise precondition_required()
    check_version(existing.version, expected_version)
    if existing.replace(values):
        await repository.flush()
        _publish(session, existing, created=False)
    await session.commit()
    return existing, False


async def _trust_name(
    repository: SchoolRepository, existing: School | None, trust_uid: str | None
) -> str | None:
    """The trust's name as the directory knows it; else the one GIAS gave the school for the
    same trust (a PUT has no name field)."""
    if trust_uid is None:
        return None
    name = await repository.trust_name(trust_uid)
    if name is not None:
        return name
    return existing.trust_name if existing is not None and existing.trust_uid == trust_uid else None


def _publish(session: AsyncSession, school: School, *, created: bool) -> None:
    payload = SchoolPayload.model_validate(school, from_attributes=True)
    publish(
        session,
        SCHOOL_REGISTERED if created else SCHOOL_UPDATED,
        payload,
        tenancy=TenancyPath(la=school.la_code, urn=school.urn),
        subject=f"schools/{school.urn}",
        partition_key=f"school:{school.urn}",
    )
