"""A synthetic county for the knowledge benchmark, as the producers' own payloads (the
contracts' models): 36 partnerships of 15 schools (540, an Essex), a third of the schools in
20 trusts, every school reviewed every year for ten years, each report with ~185 findings (so
that the county reaches the million findings the benchmark asks for: far more than a real
review's 8 to 15, but the rollups grow with schools x themes, not with findings) over ~25 of
the taxonomy's themes, each review with a 90-day review of six rated actions.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from contracts import directory, reviews
from knowledge.intake.theme.service import load_default_taxonomy

LA = "881"
PARTNERSHIPS = 36
SCHOOLS_PER_PARTNERSHIP = 15
TRUSTS = 20
FIRST_YEAR = 2016
YEARS = [f"{y}-{(y + 1) % 100:02d}" for y in range(FIRST_YEAR, FIRST_YEAR + 10)]
FINDINGS_PER_REVIEW = 185
THEMES_PER_REVIEW = 25
RATED_ACTIONS = 6
NOW = datetime(2026, 9, 1, tzinfo=UTC)
ACTION_KINDS = [k.value for k in reviews.ActionKind]
RATINGS = [r.value for r in reviews.ActionRating]
EVIDENCE = [k.value for k in reviews.EvidenceKind]


def _id(kind: int, n: int) -> uuid.UUID:
    return uuid.UUID(int=(0x0190 << 112) | (0x7 << 76) | (kind << 48) | n)


@dataclass(frozen=True)
class County:
    partnerships: list[uuid.UUID]
    schools: dict[int, tuple[uuid.UUID, str | None]]  # urn -> (partnership, trust)
    codes: list[str]
    seed: int = 0

    def years(self, first: str = YEARS[0], last: str = YEARS[-1]) -> list[str]:
        return [y for y in YEARS if first <= y <= last]


def county(seed: int = 0) -> County:
    rng = random.Random(seed)
    partnerships = [_id(1, i + 1) for i in range(PARTNERSHIPS)]
    schools: dict[int, tuple[uuid.UUID, str | None]] = {}
    for i in range(PARTNERSHIPS * SCHOOLS_PER_PARTNERSHIP):
        trust = f"{17000 + rng.randrange(TRUSTS)}" if rng.random() < 0.35 else None
        schools[110001 + i] = (partnerships[i // SCHOOLS_PER_PARTNERSHIP], trust)
    codes = [t["code"] for t in load_default_taxonomy()["themes"]]
    return County(partnerships, schools, codes, seed)


def directory_payloads(c: County) -> Iterator[object]:
    """Partnerships and agreements (four of them share nothing with the LA), then schools and
    their memberships, in the order the directory publishes them."""
    for i, p in enumerate(c.partnerships):
        yield directory.PartnershipPayload(
            id=p,
            name=f"Partnership {i + 1}",
            kind="la_cluster",
            la_code=LA,
            version=1,
            updated_at=NOW,
        )
        yield directory.AgreementPayload.model_validate(
            {
                "partnership_id": p,
                "la_code": LA,
                "partnership_visibility": "named",
                "trust_visibility": "aggregated",
                "local_authority_visibility": "none" if i % 9 == 8 else "aggregated",
                "suppression_threshold": 5 + (i % 3 == 0),
                "named_for_support": i % 2 == 0,
                "version": 1,
                "updated_at": NOW,
            }
        )
    for k, (urn, (p, trust)) in enumerate(c.schools.items()):
        yield directory.SchoolPayload.model_validate(
            {
                "urn": urn, "name": f"School {urn}", "phase": "primary", "la_code": LA,
                "establishment_number": None, "trust_uid": trust, "postcode": None,
                "easting": 550000 + 1000 * (k % 40), "northing": 200000 + 1000 * (k // 40),
                "status": "open", "version": 1, "updated_at": NOW,
            }
        )  # fmt: skip
        yield directory.MembershipPayload(partnership_id=p, urn=urn, la_code=LA, occurred_at=NOW)


def _ref(c: County, urn: int, year: str, n: int) -> dict[str, object]:
    return {
        "review_id": _id(2, n),
        "cycle_id": _id(3, c.partnerships.index(c.schools[urn][0])),
        "partnership_id": c.schools[urn][0],
        "la_code": LA,
        "urn": urn,
        "academic_year": year,
    }


def review_payloads(
    c: County, years: list[str], *, findings: int = FINDINGS_PER_REVIEW, offset: int = 0
) -> Iterator[tuple[reviews.ReportPublishedPayload, reviews.ProgressReviewedPayload]]:
    """A report and its 90-day review for every school and year (deterministic per seed)."""
    rng = random.Random(c.seed * 7919 + offset)
    n = offset
    for year in years:
        day = date(int(year[:4]) + 1, 2, 1)
        for urn in c.schools:
            n += 1
            themes = rng.sample(c.codes, THEMES_PER_REVIEW)
            ref = _ref(c, urn, year, n)
            report = {
                **ref,
                "report_version": 1,
                "review_days": [day],
                "published_at": datetime.combine(
                    day + timedelta(days=rng.randrange(5, 20)), datetime.min.time(), UTC
                ),
                "focus_theme_codes": themes[:2],
                "findings": [
                    {
                        "finding_id": uuid.UUID(int=rng.getrandbits(128)),
                        "kind": "strength" if rng.random() < 0.6 else "area_for_development",
                        "theme_codes": [rng.choice(themes)],
                        "evidence_count": rng.randrange(1, 9),
                        "evidence_kinds": rng.sample(EVIDENCE, 2),
                        "triangulated": rng.random() < 0.8,
                        "question_id": None,
                        "text": None,
                    }
                    for _ in range(findings)
                ],
                "evidence_items": 0,
                "triangulation_min_kinds": 2,
                "untriangulated_override": False,
                "text_shared": False,
            }  # fmt: skip
            due = day + timedelta(days=130)
            progress = {
                **ref,
                "reviewed_on": due + timedelta(days=rng.choice([0, 0, 0, 7])),
                "due_date": due,
                "on_time": True,
                "ratings": [
                    {
                        "action_id": uuid.UUID(int=rng.getrandbits(128)),
                        "kind": rng.choice(ACTION_KINDS),
                        "theme_codes": [rng.choice(themes)],
                        "rating": rng.choice(RATINGS),
                    }
                    for _ in range(RATED_ACTIONS)
                ],
            }
            progress["on_time"] = progress["reviewed_on"] == due
            yield (
                reviews.ReportPublishedPayload.model_validate(report),
                reviews.ProgressReviewedPayload.model_validate(progress),
            )
