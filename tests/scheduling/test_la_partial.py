"""An LA job is not held back by one partnership: the cycles whose data rule out a schedule are
left unscheduled with the explanations that concern them, the others get checker-clean drafts
(the same seed, the same drafts) that publish; only when no cycle can be scheduled does the
job fail, as a cycle's own job does."""

from __future__ import annotations

from typing import Any

import httpx

from tests.scheduling.kit import Built, build_partnership, finished_job, plan_of
from tests.support import TokenFactory, assert_problem, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")
POLICY = {"team": {"reviewers": 1}}


def _council(issue_token: TokenFactory, la: str) -> dict[str, str]:
    return bearer(issue_token(*SCOPES, la=[la]))


async def _la_job(
    client: httpx.AsyncClient, headers: dict[str, str], la: str, year: str, seed: int
) -> dict[str, Any]:
    body = {"la_code": la, "academic_year": year, "seed": seed}
    started = await client.post("/v1/schedule-jobs", json=body, headers=headers)
    assert started.status_code == 202, started.text
    return await finished_job(client, started.headers["location"], headers)


async def _no_champion_for(
    client: httpx.AsyncClient, headers: dict[str, str], built: Built, urn: int
) -> None:
    """Every other Improvement Champion of the partnership declares a hard conflict with
    ``urn`` (and its own cannot serve it), so the school has no eligible IC."""
    for other, staff in built.staff.items():
        if other == urn:
            continue
        person = (await client.get(f"/v1/people/{staff.champion}", headers=headers)).json()
        declared = await client.post(
            f"/v1/people/{staff.champion}/conflicts",
            json={"kind": "governor_or_trustee", "urn": urn, "severity": "hard"},
            headers={**headers, "If-Match": f'"{person["version"]}"'},
        )
        assert declared.status_code == 200, declared.text


async def _without_location(client: httpx.AsyncClient, headers: dict[str, str], urn: int) -> None:
    got = await client.get(f"/v1/schools/{urn}", headers=headers)
    kept = ("name", "phase", "la_code", "status", "trust_uid")
    school = {k: got.json()[k] for k in kept} | {"easting": None, "northing": None}
    put = await client.put(
        f"/v1/schools/{urn}", json=school, headers={**headers, "If-Match": got.headers["etag"]}
    )
    assert put.status_code == 200, put.text


async def _drafts(
    client: httpx.AsyncClient, headers: dict[str, str], *built: Built
) -> dict[str, dict[int, tuple[Any, ...]]]:
    out = {}
    for b in built:
        draft = await client.get(f"/v1/cycles/{b.cycle_id}/schedule", headers=headers)
        assert draft.status_code == 200, draft.text
        assert draft.json()["status"] == "draft"
        assert sorted(r["urn"] for r in draft.json()["reviews"]) == b.urns
        out[b.cycle_id] = plan_of(draft.json()["reviews"])
    return out


async def test_one_partnership_without_a_schedule_does_not_hold_back_the_others(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = _council(issue_token, "881")
    north = await build_partnership(
        client, council, urns=[120001, 120002, 120003, 120004], policy=POLICY, name="North"
    )
    south = await build_partnership(
        client, council, urns=[121001, 121002, 121003], policy=POLICY, name="South"
    )
    east = await build_partnership(
        client, council, urns=[122001, 122002, 122003], policy=POLICY, name="East"
    )
    target = east.urns[0]
    await _no_champion_for(client, council, east, target)
    # too few review places for its teams: said of the partnership, not of a school
    thin = {"team": {"reviewers": 2}, "limits": {"max_reviews_per_person_per_year": 1}}
    weald = await build_partnership(
        client, council, urns=[123001, 123002, 123003], policy=thin, name="Weald"
    )

    job = await _la_job(client, council, "881", north.academic_year, seed=2)
    assert job["status"] == "succeeded", job
    assert job["partial"] is True
    assert job["reason"] is None
    assert job["unscheduled_cycles"] == sorted([east.cycle_id, weald.cycle_id])
    by_cycle = {c["cycle_id"]: c for c in job["cycles"]}
    assert {(c, by_cycle[c]["reviews"]) for c in by_cycle} == {
        (north.cycle_id, 4),
        (south.cycle_id, 3),
        (east.cycle_id, 0),
        (weald.cycle_id, 0),
    }
    assert not by_cycle[north.cycle_id]["unscheduled"]
    assert by_cycle[north.cycle_id]["explanations"] == []
    left = by_cycle[east.cycle_id]
    assert left["unscheduled"] is True
    assert left["skipped"] == "unscheduled"
    assert left["objective"] is None
    [why] = [e for e in left["explanations"] if e["rule"] == "ic"]
    assert why["urn"] == target
    assert why["cycle_id"] == east.cycle_id
    assert f"no eligible Improvement Champion for URN {target}" in why["message"]
    assert "hard conflict of interest" in why["message"]
    [capacity] = by_cycle[weald.cycle_id]["explanations"]
    assert by_cycle[weald.cycle_id]["unscheduled"] is True
    assert (capacity["rule"], capacity["urn"]) == ("reviewer_capacity", None)
    assert capacity["cycle_id"] == weald.cycle_id
    assert job["explanations"] == [*left["explanations"], capacity]  # in the order found
    for built in (east, weald):
        path = f"/v1/cycles/{built.cycle_id}/schedule"
        assert_problem(await client.get(path, headers=council), 404)
    first = await _drafts(client, council, north, south)

    # deterministic: the same seed leaves out the same cycle and gives the same drafts
    again = await _la_job(client, council, "881", north.academic_year, seed=2)
    assert again["status"] == "succeeded", again
    assert again["unscheduled_cycles"] == job["unscheduled_cycles"]
    assert again["explanations"] == job["explanations"]
    assert again["objective"] == job["objective"]
    assert await _drafts(client, council, north, south) == first

    # a cycle's own job still fails as a whole, with the same explanation
    own = await client.post(f"/v1/cycles/{east.cycle_id}/schedule-jobs", json={}, headers=council)
    assert own.status_code == 202, own.text
    alone = await finished_job(client, own.headers["location"], council)
    assert alone["status"] == "failed", alone
    assert alone["partial"] is False
    assert alone["unscheduled_cycles"] == []
    assert alone["cycles"] == []
    assert why in alone["explanations"]

    # the drafts written are checker-clean: each publishes (the checker judges it against
    # what the LA published before it)
    for built in (north, south):
        published = await client.post(
            f"/v1/cycles/{built.cycle_id}/schedule/publish", headers=council
        )
        assert published.status_code == 201, published.text
        assert len(published.json()["reviews"]) == len(built.urns)


async def test_an_la_whose_every_cycle_is_broken_fails_as_before(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = _council(issue_token, "882")
    west = await build_partnership(
        client, council, urns=[130001, 130002, 130003], policy=POLICY, name="West", la="882"
    )
    wold = await build_partnership(
        client, council, urns=[131001, 131002, 131003], policy=POLICY, name="Wold", la="882"
    )
    # one cycle's data stops it before the search, the other's precheck stops it in the search
    await _without_location(client, council, wold.urns[1])
    await _no_champion_for(client, council, west, west.urns[0])

    job = await _la_job(client, council, "882", west.academic_year, seed=0)
    assert job["status"] == "failed", job
    assert job["reason"] == "No schedule exists: see the explanations."
    assert job["solver_status"] == "infeasible"
    assert job["partial"] is False
    assert job["cycles"] == []
    found = {(e["rule"], e["urn"], e["cycle_id"]) for e in job["explanations"]}
    assert ("location", wold.urns[1], wold.cycle_id) in found
    assert ("ic", west.urns[0], west.cycle_id) in found
    for built in (west, wold):
        path = f"/v1/cycles/{built.cycle_id}/schedule"
        assert_problem(await client.get(path, headers=council), 404)
