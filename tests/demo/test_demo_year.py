"""The whole demo on a small county (two partnerships of five schools) against the three
services on real HTTP with a real NATS server and real databases: the year is scheduled and
published, its ten reviews are walked (all to closed but those the plan leaves part-way), the
views print, and a second run sends not one write.

The county plans 2025-26, a year wholly in the past, so that every stage's date has come
whatever day the test runs: the demo takes a review only as far as its dates allow."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from demo.county.generate import CountySize
from demo.runner import DemoConfig, run_demo
from demo.walk.plan import STALLS, choose_sample, plan_walks, stage_index
from tests.live_services import live_services
from tests.support import TokenFactory, bearer

SEED = 4  # a small county whose year can be scheduled (seed 7 has a school with no eligible lead)
SMALL = CountySize(partnerships=2, min_schools=5, max_schools=5, target_schools=None)
YEAR = "2025-26"
HEADINGS = (
    "What the Partnership Lead of", "The year's calendar", "Meetings", "Overdue milestones",
    "What a county officer", "Where the reviews are", f"The themes of {YEAR}'s reviews",
    "Process measures", "Actions at the 90-day review", "Coverage (GET /v1/local-authorities",
    "The year's progress (GET /v1/review-progress",
)  # fmt: skip


async def test_the_year_is_scheduled_walked_and_shown_and_a_second_run_changes_nothing(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    async with live_services(database_factory, nats_server.url, dev_key_path, tmp_path) as urls:
        config = DemoConfig(
            seed=SEED, size=SMALL, first_year=2025, urls=urls, key_path=dev_key_path
        )
        lines: list[str] = []
        first = await run_demo(config, say=lines.append)
        assert first.changed > 0
        printed = "\n".join(lines)
        for heading in HEADINGS:
            assert heading in printed, heading
        county = issue_token("directory:read", "schedule:read", "reviews:read", la=["881"])
        async with httpx.AsyncClient(base_url=urls["scheduling"]) as scheduling:
            planned = await _all(scheduling, "/v1/planned-reviews", county)
        assert len(planned) == 10
        states = {}
        async with httpx.AsyncClient(base_url=urls["reviews"]) as reviews:
            for partnership in {r["partnership_id"] for r in planned}:
                lead = issue_token("reviews:read", partnerships=[partnership])
                for review in await _all(reviews, "/v1/reviews", lead, partnership=partnership):
                    states[review["id"]] = review
            # The whole year is past: every review is closed but those that stall on purpose.
            walks = plan_walks(choose_sample(planned, None), date.today(), SEED)
            assert {w.review_id: w.target for w in walks} == {
                review_id: r["state"] for review_id, r in states.items()
            }
            assert {w.target for w in walks if w.stalled} <= set(STALLS)
            closed = [r for r in states.values() if r["state"] == "closed"]
            assert len(closed) >= 3
            assert len(closed) < len(states)  # some left part-way
            for review in closed:
                await _reached_closed_with_its_records(reviews, issue_token, review)
        # The council learns where each review is from the review events alone.
        county_stages = printed[printed.index("Where the reviews are") :]
        closed_line = rf"^ +closed +{len(closed)}$"
        assert re.search(closed_line, county_stages, re.MULTILINE), county_stages
        # ... and counts them by partnership from the reviews service (no school named).
        progress = printed[printed.index("The year's progress") :]
        all_line = rf"^ +all partnerships +10 +\d+ +\d+ +{len(closed)} +\d+ +0$"
        assert re.search(all_line, progress, re.MULTILINE), progress
        async with httpx.AsyncClient(base_url=urls["knowledge"]) as knowledge:
            await _knowledge_counts_them(knowledge, issue_token, list(states.values()))

        second_lines: list[str] = []
        second = await run_demo(config, say=second_lines.append)
        assert second.traffic.writes == 0, second.traffic
        assert second.changed == 0
        assert second_lines[-1].startswith("Nothing changed"), second_lines[-1]


async def _reached_closed_with_its_records(
    api: httpx.AsyncClient, issue_token: TokenFactory, review: dict[str, Any]
) -> None:
    """Read as the school: the published report, the agreed plan, the 90-day review rating
    every action, and the history of every stage."""
    school = issue_token("reviews:read", schools=[str(review["urn"])])
    path = f"/v1/reviews/{review['id']}"
    report = await api.get(f"{path}/report", headers=bearer(school))
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["status"] == "published"
    assert body["acknowledged_at"] is not None
    kinds = {f["kind"] for f in body["content"]["findings"]}
    assert kinds == {"strength", "area_for_development"}
    assert all(f["theme_codes"] for f in body["content"]["findings"])
    assert (body["override_reason"] is not None) == bool(body["untriangulated"])

    plan = (await api.get(f"{path}/action-plan", headers=bearer(school))).json()
    assert plan["agreed_at"] is not None
    assert {a["kind"] for a in plan["actions"]} >= {"school_to_school_support"}
    assert any(a["research_source_ids"] for a in plan["actions"])
    progress = (await api.get(f"{path}/progress-review", headers=bearer(school))).json()
    assert {r["action_id"] for r in progress["ratings"]} == {a["id"] for a in plan["actions"]}

    evidence = await _all(api, f"{path}/evidence", school)
    assert len({e["kind"] for e in evidence}) >= 3
    history = {h["action"] for h in await _all(api, f"{path}/history", school)}
    assert history >= {
        "self_evaluation_set", "focus_set", "focus_agreed", "evidence_recorded",
        "finding_created", "report_drafted", "report_acknowledged", "report_published",
        "workshop_recorded", "action_plan_set", "action_plan_agreed", "progress_reviewed",
    }  # fmt: skip


async def _knowledge_counts_them(
    api: httpx.AsyncClient, issue_token: TokenFactory, reviews: list[dict[str, Any]]
) -> None:
    """The reports and 90-day reviews reached the knowledge service through the events: each
    partnership that names its schools sees them counted, by name."""
    published = stage_index("report_published")
    named = 0
    for partnership in {r["partnership_id"] for r in reviews}:
        mine = [r for r in reviews if r["partnership_id"] == partnership]
        lead = issue_token("knowledge:read", partnerships=[partnership])
        query = {"scope": "partnership", "id": partnership, "year": YEAR}
        themes = (await api.get("/v1/insights/themes", params=query, headers=bearer(lead))).json()
        if themes["view"] != "named":
            continue
        named += 1
        assert themes["reviewed_schools"]["value"] == sum(
            1 for r in mine if stage_index(r["state"]) >= published
        )
        assert {t["kind"] for t in themes["themes"]} == {"strength", "area_for_development"}
        measures = await api.get("/v1/insights/process", params=query, headers=bearer(lead))
        row = measures.json()["data"][0]
        assert row["progress_reviews"]["value"] == sum(1 for r in mine if r["state"] == "closed")
    assert named >= 1


async def _all(api: httpx.AsyncClient, path: str, token: str, **params: str) -> list[Any]:
    response = await api.get(path, params={**params, "limit": "200"}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return list(body["data"])
