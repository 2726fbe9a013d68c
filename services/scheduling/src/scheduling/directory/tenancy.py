"""Which directory rows a caller may see or change, as SQL conditions. (Planned reviews and
meetings have theirs in the planning wing.)

Decided here from the token's tenancy claims and our own tables, never from the request body.
A row the caller may not see is answered 404, as if it did not exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from common.auth import Principal
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.person.models import Person, PersonRole
from scheduling.directory.school.models import School
from scheduling.directory.trust.models import Trust


def urns_of(principal: Principal) -> list[int]:
    """The schools the token speaks for (its numeric ``schools`` claims)."""
    return [int(u) for u in principal.schools if u.isdigit()]


def partnership_ids_of(principal: Principal) -> list[uuid.UUID]:
    """The partnerships the token leads (its ``partnerships`` claims that are UUIDs)."""
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
    if urns := urns_of(principal):
        conditions.append(School.urn.in_(urns))
    if principal.la:
        conditions.append(School.la_code.in_(principal.la))
    if principal.trusts:
        conditions.append(School.trust_uid.in_(principal.trusts))
    if partnership_ids := partnership_ids_of(principal):
        members = select(Membership.urn).where(Membership.partnership_id.in_(partnership_ids))
        conditions.append(School.urn.in_(members))
    return or_(*conditions) if conditions else false()


def school_writable(principal: Principal, la_code: str, trust_uid: str | None, urn: int) -> bool:
    """Registering or replacing a school needs its LA, its trust, or the school itself."""
    return (
        la_code in principal.la
        or (trust_uid is not None and trust_uid in principal.trusts)
        or urn in urns_of(principal)
    )


def partnership_visible(principal: Principal) -> ColumnElement[bool]:
    """A partnership is visible to its own members' staff and trusts, its leads and its LA."""
    conditions = [partnership_manageable(principal)]
    member_school = or_(
        School.urn.in_(urns_of(principal)) if principal.schools else false(),
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
    if partnership_ids := partnership_ids_of(principal):
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


def school_staff_manageable(principal: Principal) -> ColumnElement[bool]:
    """Who may give people roles at a school: the school itself, its LA, and the leads of its
    partnerships."""
    conditions: list[ColumnElement[bool]] = []
    if urns := urns_of(principal):
        conditions.append(School.urn.in_(urns))
    if principal.la:
        conditions.append(School.la_code.in_(principal.la))
    if partnership_ids := partnership_ids_of(principal):
        members = select(Membership.urn).where(Membership.partnership_id.in_(partnership_ids))
        conditions.append(School.urn.in_(members))
    return or_(*conditions) if conditions else false()


def person_visible(principal: Principal) -> ColumnElement[bool]:
    """A person is visible to the tokens that see a school they have a role at (the school,
    its trust, its LA, its partnerships), to their partnerships' leads and LAs, and to
    themselves. Nobody sees another partnership's people."""
    visible_schools = select(School.urn).where(school_visible(principal))
    at_partnerships: list[ColumnElement[bool]] = []
    if partnership_ids := partnership_ids_of(principal):
        at_partnerships.append(PersonRole.partnership_id.in_(partnership_ids))
    if principal.la:
        in_las = select(Partnership.id).where(Partnership.la_code.in_(principal.la))
        at_partnerships.append(PersonRole.partnership_id.in_(in_las))
    roles = select(PersonRole.person_id).where(
        or_(PersonRole.urn.in_(visible_schools), *at_partnerships)
    )
    conditions: list[ColumnElement[bool]] = [Person.id.in_(roles)]
    if (person_id := person_id_of(principal)) is not None:
        conditions.append(Person.id == person_id)
    return or_(*conditions)


def person_id_of(principal: Principal) -> uuid.UUID | None:
    """The person the token is, if it names one."""
    if principal.person_id is None:
        return None
    try:
        return uuid.UUID(principal.person_id)
    except ValueError:
        return None


def person_manageable(principal: Principal) -> ColumnElement[bool]:
    """Changing a person is for their school, their partnerships' leads and their LA."""
    schools = select(School.urn).where(school_staff_manageable(principal))
    partnerships = select(Partnership.id).where(partnership_manageable(principal))
    roles = select(PersonRole.person_id).where(
        or_(PersonRole.urn.in_(schools), PersonRole.partnership_id.in_(partnerships))
    )
    return Person.id.in_(roles)


def la_visible(principal: Principal, la_code: str) -> ColumnElement[bool]:
    """An LA's calendar is visible to the LA and to every token that sees one of its schools."""
    if la_code in principal.la:
        return true()
    return exists().where(School.la_code == la_code, school_visible(principal))


def school_calendar_writable(principal: Principal) -> ColumnElement[bool]:
    """A school's own dates are set by the school itself or its trust (academies)."""
    conditions: list[ColumnElement[bool]] = []
    if urns := urns_of(principal):
        conditions.append(School.urn.in_(urns))
    if principal.trusts:
        conditions.append(School.trust_uid.in_(principal.trusts))
    return or_(*conditions) if conditions else false()


def cycle_visible(principal: Principal) -> ColumnElement[bool]:
    """A cycle is visible to whoever sees its partnership."""
    return Cycle.partnership_id.in_(select(Partnership.id).where(partnership_visible(principal)))


def cycle_manageable(principal: Principal) -> ColumnElement[bool]:
    """A cycle is managed by its partnership's lead and LA."""
    return Cycle.partnership_id.in_(select(Partnership.id).where(partnership_manageable(principal)))


def school_requests_own(principal: Principal) -> ColumnElement[bool]:
    """A school's request in a cycle is its own (and its trust's) to make and read."""
    conditions: list[ColumnElement[bool]] = []
    if urns := urns_of(principal):
        conditions.append(School.urn.in_(urns))
    if principal.trusts:
        conditions.append(School.trust_uid.in_(principal.trusts))
    return or_(*conditions) if conditions else false()
