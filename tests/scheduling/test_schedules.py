"""Schedules end to end through the API: a job generates a checker-clean draft (the same seed,
the same draft), publishing sends one `planned` event per review and never twice, planned
reviews are read by who may see them, changes are judged by the independent checker, a
reviewer who drops out is replaced with only their review changing, and when no schedule
exists the job says why, naming the school and the people."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from common.testing.apps import migrate, running_app
from common.testing.nats import NatsServer
from scheduling.config import SchedulingSettings
from scheduling.main import create_app
from scheduling.planning.jobs.worker import ScheduleRunner
from tests.scheduling.kit import (
    Built,
    ReviewEvents,
    build_partnership,
    finished_job,
    la_calendar,
    person_token,
    plan_of,
)
from tests.support import TokenFactory, alembic_ini, assert_problem, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")
URNS = [120001, 120002, 120003, 120004, 120005, 120006]
POLICY = {"team": {"reviewers": 1}, "triangulation_min_kinds": 3}


def _council(issue_token: TokenFactory, la: str = "881") -> dict[str, str]:
    return bearer(issue_token(*SCOPES, la=[la]))


async def _generate(
    client: httpx.AsyncClient, built: Built, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    started = await client.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json=body, headers=headers
    )
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    return await finished_job(client, started.headers["location"], headers)


def _check_rules(built: Built, reviews: list[dict[str, Any]]) -> None:
    """What any reader can see holds: every school once, a lead and one reviewer from other
    schools, the IC from another school and not on the team, milestones in order, nobody on
    two reviews a day."""
    assert sorted(r["urn"] for r in reviews) == built.urns
    busy: set[tuple[str, str]] = set()
    for r in reviews:
        team = r["team"]
        assert [m["role"] for m in team] == ["lead_reviewer", "reviewer"]
        assert team[0]["person_id"] in {s.head for s in built.staff.values()}
        champion = r["improvement_champion"]
        assert champion["home_urn"] != r["urn"]
        assert champion["person_id"] not in {m["person_id"] for m in team}
        assert all(m["home_urn"] != r["urn"] for m in team)
        m = {k: date.fromisoformat(v) for k, v in r["milestones"].items()}
        day = date.fromisoformat(r["days"][0])
        assert m["self_review_due"] < m["pre_review_meeting"] < day < m["report_due"]
        assert m["workshop_window_start"] <= m["workshop_on"] <= m["workshop_window_end"]
        assert m["progress_review_due"] >= m["workshop_on"] + timedelta(days=90)
        for member in team:
            for d in r["days"]:
                assert (member["person_id"], d) not in busy
                busy.add((member["person_id"], d))


async def test_generate_publish_and_read(
    client: httpx.AsyncClient,
    issue_token: TokenFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
) -> None:
    council = _council(issue_token)
    built = await build_partnership(client, council, urns=URNS, policy=POLICY, trust_uid="7001")
    events = ReviewEvents(nats_server)
    # the school's own dates count: URN 120002 blacks out its whole autumn term
    own = bearer(issue_token(*SCOPES, schools=[str(URNS[1])]))
    autumn = {
        "starts_on": f"{built.first_year}-09-01",
        "ends_on": f"{built.first_year}-12-31",
        "reason": "Building works",
    }
    override = f"/v1/calendars/schools/{URNS[1]}/{built.academic_year}/override"
    put = await client.put(override, json={"blackouts": [autumn]}, headers=own)
    assert put.status_code == 201, put.text

    # a job: 202 + Location, then a draft
    headers = {**council, "Idempotency-Key": "first-draft"}
    started = await client.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={"seed": 3}, headers=headers
    )
    assert started.status_code == 202, started.text
    location = started.headers["location"]
    assert location == f"/v1/schedule-jobs/{started.json()['id']}"
    replayed = await client.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={"seed": 3}, headers=headers
    )
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json()["id"] == started.json()["id"]
    job = await finished_job(client, location, council)
    assert job["status"] == "succeeded", job
    assert job["progress"] == 100
    assert job["solver_status"] in ("optimal", "feasible")
    assert job["cycles"] == [
        {
            "cycle_id": built.cycle_id,
            "partnership_id": built.partnership_id,
            "reviews": 6,
            "objective": job["objective"],
            "skipped": None,
            "unscheduled": False,
            "explanations": [],
        }
    ]
    assert (job["partial"], job["unscheduled_cycles"]) == (False, [])

    path = f"/v1/cycles/{built.cycle_id}/schedule"
    draft = await client.get(path, headers=council)
    assert draft.status_code == 200, draft.text
    body = draft.json()
    assert body["status"] == "draft"
    assert draft.headers["etag"] == f'"{body["version"]}"'
    _check_rules(built, body["reviews"])
    assert all(r["status"] == "draft" and r["version"] is None for r in body["reviews"])
    [works] = [r for r in body["reviews"] if r["urn"] == URNS[1]]
    assert all(d > autumn["ends_on"] for d in (*works["days"], *works["milestones"].values()))
    ks2 = (date(built.first_year + 1, 5, 10), date(built.first_year + 1, 5, 14))
    for r in body["reviews"]:  # the LA's KS2 test week (primary schools) has no review
        assert not any(ks2[0] <= date.fromisoformat(d) <= ks2[1] for d in r["days"])
    quality = body["quality"]
    assert quality["objective"] == sum(quality["terms"].values()) == job["objective"]
    assert {b["rule"] for b in quality["broken"]} <= set(quality["terms"])

    # deterministic: the same seed gives the same draft
    again = await _generate(client, built, council, seed=3)
    assert again["status"] == "succeeded"
    redrawn = (await client.get(path, headers=council)).json()
    assert plan_of(redrawn["reviews"]) == plan_of(body["reviews"])
    assert redrawn["version"] == body["version"] + 1

    # publish: a stale If-Match is refused, then one planned event per review
    publish = f"{path}/publish"
    stale = await client.post(publish, headers={**council, "If-Match": f'"{body["version"]}"'})
    assert_problem(stale, 412)
    published = await client.post(
        publish, headers={**council, "If-Match": f'"{redrawn["version"]}"'}
    )
    assert published.status_code == 201, published.text
    reviews = published.json()["reviews"]
    assert published.json()["status"] == "published"
    assert {r["id"] for r in reviews} == {r["id"] for r in redrawn["reviews"]}
    planned = await events.take(6)
    assert [kind for kind, _ in planned] == ["planned"] * 6
    by_id = {r["id"]: r for r in reviews}
    for _, event in planned:
        data = event["data"]
        review = by_id[data["review_id"]]
        assert event["partitionkey"] == f"review:{review['id']}"
        assert event["subject"] == f"planned-reviews/{review['id']}"
        assert data["triangulation_min_kinds"] == 3
        assert data["version"] == review["version"]
        assert data["days"] == review["days"]
        assert data["milestones"]["report_due"] == review["milestones"]["report_due"]
        # the policy's default lead times, counted back in school days (tests/scheduling/
        # test_reminders.py checks the counting itself)
        leads = {(r["milestone"], r["lead_school_days"]): r["remind_on"] for r in data["reminders"]}
        assert set(leads) == {
            ("self_review_due", 5),
            ("pre_review_meeting", 3),
            ("report_due", 3),
            ("workshop_window_end", 5),
            ("progress_review_due", 10),
        }
        for (milestone, _), on in leads.items():
            assert date.fromisoformat(on).weekday() < 5
            assert on <= data["milestones"][milestone]  # the first school day at the latest
        assert [m["person_id"] for m in data["team"]] == [m["person_id"] for m in review["team"]]
        assert (
            data["improvement_champion"]["person_id"]
            == (review["improvement_champion"]["person_id"])
        )
    # publishing again changes nothing and sends nothing (the next event, below, is a change)
    twice = await client.post(publish, headers=council)
    assert twice.status_code == 200
    assert {r["version"] for r in twice.json()["reviews"]} == {r["version"] for r in reviews}
    assert_problem(await _post_job(client, built, council), 409)

    # planned reviews, by who may see them
    listed = await client.get(
        "/v1/planned-reviews", params={"cycle": built.cycle_id}, headers=council
    )
    assert {r["id"] for r in listed.json()["data"]} == set(by_id)
    first = reviews[0]
    one = await client.get(f"/v1/planned-reviews/{first['id']}", headers=council)
    assert one.headers["etag"] == f'"{first["version"]}"'
    school = bearer(issue_token("schedule:read", schools=[str(first["urn"])]))
    mine = await client.get("/v1/planned-reviews", headers=school)
    assert [r["id"] for r in mine.json()["data"]] == [first["id"]]
    other = next(r for r in reviews if r["urn"] != first["urn"])
    assert_problem(await client.get(f"/v1/planned-reviews/{other['id']}", headers=school), 404)
    trust = bearer(issue_token("schedule:read", trusts=["7001"]))
    trusted = await client.get("/v1/planned-reviews", headers=trust)
    assert [r["urn"] for r in trusted.json()["data"]] == [URNS[0]]
    lead = first["team"][0]["person_id"]
    themselves = bearer(person_token(dev_key_path, lead, "schedule:read"))
    theirs = await client.get("/v1/planned-reviews", headers=themselves)
    expected = {r["id"] for r in reviews if lead in {m["person_id"] for m in r["team"]}}
    assert {r["id"] for r in theirs.json()["data"]} == expected
    by_person = await client.get("/v1/planned-reviews", params={"person": lead}, headers=council)
    assert {r["id"] for r in by_person.json()["data"]} == expected
    stranger = _council(issue_token, "882")
    assert (await client.get("/v1/planned-reviews", headers=stranger)).json()["data"] == []
    assert_problem(await client.get(path, headers=stranger), 404)
    member = bearer(issue_token(*SCOPES, schools=[str(first["urn"])]))
    assert_problem(await client.get(path, headers=member), 403)
    assert_problem(await client.post(publish, headers=member), 403)
    patch = {"days": first["days"]}
    if_match = {"If-Match": f'"{first["version"]}"'}
    assert_problem(
        await client.patch(
            f"/v1/planned-reviews/{first['id']}", json=patch, headers={**member, **if_match}
        ),
        403,
    )
    assert_problem(
        await client.patch(
            f"/v1/planned-reviews/{first['id']}", json=patch, headers={**stranger, **if_match}
        ),
        404,
    )
    # Inclusive: only the rows changed at the newest instant come again, at the same version.
    since = max(r["updated_at"] for r in reviews)
    unchanged = await client.get(
        "/v1/planned-reviews", params={"updated_since": since}, headers=council
    )
    newest = {(r["id"], r["version"]) for r in reviews if r["updated_at"] == since}
    assert {(r["id"], r["version"]) for r in unchanged.json()["data"]} == newest

    # changes: checked by the independent checker, published as what they are
    url = f"/v1/planned-reviews/{first['id']}"
    own_head = built.staff[first["urn"]].head
    refused = await client.patch(url, json={"lead_id": own_head}, headers={**council, **if_match})
    problem = assert_problem(refused, 409)
    assert "own_school" in {v["rule"] for v in problem["violations"]}
    assert (await client.get(url, headers=council)).json()["version"] == first["version"]
    weekend = _saturday_after(first["days"][0])
    refused = await client.patch(url, json={"days": [weekend]}, headers={**council, **if_match})
    assert "school_day" in {v["rule"] for v in assert_problem(refused, 409)["violations"]}
    forced = await client.patch(
        url,
        json={"lead_id": own_head, "force": True, "reason": "The head insisted"},
        headers={**council, **if_match},
    )
    assert forced.status_code == 200, forced.text
    assert forced.json()["forced"]["reason"] == "The head insisted"
    assert "own_school" in {r["rule"] for r in forced.json()["forced"]["rules"]}
    assert forced.json()["version"] == first["version"] + 1
    [(kind, event)] = await events.take(1)  # not a second `planned`: the change
    assert kind == "team_changed"
    assert event["data"]["version"] == first["version"] + 1
    assert event["data"]["team"][0]["person_id"] == own_head

    moved = _free_day_in_week(reviews, first)
    if_match = {"If-Match": f'"{forced.json()["version"]}"'}
    rescheduled = await client.patch(url, json={"days": [moved]}, headers={**council, **if_match})
    assert rescheduled.status_code == 200, rescheduled.text
    after = rescheduled.json()
    assert after["days"] == [moved]
    assert after["milestones"]["self_review_due"] != first["milestones"]["self_review_due"]
    [(kind, event)] = await events.take(1)
    assert kind == "rescheduled"
    assert event["data"]["days"] == [moved]
    [self_review] = [r for r in event["data"]["reminders"] if r["milestone"] == "self_review_due"]
    assert self_review["remind_on"] < after["milestones"]["self_review_due"]

    cancel = f"{url}/cancellation"
    if_match = {"If-Match": f'"{after["version"]}"'}
    cancelled = await client.post(
        cancel, json={"reason": "Closed"}, headers={**council, **if_match}
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    if_match = {"If-Match": f'"{cancelled.json()["version"]}"'}
    assert_problem(
        await client.post(cancel, json={"reason": "x"}, headers={**council, **if_match}), 409
    )
    [(kind, event)] = await events.take(1)
    assert kind == "cancelled"
    assert event["data"]["reason"] == "Closed"


async def _post_job(
    client: httpx.AsyncClient, built: Built, headers: dict[str, str]
) -> httpx.Response:
    return await client.post(f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={}, headers=headers)


def _saturday_after(day: str) -> str:
    d = date.fromisoformat(day)
    return (d + timedelta(days=(5 - d.weekday()) % 7 or 7)).isoformat()


def _free_day_in_week(reviews: list[dict[str, Any]], target: dict[str, Any]) -> str:
    """Another weekday of the review's week on which nobody of its team or its IC is engaged
    (the test calendar has no INSET day in term after the first day)."""
    day = date.fromisoformat(target["days"][0])
    people = {m["person_id"] for m in target["team"]}
    engaged = set()
    for r in reviews:
        if r["id"] == target["id"]:
            continue
        for m in r["team"]:
            if m["person_id"] in people:
                engaged.update(r["days"])
    monday = day - timedelta(days=day.weekday())
    for offset in range(5):
        candidate = monday + timedelta(days=offset)
        if candidate != day and candidate.isoformat() not in engaged:
            return candidate.isoformat()
    raise AssertionError("no free day in the week")


async def test_a_reviewer_who_drops_out_changes_only_their_review(
    client: httpx.AsyncClient, issue_token: TokenFactory, nats_server: NatsServer
) -> None:
    council = _council(issue_token)
    built = await build_partnership(client, council, urns=URNS, policy=POLICY)
    assert (await _generate(client, built, council, seed=1))["status"] == "succeeded"
    path = f"/v1/cycles/{built.cycle_id}/schedule"
    reviews = (await client.post(f"{path}/publish", headers=council)).json()["reviews"]
    events = ReviewEvents(nats_server)
    await events.take(6)
    target = reviews[2]
    gone = target["team"][1]["person_id"]
    person = (await client.get(f"/v1/people/{gone}", headers=council)).json()
    away = {"starts_on": target["days"][0], "ends_on": target["days"][-1], "reason": "Ill"}
    recorded = await client.post(
        f"/v1/people/{gone}/unavailability",
        json=away,
        headers={**council, "If-Match": f'"{person["version"]}"'},
    )
    assert recorded.status_code == 200, recorded.text
    link = recorded.headers["link"]
    assert link.endswith('>; rel="repair"')
    job = await finished_job(client, link[1 : link.index(">")], council)
    assert job["status"] == "succeeded", job
    assert job["solver_status"] == "repaired"
    [change] = job["changes"]
    assert change["review_id"] == target["id"]

    after = {r["id"]: r for r in (await client.get(path, headers=council)).json()["reviews"]}
    repaired = after[target["id"]]
    assert gone not in {m["person_id"] for m in repaired["team"]}
    assert repaired["version"] == target["version"] + 1 == change["version"]
    if repaired["days"] == target["days"]:  # the cheapest repair: a replacement that day
        assert change["change"] == "team_changed"
        assert repaired["team"][0] == target["team"][0]
    for r in reviews:
        if r["id"] != target["id"]:
            assert after[r["id"]] == r  # untouched, same version
    [(kind, event)] = await events.take(1)
    assert kind == change["change"]
    assert event["data"]["review_id"] == target["id"]
    _check_rules(built, list(after.values()))

    # who reviewed a school (or is to) has an automatic conflict with it...
    reviewer = repaired["team"][1]["person_id"]
    found = (await client.get(f"/v1/people/{reviewer}/conflicts", headers=council)).json()
    recent = {c["urn"] for c in found["data"] if c["kind"] == "reviewed_recently"}
    assert recent == {r["urn"] for r in after.values() if reviewer in _team(r)}

    # ... and the next year's schedule rotates: nobody reviews a school they reviewed
    await _next_year(client, council, built)
    later = await client.post(
        f"/v1/partnerships/{built.partnership_id}/cycles",
        json={"academic_year": _year(built.first_year + 1), "policy": POLICY},
        headers=council,
    )
    assert later.status_code == 201, later.text
    following = Built(
        built.partnership_id,
        later.json()["id"],
        _year(built.first_year + 1),
        built.first_year + 1,
        built.urns,
        built.staff,
    )
    job = await _generate(client, following, council)
    assert job["status"] == "succeeded", job
    draft = (await client.get(f"/v1/cycles/{following.cycle_id}/schedule", headers=council)).json()
    reviewed = {(p, r["urn"]) for r in after.values() for p in _team(r)}
    for r in draft["reviews"]:
        assert not {(p, r["urn"]) for p in _team(r)} & reviewed

    # checker-clean now: asking for a repair finds nothing to change
    again = await client.post(f"/v1/cycles/{built.cycle_id}/repairs", json={}, headers=council)
    assert again.status_code == 202, again.text
    job = await finished_job(client, again.headers["location"], council)
    assert job["status"] == "succeeded", job
    assert job["solver_status"] == "unchanged"
    assert job["changes"] == []


def _team(review: dict[str, Any]) -> set[str]:
    return {m["person_id"] for m in review["team"]}


def _year(first: int) -> str:
    return f"{first}-{(first + 1) % 100:02d}"


async def _next_year(client: httpx.AsyncClient, council: dict[str, str], built: Built) -> None:
    """Term dates and Improvement Champions for the year after ``built``'s."""
    first = built.first_year + 1
    calendar = f"/v1/calendars/las/881/{_year(first)}"
    assert (await client.put(calendar, json=la_calendar(first), headers=council)).status_code == 201
    for urn, staff in built.staff.items():
        person = (await client.get(f"/v1/people/{staff.champion}", headers=council)).json()
        roles = [
            {"role": "senior_leader", "urn": urn},
            *(
                {"role": "improvement_champion", "urn": urn, "academic_year": _year(y)}
                for y in (built.first_year, first)
            ),
        ]
        changed = await client.put(
            f"/v1/people/{staff.champion}/roles",
            json={"roles": roles},
            headers={**council, "If-Match": f'"{person["version"]}"'},
        )
        assert changed.status_code == 200, changed.text


async def test_no_schedule_is_explained_naming_the_school_and_the_people(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = _council(issue_token)
    built = await build_partnership(client, council, urns=URNS[:4], policy=POLICY)
    target = URNS[0]
    heads = [built.staff[u].head for u in URNS[1:4]]
    for head in heads:
        person = (await client.get(f"/v1/people/{head}", headers=council)).json()
        declared = await client.post(
            f"/v1/people/{head}/conflicts",
            json={"kind": "governor_or_trustee", "urn": target, "severity": "hard"},
            headers={**council, "If-Match": f'"{person["version"]}"'},
        )
        assert declared.status_code == 200, declared.text
    job = await _generate(client, built, council)
    assert job["status"] == "failed", job
    assert job["solver_status"] == "infeasible"
    [lead] = [e for e in job["explanations"] if e["rule"] == "lead"]
    assert lead["urn"] == target
    assert lead["cycle_id"] == built.cycle_id
    # the three conflicted heads, and the school's own head
    assert set(lead["person_ids"]) == {*heads, built.staff[target].head}
    for head in heads:
        assert built.names[head] in lead["message"]
    assert "hard conflict of interest" in lead["message"]
    assert_problem(await client.get(f"/v1/cycles/{built.cycle_id}/schedule", headers=council), 404)

    # no term dates for the year: said so, with where to set them
    elsewhere = _council(issue_token, "882")
    other = await build_partnership(
        client, elsewhere, urns=[130001, 130002, 130003], la="882", calendar=False, name="South"
    )
    job = await _generate(client, other, elsewhere)
    assert job["status"] == "failed"
    [why] = job["explanations"]
    assert why["rule"] == "calendar"
    assert f"/v1/calendars/las/882/{other.academic_year}" in why["message"]


async def test_a_whole_la_is_scheduled_together(
    scheduling_settings: SchedulingSettings, issue_token: TokenFactory
) -> None:
    await migrate(alembic_ini("scheduling"), scheduling_settings.database_url)
    app = create_app(scheduling_settings)
    async with running_app(app) as client:
        await _whole_la(client, app.state.schedules, issue_token)


async def _whole_la(
    client: httpx.AsyncClient, runner: ScheduleRunner, issue_token: TokenFactory
) -> None:
    council = _council(issue_token)
    shared = {**POLICY, "cross_partnership_reviewers": True}
    north = await build_partnership(client, council, urns=URNS[:4], policy=shared, name="North")
    south = await build_partnership(
        client, council, urns=[121001, 121002, 121003], policy=shared, name="South"
    )
    body = {"la_code": "881", "academic_year": north.academic_year, "seed": 2}
    refused = await client.post(
        "/v1/schedule-jobs", json={**body, "la_code": "882"}, headers=council
    )
    assert_problem(refused, 403)
    started = await client.post("/v1/schedule-jobs", json=body, headers=council)
    assert started.status_code == 202, started.text
    assert started.json()["whole_la"] is True
    assert set(started.json()["cycle_ids"]) == {north.cycle_id, south.cycle_id}
    lead = bearer(issue_token(*SCOPES, partnerships=[north.partnership_id]))
    assert_problem(await client.get(started.headers["location"], headers=lead), 404)
    job = await finished_job(client, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    assert {(c["cycle_id"], c["reviews"]) for c in job["cycles"]} == {
        (north.cycle_id, 4),
        (south.cycle_id, 3),
    }
    for built in (north, south):
        draft = (
            await client.get(
                f"/v1/cycles/{built.cycle_id}/schedule", headers=lead if built is north else council
            )
        ).json()
        assert sorted(r["urn"] for r in draft["reviews"]) == built.urns
    # a queued job is cancelled at once (the one search slot is held meanwhile)
    async with runner._searching:
        queued = await client.post(
            f"/v1/cycles/{north.cycle_id}/schedule-jobs", json={}, headers=council
        )
        assert queued.status_code == 202
        assert_problem(await _post_job(client, north, council), 409)  # one job per cycle
        cancelled = await client.delete(queued.headers["location"], headers=council)
        assert cancelled.status_code == 202
        assert cancelled.json()["status"] == "cancelled"
    assert_problem(await client.delete(queued.headers["location"], headers=council), 409)
    assert (await client.get(queued.headers["location"], headers=council)).json()[
        "status"
    ] == "cancelled"

    lent = 0  # team members whose home school is in the other partnership
    for built in (north, south):
        got = await client.get(f"/v1/cycles/{built.cycle_id}/schedule", headers=council)
        for review in got.json()["reviews"]:
            lent += sum(m["home_urn"] not in built.urns for m in review["team"])
    assert lent  # the seed's schedule shares reviewers, or this part tests nothing

    # each draft publishes on its own, the other still a draft: a reviewer lent by the other
    # partnership travels from a school whose cycle is not published yet
    for built in (north, south):
        got = await client.get(f"/v1/cycles/{built.cycle_id}/schedule", headers=council)
        published = await client.post(
            f"/v1/cycles/{built.cycle_id}/schedule/publish",
            headers={**council, "If-Match": got.headers["etag"]},
        )
        assert published.status_code == 201, published.text
