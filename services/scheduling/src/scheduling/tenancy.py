"""Which directory rows a caller may see or change, as SQL conditions.

Decided here from the token's tenancy claims and our own tables, never from the request body.
A row the caller may not see is answered 404, as if it did not exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, select

from common.auth import Principal
from scheduling.partnership.models import Membership, Partnership
from scheduling.school.models import School
from scheduling.trust.models import Trust


def _urns(principal: Principal) -> list[int]:
    return [int(u) for u in principal.schools if u.isdigit()]


def _partnership_ids(principal: Principal) -> list[uuid.UUID]:
    ids = []
    for value in principal.partnerships:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def school_visible(principal: Principal) -> ColumnElement[bool]:
    """A school is visible to its own staff, its LA, its trust and its partnerships."""
    conditions: list[ColumnElement[bool]] = []
    if urns := _urns(principal):
        conditions.append(School.urn.in_(urns))
    if principal.la:
        conditions.append(School.la_code.in_(principal.la))
    if principal.trusts:
        conditions.append(School.trust_uid.in_(principal.trusts))
    if partnership_ids := _partnership_ids(principal):
        members = select(Membership.urn).where(Membership.partnership_id.in_(partnership_ids))
        conditions.append(School.urn.in_(members))
    return or_(*conditions) if conditions else false()


def school_writable(principal: Principal, la_code: str, trust_uid: str | None, urn: int) -> bool:
    """Registering or replacing a school needs its LA, its trust, or the school itself."""
    return (
        la_code in principal.la
        or (trust_uid is not None and trust_uid in principal.trusts)
        or urn in _urns(principal)
    )


def partnership_visible(principal: Principal) -> ColumnElement[bool]:
    """A partnership is visible to its own members' staff and trusts, its leads and its LA."""
    conditions = [partnership_manageable(principal)]
    member_school = or_(
        School.urn.in_(_urns(principal)) if principal.schools else false(),
        School.trust_uid.in_(principal.trusts) if principal.trusts else false(),
    )
    conditions.append(
        Partnership.id.in_(
            select(Membership.partnership_id)
            .join(School, School.urn == Membership.urn)
            .where(member_school)
        )
    )
    return or_(*conditions)


def partnership_manageable(principal: Principal) -> ColumnElement[bool]:
    """Changing a partnership (name, members, agreement) is for its lead and its LA."""
    conditions: list[ColumnElement[bool]] = []
    if partnership_ids := _partnership_ids(principal):
        conditions.append(Partnership.id.in_(partnership_ids))
    if principal.la:
        conditions.append(Partnership.la_code.in_(principal.la))
    return or_(*conditions) if conditions else false()


def may_create_partnership(principal: Principal, la_code: str) -> bool:
    """Partnerships are set up by the council of their LA."""
    return la_code in principal.la


def trust_visible(principal: Principal) -> ColumnElement[bool]:
    """A trust is visible to its own tokens (``trusts``) and to the LAs it has schools in."""
    conditions: list[ColumnElement[bool]] = []
    if principal.trusts:
        conditions.append(Trust.uid.in_(principal.trusts))
    if principal.la:
        in_las = select(School.trust_uid).where(School.la_code.in_(principal.la))
        conditions.append(Trust.uid.in_(in_las))
    return or_(*conditions) if conditions else false()
