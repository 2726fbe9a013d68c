"""Which planned reviews a caller may see or change, as SQL conditions, from the token's
tenancy claims (read as the directory reads them) and our own tables, never from the request
body. A row the caller may not see is answered 404, as if it did not exist."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select

from common.auth import Principal
from scheduling.directory.claims import partnership_ids_of, person_id_of, urns_of
from scheduling.directory.school.models import School
from scheduling.planning.kernel.models import PlannedReview, PlannedReviewPerson


def planned_review_visible(principal: Principal) -> ColumnElement[bool]:
    """A planned review is visible to its LA and its partnership's lead, to the reviewed
    school and its trust, and to the people on it (team or Improvement Champion)."""
    conditions: list[ColumnElement[bool]] = []
    if principal.la:
        conditions.append(PlannedReview.la_code.in_(principal.la))
    if partnership_ids := partnership_ids_of(principal):
        conditions.append(PlannedReview.partnership_id.in_(partnership_ids))
    if urns := urns_of(principal):
        conditions.append(PlannedReview.urn.in_(urns))
    if principal.trusts:
        in_trusts = select(School.urn).where(School.trust_uid.in_(principal.trusts))
        conditions.append(PlannedReview.urn.in_(in_trusts))
    if (person_id := person_id_of(principal)) is not None:
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
    if partnership_ids := partnership_ids_of(principal):
        conditions.append(PlannedReview.partnership_id.in_(partnership_ids))
    return or_(*conditions) if conditions else false()
