"""The pipeline forecast through the API, over a partnership built with a known shortage:
the shortfall by role, the candidates (named only to whoever may see them), a known leaver set
by PATCH (`leaves_on`), the LA's totals, and strangers (another partnership's lead, another LA)
answered 404."""

from __future__ import annotations

from typing import Any

import httpx

from tests.scheduling.kit import next_academic_year
from tests.support import TokenFactory, assert_problem, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read")
URNS = [131001, 131002, 131003, 131004, 131005, 131006]
LONG_AGO = "2020-07-01"


async def _person(
    client: httpx.AsyncClient,
    council: dict[str, str],
    key: str,
    roles: list[dict[str, Any]],
    training: list[dict[str, Any]],
) -> str:
    body = {"name": f"Person {key}", "email": f"{key}@school.example", "roles": roles}
    created = await client.post("/v1/people", json=body, headers=council)
    assert created.status_code == 201, created.text
    pid = str(created.json()["id"])
    for record in training:
        added = await client.post(
            f"/v1/people/{pid}/training",
            json=record,
            headers={**council, "If-Match": created.headers["etag"]},
        )
        assert added.status_code in (200, 201), added.text
        created = added
    return pid


async def _county(client: httpx.AsyncClient, council: dict[str, str]) -> dict[str, str]:
    """LA 881, partnership North of six schools (six reviews next year, default policy: 2 leads,
    4 more team members, 2 ICs wanted). Built with two trained leads (one leaving), two
    reviewers, an IC whose training expires within next year, a senior leader untrained; and
    partnership South, elsewhere, with its own lead."""
    for urn in [*URNS, 131099]:
        body = {"name": f"School {urn}", "phase": "primary", "la_code": "881", "status": "open"}
        assert (await client.put(f"/v1/schools/{urn}", json=body, headers=council)).is_success
    ids: dict[str, str] = {}
    for name, urns in (("North", URNS), ("South", [131099])):
        created = await client.post(
            "/v1/partnerships",
            json={"name": name, "kind": "la_cluster", "la_code": "881"},
            headers=council,
        )
        ids[name] = str(created.json()["id"])
        for urn in urns:
            joined = await client.put(
                f"/v1/partnerships/{ids[name]}/members/{urn}", headers=council
            )
            assert joined.status_code == 201, joined.text
    _, first = next_academic_year()
    lead = [{"kind": "lead_reviewer", "completed_on": LONG_AGO}]
    for key, urn in (("head-a", URNS[0]), ("head-b", URNS[1])):
        ids[key] = await _person(
            client,
            council,
            key,
            [{"role": "headteacher", "urn": urn}, {"role": "lead_reviewer", "urn": urn}],
            lead,
        )
    reviewer = [{"kind": "reviewer", "completed_on": LONG_AGO}]
    for key, urn in (("deputy-c", URNS[2]), ("deputy-d", URNS[3])):
        ids[key] = await _person(
            client,
            council,
            key,
            [{"role": "deputy", "urn": urn}, {"role": "reviewer", "urn": urn}],
            reviewer,
        )
    expiring = [
        {
            "kind": "improvement_champion",
            "completed_on": LONG_AGO,
            "expires_on": f"{first + 1}-03-31",
        }
    ]
    ids["ic-e"] = await _person(
        client, council, "ic-e", [{"role": "senior_leader", "urn": URNS[4]}], expiring
    )
    ids["senior-f"] = await _person(
        client, council, "senior-f", [{"role": "senior_leader", "urn": URNS[5]}], []
    )
    ids["south-lead"] = await _person(
        client,
        council,
        "south-lead",
        [{"role": "senior_leader", "urn": 131099}, {"role": "lead_reviewer", "urn": 131099}],
        lead,
    )
    return ids


def _roles(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["role"]: r for r in body["roles"]}


async def test_the_forecast_shows_the_shortage_built_in(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    ids = await _county(client, council)
    year, first = next_academic_year()
    # head-b retires at the end of next year's spring term: a known leaver
    path = f"/v1/people/{ids['head-b']}"
    read = await client.get(path, headers=council)
    changed = await client.patch(
        path,
        json={"leaves_on": f"{first + 1}-04-10"},
        headers={**council, "If-Match": read.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["leaves_on"] == f"{first + 1}-04-10"

    url = f"/v1/partnerships/{ids['North']}/pipeline-forecast"
    answered = await client.get(url, params={"academic_year": year}, headers=council)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["academic_year"], body["reviews"], body["policy_year"]) == (year, 6, None)
    roles = _roles(body)
    lead, rev, ic = roles["lead_reviewer"], roles["reviewer"], roles["improvement_champion"]
    assert (lead["need"], lead["pool"], lead["leaving"], lead["shortfall"]) == (2, 1, 1, 1)
    # reviewer training is `off` by default: the role counts; 3 stay for 6 team places
    assert (rev["need"], rev["pool"], rev["shortfall"]) == (4, 1, 3)
    assert (ic["need"], ic["pool"], ic["expiring"], ic["shortfall"]) == (2, 0, 1, 2)
    lead_candidates = {c["person_id"] for c in lead["candidates"]}
    assert lead_candidates == {ids["deputy-c"], ids["deputy-d"]}
    assert sum(c["suggested"] for c in lead["candidates"]) == 1
    assert {c["person_id"] for c in rev["candidates"]} == {ids["ic-e"], ids["senior-f"]}
    assert ids["head-b"] not in {c["person_id"] for c in ic["candidates"]}  # leaving
    assert sum(c["suggested"] for c in ic["candidates"]) == 2
    # no cycle this year: no reviews to place shadows beside
    places = body["places"]
    assert places["cycle_id"] is None
    assert places["closes"] is False
    assert len(places["shadows"]) == 3
    assert places["assistant_ic"] is True

    # the LA's view: North's shortfall in the totals, South's (one trained lead) alongside
    la = await client.get(
        "/v1/local-authorities/881/pipeline-forecast",
        params={"academic_year": year},
        headers=council,
    )
    assert la.status_code == 200, la.text
    totals = {t["role"]: t["shortfall"] for t in la.json()["totals"]}
    by_name = {p["name"]: _roles(p) for p in la.json()["partnerships"]}
    assert by_name["North"]["lead_reviewer"]["shortfall"] == 1
    assert by_name["South"]["lead_reviewer"]["shortfall"] == 0
    assert totals == {
        role: sum(p[role]["shortfall"] for p in by_name.values())
        for role in ("lead_reviewer", "reviewer", "improvement_champion")
    }


async def test_names_only_to_those_who_see_the_people_and_strangers_get_404(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    ids = await _county(client, council)
    year, _ = next_academic_year()
    url = f"/v1/partnerships/{ids['North']}/pipeline-forecast"
    params = {"academic_year": year}

    # a member school sees the partnership, but only its own staff by name
    school = bearer(issue_token("schedule:read", schools=[str(URNS[5])]))
    seen = await client.get(url, params=params, headers=school)
    assert seen.status_code == 200, seen.text
    roles = _roles(seen.json())
    shown = {c["person_id"] for r in roles.values() for c in r["candidates"]}
    assert shown == {ids["senior-f"]}
    assert roles["lead_reviewer"]["candidates_not_shown"] == 2
    assert ids["deputy-c"] not in seen.text
    assert "Person deputy-c" not in seen.text

    # South's lead, another LA, and a token without the scope
    south = bearer(issue_token("schedule:read", partnerships=[ids["South"]]))
    other_la = bearer(issue_token("schedule:read", la=["882"]))
    for headers in (south, other_la):
        assert_problem(await client.get(url, params=params, headers=headers), 404)
    assert_problem(
        await client.get("/v1/local-authorities/881/pipeline-forecast", headers=other_la), 404
    )
    assert_problem(
        await client.get("/v1/local-authorities/881/pipeline-forecast", headers=south), 404
    )
    unscoped = bearer(issue_token("directory:read", la=["881"]))
    assert_problem(await client.get(url, headers=unscoped), 403)
    bad = await client.get(url, params={"academic_year": "2026-28"}, headers=council)
    assert_problem(bad, 422)
