"""A council's coverage (``GET /v1/local-authorities/{la}/coverage``) over a small county built
through the API: schools in no partnership counted (by phase, never named), partnerships with no
lead or no cycle for the year listed by name, and another LA's token answered 404."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import TokenFactory, assert_problem, bearer

YEAR = "2026-27"
# name -> (urn, phase, status)
SCHOOLS = {
    "Alder Primary": (115001, "primary", "open"),
    "Beech Primary": (115002, "primary", "open"),
    "Cedar Secondary": (115003, "secondary", "open"),
    "Damson Primary": (115004, "primary", "open"),  # in no partnership
    "Elm Secondary": (115005, "secondary", "open"),  # in no partnership
    "Fir Primary": (115006, "primary", "closed"),  # closed: not counted
    "Gorse Primary": (115007, "primary", "proposed_to_close"),  # still running, in none
}


async def _county(client: httpx.AsyncClient, council: dict[str, str]) -> dict[str, str]:
    """LA 881: North (Alder, Beech; a lead and this year's cycle), South (Cedar; a lead, last
    year's cycle only), East (no members, no lead, no cycle). Returns partnership ids by name."""
    for name, (urn, phase, status) in SCHOOLS.items():
        body = {"name": name, "phase": phase, "la_code": "881", "status": status}
        response = await client.put(f"/v1/schools/{urn}", json=body, headers=council)
        assert response.status_code == 201, response.text
    ids = {}
    for name, urns in (("North", (115001, 115002)), ("South", (115003,)), ("East", ())):
        created = await client.post(
            "/v1/partnerships",
            json={"name": name, "kind": "la_cluster", "la_code": "881"},
            headers=council,
        )
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
        for urn in urns:
            joined = await client.put(
                f"/v1/partnerships/{ids[name]}/members/{urn}", headers=council
            )
            assert joined.status_code == 201, joined.text
    for name, lead in (("North", "n"), ("South", "s")):
        person = {
            "name": f"Lead {name}",
            "email": f"{lead}@lead.example.org",
            "roles": [{"role": "partnership_lead", "partnership_id": ids[name]}],
        }
        assert (await client.post("/v1/people", json=person, headers=council)).status_code == 201
    # A head of a school is no partnership lead: East stays without one.
    head = {
        "name": "Head",
        "email": "h@alder.sch.uk",
        "roles": [{"role": "headteacher", "urn": 115001}],
    }
    assert (await client.post("/v1/people", json=head, headers=council)).status_code == 201
    for name, year in (("North", YEAR), ("South", "2025-26")):
        body = {"partnership_id": ids[name], "academic_year": year}
        assert (await client.post("/v1/cycles", json=body, headers=council)).status_code == 201
    return ids


def _names_no_school(body: Any) -> None:
    text = str(body)
    for name, (urn, _, _) in SCHOOLS.items():
        assert name not in text, name
        assert str(urn) not in text, name


async def test_coverage_counts_schools_and_lists_partnerships(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    ids = await _county(client, council)
    # Another LA's school, in no partnership, is not 881's concern.
    other = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    body = {"name": "Elsewhere", "phase": "primary", "la_code": "882", "status": "open"}
    assert (await client.put("/v1/schools/116000", json=body, headers=other)).status_code == 201

    reader = bearer(issue_token("directory:read", la=["881"]))
    response = await client.get(
        "/v1/local-authorities/881/coverage", params={"academic_year": YEAR}, headers=reader
    )
    assert response.status_code == 200, response.text
    coverage = response.json()
    assert coverage["la_code"] == "881"
    assert coverage["academic_year"] == YEAR
    assert coverage["schools"] == {
        "open": 6,
        "in_partnership": 3,
        "in_no_partnership": 3,
        "in_no_partnership_by_phase": {"primary": 2, "secondary": 1},
    }
    assert coverage["partnerships"] == 3
    assert coverage["without_lead"] == [{"id": ids["East"], "name": "East", "members": 0}]
    assert coverage["without_cycle"] == [
        {"id": ids["East"], "name": "East", "members": 0},
        {"id": ids["South"], "name": "South", "members": 1},
    ]
    _names_no_school(coverage)

    # Last year South had its cycle, North did not.
    last = await client.get(
        "/v1/local-authorities/881/coverage", params={"academic_year": "2025-26"}, headers=reader
    )
    assert [p["name"] for p in last.json()["without_cycle"]] == ["East", "North"]

    # A school joining a partnership leaves the uncovered count.
    joined = await client.put(f"/v1/partnerships/{ids['East']}/members/115004", headers=council)
    assert joined.status_code == 201
    again = await client.get("/v1/local-authorities/881/coverage", headers=reader)
    assert again.json()["schools"]["in_no_partnership_by_phase"] == {"primary": 1, "secondary": 1}
    assert again.json()["academic_year"]  # the current year by default


async def test_coverage_is_the_las_own(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    ids = await _county(client, council)
    path = "/v1/local-authorities/881/coverage"
    strangers = [
        issue_token("directory:read", la=["882"]),
        issue_token("directory:read", partnerships=[ids["North"]]),
        issue_token("directory:read", schools=["115001"]),
        issue_token("directory:read", "imports:admin"),
    ]
    for token in strangers:
        assert_problem(await client.get(path, headers=bearer(token)), 404)
    assert_problem(await client.get("/v1/local-authorities/88/coverage", headers=council), 422)
    bad_year = await client.get(path, params={"academic_year": "2026-28"}, headers=council)
    assert_problem(bad_year, 422)
    assert_problem(await client.get(path, headers=bearer(issue_token(la=["881"]))), 403)
    assert_problem(await client.get(path), 401)
