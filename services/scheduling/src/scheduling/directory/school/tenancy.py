"""Who may see a school (its staff, LA, trust and partnerships), register it, and staff it,
as SQL conditions over our own tables."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from common.auth import Principal
from scheduling.directory.claims import partnership_ids_of, urns_of
from scheduling.directory.membership.models import Membership
from scheduling.directory.school.models import School


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
