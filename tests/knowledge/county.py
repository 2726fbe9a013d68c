"""Random counties for the property tests: partnerships with random agreements, schools (in one
or two partnerships, some in trusts), one review per school and year with random findings and
90-day ratings, and some agreements changed after the reviews came in. Each member school is
under its own terms where it has some (what it consented to, school by school), else the
defaults; a proposed version binds a school only as far as those terms. Plus an oracle that
works out, from the generated data alone, which schools every figure is about."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from hypothesis import strategies as st

from contracts import directory, reviews

CODES = ("a", "a.x", "a.x.p", "a.y", "b", "b.z")
FINDING_KINDS = ("strength", "area_for_development")
ACTION_KINDS = ("coaching_mentoring", "curriculum")
RATINGS = ("on_track", "at_risk", "off_track", "done")
YEARS = ("2025-26", "2026-27")
LAS = ("881", "882")
TRUSTS = ("T1", "T2")
NOW = datetime(2027, 7, 1, tzinfo=UTC)


def ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


RANK = {"none": 0, "aggregated": 1, "named": 2}


def _narrower(a: str, b: str) -> str:
    return a if RANK[a] <= RANK[b] else b


@dataclass(frozen=True)
class Agreement:
    partnership: str
    trust: str
    la: str
    threshold: int

    def within(self, other: Agreement | None) -> Agreement:
        """Narrowed by a school's own terms; by the defaults' visibilities when it has none."""
        bound = other or DEFAULTS
        return Agreement(
            partnership=_narrower(self.partnership, bound.partnership),
            trust=_narrower(self.trust, bound.trust),
            la=_narrower(self.la, bound.la),
            threshold=max(self.threshold, other.threshold if other else self.threshold),
        )

    def school_payload(
        self, partnership_id: uuid.UUID, urn: int, la: str, version: int
    ) -> directory.SchoolAgreementPayload:
        return directory.SchoolAgreementPayload.model_validate(
            {
                "partnership_id": partnership_id,
                "urn": urn,
                "la_code": la,
                "partnership_visibility": self.partnership,
                "trust_visibility": self.trust,
                "local_authority_visibility": self.la,
                "suppression_threshold": self.threshold,
                "named_for_support": False,
                "consented_version": version,
                "version": version,
                "updated_at": NOW,
            }
        )

    def payload(
        self, partnership_id: uuid.UUID, la: str, version: int
    ) -> directory.AgreementPayload:
        return directory.AgreementPayload.model_validate(
            {
                "partnership_id": partnership_id,
                "la_code": la,
                "partnership_visibility": self.partnership,
                "trust_visibility": self.trust,
                "local_authority_visibility": self.la,
                "suppression_threshold": self.threshold,
                "version": version,
                "updated_at": NOW,
            }
        )


DEFAULTS = Agreement(partnership="named", trust="aggregated", la="aggregated", threshold=5)


@dataclass
class Partnership:
    id: uuid.UUID
    la: str
    agreement: Agreement
    later: Agreement | None  # applied after the reviews


@dataclass
class School:
    urn: int
    trust: str | None
    partnerships: list[int]  # indexes


@dataclass
class GeneratedReview:
    review_id: uuid.UUID
    urn: int
    partnership: int
    year: str
    findings: list[tuple[str, tuple[str, ...]]]
    ratings: list[tuple[str, tuple[str, ...], str]]
    on_time: bool


@dataclass
class County:
    partnerships: list[Partnership]
    schools: list[School]
    reviews: list[GeneratedReview] = field(default_factory=list)
    #: (partnership index, urn) -> the school's own terms, applied after the reviews.
    own_terms: dict[tuple[int, int], Agreement] = field(default_factory=dict)

    def agreement(self, index: int) -> Agreement:
        """The partnership's current version (as proposed)."""
        p = self.partnerships[index]
        return p.later or p.agreement

    def school_terms(self, index: int, urn: int) -> Agreement:
        """The terms in force for one member school."""
        return self.agreement(index).within(self.own_terms.get((index, urn)))

    def floor(self, index: int) -> Agreement:
        """The terms in force for every member of the partnership at once."""
        terms = self.agreement(index)
        for school in self.schools:
            if index in school.partnerships:
                terms = terms.within(self.own_terms.get((index, school.urn)))
        return terms


agreements = st.builds(
    Agreement,
    st.sampled_from(("none", "aggregated", "named")),
    st.sampled_from(("none", "aggregated", "named")),
    st.sampled_from(("none", "aggregated", "named")),
    st.integers(2, 5),
)


@st.composite
def counties(draw: st.DrawFn) -> County:
    n_partnerships = draw(st.integers(1, 4))
    partnerships = [
        Partnership(
            id=uuid.UUID(int=0x0190_0000_0000_7000_8000_0000_0000_0000 + i + 1),
            la=draw(st.sampled_from(LAS)),
            agreement=draw(agreements),
            later=draw(st.none() | agreements),
        )
        for i in range(n_partnerships)
    ]
    schools = []
    for i in range(draw(st.integers(8, 28))):
        first = draw(st.integers(0, n_partnerships - 1))
        second = draw(st.integers(0, n_partnerships - 1))
        memberships = sorted({first, second}) if draw(st.booleans()) else [first]
        trust = draw(st.sampled_from((None, *TRUSTS)))
        schools.append(School(urn=100001 + i, trust=trust, partnerships=memberships))
    county = County(partnerships, schools)
    for school in schools:
        for index in school.partnerships:
            own = draw(st.none() | agreements)
            if own is not None:
                county.own_terms[(index, school.urn)] = own
    code_lists = st.lists(st.sampled_from(CODES), min_size=1, max_size=2, unique=True).map(tuple)
    for school in schools:
        for year in YEARS:
            if not draw(st.integers(0, 4)):  # most schools are reviewed most years
                continue
            findings = draw(
                st.lists(st.tuples(st.sampled_from(FINDING_KINDS), code_lists), max_size=4)
            )
            ratings = draw(
                st.lists(
                    st.tuples(st.sampled_from(ACTION_KINDS), code_lists, st.sampled_from(RATINGS)),
                    max_size=3,
                )
            )
            county.reviews.append(
                GeneratedReview(
                    review_id=uuid.uuid4(),
                    urn=school.urn,
                    partnership=draw(st.sampled_from(school.partnerships)),
                    year=year,
                    findings=findings,
                    ratings=ratings,
                    on_time=draw(st.booleans()),
                )
            )
    return county


def report_payload(county: County, review: GeneratedReview) -> reviews.ReportPublishedPayload:
    partnership = county.partnerships[review.partnership]
    day = date(int(review.year[:4]) + 1, 3, 10)
    return reviews.ReportPublishedPayload.model_validate(
        {
            "review_id": review.review_id,
            "cycle_id": uuid.UUID(int=review.partnership + 1),
            "partnership_id": partnership.id,
            "la_code": partnership.la,
            "urn": review.urn,
            "academic_year": review.year,
            "report_version": 1,
            "review_days": [day],
            "published_at": datetime(day.year, 3, 20, tzinfo=UTC),
            "focus_theme_codes": [],
            "findings": [
                {
                    "finding_id": uuid.uuid4(),
                    "kind": kind,
                    "theme_codes": list(codes),
                    "evidence_count": 2,
                    "evidence_kinds": ["lesson_visit", "pupil_voice"],
                    "triangulated": True,
                    "question_id": None,
                    "text": None,
                }
                for kind, codes in review.findings
            ],
            "evidence_items": 2 * len(review.findings),
            "triangulation_min_kinds": 2,
            "untriangulated_override": False,
            "text_shared": False,
        }
    )


def progress_payload(
    county: County, review: GeneratedReview
) -> reviews.ProgressReviewedPayload | None:
    if not review.ratings:
        return None
    partnership = county.partnerships[review.partnership]
    due = date(int(review.year[:4]) + 1, 7, 1)
    return reviews.ProgressReviewedPayload.model_validate(
        {
            "review_id": review.review_id,
            "cycle_id": uuid.UUID(int=review.partnership + 1),
            "partnership_id": partnership.id,
            "la_code": partnership.la,
            "urn": review.urn,
            "academic_year": review.year,
            "reviewed_on": due,
            "due_date": due,
            "on_time": review.on_time,
            "ratings": [
                {"action_id": uuid.uuid4(), "kind": kind, "theme_codes": list(codes), "rating": r}
                for kind, codes, r in review.ratings
            ],
        }
    )


CellKey = tuple[str, str, str]  # family, key, kind


def review_cells(review: GeneratedReview) -> set[CellKey]:
    """The cells a review brings, worked out here independently of the service."""
    cells: set[CellKey] = {("finding", "*", "*"), ("process", "report", "*")}
    for kind, codes in review.findings:
        for code in codes:
            for key in (code, *ancestors(code)):
                cells.add(("finding", key, kind))
    if review.ratings:
        cells |= {
            ("outcome_kind", "*", "*"),
            ("outcome_theme", "*", "*"),
            ("process", "progress", "*"),
        }
    for kind, codes, rating in review.ratings:
        cells |= {("outcome_kind", kind, "*"), ("outcome_kind", kind, rating)}
        for code in codes:
            for key in (code, *ancestors(code)):
                cells |= {("outcome_theme", key, "*"), ("outcome_theme", key, rating)}
    return cells


def counted_in(county: County, review: GeneratedReview, scope: tuple[str, str]) -> bool:
    kind, scope_id = scope
    partnership = county.partnerships[review.partnership]
    agreement = county.school_terms(review.partnership, review.urn)
    trust = next(s.trust for s in county.schools if s.urn == review.urn)
    if kind == "partnership":
        return str(partnership.id) == scope_id
    if kind == "trust":
        return agreement.trust != "none" and trust == scope_id
    if kind == "la":
        return agreement.la != "none" and partnership.la == scope_id
    if kind == "all":
        return agreement.la != "none"
    if kind == "school":
        return str(review.urn) == scope_id
    raise AssertionError(kind)


def reviews_of(
    county: County, scope: tuple[str, str], year: str, cell: CellKey
) -> list[GeneratedReview]:
    return [
        r
        for r in county.reviews
        if r.year == year and counted_in(county, r, scope) and cell in review_cells(r)
    ]


def threshold(county: County, scope: tuple[str, str], year: str) -> int:
    counted = {
        r.partnership for r in county.reviews if r.year == year and counted_in(county, r, scope)
    }
    # A scope with no reviews that year adds no partnership whose threshold could apply.
    return max((county.floor(i).threshold for i in counted), default=2)


def members(county: County) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    for school in county.schools:
        for index in school.partnerships:
            found[index].add(school.urn)
    return found


def span_threshold(county: County, reviews: list[GeneratedReview]) -> int:
    """The strictest threshold among the partnerships a (derived) figure's reviews come from."""
    return max((county.floor(r.partnership).threshold for r in reviews), default=2)
