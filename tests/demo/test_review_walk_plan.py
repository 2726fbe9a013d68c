"""What the demo plans to record on a review, before any request: which reviews it walks and
how far, and the words, data and ids each review carries (checked against the services' own
schemas and taxonomy)."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from demo.county.generate import generate_county
from demo.county.programme import FOCUS_BY_PHASE
from demo.walk.areas import AREAS
from demo.walk.content import review_content
from demo.walk.plan import STALLS, choose_sample, plan_walks, reachable, stage_index
from demo.walk.self_evaluation import self_evaluation
from demo.walk.themes import THEMES
from reviews.self_evaluation.schemas import SelfEvaluationIn
from tests.support import ROOT

TAXONOMY = ROOT / "services/knowledge/src/knowledge/intake/theme/default_taxonomy.json"


def _review(n: int, partnership: str, first: date, focus: list[str]) -> dict[str, Any]:
    day = first.isoformat()
    return {
        "id": f"00000000-0000-7000-8000-{n:012d}",
        "partnership_id": partnership,
        "urn": 700000 + n,
        "academic_year": "2026-27",
        "status": "planned",
        "days": [day],
        "focus": focus,
        "team": [{"person_id": "a"}, {"person_id": "b"}, {"person_id": "c"}],
        "milestones": {
            "self_review_due": (first - timedelta(days=28)).isoformat(),
            "pre_review_meeting": (first - timedelta(days=9)).isoformat(),
            "report_due": (first + timedelta(days=14)).isoformat(),
            "workshop_window_start": (first + timedelta(days=14)).isoformat(),
            "workshop_window_end": (first + timedelta(days=42)).isoformat(),
            "workshop_on": (first + timedelta(days=21)).isoformat(),
            "progress_review_due": (first + timedelta(days=111)).isoformat(),
        },
    }


def test_every_area_and_theme_is_in_the_knowledge_taxonomy_and_every_focus_has_an_area() -> None:
    codes = {t["code"] for t in json.loads(TAXONOMY.read_text())["themes"]}
    assert {t for area in AREAS.values() for t in area.themes} <= set(THEMES) <= codes
    assert {c for focus in FOCUS_BY_PHASE.values() for c in focus} <= set(AREAS)
    for area in AREAS.values():
        kinds = [kind for kind, _ in area.seen]
        assert len(set(kinds)) == len(kinds) >= 3  # three kinds a question: triangulated


def test_the_sample_spreads_over_partnerships_and_a_longer_one_starts_with_it() -> None:
    start = date(2026, 10, 5)
    focus = ("reading", "maths", "send")
    reviews = [
        _review(n, f"p{n % 3}", start + timedelta(days=7 * (n // 3)), [focus[n % 3]])
        for n in range(12)
    ]
    four = choose_sample(reviews, 4)
    assert {r["partnership_id"] for r in four[:3]} == {"p0", "p1", "p2"}
    assert choose_sample(reviews, 9)[:4] == four
    assert len(choose_sample(reviews, None)) == 12
    assert choose_sample([{**reviews[0], "status": "cancelled"}], 3) == []


def test_a_review_goes_as_far_as_its_dates_allow_and_about_one_in_four_stalls_before() -> None:
    day = date(2026, 10, 5)
    review = _review(1, "p", day, ["reading"])
    assert reachable(review, day - timedelta(days=90)) == "planned"
    assert reachable(review, day - timedelta(days=20)) == "pre_review"
    assert reachable(review, day) == "review_day"
    assert reachable(review, day + timedelta(days=1)) == "report_published"
    assert reachable(review, day + timedelta(days=21)) == "action_plan_agreed"
    assert reachable(review, day + timedelta(days=60)) == "closed"
    later = day + timedelta(days=200)
    reviews = [_review(n, f"p{n % 36}", day, ["maths"]) for n in range(720)]
    walks = plan_walks(reviews, later, seed=0)
    stalled = [w for w in walks if w.stalled]
    assert 0.18 < len(stalled) / len(walks) < 0.32
    assert all(w.target in STALLS for w in stalled)
    assert all(w.target == "closed" for w in walks if not w.stalled)
    # Drawn by each review, not by its place: no partnership gets all of one kind.
    by_partnership = {w.review["partnership_id"] for w in stalled}
    assert len(by_partnership) > 30
    assert 0.1 < sum(w.untriangulated for w in walks) / len(walks) < 0.25
    assert plan_walks(reviews, later, seed=0) == walks
    assert plan_walks(reviews[:40], later, seed=0) == walks[:40]
    assert stage_index("postponed") == -1


def test_a_reviews_content_is_the_same_each_time_with_triangulated_findings_but_one() -> None:
    review = _review(5, "p", date(2026, 11, 2), ["writing", "disadvantaged"])
    walk = replace(plan_walks([review], date(2027, 6, 1), seed=0)[0], untriangulated=True)
    content = review_content(walk, 0, team_size=3)
    assert content == review_content(walk, 0, team_size=3)
    ids = [item.id for item in content.evidence]
    assert len(set(ids)) == len(ids)
    assert {item.author for item in content.evidence} == {0, 1, 2}
    kinds = {f.kind for f in content.findings}
    assert kinds == {"strength", "area_for_development"}
    lone = [f for f in content.findings if len({content.evidence[i].kind for i in f.items}) < 2]
    assert len(lone) == 1
    other = review_content(plan_walks([review], date(2027, 6, 1), seed=1)[0], 1, team_size=3)
    assert {i.id for i in other.evidence}.isdisjoint(ids)  # another seed, other ids
    # A strength is found where another school of the partnership needs it, when it can be.
    wanted = frozenset({"disadvantaged.pupil_premium"})
    helping = review_content(walk, 0, team_size=3, wanted=wanted)
    assert "disadvantaged.pupil_premium" in {f.theme for f in helping.strengths()}


def test_every_schools_self_evaluation_passes_the_reviews_services_checks() -> None:
    county = generate_county(0)
    for school in county.schools:
        rng = random.Random(school.urn)
        body = self_evaluation(rng, school, ["reading"], "2025-26")
        SelfEvaluationIn.model_validate(body)
        assert body["data_summary"]["results"], school.urn
