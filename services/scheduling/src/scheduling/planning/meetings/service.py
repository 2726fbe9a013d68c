"""Meeting use cases: a cycle's meetings generated from its policy (only the missing ones, so
edits stay), added, changed and cancelled by the partnership's lead or LA; read by whoever
sees the cycle. Commits here only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version, etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, conflict, not_found, validation_failed
from scheduling.db import IdempotencyRecord
from scheduling.directory.calendar.models import LaCalendar
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.cycle.schemas import Policy
from scheduling.directory.cycle.tenancy import cycle_manageable, cycle_visible
from scheduling.directory.partnership.models import Partnership
from scheduling.planning.meetings.generation import meetings_for
from scheduling.planning.meetings.models import Meeting, MeetingStatus
from scheduling.planning.meetings.repository import MeetingRepository
from scheduling.planning.meetings.schemas import MeetingIn, MeetingOut, MeetingPatch

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)


def meeting_visible(principal: Principal) -> ColumnElement[bool]:
    """A cycle's meetings are seen by whoever sees the cycle (its members too)."""
    return Meeting.cycle_id.in_(select(Cycle.id).where(cycle_visible(principal)))


def meeting_manageable(principal: Principal) -> ColumnElement[bool]:
    """A cycle's meetings are arranged by whoever manages the cycle."""
    return Meeting.cycle_id.in_(select(Cycle.id).where(cycle_manageable(principal)))


def _not_manager() -> ProblemError:
    return ProblemError(
        403,
        "Not a manager of this cycle",
        detail="Only the partnership's lead or its local authority arrange its meetings.",
        type_="not-partnership-manager",
    )


async def _cycle(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID, *, manage: bool
) -> Cycle:
    cycle = await session.scalar(
        select(Cycle).where(Cycle.id == cycle_id, cycle_visible(principal))
    )
    if cycle is None:
        raise not_found(f"No cycle {cycle_id}.")
    if (
        manage
        and await session.scalar(
            select(Cycle.id).where(Cycle.id == cycle_id, cycle_manageable(principal))
        )
        is None
    ):
        raise _not_manager()
    return cycle


async def list_meetings(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    params: PageParams,
    *,
    sync: SyncParams,
) -> tuple[Sequence[Meeting], str | None]:
    await _cycle(session, principal, cycle_id, manage=False)
    statement = MeetingRepository(session).of_cycle(cycle_id)
    return await paginate_synced(
        session, statement, sync=sync, updated_at=Meeting.updated_at, id_=Meeting.id, params=params
    )


async def create_meeting(
    session: AsyncSession,
    principal: Principal,
    cycle_id: uuid.UUID,
    data: MeetingIn,
    idempotency: IdempotentRequest | None,
) -> StoredResponse:
    async def create() -> StoredResponse:
        cycle = await _cycle(session, principal, cycle_id, manage=True)
        meeting = Meeting(
            cycle_id=cycle_id,
            partnership_id=cycle.partnership_id,
            kind=data.kind,
            title=data.title,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            location=data.location,
            status=MeetingStatus.SCHEDULED,
        )
        MeetingRepository(session).add(meeting)
        await session.flush()
        headers = {"Location": f"/v1/meetings/{meeting.id}", "ETag": etag_for(meeting.version)}
        return StoredResponse.json(201, MeetingOut.model_validate(meeting), headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def generate_meetings(
    session: AsyncSession, principal: Principal, cycle_id: uuid.UUID
) -> tuple[list[Meeting], int]:
    """The policy's meetings that are missing (by what they were generated as): created;
    those already there are kept as they are, edited or cancelled."""
    cycle = await _cycle(session, principal, cycle_id, manage=True)
    partnership = await session.get(Partnership, cycle.partnership_id)
    assert partnership is not None
    calendar = await session.get(LaCalendar, (partnership.la_code, cycle.academic_year))
    if calendar is None:
        message = (
            f"LA {partnership.la_code} has no term dates for {cycle.academic_year}: meetings "
            "are placed on its school days."
        )
        raise conflict(message, type_="no-term-dates")
    policy = Policy.model_validate(cycle.policy)
    planned = meetings_for(policy.meetings, calendar.terms, calendar.inset_days, partnership.name)
    repository = MeetingRepository(session)
    existing = await repository.generated_keys(cycle_id)
    created = []
    for p in planned:
        if p.key in existing:
            continue
        meeting = Meeting(
            cycle_id=cycle_id,
            partnership_id=partnership.id,
            kind=p.kind,
            title=p.title,
            starts_at=p.starts_at,
            ends_at=p.ends_at,
            location=policy.meetings.location,
            status=MeetingStatus.SCHEDULED,
            generated_key=p.key,
        )
        repository.add(meeting)
        created.append(meeting)
    await session.flush()
    await session.commit()
    return created, len(planned) - len(created)


async def get_meeting(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID
) -> Meeting:
    found = await MeetingRepository(session).get_where(meeting_id, meeting_visible(principal))
    if found is None:
        raise not_found(f"No meeting {meeting_id}.")
    return found


async def _managed(session: AsyncSession, principal: Principal, meeting_id: uuid.UUID) -> Meeting:
    found = await MeetingRepository(session).get_where(meeting_id, meeting_manageable(principal))
    if found is None:
        await get_meeting(session, principal, meeting_id)
        raise _not_manager()
    return found


async def patch_meeting(
    session: AsyncSession,
    principal: Principal,
    meeting_id: uuid.UUID,
    patch: MeetingPatch,
    expected_version: int,
) -> Meeting:
    meeting = await _managed(session, principal, meeting_id)
    check_version(meeting.version, expected_version)
    if meeting.status is MeetingStatus.CANCELLED:
        raise conflict("The meeting is cancelled.", type_="meeting-cancelled")
    values = patch.model_dump(exclude_unset=True)
    starts = values.get("starts_at", meeting.starts_at)
    ends = values.get("ends_at", meeting.ends_at)
    if ends <= starts:
        raise validation_failed([{"field": "body.ends_at", "message": "ends after it starts"}])
    changed = False
    for name, value in values.items():
        if value is None and name != "location":
            continue
        if getattr(meeting, name) != value:
            setattr(meeting, name, value)
            changed = True
    if changed:
        meeting.updated_at = utcnow()
        await session.flush()
    await session.commit()
    return meeting


async def cancel_meeting(
    session: AsyncSession, principal: Principal, meeting_id: uuid.UUID, expected_version: int
) -> None:
    """Kept as cancelled, so the calendar feeds send it as cancelled (STATUS:CANCELLED)."""
    meeting = await _managed(session, principal, meeting_id)
    check_version(meeting.version, expected_version)
    if meeting.status is MeetingStatus.CANCELLED:
        raise conflict("The meeting is already cancelled.", type_="meeting-cancelled")
    meeting.status = MeetingStatus.CANCELLED
    meeting.updated_at = utcnow()
    await session.flush()
    await session.commit()
