"""Report use cases: the lead reviewer assembles versions from the findings, the head
acknowledges one, the lead publishes it (the only way to report_published, so the
triangulation rule cannot be walked around); readers get JSON, HTML or Markdown.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth import Principal
from common.clock import utcnow
from common.http.etag import check_version
from common.http.pagination import AfterParams, PageParams, paginate_after
from common.http.problems import ProblemError, not_found, validation_failed
from contracts.reviews import REPORT_PUBLISHED, ReviewState
from reviews.directory.models import DirectoryPartnership, DirectorySchool
from reviews.evidence.models import EvidenceItem
from reviews.finding.repository import FindingRepository
from reviews.finding.service import present
from reviews.focus.repository import FocusRepository
from reviews.report.document import Names, ReportDocument, build
from reviews.report.models import ReportVersion
from reviews.report.payloads import report_published
from reviews.report.repository import ReportRepository
from reviews.report.schemas import (
    AcknowledgementIn,
    PublicationIn,
    ReportContent,
    ReportDraftIn,
    ReportFinding,
    ReportFocus,
    ReportOut,
    ReportQuestion,
    ReportSchool,
)
from reviews.review import tenancy
from reviews.review.access import Part, get_review, publish_about, record
from reviews.review.models import Review, Role, TeamRole
from reviews.review.service import check_move, move
from reviews.taxonomy.repository import TaxonomyRepository

DRAFTING_STATE = ReviewState.REPORT_DRAFTED
#: Who reads drafts: the team writes them, the school checks them.
DRAFT_READERS = frozenset({Role.TEAM_MEMBER, Role.SCHOOL})
#: Who always reads the published report (others as the agreement allows).
PUBLISHED_READERS = DRAFT_READERS | {Role.IMPROVEMENT_CHAMPION}

PART = Part("report")


def _problem(
    status: int, title: str, detail: str, type_: str, **extensions: object
) -> ProblemError:
    return ProblemError(status, title, detail=detail, type_=type_, extensions=extensions)


async def _content(session: AsyncSession, review: Review) -> ReportContent:
    """The report's body from the review, its focus and its findings as they are now."""
    focus = await FocusRepository(session).get(review.id)
    numbers = {} if focus is None else {q["id"]: i for i, q in enumerate(focus.questions, 1)}
    findings = await present(session, review, await FindingRepository(session).all_of(review.id))
    school = await session.get(DirectorySchool, review.urn)
    evidence_items = await session.scalar(
        select(func.count()).select_from(EvidenceItem).where(EvidenceItem.review_id == review.id)
    )
    lead = next((m.person_id for m in review.team if m.role == TeamRole.LEAD_REVIEWER), None)
    return ReportContent(
        school=ReportSchool(urn=review.urn, name=None if school is None else school.name),
        la_code=review.la_code,
        academic_year=review.academic_year,
        review_days=[date.fromisoformat(d) for d in review.days],
        mode=review.mode,
        lead_reviewer=lead,
        focus=None
        if focus is None
        else ReportFocus(
            text=focus.text,
            theme_codes=list(focus.theme_codes),
            questions=[
                ReportQuestion(id=uuid.UUID(q["id"]), number=i, text=q["text"])
                for i, q in enumerate(focus.questions, 1)
            ],
        ),
        findings=[
            ReportFinding(
                finding_id=f.id,
                kind=f.kind,
                text=f.text,
                theme_codes=f.theme_codes,
                question_id=f.question_id,
                question_number=None if f.question_id is None else numbers.get(str(f.question_id)),
                evidence_count=f.evidence_count,
                evidence_kinds=f.evidence_kinds,
                triangulated=f.triangulated,
            )
            for f in findings
        ],
        evidence_items=evidence_items or 0,
        triangulation_min_kinds=review.triangulation_min_kinds,
    )


async def document(session: AsyncSession, version: ReportVersion) -> ReportDocument:
    """A version as its readers receive it (the caller has checked they may): the version's
    content with the names held beside it, the school's, the partnership's, the team's as the
    schedule last sent them and the themes' labels from the taxonomy."""
    report = ReportOut.of(version)
    review = await session.get(Review, version.review_id)
    assert review is not None  # a version's review is never deleted while it exists
    school = await session.get(DirectorySchool, review.urn)
    partnership = await session.get(DirectoryPartnership, review.partnership_id)
    content = report.content
    codes = [c for f in content.findings for c in f.theme_codes]
    if content.focus is not None:
        codes += content.focus.theme_codes
    themes = await TaxonomyRepository(session).themes(codes)
    names = Names(
        school=None if school is None else school.name,
        partnership=None if partnership is None else partnership.name,
        team=[(m.role.value, m.name) for m in review.team],
        themes={code: theme.label for code, theme in themes.items()},
    )
    return build(report, names)


async def create_version(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, request: ReportDraftIn
) -> ReportVersion:
    """A new draft version (the next number): 403 unless the lead reviewer, 409 unless the
    review is in report_drafted."""
    review = await get_review(session, principal, review_id)
    roles = tenancy.roles(principal, review)
    if Role.LEAD_REVIEWER not in roles:
        raise PART.forbidden("The lead reviewer writes the report.", [Role.LEAD_REVIEWER])
    if review.state != DRAFTING_STATE:
        raise _problem(
            409,
            "The report cannot be drafted now",
            f"The report is drafted in {DRAFTING_STATE.value!r}, not {review.state.value!r}.",
            "report-not-draftable",
            state=review.state.value,
        )
    repository = ReportRepository(session)
    person = tenancy.person_id(principal)
    assert person is not None
    content = await _content(session, review)
    version = ReportVersion(
        review_id=review.id,
        number=await repository.latest_number(review.id) + 1,
        summary=request.summary,
        content=content.model_dump(mode="json"),
        created_at=utcnow(),
        created_by=person,
    )
    repository.add(version)
    await session.flush()
    record(
        session,
        review,
        "report_drafted",
        {"report.version": {"from": version.number - 1 or None, "to": version.number}},
        subject=principal.subject,
        person=person,
    )
    await session.commit()
    return version


async def _readable(
    session: AsyncSession, principal: Principal, review: Review, version: ReportVersion
) -> None:
    roles = tenancy.roles(principal, review)
    if version.published:
        if roles & PUBLISHED_READERS or await tenancy.reads_published_report(
            session, principal, review
        ):
            return
        raise PART.forbidden(
            "The published report is read by the school, its team and IC, and beyond them as "
            "the partnership's data-sharing agreement allows.",
            PUBLISHED_READERS,
        )
    if not roles & DRAFT_READERS:
        raise PART.forbidden("Drafts are read by the team and the school.", DRAFT_READERS)


async def get_version(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID, number: int
) -> ReportVersion:
    review = await get_review(session, principal, review_id)
    version = await ReportRepository(session).get(review_id, number)
    if version is None:
        raise not_found(f"Review {review_id} has no report version {number}.")
    await _readable(session, principal, review, version)
    return version


async def get_published(
    session: AsyncSession, principal: Principal, review_id: uuid.UUID
) -> ReportVersion:
    review = await get_review(session, principal, review_id)
    version = await ReportRepository(session).published(review_id)
    if version is None:
        raise not_found(f"Review {review_id} has no published report yet.")
    await _readable(session, principal, review, version)
    return version


async def list_versions(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    params: PageParams,
    after: AfterParams,
) -> tuple[Sequence[ReportVersion], str | None]:
    review = await get_review(session, principal, review_id)
    if not tenancy.roles(principal, review) & DRAFT_READERS:
        raise PART.forbidden("Drafts are read by the team and the school.", DRAFT_READERS)
    statement = ReportRepository(session).of(review_id)
    order = (ReportVersion.number,)
    return await paginate_after(
        session, statement, after=after, id_=ReportVersion.number, order_by=order, params=params
    )


async def _latest_draft(
    session: AsyncSession, review: Review, number: int, field: str
) -> ReportVersion:
    repository = ReportRepository(session)
    version = await repository.get(review.id, number)
    if version is None:
        raise validation_failed([{"field": field, "message": f"No report version {number}"}])
    latest = await repository.latest_number(review.id)
    if version.published or number != latest:
        raise _problem(
            409,
            "Not the current draft",
            f"Version {number} is {'published' if version.published else 'superseded'}; the "
            f"current draft is version {latest}.",
            "report-version-not-current",
            latest_version=latest,
        )
    return version


async def acknowledge(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    number: int,
    request: AcknowledgementIn,
) -> ReportVersion:
    """The head acknowledges the current draft: 403 unless the school, 409 outside
    report_drafted, for another version than the current draft, or when done already."""
    review = await get_review(session, principal, review_id)
    if Role.SCHOOL not in tenancy.roles(principal, review):
        raise PART.forbidden("The school's head acknowledges the report.", [Role.SCHOOL])
    version = await ReportRepository(session).get(review_id, number)
    if version is None:
        raise not_found(f"Review {review_id} has no report version {number}.")
    if review.state != DRAFTING_STATE:
        raise _problem(
            409,
            "Not being drafted",
            f"The report is acknowledged in {DRAFTING_STATE.value!r}.",
            "report-not-draftable",
            state=review.state.value,
        )
    version = await _latest_draft(session, review, number, "path.number")
    if version.acknowledged_at is not None:
        raise _problem(
            409, "Already acknowledged", f"Version {number} is acknowledged.", "report-acknowledged"
        )
    person = tenancy.person_id(principal)
    version.acknowledged_at, version.acknowledged_by = utcnow(), person
    version.acknowledgement_comment = request.comment
    await session.flush()
    record(
        session,
        review,
        "report_acknowledged",
        {"report.acknowledged_version": {"from": None, "to": number}},
        subject=principal.subject,
        person=person,
        reason=request.comment,
    )
    await session.commit()
    return version


async def publish_report(
    session: AsyncSession,
    principal: Principal,
    review_id: uuid.UUID,
    request: PublicationIn,
    expected_version: int,
) -> tuple[Review, ReportVersion]:
    """Publish the acknowledged current draft and move the review to report_published, in one
    transaction with its history and events. 412 on a stale review ETag; 409 and 403 as for the
    transition; 409 when the version is not the acknowledged current draft, or has
    untriangulated findings and no ``override_reason``."""
    review = await get_review(session, principal, review_id)
    check_version(review.version, expected_version)
    check_move(principal, review, ReviewState.REPORT_PUBLISHED)
    version = await _latest_draft(session, review, request.version, "body.version")
    if version.acknowledged_at is None:
        raise _problem(
            409,
            "Not acknowledged",
            f"The head has not acknowledged version {version.number} yet.",
            "report-not-acknowledged",
        )
    content = ReportContent.model_validate(version.content)
    untriangulated = [str(f.finding_id) for f in content.findings if not f.triangulated]
    if untriangulated and request.override_reason is None:
        raise _problem(
            409,
            "Untriangulated findings",
            f"{len(untriangulated)} finding(s) rest on fewer than "
            f"{content.triangulation_min_kinds} kinds of evidence; gather more, or publish with "
            "an override_reason.",
            "untriangulated-findings",
            untriangulated=untriangulated,
            triangulation_min_kinds=content.triangulation_min_kinds,
        )
    person = tenancy.person_id(principal)
    version.published_at, version.published_by = utcnow(), person
    version.override_reason = request.override_reason if untriangulated else None
    await session.flush()
    record(
        session,
        review,
        "report_published",
        {
            "report.published_version": {"from": None, "to": version.number},
            "report.untriangulated_override": {"from": None, "to": bool(untriangulated)},
        },
        subject=principal.subject,
        person=person,
        reason=version.override_reason,
    )
    await move(session, principal, review, ReviewState.REPORT_PUBLISHED, version.override_reason)
    payload = report_published(
        review, version, text_shared=await tenancy.text_may_leave_school(session, review)
    )
    publish_about(session, review, REPORT_PUBLISHED, payload)
    await session.commit()
    return review, version
