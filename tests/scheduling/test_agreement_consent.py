"""The data-sharing agreement as versions the member schools consent to: a proposal narrows at
once and widens nothing; a school's head (or a person it authorised) consents for that school
alone; a withdrawal narrows at once; a school that joins later is under the defaults. Every
version and decision is history the members can read."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support import TokenFactory, assert_problem, bearer

A, B, C = 116100, 116101, 116102
TRUST = "4100"
WIDE = {
    "partnership_visibility": "named",
    "trust_visibility": "named",
    "local_authority_visibility": "named",
    "suppression_threshold": 5,
    "named_for_support": True,
}


def _school(urn: int, trust: str | None = None) -> dict[str, Any]:
    return {
        "name": f"School {urn}",
        "phase": "primary",
        "la_code": "881",
        "status": "open",
        "trust_uid": trust,
    }


class Partnership:
    def __init__(self, client: httpx.AsyncClient, pid: str, council: dict[str, str]) -> None:
        self.client, self.pid, self.council = client, pid, council
        self.base = f"/v1/partnerships/{pid}/agreement"

    async def terms(self) -> dict[int, dict[str, Any]]:
        found = await self.client.get(f"{self.base}/schools", headers=self.council)
        assert found.status_code == 200, found.text
        return {row["urn"]: row for row in found.json()["data"]}

    async def propose(self, headers: dict[str, str], body: dict[str, Any]) -> httpx.Response:
        version = (await self.client.get(self.base, headers=self.council)).headers["etag"]
        return await self.client.put(self.base, json=body, headers={**headers, "If-Match": version})

    async def decide(
        self, headers: dict[str, str], urn: int, decision: str, version: int | None = None
    ) -> httpx.Response:
        body = {"urn": urn, "decision": decision, "version": version}
        return await self.client.post(f"{self.base}/consents", json=body, headers=headers)


@pytest.fixture
async def setup(
    client: httpx.AsyncClient, issue_token: TokenFactory
) -> tuple[Partnership, dict[int, dict[str, str]]]:
    """Two member schools (A in trust 4100), a third (C) not yet a member, and each one's
    head's own token."""
    council = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    for urn in (A, B, C):
        put = await client.put(
            f"/v1/schools/{urn}", json=_school(urn, TRUST if urn == A else None), headers=council
        )
        assert put.status_code == 201, put.text
    created = await client.post(
        "/v1/partnerships",
        json={"name": "Consenting", "kind": "la_cluster", "la_code": "881"},
        headers=council,
    )
    pid = created.json()["id"]
    for urn in (A, B):
        assert (
            await client.put(f"/v1/partnerships/{pid}/members/{urn}", headers=council)
        ).is_success
    heads: dict[int, dict[str, str]] = {}
    for urn in (A, B, C):
        person = await client.post(
            "/v1/people",
            json={
                "name": f"Head {urn}",
                "email": f"head{urn}@school.example",
                "roles": [{"role": "headteacher", "urn": urn}],
            },
            headers=council,
        )
        assert person.status_code == 201, person.text
        token = issue_token(
            "directory:read",
            "directory:write",
            subject=f"head-{urn}",
            schools=[str(urn)],
            person_id=person.json()["id"],
        )
        heads[urn] = bearer(token)
    return Partnership(client, pid, council), heads


async def test_nobody_widens_alone_and_each_school_consents_for_itself(
    setup: tuple[Partnership, dict[int, dict[str, str]]], issue_token: TokenFactory
) -> None:
    p, heads = setup
    before = await p.terms()
    assert {urn: row["local_authority_visibility"] for urn, row in before.items()} == {
        A: "aggregated",
        B: "aggregated",
    }

    # The LA, the lead and A's trust may each propose; none of it binds a school yet.
    lead = bearer(issue_token("directory:read", "directory:write", partnerships=[p.pid]))
    trust = bearer(issue_token("directory:read", "directory:write", trusts=[TRUST]))
    for proposer, threshold in ((p.council, 5), (lead, 6), (trust, 5)):
        proposed = await p.propose(proposer, {**WIDE, "suppression_threshold": threshold})
        assert proposed.status_code == 202, proposed.text
        wider = ("trust_visibility", "local_authority_visibility", "named_for_support")
        now = await p.terms()
        assert {u: [r[f] for f in wider] for u, r in now.items()} == {
            u: [r[f] for f in wider] for u, r in before.items()
        }
    # The lead's higher threshold narrowed at once; the trust's lower one waits for consent.
    assert {row["suppression_threshold"] for row in (await p.terms()).values()} == {6}
    # Another trust, a member school's plain token: not proposers.
    stranger_trust = bearer(issue_token("directory:read", "directory:write", trusts=["9999"]))
    assert_problem(await p.propose(stranger_trust, WIDE), 404)
    assert_problem(await p.propose(heads[A], WIDE), 403)

    versions = await p.client.get(f"{p.base}/versions", headers=heads[B])
    assert [(v["version"], v["proposed_by"]) for v in versions.json()["data"]] == [
        (1, "test-client"),
        (2, "test-client"),
        (3, "test-client"),
        (4, "test-client"),
    ]

    # Only A's head consents for A: consent is to the current version.
    assert_problem(await p.decide(heads[A], A, "consented", 3), 409)
    assert_problem(await p.decide(heads[B], A, "consented", 4), 403)  # not A's head
    assert_problem(await p.decide(heads[C], C, "consented", 4), 404)  # not a member
    plain = bearer(issue_token("directory:read", "directory:write", schools=[str(A)]))
    assert_problem(await p.decide(plain, A, "consented", 4), 403)  # no person named
    assert_problem(await p.decide(heads[A], A, "consented"), 422)  # which version?
    consented = await p.decide(heads[A], A, "consented", 4)
    assert consented.status_code == 201, consented.text
    assert consented.json()["decided_by"] == f"head-{A}"
    terms = await p.terms()
    assert terms[A]["local_authority_visibility"] == "named"
    assert terms[A]["trust_visibility"] == "named"
    assert terms[A]["consented_version"] == 4
    assert terms[B]["local_authority_visibility"] == "aggregated"
    assert terms[B]["consented_version"] is None
    declined = await p.decide(heads[B], B, "declined", 4)
    assert declined.status_code == 201
    assert (await p.terms())[B] == terms[B]

    # A narrowing version binds everyone at once, consented or not.
    narrow = {**WIDE, "partnership_visibility": "aggregated", "trust_visibility": "none"}
    narrowed = await p.propose(p.council, narrow)
    assert narrowed.status_code == 202  # B has not consented to the LA being named
    terms = await p.terms()
    assert terms[A]["trust_visibility"] == "none"
    assert terms[A]["partnership_visibility"] == "aggregated"
    assert terms[A]["local_authority_visibility"] == "named"
    assert terms[B]["trust_visibility"] == "none"
    assert terms[B]["partnership_visibility"] == "aggregated"

    # A withdraws: back to the narrowest of the defaults and the current version, at once.
    assert_problem(await p.decide(heads[B], B, "withdrawn"), 409)  # nothing to withdraw
    withdrawn = await p.decide(heads[A], A, "withdrawn")
    assert withdrawn.status_code == 201, withdrawn.text
    assert withdrawn.json()["agreement_version"] == 4
    terms = await p.terms()
    assert terms[A]["local_authority_visibility"] == "aggregated"
    assert terms[A]["consented_version"] is None

    # C joins later: bound by the defaults (within the current version) until it consents.
    assert (
        await p.client.put(f"/v1/partnerships/{p.pid}/members/{C}", headers=p.council)
    ).is_success
    terms = await p.terms()
    assert terms[C]["local_authority_visibility"] == "aggregated"
    assert terms[C]["partnership_visibility"] == "aggregated"

    history = await p.client.get(f"{p.base}/consents", headers=heads[B])
    assert [(d["urn"], d["decision"], d["agreement_version"]) for d in history.json()["data"]] == [
        (A, "consented", 4),
        (B, "declined", 4),
        (A, "withdrawn", 4),
    ]


async def test_a_narrowing_with_every_member_in_force_is_200(
    setup: tuple[Partnership, dict[int, dict[str, str]]],
) -> None:
    p, _ = setup
    narrow = {**WIDE, "trust_visibility": "none", "local_authority_visibility": "none"}
    narrow |= {"partnership_visibility": "aggregated", "named_for_support": False}
    answered = await p.propose(p.council, narrow)
    assert answered.status_code == 200, answered.text
    terms = await p.terms()
    assert {row["local_authority_visibility"] for row in terms.values()} == {"none"}


async def test_a_withdrawal_returns_to_what_bound_the_school_before(
    setup: tuple[Partnership, dict[int, dict[str, str]]],
) -> None:
    """Shown to the LA in aggregate again (the default) only by A's consent, and withdrawn."""
    p, heads = setup
    hidden = {**WIDE, "trust_visibility": "none", "local_authority_visibility": "none"}
    hidden |= {"named_for_support": False}
    assert (await p.propose(p.council, hidden)).status_code == 200
    shown = {**hidden, "local_authority_visibility": "aggregated"}
    assert (await p.propose(p.council, shown)).status_code == 202
    assert {r["local_authority_visibility"] for r in (await p.terms()).values()} == {"none"}
    assert (await p.decide(heads[A], A, "consented", 3)).status_code == 201
    terms = await p.terms()
    assert (terms[A]["local_authority_visibility"], terms[B]["local_authority_visibility"]) == (
        "aggregated",
        "none",
    )
    assert (await p.decide(heads[A], A, "withdrawn", 3)).status_code == 201
    assert (await p.terms())[A]["local_authority_visibility"] == "none"


async def test_an_authorised_signatory_may_decide(
    setup: tuple[Partnership, dict[int, dict[str, str]]], issue_token: TokenFactory
) -> None:
    p, _ = setup
    assert (await p.propose(p.council, WIDE)).status_code == 202
    person = await p.client.post(
        "/v1/people",
        json={
            "name": "Business manager",
            "email": "bm@school.example",
            "roles": [{"role": "agreement_signatory", "urn": B}],
        },
        headers=p.council,
    )
    assert person.status_code == 201, person.text
    signatory = bearer(
        issue_token("directory:write", schools=[str(B)], person_id=person.json()["id"])
    )
    assert (await p.decide(signatory, B, "consented", 2)).status_code == 201
    assert (await p.terms())[B]["consented_version"] == 2


async def _pull(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], since: dict[str, Any]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {**since, "limit": 1}
    for _ in range(20):
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        rows += response.json()["data"]
        if response.json()["next_cursor"] is None:
            return rows
        params = {**since, "limit": 1, "cursor": response.json()["next_cursor"]}
    raise AssertionError("too many pages")


async def test_an_mis_follows_the_agreement_lists(
    setup: tuple[Partnership, dict[int, dict[str, str]]], issue_token: TokenFactory
) -> None:
    p, heads = setup
    for threshold in (5, 6):
        proposed = await p.propose(p.council, {**WIDE, "suppression_threshold": threshold})
        assert proposed.status_code == 202, proposed.text
    versions = f"{p.base}/versions"
    numbers = [v["version"] for v in await _pull(p.client, versions, p.council, {})]
    held, current = numbers[-2], numbers[-1]
    newer = await _pull(p.client, versions, p.council, {"after_id": str(held)})
    assert [v["version"] for v in newer] == [current]
    assert await _pull(p.client, versions, p.council, {"after_id": str(current)}) == []
    unknown = {"after_id": str(current + 1)}
    assert_problem(await p.client.get(versions, params=unknown, headers=p.council), 422)

    # The schools' terms change: the compound boundary reads each change once.
    terms = await _pull(p.client, f"{p.base}/schools", p.council, {})
    assert [t["urn"] for t in terms] == [A, B]  # by URN without a boundary
    last = max(terms, key=lambda t: (t["updated_at"], t["urn"]))
    boundary = {"updated_since": last["updated_at"], "after_id": str(last["urn"])}
    assert await _pull(p.client, f"{p.base}/schools", p.council, boundary) == []
    assert (await p.decide(heads[A], A, "consented", current)).status_code == 201
    changed = await _pull(p.client, f"{p.base}/schools", p.council, boundary)
    assert [(t["urn"], t["consented_version"]) for t in changed] == [(A, current)]

    # Decisions only grow: after_id reads the new ones.
    assert (await p.decide(heads[B], B, "declined", current)).status_code == 201
    consents = await _pull(p.client, f"{p.base}/consents", p.council, {})
    assert [c["urn"] for c in consents] == [A, B]
    after = await _pull(p.client, f"{p.base}/consents", p.council, {"after_id": consents[0]["id"]})
    assert [c["decision"] for c in after] == ["declined"]

    # Another tenant: the partnership does not exist for it, whatever the parameters.
    stranger = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    for path, params in (
        (versions, {"after_id": "1"}),
        (f"{p.base}/schools", boundary),
        (f"{p.base}/consents", {"after_id": consents[0]["id"]}),
    ):
        assert_problem(await p.client.get(path, params=params, headers=stranger), 404)
