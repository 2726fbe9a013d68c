"""Who may see a person (whoever sees a school or partnership they have a role at, and
themselves) and change them (their school, their partnerships' leads, their LA), as SQL
conditions."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from common.auth import Principal
from scheduling.directory.claims import partnership_ids_of, person_id_of
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.tenancy import partnership_manageable
from scheduling.directory.person.models import Person, PersonRole
from scheduling.directory.school.models import School
from scheduling.directory.school.tenancy import school_staff_manageable, school_visible


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


def person_manageable(principal: Principal) -> ColumnElement[bool]:
    """Changing a person is for their school, their partnerships' leads and their LA."""
    schools = select(School.urn).where(school_staff_manageable(principal))
    partnerships = select(Partnership.id).where(partnership_manageable(principal))
    roles = select(PersonRole.person_id).where(
        or_(PersonRole.urn.in_(schools), PersonRole.partnership_id.in_(partnerships))
    )
    return Person.id.in_(roles)
