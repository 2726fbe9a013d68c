"""Who may see a trust, as an SQL condition."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from common.auth import Principal
from scheduling.directory.school.models import School
from scheduling.directory.trust.models import Trust


def trust_visible(principal: Principal) -> ColumnElement[bool]:
    """A trust is visible to its own tokens (``trusts``) and to the LAs it has schools in."""
    conditions: list[ColumnElement[bool]] = []
    if principal.trusts:
        conditions.append(Trust.uid.in_(principal.trusts))
    if principal.la:
        in_las = select(School.trust_uid).where(School.la_code.in_(principal.la))
        conditions.append(Trust.uid.in_(in_las))
    return or_(*conditions) if conditions else false()
