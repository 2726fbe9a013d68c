"""The evaluation pack computed from the year's rows (pure: no session, no clock)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from statistics import fmean

from contracts.reviews import EvidenceKind, FindingKind, ReviewState
from reviews.evaluation.schemas import (
    FeedbackAverages,
    LeadReviewerConsistency,
    RecurringTheme,
    ReviewCounts,
)
from reviews.feedback.models import RATINGS, HostFeedback
from reviews.finding.models import Finding
from reviews.review.models import MAIN_LINE, Review, ReviewTeamMember

#: A theme recurs when findings of one kind name it in at least this many reviews.
RECURS_IN = 2


def _from(stage: ReviewState) -> frozenset[ReviewState]:
    return frozenset(MAIN_LINE[MAIN_LINE.index(stage) :])


HELD = _from(ReviewState.REVIEW_DAY)
REPORTED = _from(ReviewState.REPORT_PUBLISHED)


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(numerator / denominator, 2)


def counts(reviews: Sequence[Review], feedback: Sequence[HostFeedback]) -> ReviewCounts:
    states = [r.state for r in reviews]
    reported = {r.id for r in reviews if r.state in REPORTED}
    return ReviewCounts(
        planned=sum(s != ReviewState.CANCELLED for s in states),
        held=sum(s in HELD for s in states),
        reported=len(reported),
        closed=states.count(ReviewState.CLOSED),
        cancelled=states.count(ReviewState.CANCELLED),
        host_feedback=sum(f.review_id in reported for f in feedback),
    )


def consistency(
    reviews: Mapping[uuid.UUID, Review],
    leads: Sequence[ReviewTeamMember],
    findings: Sequence[Finding],
    kinds: Mapping[uuid.UUID, list[EvidenceKind]],
) -> list[LeadReviewerConsistency]:
    """Per lead reviewer, over the reported reviews they led (``reviews``: those reviews)."""
    by_review: dict[uuid.UUID, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_review[finding.review_id].append(finding)
    led: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    names: dict[uuid.UUID, str | None] = {}
    for member in leads:
        if member.review_id in reviews:
            led[member.person_id].append(member.review_id)
            names[member.person_id] = names.get(member.person_id) or member.name
    rows = []
    for person, review_ids in led.items():
        theirs = [(reviews[r], f) for r in review_ids for f in by_review[r]]
        triangulated = sum(
            len(set(kinds.get(f.id, []))) >= review.triangulation_min_kinds for review, f in theirs
        )
        items = sum(len(kinds.get(f.id, [])) for _, f in theirs)
        rows.append(
            LeadReviewerConsistency(
                person_id=person,
                name=names[person],
                reviews=len(review_ids),
                findings=len(theirs),
                findings_per_review=round(len(theirs) / len(review_ids), 2),
                triangulated_share=_ratio(triangulated, len(theirs)),
                evidence_per_finding=_ratio(items, len(theirs)),
            )
        )
    rows.sort(key=lambda row: (row.name is None, row.name or "", str(row.person_id)))
    return rows


def feedback_averages(feedback: Sequence[HostFeedback]) -> FeedbackAverages:
    averages = {
        name: round(fmean(getattr(f, name) for f in feedback), 2) if feedback else None
        for name in RATINGS
    }
    return FeedbackAverages(responses=len(feedback), **averages)


def recurring(
    findings: Sequence[Finding], kind: FindingKind, labels: Mapping[str, str]
) -> list[RecurringTheme]:
    reviews: dict[str, set[uuid.UUID]] = defaultdict(set)
    found: dict[str, int] = defaultdict(int)
    for finding in findings:
        if finding.kind != kind:
            continue
        for code in set(finding.theme_codes):
            reviews[code].add(finding.review_id)
            found[code] += 1
    rows = [
        RecurringTheme(
            code=code, label=labels.get(code), kind=kind, reviews=len(ids), findings=found[code]
        )
        for code, ids in reviews.items()
        if len(ids) >= RECURS_IN
    ]
    rows.sort(key=lambda row: (-row.reviews, -row.findings, row.code))
    return rows
