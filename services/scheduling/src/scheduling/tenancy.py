"""Which directory rows a caller may see or change, as SQL conditions.

Decided here from the token's tenancy claims and our own tables, never from the request body.
A row the caller may not see is answered 404, as if it did not exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, exists, false, or_, select, true

from common.auth import Principal
from scheduling.cycle.models import Cycle
from scheduling.meeting.models import Meeting
from scheduling.partnership.models import Membership, Partnership
from scheduling.person.models import Person, PersonRole
from scheduling.planned_review.models import PlannedReview, PlannedReviewPerson
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


def school_staff_manageable(principal: Principal) -> ColumnElement[bool]:
    """Who may give people roles at a school: the school itself, its LA, and the leads of its
    partnerships."""
    conditions: list[ColumnElement[bool]] = []
    if urns := _urns(principal):
        conditions.append(School.urn.in_(urns))
    if principal.la:
        conditions.append(School.la_code.in_(principal.la))
    if partnership_ids := _partnership_ids(principal):
        members = select(Membership.urn).where(Membership.partnership_id.in_(partnership_ids))
        conditions.append(School.urn.in_(members))
    return or_(*conditions) if conditions else false()


def person_visible(principal: Principal) -> ColumnElement[bool]:
    """A person is visible to the tokens that see a school they have a role at (the school,
    its trust, its LA, its partnerships), to their partnerships' leads and LAs, and to
    themselves. Nobody sees another partnership's people."""
    visible_schools = select(School.urn).where(school_visible(principal))
    at_partnerships: list[ColumnElement[bool]] = []
    if partnership_ids := _partnership_ids(principal):
        at_partnerships.append(PersonRole.partnership_id.in_(partnership_ids))
    if principal.la:
        in_las = select(Partnership.id).where(Partnership.la_code.in_(principal.la))
        at_partnerships.append(PersonRole.partnership_id.in_(in_las))
    roles = select(PersonRole.person_id).where(
        or_(PersonRole.urn.in_(visible_schools), *at_partnerships)
    )
    conditions: list[ColumnElement[bool]] = [Person.id.in_(roles)]
    if (person_id := _person_id(principal)) is not None:
        conditions.append(Person.id == person_id)
    return or_(*conditions)


def _person_id(principal: Principal) -> uuid.UUID | None:
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
    if urns := _urns(principal):
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
    if urns := _urns(principal):
        conditions.append(School.urn.in_(urns))
    if principal.trusts:
        conditions.append(School.trust_uid.in_(principal.trusts))
    return or_(*conditions) if conditions else false()


def planned_review_visible(principal: Principal) -> ColumnElement[bool]:
    """A planned review is visible to its LA and its partnership's lead, to the reviewed
    school and its trust, and to the people on it (team or Improvement Champion)."""
    conditions: list[ColumnElement[bool]] = []
    if principal.la:
        conditions.append(PlannedReview.la_code.in_(principal.la))
    if partnership_ids := _partnership_ids(principal):
        conditions.append(PlannedReview.partnership_id.in_(partnership_ids))
    if urns := _urns(principal):
        conditions.append(PlannedReview.urn.in_(urns))
    if principal.trusts:
        in_trusts = select(School.urn).where(School.trust_uid.in_(principal.trusts))
        conditions.append(PlannedReview.urn.in_(in_trusts))
    if (person_id := _person_id(principal)) is not None:
        on_it = select(PlannedReviewPerson.review_id).where(
            PlannedReviewPerson.person_id == person_id
        )
        conditions.append(PlannedReview.id.in_(on_it))
    return or_(*conditions) if conditions else false()


def planned_review_manageable(principal: Principal) -> ColumnElement[bool]:
    """Changing or cancelling a planned review is for its partnership's lead and its LA."""
    conditions: list[ColumnElement[bool]] = []
    if principal.la:
        conditions.append(PlannedReview.la_code.in_(principal.la))
    if partnership_ids := _partnership_ids(principal):
        conditions.append(PlannedReview.partnership_id.in_(partnership_ids))
    return or_(*conditions) if conditions else false()


def meeting_visible(principal: Principal) -> ColumnElement[bool]:
    """A cycle's meetings are seen by whoever sees the cycle (its members too)."""
    return Meeting.cycle_id.in_(select(Cycle.id).where(cycle_visible(principal)))


def meeting_manageable(principal: Principal) -> ColumnElement[bool]:
    return Meeting.cycle_id.in_(select(Cycle.id).where(cycle_manageable(principal)))
