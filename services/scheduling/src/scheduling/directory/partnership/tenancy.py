"""Who may see a partnership (its members' staff and trusts, its lead, its LA), change it,
and set one up, as SQL conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from common.auth import Principal
from scheduling.directory.claims import partnership_ids_of, urns_of
from scheduling.directory.membership.models import Membership
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.school.models import School


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


def agreement_proposable(principal: Principal) -> ColumnElement[bool]:
    """A new version of the data-sharing agreement may be proposed by the partnership's lead,
    its LA and the trusts of its member schools. A proposal widens nobody's access: each
    school's consent does (``consent.py``)."""
    conditions = [partnership_manageable(principal)]
    if principal.trusts:
        conditions.append(
            Partnership.id.in_(
                select(Membership.partnership_id)
                .join(School, School.urn == Membership.urn)
                .where(School.trust_uid.in_(principal.trusts))
            )
        )
    return or_(*conditions)


def may_create_partnership(principal: Principal, la_code: str) -> bool:
    """Partnerships are set up by the council of their LA."""
    return la_code in principal.la
