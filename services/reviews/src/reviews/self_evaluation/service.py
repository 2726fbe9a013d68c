"""Self-evaluation use cases: the school writes (and shares) it; the school and, once shared,
the team read it. Every change appends a row to the review's history in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.problems import ProblemError, not_found
from reviews.review import tenancy
from reviews.review.access import Part, diff, get_review, record
from reviews.review.models import MAIN_LINE, Review, Role
from reviews.self_evaluation.models import EDITING_STATE, SHARED_FROM, SelfEvaluation
from reviews.self_evaluation.repository import SelfEvaluationRepository
from reviews.self_evaluation.schemas import SelfEvaluationIn
from reviews.taxonomy.service import check_theme_codes

#: Who reads it once it is shared (the school always does).
_TEAM_READERS = frozenset({Role.TEAM_MEMBER, Role.IMPROVEMENT_CHAMPION})

PART = Part("self-evaluation")


def shared_with_team(review: Review, evaluation: SelfEvaluation) -> bool:
    reached = review.state in MAIN_LINE and MAIN_LINE.index(review.state) >= MAIN_LINE.index(
        SHARED_FROM
    )
    return evaluation.shared_at is not None or reached


async def get_self_evaluation(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> tuple[SelfEvaluation, bool]:
    """The SEF and whether the team reads it: 403 for those who see the review but are neither
    the school nor on the team; 404 until the school writes it (for the team: until shared)."""
    review = await get_review(session, principal, review_id)
    roles = tenancy.roles(principal, review)
    if not roles & (_TEAM_READERS | {Role.SCHOOL}):
        raise PART.forbidden(
            "The self-evaluation is read by the school and, once shared, its review team.",
            _TEAM_READERS | {Role.SCHOOL},
        )
    evaluation = await SelfEvaluationRepository(session).get(review_id)
    if evaluation is None:
        raise not_found(f"Review {review_id} has no self-evaluation yet.")
    shared = shared_with_team(review, evaluation)
    if Role.SCHOOL not in roles and not shared:
        raise not_found(f"The school has not shared its self-evaluation for {review_id} yet.")
    return evaluation, shared


def _snapshot(evaluation: SelfEvaluation | None) -> dict[str, Any]:
    if evaluation is None:
        return {}
    return {
        "data_summary": evaluation.data_summary,
        "strengths": evaluation.strengths,
        "weaknesses": evaluation.weaknesses,
        "shared_at": None if evaluation.shared_at is None else evaluation.shared_at.isoformat(),
    }


async def set_self_evaluation(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: SelfEvaluationIn,
    expected_version: int,
) -> tuple[SelfEvaluation, bool]:
    """Replace it whole: 403 unless the school, 409 outside self-review, 412 on a stale ETag
    (the review's before the first write, then the self-evaluation's), 422 for unknown theme
    codes or figures that do not add up (the schema checks those)."""
    review = await get_review(session, principal, review_id)
    if Role.SCHOOL not in tenancy.roles(principal, review):
        raise PART.forbidden(
            "Only the school writes its self-evaluation.", frozenset({Role.SCHOOL})
        )
    if review.state != EDITING_STATE:
        raise ProblemError(
            409,
            "Self-evaluation cannot change now",
            detail=f"The school writes its self-evaluation in {EDITING_STATE.value!r}, not "
            f"{review.state.value!r}.",
            type_="self-evaluation-not-editable",
            extensions={"state": review.state.value, "editing_state": EDITING_STATE.value},
        )
    repository = SelfEvaluationRepository(session)
    evaluation = await repository.get(review_id)
    check_version(review.version if evaluation is None else evaluation.version, expected_version)
    await check_theme_codes(
        session,
        {
            **{
                f"body.strengths.{i}.theme_codes": s.theme_codes
                for i, s in enumerate(request.strengths)
            },
            **{
                f"body.weaknesses.{i}.theme_codes": w.theme_codes
                for i, w in enumerate(request.weaknesses)
            },
        },
    )
    before = _snapshot(evaluation)
    if evaluation is None:
        evaluation = SelfEvaluation(review_id=review.id)
        repository.add(evaluation)
    evaluation.data_summary = request.data_summary.model_dump(mode="json", exclude_none=True)
    evaluation.strengths = [s.model_dump(mode="json") for s in request.strengths]
    evaluation.weaknesses = [w.model_dump(mode="json") for w in request.weaknesses]
    person = tenancy.person_id(principal)
    newly_shared = request.share and evaluation.shared_at is None
    if newly_shared:
        evaluation.shared_at, evaluation.shared_by = utcnow(), person
    after = _snapshot(evaluation)
    changes = diff(before, after)
    if changes:
        await session.flush()
        content = set(changes) - {"shared_at"}
        action = "self_evaluation_set" if content else "self_evaluation_shared"
        record(session, review, action, changes, subject=principal.subject, person=person)
        await session.commit()
    return evaluation, shared_with_team(review, evaluation)
