"""Where a review is counted, and what of it is kept, follow the terms in force for its school
and the directory.

:data:`directory` is this service's directory read model (:mod:`readmodel.directory`): when it
applies a new version of an agreement, a school's own terms (its consent or withdrawal) or a
school that changed trust, in the same transaction, a review is counted in its trust's rollups
only while the terms for its school give the trust at least ``aggregated`` (and in its LA's and
the national ones likewise for the LA); when they stop naming the school within the
partnership, the words of its findings and actions are deleted, not hidden. A withdrawal thus
takes the school's reviews already ingested out of the wider rollups at once.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.directory import AgreementPayload, SchoolAgreementPayload, SchoolPayload
from knowledge.cells import ALL_FAMILIES
from knowledge.intake.directory.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    DirectorySchoolAgreement,
)
from knowledge.intake.directory.repository import DirectoryRepository, names, shares
from knowledge.intake.review import rollups
from knowledge.intake.review.models import IngestedReview
from knowledge.intake.rollup.repository import RollupRepository
from knowledge.intake.search.repository import SearchRepository
from readmodel.directory import DirectoryProjection
from readmodel.terms import Terms


def desired_counting(review: IngestedReview, agreement: Terms | None) -> tuple[str | None, bool]:
    """(the trust scope, whether the LA and national scopes) the review belongs in now, by the
    terms in force for its school."""
    if agreement is None:
        return None, False
    trust = review.trust_uid if shares(agreement.trust_visibility) else None
    return trust, shares(agreement.local_authority_visibility)


async def _recount(session: AsyncSession, review: IngestedReview, agreement: Terms | None) -> bool:
    trust, la = desired_counting(review, agreement)
    return await rollups.move(
        session, review, counted_trust=trust, counted_la=la, families=ALL_FAMILIES
    )


async def reconcile_partnership(
    session: AsyncSession, partnership_id: uuid.UUID, urn: int | None = None
) -> None:
    """The partnership's agreement (or, with ``urn``, one school's terms) changed: recount the
    reviews concerned by their schools' terms; drop the words those no longer allow."""
    directory = DirectoryRepository(session)
    statement = select(IngestedReview).where(IngestedReview.partnership_id == partnership_id)
    if urn is not None:
        statement = statement.where(IngestedReview.urn == urn)
    reviews = (await session.scalars(statement)).all()
    silenced: list[IngestedReview] = []
    for review in reviews:
        school = await directory.school_terms(partnership_id, review.urn)
        await _recount(session, review, school)
        if school is None or not names(school.partnership_visibility):
            silenced.append(review)
    if silenced:
        search = SearchRepository(session)
        for review in silenced:
            await search.forget_review(review.review_id)
            review.text_shared = False
    # Thresholds and visibilities decide what is shown: every cached decision is stale.
    await RollupRepository(session).bump_all()


async def reconcile_school(session: AsyncSession, urn: int, trust_uid: str | None) -> None:
    """A school's trust changed (an academy joined or left a trust): its reviews follow it."""
    reviews = (await session.scalars(select(IngestedReview).where(IngestedReview.urn == urn))).all()
    changed = [review for review in reviews if review.trust_uid != trust_uid]
    if not changed:
        return
    directory = DirectoryRepository(session)
    for review in changed:
        review.trust_uid = trust_uid
        await _recount(session, review, await directory.school_terms(review.partnership_id, urn))


class _Directory(DirectoryProjection):
    """The shared directory projection, followed by the reviews it moves."""

    async def apply_school(self, session: AsyncSession, school: SchoolPayload) -> bool:
        before = await session.get(DirectorySchool, school.urn)
        trust_before = before.trust_uid if before is not None else None
        applied = await super().apply_school(session, school)
        if applied and trust_before != school.trust_uid:
            await reconcile_school(session, school.urn, school.trust_uid)
        return applied

    async def apply_agreement(self, session: AsyncSession, agreement: AgreementPayload) -> bool:
        applied = await super().apply_agreement(session, agreement)
        if applied:
            await session.flush()
            await reconcile_partnership(session, agreement.partnership_id)
        return applied

    async def apply_school_agreement(
        self, session: AsyncSession, terms: SchoolAgreementPayload
    ) -> bool:
        applied = await super().apply_school_agreement(session, terms)
        if applied:
            await session.flush()
            await reconcile_partnership(session, terms.partnership_id, terms.urn)
        return applied


directory = _Directory(
    school=DirectorySchool,
    partnership=DirectoryPartnership,
    membership=DirectoryMembership,
    agreement=DirectoryAgreement,
    school_agreement=DirectorySchoolAgreement,
)
