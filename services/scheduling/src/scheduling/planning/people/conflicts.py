"""A person's conflicts of interest: automatic (own school; a school they reviewed in the
policy's rotation cycles before the current academic year or are scheduled to review, from
the published schedules) and declared, with their waivers."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from scheduling import academic_year as years
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.membership.models import Membership
from scheduling.directory.person.models import Person, Severity
from scheduling.directory.person.schemas import ConflictOut, WaiverOut
from scheduling.planning.kernel.context import past_reviews

# How many past cycles make "reviewed that school" a conflict; a cycle policy may say otherwise.
DEFAULT_ROTATION_CYCLES = 1


async def recently_reviewed_urns(
    session: AsyncSession,
    person_id: uuid.UUID,
    cycles: int = DEFAULT_ROTATION_CYCLES,
    *,
    today: date | None = None,
) -> set[int]:
    """The schools the person is or was on a published review team of (lead or reviewer, not
    cancelled) from the ``cycles`` academic years before the current one onwards: what they
    reviewed in the last cycles and what they are scheduled to review."""
    current = years.containing(today or utcnow().date())
    first = int(current[:4]) - cycles
    since = f"{first}-{(first + 1) % 100:02d}"
    return {r.urn for r in await past_reviews(session, [person_id]) if since <= r.academic_year}


async def rotation_cycles_for(session: AsyncSession, person: Person) -> int:
    """The rotation rule (``policy.rotation_cycles``) of the person's partnerships' cycles from
    this year on: the longest of them, or the default."""
    current = years.containing(utcnow().date())
    partnerships = {r.partnership_id for r in person.roles if r.partnership_id is not None}
    urns = [r.urn for r in person.roles if r.urn is not None]
    if urns:
        partnerships |= set(
            await session.scalars(select(Membership.partnership_id).where(Membership.urn.in_(urns)))
        )
    policies = await session.scalars(
        select(Cycle.policy).where(
            Cycle.partnership_id.in_(partnerships), Cycle.academic_year >= current
        )
    )
    found = [int(p.get("rotation_cycles", DEFAULT_ROTATION_CYCLES)) for p in policies]
    return max(found, default=DEFAULT_ROTATION_CYCLES)


async def conflicts_of(
    session: AsyncSession,
    person: Person,
    *,
    rotation_cycles: int = DEFAULT_ROTATION_CYCLES,
) -> list[ConflictOut]:
    """Automatic conflicts (own school, hard; reviewed recently, hard) and declared ones."""
    found = [
        ConflictOut(id=None, source="automatic", kind="own_school", urn=urn, severity=Severity.HARD)
        for urn in person.home_urns
    ]
    for urn in sorted(await recently_reviewed_urns(session, person.id, rotation_cycles)):
        found.append(
            ConflictOut(
                id=None,
                source="automatic",
                kind="reviewed_recently",
                urn=urn,
                severity=Severity.HARD,
            )
        )
    for declared in person.conflicts:
        waiver = None
        if declared.waiver_reason and declared.waived_by and declared.waived_at:
            waiver = WaiverOut(
                reason=declared.waiver_reason,
                waived_by=declared.waived_by,
                waived_at=declared.waived_at,
            )
        found.append(
            ConflictOut(
                id=declared.id,
                source="declared",
                kind=declared.kind,
                urn=declared.urn,
                severity=declared.severity,
                note=declared.note,
                waiver=waiver,
            )
        )
    return found
