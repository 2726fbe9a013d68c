"""Ingest the reviews service's events: the report, the action plan, the 90-day review, the
lifecycle. Called by the handlers inside the consumer's transaction (which commits together with
the inbox row), so every function here is idempotent by the payload's version: an older version
is ignored, the same one changes nothing (cells are recomputed whole and compared), a newer one
replaces the earlier one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.db import transaction_scoped
from common.db.deferred import defer
from common.logging import get_logger
from contracts.reviews import (
    ActionPlanAgreedPayload,
    ProgressReviewedPayload,
    ReportPublishedPayload,
    ReviewClosedPayload,
    ReviewTransitionedPayload,
)
from contracts.schedule import ReviewPlanPayload
from knowledge.cells import FINDING, OUTCOME_FAMILIES, PROCESS, Cells
from knowledge.config import KnowledgeSettings
from knowledge.db import table
from knowledge.intake.directory.models import (
    DirectoryAgreement,
    DirectorySchool,
    DirectorySchoolAgreement,
)
from knowledge.intake.directory.repository import names
from knowledge.intake.review import emerging, rollups
from knowledge.intake.review.counting import (
    FindingShape,
    ProcessFacts,
    RatedShape,
    finding_cells,
    outcome_cells,
    process_cells,
)
from knowledge.intake.review.models import (
    FindingTheme,
    IngestedAction,
    IngestedFinding,
    IngestedReview,
    ReviewPeople,
)
from knowledge.intake.review.visibility import desired_counting
from knowledge.intake.search.repository import SearchRepository, theme_field
from readmodel import terms
from readmodel.terms import Terms

log = get_logger(__name__)
_Row = TypeVar("_Row")
_INSERT_FINDINGS = insert(table(IngestedFinding))
# Built once: every event runs it, and building a statement costs more than running it.
_REVIEW_AND_SIBLINGS = select(IngestedReview).where(
    or_(
        IngestedReview.review_id == bindparam("review_id"),
        (IngestedReview.urn == bindparam("urn"))
        & (IngestedReview.academic_year == bindparam("year")),
    )
)
_INSERT_FINDING_THEMES = insert(table(FindingTheme))


class _Ref(Protocol):
    """Which review an event is about (ReviewRef, and the lifecycle payloads' same fields)."""

    @property
    def review_id(self) -> uuid.UUID: ...
    @property
    def cycle_id(self) -> uuid.UUID: ...
    @property
    def partnership_id(self) -> uuid.UUID: ...
    @property
    def la_code(self) -> str: ...
    @property
    def urn(self) -> int: ...
    @property
    def academic_year(self) -> str: ...


@dataclass
class _Loaded:
    """The review an event is about, and what its handler needs beside it."""

    review: IngestedReview
    created: bool  # just now: it has nothing stored yet
    siblings: list[IngestedReview]  # other reviews of the same school and year (rare)


async def _load(session: AsyncSession, ref: _Ref) -> _Loaded:
    """The review's record with its siblings (one read), created on its first event and counted
    where its agreement allows. The agreement and the school are kept for the transaction: the
    next event of a batch is often about the same partnership."""
    found = (
        await session.scalars(
            _REVIEW_AND_SIBLINGS,
            {"review_id": ref.review_id, "urn": ref.urn, "year": ref.academic_year},
        )
    ).all()
    review = next((r for r in found if r.review_id == ref.review_id), None)
    siblings = [r for r in found if r.review_id != ref.review_id]
    if review is not None:
        return _Loaded(review, False, siblings)
    agreement = await _agreement(session, ref)
    school = await _kept(session, DirectorySchool, ref.urn)
    review = IngestedReview(
        review_id=ref.review_id,
        cycle_id=ref.cycle_id,
        partnership_id=ref.partnership_id,
        la_code=ref.la_code,
        urn=ref.urn,
        academic_year=ref.academic_year,
        trust_uid=school.trust_uid if school is not None else None,
        state=None,
        state_version=0,
        report_version=0,
        evidence_items=0,
        findings_count=0,
        triangulated_count=0,
        evidence_sum=0,
        text_shared=False,
        closed_version=0,
    )
    review.counted_trust, review.counted_la = desired_counting(review, agreement)
    session.add(review)  # flushed with what the event sets, before the first row that needs it
    return _Loaded(review, True, siblings)


async def _agreement(session: AsyncSession, ref: _Ref) -> Terms | None:
    """The terms in force for the review's school (:mod:`readmodel.terms`)."""
    current = await _kept(session, DirectoryAgreement, ref.partnership_id)
    own = await _kept(session, DirectorySchoolAgreement, (ref.partnership_id, ref.urn))
    return terms.for_school(current, own)


async def _kept(session: AsyncSession, model: type[_Row], key: Any) -> _Row | None:
    """``session.get``, with the row held for the rest of the transaction: the identity map
    holds rows weakly, so without this each event would read them again."""
    row = await session.get(model, key)
    if row is not None:
        transaction_scoped(session, "kept_rows")[(model, key)] = row
    return row


def _text_allowed(agreement: Terms | None, shared: bool) -> bool:
    """Words are kept only when the producer shared them *and* our copy of the terms for the
    school still names it within the partnership (an agreement that has not arrived names
    nobody)."""
    return shared and agreement is not None and names(agreement.partnership_visibility)


def _process(review: IngestedReview) -> Cells:
    facts = ProcessFacts(
        first_review_day=review.first_review_day,
        report_published_at=review.report_published_at,
        findings=review.findings_count,
        triangulated=review.triangulated_count,
        evidence=review.evidence_sum,
        workshop_date=review.workshop_date,
        progress_on_time=review.progress_on_time,
    )
    return process_cells(facts)


def _document(
    review: IngestedReview, doc_id: Any, doc_kind: str, kind: str, codes: list[str], body: str
) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "doc_kind": doc_kind,
        "review_id": review.review_id,
        "partnership_id": review.partnership_id,
        "urn": review.urn,
        "academic_year": review.academic_year,
        "kind": kind,
        "theme_codes": theme_field(codes),
        "body": body,
    }


async def apply_report(
    session: AsyncSession, payload: ReportPublishedPayload, settings: KnowledgeSettings
) -> None:
    loaded = await _load(session, payload)
    review, created = loaded.review, loaded.created
    if payload.report_version < review.report_version:
        log.info("report_version_ignored", review_id=str(review.review_id))
        return
    agreement = await _agreement(session, payload)
    keep_text = _text_allowed(agreement, payload.text_shared)
    had_text = review.text_shared
    if review.report_version > 0:  # a later (or the same) version replaces the findings
        await session.execute(
            delete(FindingTheme).where(FindingTheme.review_id == review.review_id)
        )
        await session.execute(
            delete(IngestedFinding).where(IngestedFinding.review_id == review.review_id)
        )
    findings = payload.findings
    review.report_version = payload.report_version
    review.first_review_day = min(payload.review_days)
    review.report_published_at = payload.published_at
    review.evidence_items = payload.evidence_items
    review.text_shared = keep_text
    review.findings_count = len(findings)
    review.triangulated_count = sum(1 for f in findings if f.triangulated)
    review.evidence_sum = sum(f.evidence_count for f in findings)
    await session.flush()
    if findings:  # written with the rest of the transaction's findings (common.db.deferred)
        defer(
            session,
            _INSERT_FINDINGS,
            table(IngestedFinding),
            [
                {
                    "finding_id": f.finding_id,
                    "review_id": review.review_id,
                    "kind": f.kind.value,
                    "theme_codes": sorted(set(f.theme_codes)),
                    "evidence_count": f.evidence_count,
                    "evidence_kinds": sorted({k.value for k in f.evidence_kinds}),
                    "triangulated": f.triangulated,
                    "question_id": f.question_id,
                }
                for f in findings
            ],
        )
        defer(
            session,
            _INSERT_FINDING_THEMES,
            table(FindingTheme),
            [
                {
                    "finding_id": f.finding_id,
                    "theme_code": code,
                    "review_id": review.review_id,
                    "kind": f.kind.value,
                }
                for f in findings
                for code in sorted(set(f.theme_codes))
            ],
        )
    shapes = [
        FindingShape(f.kind.value, f.theme_codes, f.evidence_count, f.triangulated)
        for f in findings
    ]
    cells = {**finding_cells(shapes), **_process(review)}
    change = await rollups.replace_cells(
        session, review, {FINDING, PROCESS}, cells, siblings=loaded.siblings, known_empty=created
    )
    documents = [
        _document(review, f.finding_id, "finding", f.kind.value, f.theme_codes, f.text)
        for f in findings
        if keep_text and f.text
    ]
    if documents or had_text:
        await SearchRepository(session).replace(review.review_id, "finding", documents)
    # Themes speak of the partnership: the terms in force for all its members.
    await emerging.check(session, review, change, settings)


async def apply_action_plan(session: AsyncSession, payload: ActionPlanAgreedPayload) -> None:
    loaded = await _load(session, payload)
    review, created = loaded.review, loaded.created
    if review.plan_agreed_at is not None and payload.agreed_at < review.plan_agreed_at:
        return
    # The agreement is read only when there are words to keep.
    keep_text = payload.text_shared and _text_allowed(await _agreement(session, payload), True)
    stored = await session.execute(
        select(IngestedAction.action_id, IngestedAction.rating).where(
            IngestedAction.review_id == review.review_id
        )
    )
    ratings = {row.action_id: row.rating for row in stored}
    review.plan_agreed_at = payload.agreed_at
    review.workshop_date = payload.workshop_date
    await session.flush()
    await session.execute(
        delete(IngestedAction).where(IngestedAction.review_id == review.review_id)
    )
    await session.execute(
        insert(table(IngestedAction)),
        [
            {
                "action_id": a.action_id,
                "review_id": review.review_id,
                "kind": a.kind.value,
                "theme_codes": sorted(set(a.theme_codes)),
                "owner_role": a.owner_role,
                "due_date": a.due_date,
                "support_urn": a.support_urn,
                "rating": ratings.get(a.action_id),
            }
            for a in payload.actions
        ],
    )
    await rollups.replace_cells(
        session, review, {PROCESS}, _process(review), siblings=loaded.siblings, known_empty=created
    )
    documents = [
        _document(review, a.action_id, "action", a.kind.value, a.theme_codes, a.text)
        for a in payload.actions
        if keep_text and a.text
    ]
    await SearchRepository(session).replace(review.review_id, "action", documents)


async def apply_progress(session: AsyncSession, payload: ProgressReviewedPayload) -> None:
    loaded = await _load(session, payload)
    review, created = loaded.review, loaded.created
    if (
        review.progress_reviewed_on is not None
        and payload.reviewed_on < review.progress_reviewed_on
    ):
        return
    actions = table(IngestedAction)
    await session.execute(
        update(actions)
        .where(
            actions.c.action_id == bindparam("b_action"), actions.c.review_id == review.review_id
        )
        .values(rating=bindparam("b_rating")),
        [{"b_action": r.action_id, "b_rating": r.rating.value} for r in payload.ratings],
    )
    review.progress_reviewed_on = payload.reviewed_on
    review.progress_due = payload.due_date
    review.progress_on_time = payload.on_time
    shapes = [RatedShape(r.kind.value, r.theme_codes, r.rating.value) for r in payload.ratings]
    cells = {**outcome_cells(shapes), **_process(review)}
    await rollups.replace_cells(
        session,
        review,
        OUTCOME_FAMILIES | {PROCESS},
        cells,
        siblings=loaded.siblings,
        known_empty=created,
    )


async def apply_closed(session: AsyncSession, payload: ReviewClosedPayload) -> None:
    review = (await _load(session, payload)).review
    if payload.version > review.closed_version:
        review.closed_version = payload.version
        review.closed_at = payload.closed_at


async def apply_transition(session: AsyncSession, payload: ReviewTransitionedPayload) -> None:
    review = (await _load(session, payload)).review
    if payload.version > review.state_version:
        review.state_version = payload.version
        review.state = payload.to_state.value


async def apply_plan(session: AsyncSession, plan: ReviewPlanPayload) -> None:
    """Who leads the review and who runs its workshop (newest plan version wins)."""
    row = await session.get(ReviewPeople, plan.review_id)
    if row is not None and row.source_version >= plan.version:
        return
    champion = plan.improvement_champion
    lead = next((m.person_id for m in plan.team if m.role.value == "lead_reviewer"), None)
    values = {
        "improvement_champion": champion.person_id if champion else None,
        "assistant": champion.assistant_person_id if champion else None,
        "lead_reviewer": lead,
        "source_version": plan.version,
    }
    if row is None:
        session.add(ReviewPeople(review_id=plan.review_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
