"""Who may see an LA's calendar and set a school's own dates, as SQL conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_, true

from common.auth import Principal
from scheduling.directory.claims import urns_of
from scheduling.directory.school.models import School
from scheduling.directory.school.tenancy import school_visible


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
