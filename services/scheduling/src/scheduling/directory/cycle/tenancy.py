"""Who may see a cycle (whoever sees its partnership), manage it (its partnership's lead and
LA), and make a school's request in it (the school and its trust), as SQL conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from common.auth import Principal
from scheduling.directory.claims import urns_of
from scheduling.directory.cycle.models import Cycle
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.tenancy import partnership_manageable, partnership_visible
from scheduling.directory.school.models import School


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
