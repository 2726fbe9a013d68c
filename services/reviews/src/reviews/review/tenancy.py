"""Who may see a review, and in which roles a caller stands towards one.

Decided here from the token's claims, the review's team and the local read model of the
directory (the data-sharing terms in force for the review's school: the narrowest of the
partnership's current version and what the school consented to, :mod:`readmodel.terms`),
never from the request body. A review
the caller may not see is answered 404, as if it did not exist.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from contracts.directory import Visibility
from readmodel import terms
from reviews.directory.models import DirectoryAgreement, DirectorySchool, DirectorySchoolAgreement
from reviews.review.models import Review, ReviewTeamMember, Role, TeamRole

_TEAM = (TeamRole.LEAD_REVIEWER, TeamRole.REVIEWER, TeamRole.SHADOW)


def urns(principal: Principal) -> list[int]:
    return [int(u) for u in principal.schools if u.isdigit()]


def partnership_ids(principal: Principal) -> list[uuid.UUID]:
    ids = []
    for value in principal.partnerships:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    return ids


def person_id(principal: Principal) -> uuid.UUID | None:
    if principal.person_id is None:
        return None
    try:
        return uuid.UUID(principal.person_id)
    except ValueError:
        return None


def _named_for(field: str) -> ColumnElement[bool]:
    """The partnership's current version names the school to that audience, and so do the
    terms in force for the school itself (which widen only with its consent); a school whose
    terms are unknown is named to nobody beyond the partnership."""
    named = Visibility.NAMED.value
    proposed = Review.partnership_id.in_(
        select(DirectoryAgreement.partnership_id).where(getattr(DirectoryAgreement, field) == named)
    )
    consented = (
        select(DirectorySchoolAgreement.urn)
        .where(
            DirectorySchoolAgreement.partnership_id == Review.partnership_id,
            DirectorySchoolAgreement.urn == Review.urn,
            getattr(DirectorySchoolAgreement, field) == named,
        )
        .exists()
    )
    return and_(proposed, consented)


def review_visible(principal: Principal) -> ColumnElement[bool]:
    """The school itself, the team and the IC, the partnership lead; its LA and its trust only
    where the partnership's data-sharing agreement names the school to them."""
    conditions: list[ColumnElement[bool]] = []
    if own := urns(principal):
        conditions.append(Review.urn.in_(own))
    if (person := person_id(principal)) is not None:
        on_review = select(ReviewTeamMember.review_id).where(ReviewTeamMember.person_id == person)
        conditions.append(Review.id.in_(on_review))
    if leads := partnership_ids(principal):
        conditions.append(Review.partnership_id.in_(leads))
    if principal.la:
        conditions.append(
            and_(
                Review.la_code.in_(principal.la),
                _named_for("local_authority_visibility"),
            )
        )
    if principal.trusts:
        trust_schools = select(DirectorySchool.urn).where(
            DirectorySchool.trust_uid.in_(principal.trusts)
        )
        conditions.append(and_(Review.urn.in_(trust_schools), _named_for("trust_visibility")))
    return or_(*conditions) if conditions else false()


def roles(principal: Principal, review: Review) -> set[Role]:
    """The caller's roles towards ``review`` (its team must be loaded)."""
    found: set[Role] = set()
    person = person_id(principal)
    mine = {m.role for m in review.team if person is not None and m.person_id == person}
    if mine & set(_TEAM):
        found.add(Role.TEAM_MEMBER)
    if TeamRole.LEAD_REVIEWER in mine:
        found.add(Role.LEAD_REVIEWER)
    if TeamRole.IMPROVEMENT_CHAMPION in mine:
        found.add(Role.IMPROVEMENT_CHAMPION)
    if review.urn in urns(principal) and not mine:
        found.add(Role.SCHOOL)
    if review.partnership_id in partnership_ids(principal):
        found.add(Role.PARTNERSHIP_LEAD)
    return found


async def agreement(session: AsyncSession, review: Review) -> terms.Terms | None:
    """The data-sharing terms in force for the review's school, as the directory last said
    (None if the partnership's agreement is unknown)."""
    current = await session.get(DirectoryAgreement, review.partnership_id)
    own = await session.get(DirectorySchoolAgreement, (review.partnership_id, review.urn))
    return terms.for_school(current, own)


async def text_may_leave_school(session: AsyncSession, review: Review) -> bool:
    """Findings' and actions' words go beyond the school only to a partnership whose terms for
    the school name it; an unknown agreement shares nothing."""
    found = await agreement(session, review)
    return found is not None and found.partnership_visibility == Visibility.NAMED.value


async def reads_published_report(
    session: AsyncSession, principal: Principal, review: Review
) -> bool:
    """Beyond the school, the team and the IC: the partnership lead when the school's terms name
    it to the partnership, and the LA or trust when they name it to those (the only way they
    see the review at all)."""
    found = await agreement(session, review)
    if found is None:
        return False
    named = Visibility.NAMED.value
    if (
        review.partnership_id in partnership_ids(principal)
        and found.partnership_visibility == named
    ):
        return True
    if review.la_code in principal.la and found.local_authority_visibility == named:
        return True
    if principal.trusts and found.trust_visibility == named:
        school = await session.get(DirectorySchool, review.urn)
        return school is not None and school.trust_uid in principal.trusts
    return False
