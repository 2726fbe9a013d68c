"""Finding use cases: the team writes findings (create, edit with If-Match, withdraw) from the
review day until the report is published; the team, the school and the IC read them. Every
change appends to the review's history in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import etag_for
from common.http.idempotency import IdempotencyStore, IdempotentRequest, StoredResponse
from common.http.pagination import PageParams, SyncParams, paginate_synced
from common.http.problems import ProblemError, not_found, validation_failed
from reviews.db import IdempotencyRecord
from reviews.evidence.models import EvidenceItem
from reviews.finding.models import WRITING_STATES, Finding, FindingEvidence
from reviews.finding.repository import FindingRepository
from reviews.finding.schemas import FindingIn, FindingOut, FindingPatch
from reviews.focus.repository import FocusRepository
from reviews.review import tenancy
from reviews.review.access import Part, diff, get_review, record
from reviews.review.models import Review, Role
from reviews.taxonomy.service import check_theme_codes

IDEMPOTENCY_KEYS = IdempotencyStore(IdempotencyRecord)
READERS = frozenset({Role.TEAM_MEMBER, Role.SCHOOL, Role.IMPROVEMENT_CHAMPION})

PART = Part("finding")


async def _writer(session: AsyncSession, principal: Principal, review_id: uuid.UUID) -> Review:
    review = await get_review(session, principal, review_id)
    if Role.TEAM_MEMBER not in tenancy.roles(principal, review):
        raise PART.forbidden("Only the review team writes findings.", [Role.TEAM_MEMBER])
    if review.state not in WRITING_STATES:
        raise ProblemError(
            409,
            "Findings cannot change now",
            detail=f"Findings are written while the review is in "
            f"{', '.join(s.value for s in WRITING_STATES)}, not {review.state.value!r}.",
            type_="findings-not-editable",
            extensions={
                "state": review.state.value,
                "writing_states": [s.value for s in WRITING_STATES],
            },
        )
    return review


def check_readable(principal: Principal, review: Review) -> None:
    """403 unless the caller reads this review's findings (the review is already visible)."""
    if not tenancy.roles(principal, review) & READERS:
        raise PART.forbidden(
            "Findings are read by the team, the school and the IC; others read the published "
            "report as the data-sharing agreement allows.",
            READERS,
        )


async def readable_review(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> Review:
    review = await get_review(session, principal, review_id)
    check_readable(principal, review)
    return review


async def _check_links(
    session: AsyncSession,
    review: Review,
    evidence_ids: Sequence[uuid.UUID] | None,
    question_id: uuid.UUID | None,
    theme_codes: Sequence[str] | None,
) -> None:
    errors: list[dict[str, str]] = []
    if evidence_ids:
        found = await FindingRepository(session).evidence(evidence_ids)
        errors += [
            {"field": f"body.evidence_ids.{i}", "message": "Not an evidence item of this review"}
            for i, item_id in enumerate(evidence_ids)
            if item_id not in found or found[item_id].review_id != review.id
        ]
    if question_id is not None:
        focus = await FocusRepository(session).get(review.id)
        if focus is None or question_id not in focus.question_ids():
            errors.append(
                {"field": "body.question_id", "message": "Not an enquiry question of this review"}
            )
    if errors:
        raise validation_failed(errors, "A finding rests on this review's evidence and questions.")
    if theme_codes is not None:
        await check_theme_codes(session, {"body.theme_codes": theme_codes})


async def present(
    session: AsyncSession,
    review: Review,
    findings: Sequence[Finding],
    known: Mapping[uuid.UUID, EvidenceItem] | None = None,
) -> list[FindingOut]:
    """The findings with their evidence counts, kinds and triangulation. ``known``: evidence
    items already loaded (the review's evidence page), so only the others are fetched."""
    evidence: dict[uuid.UUID, EvidenceItem] = dict(known or {})
    missing = [i for f in findings for i in f.evidence_ids if i not in evidence]
    evidence.update(await FindingRepository(session).evidence(missing))
    return [FindingOut.of(f, evidence, review.triangulation_min_kinds) for f in findings]


def _snapshot(finding: Finding) -> dict[str, Any]:
    return {
        "kind": finding.kind.value,
        "text": finding.text,
        "theme_codes": list(finding.theme_codes),
        "evidence_ids": [str(i) for i in finding.evidence_ids],
        "question_id": None if finding.question_id is None else str(finding.question_id),
    }


async def create_finding(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: FindingIn,
    idempotency: IdempotentRequest | None,
) -> StoredResponse:
    """403 unless on the team, 409 outside the writing states, 422 for evidence or a question
    of another review or an unknown theme code. A retry with the same Idempotency-Key replays."""
    review = await _writer(session, principal, review_id)
    await _check_links(
        session, review, request.evidence_ids, request.question_id, request.theme_codes
    )
    person = tenancy.person_id(principal)
    assert person is not None  # a team member is a person

    async def create() -> StoredResponse:
        finding = Finding(
            review_id=review.id,
            kind=request.kind,
            text=request.text,
            theme_codes=list(request.theme_codes),
            question_id=request.question_id,
            author_person_id=person,
            links=[FindingEvidence(evidence_id=i) for i in request.evidence_ids],
        )
        FindingRepository(session).add(finding)
        await session.flush()
        changes = diff({}, _snapshot(finding), prefix=f"finding.{finding.id}.")
        record(
            session, review, "finding_created", changes, subject=principal.subject, person=person
        )
        [out] = await present(session, review, [finding])
        headers = {
            "Location": f"/v1/reviews/{review.id}/findings/{finding.id}",
            "ETag": etag_for(finding.version),
        }
        return StoredResponse.json(201, out, headers=headers)

    return await IDEMPOTENCY_KEYS.run(session, idempotency, create)


async def list_findings(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    params: PageParams,
    sync: SyncParams,
) -> tuple[list[FindingOut], str | None]:
    review = await readable_review(session, principal, review_id)
    return await page_of(session, review, params, sync=sync)


async def page_of(
    session: AsyncSession,
    review: Review,
    params: PageParams,
    known: Mapping[uuid.UUID, EvidenceItem] | None = None,
    *,
    sync: SyncParams | None = None,
) -> tuple[list[FindingOut], str | None]:
    """One page of a readable review's findings, oldest first; after ``sync``'s boundary,
    oldest change first (``known``: see :func:`present`)."""
    statement = FindingRepository(session).of(review.id)
    rows, cursor = await paginate_synced(
        session,
        statement,
        sync=sync or SyncParams(),
        updated_at=Finding.updated_at,
        id_=Finding.id,
        order_by=(Finding.created_at, Finding.id),
        params=params,
    )
    return await present(session, review, rows, known), cursor


async def get_finding(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, finding_id: uuid.UUID
) -> FindingOut:
    review = await readable_review(session, principal, review_id)
    finding = await FindingRepository(session).get(review_id, finding_id)
    if finding is None:
        raise not_found(f"No finding {finding_id} in review {review_id}.")
    [out] = await present(session, review, [finding])
    return out


async def _stale(
    session: AsyncSession, review_id: uuid.UUID, min_kinds: int, finding_id: uuid.UUID
) -> ProblemError:
    """412 carrying the current finding, so the loser keeps their edit and merges it."""
    finding = await FindingRepository(session).get(review_id, finding_id)
    if finding is None:
        return not_found(f"No finding {finding_id} in review {review_id}.")
    evidence = await FindingRepository(session).evidence(finding.evidence_ids)
    current = FindingOut.of(finding, evidence, min_kinds)
    return ProblemError(
        412,
        "Precondition Failed",
        detail="Someone else changed this finding first; `current` is their version. Merge "
        "your change into it and retry with its ETag.",
        extensions={
            "current": current.model_dump(mode="json"),
            "current_etag": etag_for(finding.version),
        },
    )


async def _current(
    session: AsyncSession, review: Review, finding_id: uuid.UUID, expected_version: int
) -> Finding:
    """The finding at ``expected_version``: 404 if absent, 412 (with the current finding) if
    someone else changed it first."""
    finding = await FindingRepository(session).get(review.id, finding_id)
    if finding is None:
        raise not_found(f"No finding {finding_id} in review {review.id}.")
    if finding.version != expected_version:
        raise await _stale(session, review.id, review.triangulation_min_kinds, finding_id)
    return finding


async def edit_finding(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    finding_id: uuid.UUID,
    patch: FindingPatch,
    expected_version: int,
) -> FindingOut:
    """Any team member, with If-Match (412 with the current finding on a stale one)."""
    review = await _writer(session, principal, review_id)
    finding = await _current(session, review, finding_id, expected_version)
    fields = patch.model_fields_set
    await _check_links(
        session,
        review,
        patch.evidence_ids if "evidence_ids" in fields else None,
        patch.question_id if "question_id" in fields else None,
        patch.theme_codes if "theme_codes" in fields else None,
    )
    before = _snapshot(finding)
    if patch.kind is not None:
        finding.kind = patch.kind
    if patch.text is not None:
        finding.text = patch.text
    if patch.theme_codes is not None:
        finding.theme_codes = list(patch.theme_codes)
    if "question_id" in fields:
        finding.question_id = patch.question_id
    if patch.evidence_ids is not None and patch.evidence_ids != finding.evidence_ids:
        wanted = list(patch.evidence_ids)
        finding.links = [link for link in finding.links if link.evidence_id in wanted]
        held = set(finding.evidence_ids)
        finding.links += [FindingEvidence(evidence_id=i) for i in wanted if i not in held]
    changes = diff(before, _snapshot(finding), prefix=f"finding.{finding.id}.")
    if changes:
        finding.updated_at = utcnow()  # an UPDATE of the row, so its version moves with links
        min_kinds = review.triangulation_min_kinds
        try:
            await session.flush()
        except StaleDataError:
            # Lost the race between our If-Match check and the UPDATE (PostgreSQL): the same
            # 412, with the winner's version.
            await session.rollback()
            raise await _stale(session, review_id, min_kinds, finding_id) from None
        person = tenancy.person_id(principal)
        record(session, review, "finding_edited", changes, subject=principal.subject, person=person)
        await session.commit()
    [out] = await present(session, review, [finding])
    return out


async def delete_finding(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    finding_id: uuid.UUID,
    expected_version: int,
) -> None:
    """Withdraw a finding before the report is published (If-Match)."""
    review = await _writer(session, principal, review_id)
    finding = await _current(session, review, finding_id, expected_version)
    changes = diff(_snapshot(finding), {}, prefix=f"finding.{finding.id}.")
    await FindingRepository(session).delete(finding)
    await session.flush()
    person = tenancy.person_id(principal)
    record(session, review, "finding_withdrawn", changes, subject=principal.subject, person=person)
    await session.commit()
