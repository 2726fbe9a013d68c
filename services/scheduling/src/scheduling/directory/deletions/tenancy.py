"""Who may see a deletion: whoever sees the partnership, school or person the row belonged to
(a school sees that a person's role there ended even when the person is no longer its own)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from common.auth import Principal
from scheduling.directory.partnership.models import Partnership
from scheduling.directory.partnership.tenancy import partnership_visible
from scheduling.directory.person.models import Person
from scheduling.directory.person.tenancy import person_visible
from scheduling.directory.school.models import School
from scheduling.directory.school.tenancy import school_visible
from scheduling.directory.tombstone.models import Tombstone


def tombstone_visible(principal: Principal) -> ColumnElement[bool]:
    return or_(
        Tombstone.partnership_id.in_(select(Partnership.id).where(partnership_visible(principal))),
        Tombstone.urn.in_(select(School.urn).where(school_visible(principal))),
        Tombstone.person_id.in_(select(Person.id).where(person_visible(principal))),
    )
