"""examples/trust_mis_sync.py against the real services (uvicorn, NATS, both databases): the
first run creates, the second changes nothing, a change in the MIS goes out as an update, and
``updated_since`` brings back only what changed, the published schedule included."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import httpx

from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from examples.trust_mis_sync import SyncReport, SyncState, TrustMisSync, person_body
from tests.live_services import live_services
from tests.scheduling.kit import finished_job, la_calendar, next_academic_year
from tests.support import TokenFactory, bearer

EXPORT = Path(__file__).resolve().parents[2] / "examples" / "trust_mis_export.json"
LEADERSHIP = 6  # staff with a post Critical Friend needs (the teacher of English is not pushed)


def _sync(base_url: str, token: str, mis: dict[str, Any], state: SyncState) -> SyncReport:
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        return TrustMisSync(client, mis, state).run()


async def test_the_sync_creates_then_changes_nothing_then_pushes_and_pulls_only_changes(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    mis = json.loads(EXPORT.read_text())
    urns = [str(s["urn"]) for s in mis["schools"]]
    token = issue_token(
        "directory:read", "directory:write", "schedule:read", subject="acme-mis",
        trusts=[mis["trust"]["uid"]], schools=urns,
    )  # fmt: skip
    state = SyncState()
    async with live_services(database_factory, nats_server.url, dev_key_path, tmp_path) as urls:
        base = urls["scheduling"]
        # The sync is plain blocking httpx, as most MIS integrations are: run it in a thread
        # so that the services in this event loop keep answering.
        first = await asyncio.to_thread(_sync, base, token, mis, state)
        assert first.pushed["schools"] == {"created": 3, "updated": 0, "unchanged": 0}
        assert first.pushed["people"] == {"created": LEADERSHIP, "updated": 0, "unchanged": 0}
        assert sorted(first.pulled["schools"]) == sorted(urns)
        assert len(first.pulled["people"]) == LEADERSHIP

        state_file = tmp_path / "state.json"
        state.save(state_file)
        state = SyncState.load(state_file)
        second = await asyncio.to_thread(_sync, base, token, mis, state)
        assert second.pushed["schools"] == {"created": 0, "updated": 0, "unchanged": 3}
        assert second.pushed["people"] == {"created": 0, "updated": 0, "unchanged": LEADERSHIP}
        assert second.writes == 1  # the bulk upsert, which changed nothing
        assert second.pulled == {"schools": [], "people": [], "planned reviews": []}

        changed = copy.deepcopy(mis)
        changed["schools"][1]["name"] = "Springfield Meadows Church of England Primary Academy"
        changed["staff"][3]["specialisms"] = ["Writing", "SEND"]
        changed["staff"][0]["email"] = "joanne.hartley@chelmervalley.example"
        third = await asyncio.to_thread(_sync, base, token, changed, state)
        assert third.pushed["schools"] == {"created": 0, "updated": 1, "unchanged": 2}
        assert third.pushed["people"] == {"created": 0, "updated": 2, "unchanged": LEADERSHIP - 2}
        assert third.pulled["schools"] == [str(mis["schools"][1]["urn"])]
        moved = {state.people["STF-2002"], state.people["STF-1001"]}
        assert set(third.pulled["people"]) == moved

        # A deputy stops reviewing: their reviewer role ends, and the next pull says so.
        fourth_mis = copy.deepcopy(changed)
        fourth_mis["staff"][1]["peer_review"] = []
        fourth = await asyncio.to_thread(_sync, base, token, fourth_mis, state)
        assert fourth.pushed["people"]["updated"] == 1
        assert fourth.pulled["people"] == [state.people["STF-1002"]]
        ended = {(t["collection"], t["person_id"]) for t in fourth.removed}
        assert ("person_roles", state.people["STF-1002"]) in ended
        fifth = await asyncio.to_thread(_sync, base, token, fourth_mis, state)
        assert fifth.removed == []
        assert fifth.pulled["people"] == []

        async with httpx.AsyncClient(base_url=base) as api:
            school = await api.get(f"/v1/schools/{urns[1]}", headers=bearer(token))
            assert school.json()["name"] == changed["schools"][1]["name"]
            people = (await api.get("/v1/people", headers=bearer(token))).json()["data"]
            assert len(people) == LEADERSHIP
            emails = {p["email"] for p in people}
            assert "joanne.hartley@chelmervalley.example" in emails
            assert "j.hartley@chelmervalley.example" not in emails


async def test_a_retried_registration_and_a_lost_state_create_nobody_twice(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    mis = json.loads(EXPORT.read_text())
    urns = [str(s["urn"]) for s in mis["schools"]]
    token = issue_token(
        "directory:read", "directory:write", "schedule:read", subject="acme-mis",
        trusts=[mis["trust"]["uid"]], schools=urns,
    )  # fmt: skip
    async with live_services(database_factory, nats_server.url, dev_key_path, tmp_path) as urls:
        base = urls["scheduling"]
        state = SyncState()
        await asyncio.to_thread(_sync, base, token, mis, state)

        def register_again() -> tuple[str, str]:
            """One by one: the MIS sends the POST again (its answer was lost): the same key,
            the same id."""
            staff = {**mis["staff"][0], "mis_id": "STF-9999", "email": "new.head@example.org"}
            body = person_body(mis, staff, mis["schools"][0]["urn"])
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers) as client:
                sync = TrustMisSync(client, mis, SyncState())
                return sync.register(staff, body), sync.register(staff, body)

        first_id, second_id = await asyncio.to_thread(register_again)
        assert first_id == second_id

        # The state file was lost: people are found by their MIS id, none registered again.
        fresh = SyncState()
        lost = await asyncio.to_thread(_sync, base, token, mis, fresh)
        assert lost.pushed["people"]["created"] == 0
        assert fresh.people == state.people
        async with httpx.AsyncClient(base_url=base) as api:
            people = (await api.get("/v1/people", headers=bearer(token))).json()["data"]
        assert len(people) == LEADERSHIP + 1


async def _publish_a_schedule(
    api: httpx.AsyncClient, council: dict[str, str], mis: dict[str, Any]
) -> list[dict[str, Any]]:
    """What the council and the partnership do meanwhile: a partnership of the trust's three
    schools, the LA's term dates, training for the heads who lead and the ICs, a cycle, the
    schools' requests, a schedule generated and published."""
    year, first = mis["academic_year"], int(mis["academic_year"][:4])
    urns = [s["urn"] for s in mis["schools"]]
    created = await api.post(
        "/v1/partnerships",
        json={"name": "Chelmer Valley Partnership", "kind": "trust", "la_code": "881"},
        headers=council,
    )
    pid = created.json()["id"]
    for urn in urns:
        joined = await api.put(f"/v1/partnerships/{pid}/members/{urn}", headers=council)
        assert joined.status_code == 201, joined.text
    calendar = await api.put(
        f"/v1/calendars/las/881/{year}", json=la_calendar(first), headers=council
    )
    assert calendar.status_code == 201, calendar.text
    for role in ("lead_reviewer", "improvement_champion"):
        params = {"role": role}
        people = (await api.get("/v1/people", params=params, headers=council)).json()
        for person in people["data"]:
            trained = await api.post(
                f"/v1/people/{person['id']}/training",
                json={"kind": role, "completed_on": f"{first - 1}-06-01"},
                headers={**council, "If-Match": f'"{person["version"]}"'},
            )
            assert trained.status_code == 200, trained.text
    policy = {"team": {"reviewers": 1}, "reciprocal_pairs_allowed": True}
    cycle = await api.post(
        f"/v1/partnerships/{pid}/cycles",
        json={"academic_year": year, "policy": policy},
        headers=council,
    )
    assert cycle.status_code == 201, cycle.text
    cycle_id = cycle.json()["id"]
    for urn in urns:
        request = {"focus": ["reading"], "mode": "in_person"}
        made = await api.put(f"/v1/cycles/{cycle_id}/requests/{urn}", json=request, headers=council)
        assert made.status_code == 201, made.text
    started = await api.post(f"/v1/cycles/{cycle_id}/schedule-jobs", json={}, headers=council)
    job = await finished_job(api, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    published = await api.post(f"/v1/cycles/{cycle_id}/schedule/publish", headers=council)
    assert published.status_code == 201, published.text
    reviews: list[dict[str, Any]] = published.json()["reviews"]
    return reviews


async def test_the_sync_pulls_the_published_schedule_and_then_only_its_changes(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    mis = json.loads(EXPORT.read_text())
    mis["academic_year"] = next_academic_year()[0]  # a year whose reviews lie ahead
    urns = [str(s["urn"]) for s in mis["schools"]]
    token = issue_token(
        "directory:read", "directory:write", "schedule:read", subject="acme-mis",
        trusts=[mis["trust"]["uid"]], schools=urns,
    )  # fmt: skip
    council = bearer(
        issue_token(
            "directory:read", "directory:write", "schedule:read", "schedule:write", la=["881"]
        )
    )
    state = SyncState()
    async with live_services(database_factory, nats_server.url, dev_key_path, tmp_path) as urls:
        base = urls["scheduling"]
        before = await asyncio.to_thread(_sync, base, token, mis, state)
        assert before.pulled["planned reviews"] == []
        async with httpx.AsyncClient(base_url=base, timeout=30) as api:
            published = await _publish_a_schedule(api, council, mis)
        assert sorted(r["urn"] for r in published) == sorted(int(u) for u in urns)

        after = await asyncio.to_thread(_sync, base, token, mis, state)
        assert sorted(after.pulled["planned reviews"]) == sorted(r["id"] for r in published)
        assert {r["urn"] for r in after.schedule} == {int(u) for u in urns}
        assert all(r["status"] == "planned" and r["team"] for r in after.schedule)
        assert any(line.startswith("  review of ") for line in after.lines())

        again = await asyncio.to_thread(_sync, base, token, mis, state)
        assert again.pulled["planned reviews"] == []

        cancelled = published[0]
        async with httpx.AsyncClient(base_url=base) as api:
            answer = await api.post(
                f"/v1/planned-reviews/{cancelled['id']}/cancellation",
                json={"reason": "The school is to be inspected that week"},
                headers={**council, "If-Match": f'"{cancelled["version"]}"'},
            )
            assert answer.status_code == 200, answer.text
        moved = await asyncio.to_thread(_sync, base, token, mis, state)
        assert moved.pulled["planned reviews"] == [cancelled["id"]]
        assert moved.schedule[0]["status"] == "cancelled"
