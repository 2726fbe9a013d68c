"""Focus use cases: set the focus and its questions, mark them agreed, challenge them, read.

Every change appends a row to the review's history in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.pagination import AfterParams, PageParams, paginate_after
from common.http.problems import ProblemError, not_found, validation_failed
from reviews.focus.models import (
    AGREEMENT_STATE,
    EDITABLE_STATES,
    FocusChallenge,
    ReviewFocus,
)
from reviews.focus.repository import FocusRepository
from reviews.focus.schemas import ChallengeIn, FocusIn
from reviews.review import tenancy
from reviews.review.access import diff, get_review, record
from reviews.review.models import Review, Role
from reviews.taxonomy.service import check_theme_codes

_SETTERS = frozenset({Role.SCHOOL, Role.LEAD_REVIEWER})


def _editable(review: Review, what: str) -> None:
    if review.state not in EDITABLE_STATES:
        raise ProblemError(
            409,
            "Focus cannot change now",
            detail=f"The {what} can change only while the review is in "
            f"{' or '.join(s.value for s in EDITABLE_STATES)}, not {review.state.value!r}.",
            type_="focus-not-editable",
            extensions={
                "state": review.state.value,
                "editable_states": [s.value for s in EDITABLE_STATES],
            },
        )


async def get_focus(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> ReviewFocus:
    await get_review(session, principal, review_id)
    focus = await FocusRepository(session).get(review_id)
    if focus is None:
        raise not_found(f"Review {review_id} has no focus yet.")
    return focus


def _snapshot(focus: ReviewFocus | None) -> dict[str, Any]:
    if focus is None:
        return {}
    return {
        "focus_text": focus.text,
        "theme_codes": list(focus.theme_codes),
        "questions": [dict(q) for q in focus.questions],
        "agreed_at": None if focus.agreed_at is None else focus.agreed_at.isoformat(),
        "agreed_by": None if focus.agreed_by is None else str(focus.agreed_by),
    }


def _questions(focus: ReviewFocus | None, request: FocusIn) -> list[dict[str, str]]:
    existing = set() if focus is None else focus.question_ids()
    unknown = [
        {"field": f"body.questions.{i}.id", "message": "Not a question of this focus"}
        for i, q in enumerate(request.questions)
        if q.id is not None and q.id not in existing
    ]
    if unknown:
        raise validation_failed(unknown, "Unknown enquiry question ids.")
    return [{"id": str(q.id or uuid.uuid4()), "text": q.text} for q in request.questions]


async def set_focus(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: FocusIn,
    expected_version: int,
) -> ReviewFocus:
    """Set the whole focus: 404 if the caller cannot see the review, 403 unless the school or
    the lead reviewer (and only the lead agrees), 409 outside self-review and pre-review, 412 on
    a stale ETag (the review's before the first focus, then the focus's own)."""
    review = await get_review(session, principal, review_id)
    roles = tenancy.roles(principal, review)
    if not roles & _SETTERS:
        raise ProblemError(
            403,
            "Not yours to set",
            detail="Only the school or the lead reviewer may set the focus.",
            type_="focus-not-allowed-for-role",
            extensions={"required_roles": sorted(r.value for r in _SETTERS)},
        )
    _editable(review, "focus")
    repository = FocusRepository(session)
    focus = await repository.get(review_id)
    check_version(review.version if focus is None else focus.version, expected_version)
    if request.agreed:
        if Role.LEAD_REVIEWER not in roles:
            raise ProblemError(
                403,
                "Not yours to agree",
                detail="Only the lead reviewer marks the focus agreed.",
                type_="focus-not-allowed-for-role",
                extensions={"required_roles": [Role.LEAD_REVIEWER.value]},
            )
        if review.state != AGREEMENT_STATE:
            raise ProblemError(
                409,
                "Focus cannot be agreed now",
                detail=f"The focus is agreed at the pre-review meeting, in "
                f"{AGREEMENT_STATE.value!r}, not {review.state.value!r}.",
                type_="focus-not-agreeable",
                extensions={"state": review.state.value, "agreement_state": AGREEMENT_STATE.value},
            )
    await check_theme_codes(session, {"body.theme_codes": request.theme_codes})
    questions = _questions(focus, request)
    before = _snapshot(focus)
    if focus is None:
        focus = ReviewFocus(review_id=review.id, text=request.text, theme_codes=[], questions=[])
        repository.add(focus)
    content_changed = (
        focus.text != request.text
        or list(focus.theme_codes) != list(request.theme_codes)
        or list(focus.questions) != questions
    )
    focus.text = request.text
    focus.theme_codes = list(request.theme_codes)
    focus.questions = questions
    person = tenancy.person_id(principal)
    if not request.agreed:
        focus.agreed_at, focus.agreed_by = None, None
    elif content_changed or focus.agreed_at is None:
        focus.agreed_at, focus.agreed_by = utcnow(), person
    await session.flush()
    after = _snapshot(focus)
    changes = diff(before, after)
    if changes:
        action = "focus_agreed" if request.agreed else "focus_set"
        record(session, review, action, changes, subject=principal.subject, person=person)
    await session.commit()
    return focus


async def challenge(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, request: ChallengeIn
) -> FocusChallenge:
    """A team member's challenge note (append-only): 403 unless on the team, 409 outside
    self-review and pre-review or before there is a focus to challenge."""
    review = await get_review(session, principal, review_id)
    person = tenancy.person_id(principal)
    if Role.TEAM_MEMBER not in tenancy.roles(principal, review) or person is None:
        raise ProblemError(
            403,
            "Not on the team",
            detail="Only the review team challenges the focus.",
            type_="focus-not-allowed-for-role",
            extensions={"required_roles": [Role.TEAM_MEMBER.value]},
        )
    _editable(review, "focus challenges")
    repository = FocusRepository(session)
    if await repository.get(review_id) is None:
        raise ProblemError(
            409,
            "No focus yet",
            detail="There is no focus to challenge yet.",
            type_="focus-missing",
        )
    note = FocusChallenge(
        review_id=review.id, author_person_id=person, text=request.text, at=utcnow()
    )
    repository.append_challenge(note)
    await session.flush()
    record(
        session,
        review,
        "focus_challenged",
        {"challenge": {"from": None, "to": {"id": note.id, "text": note.text}}},
        subject=principal.subject,
        person=person,
    )
    await session.commit()
    return note


async def challenges(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    params: PageParams,
    after: AfterParams,
) -> tuple[Sequence[FocusChallenge], str | None]:
    await get_review(session, principal, review_id)
    statement = FocusRepository(session).challenges(review_id)
    order = (FocusChallenge.id,)
    return await paginate_after(
        session, statement, after=after, id_=FocusChallenge.id, order_by=order, params=params
    )
