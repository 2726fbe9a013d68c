"""Evidence use cases: record a batch (idempotent by client id), list, edit one item.

Recorded and edited by team members while the review is in review_day or feedback; read by the
team, the school and the partnership lead. Every change appends to the review's history.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.http.etag import check_version
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, not_found, validation_failed
from contracts.reviews import EvidenceKind
from reviews.evidence.models import CONTENT_FIELDS, RECORDING_STATES, EvidenceItem
from reviews.evidence.repository import EvidenceRepository
from reviews.evidence.schemas import (
    BatchItemResult,
    EvidenceBatchIn,
    EvidenceBatchOut,
    EvidenceOut,
    EvidencePatch,
    Outcome,
)
from reviews.focus.repository import FocusRepository
from reviews.review import tenancy
from reviews.review.access import Part, get_review, record
from reviews.review.models import Review, Role

_READERS = frozenset({Role.TEAM_MEMBER, Role.SCHOOL, Role.PARTNERSHIP_LEAD})

PART = Part("evidence")


def _recorder(principal: Principal, review: Review) -> uuid.UUID:
    person = tenancy.person_id(principal)
    if Role.TEAM_MEMBER not in tenancy.roles(principal, review) or person is None:
        raise PART.forbidden(
            "Only a member of the review team records evidence.", [Role.TEAM_MEMBER]
        )
    if review.state not in RECORDING_STATES:
        raise ProblemError(
            409,
            "Evidence cannot be recorded now",
            detail=f"Evidence is recorded while the review is in "
            f"{' or '.join(s.value for s in RECORDING_STATES)}, not {review.state.value!r}.",
            type_="evidence-not-recordable",
            extensions={
                "state": review.state.value,
                "recording_states": [s.value for s in RECORDING_STATES],
            },
        )
    return person


async def _question_ids(session: AsyncSession, review_id: uuid.UUID) -> set[uuid.UUID]:
    """A hook for the focus: the enquiry question ids evidence may link to."""
    focus = await FocusRepository(session).get(review_id)
    return set() if focus is None else focus.question_ids()


def _content(item: Any) -> dict[str, str]:
    return {field: str(getattr(item, field)) for field in CONTENT_FIELDS}


async def record_batch(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, batch: EvidenceBatchIn
) -> EvidenceBatchOut:
    """Record what is new; report a resent item ``unchanged`` and a changed one ``conflict``
    (never overwritten). 404 if the review is not visible, 403 if not on the team, 409 outside
    review_day and feedback, 422 (nothing recorded) if an item names no question of the focus."""
    review = await get_review(session, principal, review_id)
    person = _recorder(principal, review)
    questions = await _question_ids(session, review_id)
    unknown = [
        {
            "field": f"body.items.{i}.question_id",
            "message": "Not an enquiry question of this review",
        }
        for i, item in enumerate(batch.items)
        if item.question_id not in questions
    ]
    if unknown:
        raise validation_failed(unknown, "Evidence must answer an enquiry question of the review.")
    repository = EvidenceRepository(session)
    stored = await repository.by_ids(item.id for item in batch.items)
    results: list[BatchItemResult] = []
    created: list[EvidenceItem] = []
    for incoming in batch.items:
        existing = stored.get(incoming.id)
        if existing is None:
            item = EvidenceItem(
                id=incoming.id,
                review_id=review.id,
                question_id=incoming.question_id,
                kind=incoming.kind,
                note=incoming.note,
                author_person_id=person,
            )
            repository.add(item)
            created.append(item)
            results.append(BatchItemResult(id=incoming.id, outcome=Outcome.CREATED, stored=None))
        elif existing.review_id != review.id:
            results.append(
                BatchItemResult(
                    id=incoming.id,
                    outcome=Outcome.CONFLICT,
                    stored=None,
                    detail="This id is already used by another item; generate a new one.",
                )
            )
        elif _content(existing) == _content(incoming):
            results.append(
                BatchItemResult(
                    id=incoming.id, outcome=Outcome.UNCHANGED, stored=EvidenceOut.of(existing)
                )
            )
        else:
            results.append(
                BatchItemResult(
                    id=incoming.id,
                    outcome=Outcome.CONFLICT,
                    stored=EvidenceOut.of(existing),
                    detail="Recorded earlier with different content; kept as stored. Edit it "
                    "with PATCH and If-Match if the change is meant.",
                )
            )
    if created:
        await session.flush()
        by_id = {item.id: item for item in created}
        results = [
            r.model_copy(update={"stored": EvidenceOut.of(by_id[r.id])})
            if r.outcome == Outcome.CREATED
            else r
            for r in results
        ]
        record(
            session,
            review,
            "evidence_recorded",
            {"evidence": {"from": None, "to": [str(item.id) for item in created]}},
            subject=principal.subject,
            person=person,
        )
        await session.commit()
    return EvidenceBatchOut(
        results=results,
        created=len(created),
        unchanged=sum(r.outcome == Outcome.UNCHANGED for r in results),
        conflicts=sum(r.outcome == Outcome.CONFLICT for r in results),
    )


def check_readable(principal: Principal, review: Review) -> None:
    """403 unless the caller reads this review's evidence (the review is already visible)."""
    if not tenancy.roles(principal, review) & _READERS:
        raise PART.forbidden(
            "Evidence is read by the team, the school and the partnership lead.", _READERS
        )


async def _readable(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> Review:
    review = await get_review(session, principal, review_id)
    check_readable(principal, review)
    return review


async def list_evidence(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    params: PageParams,
    *,
    question_id: uuid.UUID | None,
    kind: EvidenceKind | None,
    sync: SyncParams,
) -> tuple[Sequence[EvidenceItem], str | None]:
    await _readable(session, principal, review_id)
    return await page_of(session, review_id, params, question_id=question_id, kind=kind, sync=sync)


async def page_of(
    session: AsyncSession,
    review_id: uuid.UUID,
    params: PageParams,
    *,
    question_id: uuid.UUID | None = None,
    kind: EvidenceKind | None = None,
    sync: SyncParams | None = None,
) -> tuple[Sequence[EvidenceItem], str | None]:
    """One page of a readable review's evidence, oldest change first (after ``sync``'s
    boundary, when it has one)."""
    statement = EvidenceRepository(session).of(review_id, question_id=question_id, kind=kind)
    return await paginate_synced(
        session,
        statement,
        sync=sync or SyncParams(),
        updated_at=EvidenceItem.updated_at,
        id_=EvidenceItem.id,
        params=params,
    )


async def edit_item(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    item_id: uuid.UUID,
    patch: EvidencePatch,
    expected_version: int,
) -> EvidenceItem:
    """Its author only (403), in review_day or feedback (409), with If-Match (412)."""
    review = await get_review(session, principal, review_id)
    item = await EvidenceRepository(session).get(review_id, item_id)
    if item is None:
        raise not_found(f"No evidence item {item_id} in review {review_id}.")
    person = _recorder(principal, review)
    if item.author_person_id != person:
        raise PART.forbidden("Only the item's author edits it.", [Role.TEAM_MEMBER])
    check_version(item.version, expected_version)
    if patch.question_id is not None and patch.question_id not in await _question_ids(
        session, review_id
    ):
        raise validation_failed(
            [{"field": "body.question_id", "message": "Not an enquiry question of this review"}]
        )
    before = _content(item)
    for field in CONTENT_FIELDS:
        value = getattr(patch, field)
        if value is not None and getattr(item, field) != value:
            setattr(item, field, value)
    await session.flush()
    after = _content(item)
    changes = {
        f"evidence.{item.id}.{key}": {"from": before[key], "to": after[key]}
        for key in CONTENT_FIELDS
        if before[key] != after[key]
    }
    if changes:
        record(
            session, review, "evidence_edited", changes, subject=principal.subject, person=person
        )
    await session.commit()
    return item
