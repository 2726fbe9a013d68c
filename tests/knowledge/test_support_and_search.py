"""Support brokering (ranking, who may be named, an optimal round that a greedy choice misses),
research suggestions for a review, full-text search over what the caller may read, and the
process measures as JSON and CSV; all through the real consumer and routes."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.knowledge.kit import LA, YEAR, Kit, Review, finding, uid
from tests.support import assert_problem

P, Q, R = uid(1, "0aa1"), uid(2, "0aa1"), uid(3, "0aa1")
A, B, X, Y, X2, Z, V, W = 200001, 200002, 200010, 200011, 200012, 200020, 200021, 200030
EAST = {A: 570000, B: 590000, X: 571000, Y: 573000, X2: 572000, Z: 589000, V: 588000, W: 570500}
CHAMPION = uid(9, "0ccc")
PHONICS, NUMBER = "curriculum.reading.phonics", "maths.number"


def strength(code: str, evidence: int, *, triangulated: bool = True) -> dict[str, Any]:
    return finding("strength", code, evidence=evidence, triangulated=triangulated)


async def _county(kit: Kit) -> dict[int, Review]:
    events = []
    for partnership, agreement in (
        (P, {"partnership": "named"}),
        (Q, {"partnership": "aggregated", "named_for_support": True}),
        (R, {"partnership": "named"}),
    ):
        events += [
            await kit.partnership(partnership),
            await kit.agreement(partnership, **agreement),
        ]
    homes = {A: P, B: P, X: P, Y: P, X2: P, Z: Q, V: Q, W: R}
    for urn, partnership in homes.items():
        events += [
            await kit.school(urn, at=(EAST[urn], 210000)),
            await kit.member(partnership, urn),
        ]
    # Q's schools consented to being named for support (a proposal alone names nobody).
    for urn in (Z, V):
        events.append(
            await kit.school_terms(Q, urn, partnership="aggregated", named_for_support=True)
        )
    await kit.applied(*events)
    reviews = {urn: Review(uid(urn, "0bb1"), p, urn) for urn, p in homes.items()}
    findings = {
        A: [
            finding(
                "area_for_development", PHONICS, text="Phonics teaching in Year 1 is inconsistent."
            ),
            finding("area_for_development", NUMBER, text="Number facts are not yet fluent."),
        ],
        B: [finding("area_for_development", PHONICS, text="Early reading lacks a phonics scheme.")],
        X: [strength(PHONICS, 6)],
        Y: [strength(PHONICS, 10), strength(NUMBER, 5)],
        X2: [strength(PHONICS, 30, triangulated=False)],
        Z: [strength(PHONICS, 9)],
        V: [strength("curriculum.reading", 50)],  # broader than phonics: no match
        W: [strength(PHONICS, 20)],
    }
    sent = [await kit.report(reviews[u], f, text_shared=True) for u, f in findings.items()]
    action = {"action_id": uid(1, "0ac7"), "kind": "staff_training", "theme_codes": [PHONICS]}
    action["text"] = "Train Year 1 staff in the phonics scheme."
    plan = reviews[A].plan([action], text_shared=True)
    from contracts import reviews as contract

    sent.append(await kit.review_event(contract.ACTION_PLAN_AGREED, plan))
    sent.append(await kit.plan_review(reviews[A], CHAMPION))
    await kit.applied(*sent)
    return reviews


def _greedy(
    needs: list[tuple[int, str]], offers: dict[tuple[int, str], list[int]]
) -> dict[Any, int]:
    """Each need in turn takes its best free helper (capacity 1): what the round must beat."""
    taken: set[int] = set()
    chosen = {}
    for need in needs:
        free = [h for h in offers[need] if h not in taken]
        if free:
            chosen[need] = free[0]
            taken.add(free[0])
    return chosen


async def test_brokering_search_suggestions_and_process(kit: Kit) -> None:
    reviews = await _county(kit)
    school_a = kit.token(schools=[str(A)])
    lead = kit.token(partnerships=[str(P)])

    matches = await kit.get(f"/v1/insights/support/schools/{A}", school_a)
    assert matches.status_code == 200, matches.text
    needs = {n["theme_code"]: [o["urn"] for o in n["offers"]] for n in matches.json()["needs"]}
    # Same partnership first (by evidence), then Q's school, which offers named_for_support; R
    # names its schools only within R, X2's strength is not triangulated and V's is broader.
    assert needs == {PHONICS: [Y, X, Z], NUMBER: [Y]}
    first = matches.json()["needs"][1]["offers"][0]
    assert first["same_partnership"] is True
    assert first["evidence_items"] == 5
    assert first["distance_km"] == 3.0
    b_matches = await kit.get(f"/v1/insights/support/schools/{B}", lead)
    assert [o["urn"] for o in b_matches.json()["needs"][0]["offers"]] == [Y, X, Z]
    assert (await kit.get(f"/v1/insights/support/schools/{W}", lead)).status_code == 404
    council = kit.token(la=[LA])
    assert_problem(await kit.get(f"/v1/insights/support/schools/{A}", council), 404)

    # A needs phonics and number, B phonics; Y is the best phonics helper and the only number
    # helper. Capacity 1 each: need by need, A's phonics takes Y and A's number is left unmet;
    # the optimal round gives A's phonics to X and meets every need.
    offers = {(A, PHONICS): [Y, X, Z], (A, NUMBER): [Y], (B, PHONICS): [Y, X, Z]}
    order = [(A, PHONICS), (A, NUMBER), (B, PHONICS)]
    greedy = _greedy(order, offers)
    assert (A, NUMBER) not in greedy
    body = {"partnership_id": str(P), "academic_year": YEAR, "default_capacity": 1}
    response = await kit.client.post("/v1/insights/support/rounds", json=body, headers=lead)
    assert response.status_code == 200, response.text
    pairs = {(p["urn"], p["theme_code"]): p["helper"]["urn"] for p in response.json()["pairings"]}
    assert pairs == {(A, PHONICS): X, (A, NUMBER): Y, (B, PHONICS): Z}  # Z is near B
    assert response.json()["unmet"] == []
    roomy = {**body, "capacities": [{"urn": X, "capacity": 2}]}
    response = await kit.client.post("/v1/insights/support/rounds", json=roomy, headers=lead)
    pairs = {(p["urn"], p["theme_code"]): p["helper"]["urn"] for p in response.json()["pairings"]}
    assert pairs == {(A, PHONICS): X, (A, NUMBER): Y, (B, PHONICS): X}
    other = kit.token(partnerships=[str(Q)])  # Q's agreement does not name its schools
    assert_problem(
        await kit.client.post(
            "/v1/insights/support/rounds", json={**body, "partnership_id": str(Q)}, headers=other
        ),
        404,
    )
    assert_problem(
        await kit.client.post(
            "/v1/insights/support/rounds", json={**body, "default_capacity": -1}, headers=lead
        ),
        422,
    )

    # Research suggestions for A's review: its areas for development's themes.
    path = f"/v1/evidence-library/reviews/{reviews[A].review_id}/suggestions"
    for headers in (school_a, lead, kit.token(person=[str(CHAMPION)])):
        suggestions = await kit.get(path, headers)
        assert suggestions.status_code == 200, suggestions.text
        assert suggestions.json()["themes"] == [PHONICS, NUMBER]
        assert suggestions.json()["data"]
        # A is a primary school: the sources written for its stages come first.
        fitting = [s["fits_phase"] for s in suggestions.json()["data"]]
        assert fitting[0]
        assert fitting == sorted(fitting, reverse=True)
    for headers in (council, kit.token(person=[str(uid(8, "0ccc"))]), kit.token(schools=[str(Z)])):
        assert_problem(await kit.get(path, headers), 404)

    # Search: the words shared under P's agreement, for P's lead and A itself; nothing for a
    # council, for another partnership's school, or for words never shared (Q's).
    hits = await kit.get("/v1/insights/search", lead, q="phonics")
    assert hits.status_code == 200, hits.text
    found = [(h["type"], h["urn"]) for h in hits.json()["data"]]
    assert sorted(found) == [("action", A), ("finding", A), ("finding", B)]
    assert {h["partnership_name"] for h in hits.json()["data"]} == {f"Partnership {str(P)[-4:]}"}
    assert all(h["score"] >= hits.json()["data"][-1]["score"] for h in hits.json()["data"])
    # The codes keep their place; `themes` gives each its label from the taxonomy.
    for hit in hits.json()["data"]:
        assert hit["theme_codes"] == [PHONICS]
        assert hit["themes"] == [{"code": PHONICS, "label": "Phonics and early reading"}]
    number = await kit.get("/v1/insights/search", school_a, q="number facts fluent")
    assert [h["text"] for h in number.json()["data"]] == ["Number facts are not yet fluent."]
    themed = await kit.get(
        "/v1/insights/search",
        lead,
        q="phonics",
        theme="curriculum.reading",
        kind="area_for_development",
    )
    assert sorted(h["urn"] for h in themed.json()["data"]) == [A, B]
    page = await kit.get("/v1/insights/search", lead, q="phonics", limit=2)
    rest = await kit.get(
        "/v1/insights/search", lead, q="phonics", limit=2, cursor=page.json()["next_cursor"]
    )
    assert len(page.json()["data"]) + len(rest.json()["data"]) == 3
    assert rest.json()["next_cursor"] is None
    for headers in (council, kit.token(schools=[str(Z)]), kit.token(trusts=["4001"])):
        assert (await kit.get("/v1/insights/search", headers, q="phonics")).json()["data"] == []
    assert (await kit.get("/v1/insights/search", lead, q='phonics" OR * NEAR(')).status_code == 200
    assert_problem(await kit.get("/v1/insights/search", lead, q="!!!"), 422)
    aggregated = await kit.get(
        "/v1/insights/search", council, q="phonics", scope="partnership", id=str(P)
    )
    assert aggregated.json()["data"] == []  # the council sees P in aggregate: no words
    trust = kit.token(trusts=["4001"])
    assert_problem(
        await kit.get("/v1/insights/search", trust, q="phonics", scope="partnership", id=str(P)),
        404,
    )

    # Process measures: the named lead sees its partnership whole, as JSON and as CSV.
    measures = await kit.get(
        "/v1/insights/process", lead, scope="partnership", id=str(P), year=YEAR
    )
    assert measures.status_code == 200, measures.text
    row = measures.json()["data"][0]
    assert row["reports"] == {"value": 5, "suppressed": False, "suppressed_reason": None}
    assert row["days_to_report"] == 9.0
    assert row["workshops"] == {"value": 1, "suppressed": False, "suppressed_reason": None}
    assert row["days_to_workshop"] == 30.0
    assert row["findings_per_review"] == 1.4
    as_csv = await kit.client.get(
        "/v1/insights/process",
        params={"scope": "partnership", "id": str(P)},
        headers={**lead, "Accept": "text/csv"},
    )
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert lines[0]["reports"] == "5"
    assert lines[0]["workshops"] == "1"
    alone = await kit.client.get(
        "/v1/insights/process.csv", params={"scope": "partnership", "id": str(P)}, headers=lead
    )
    assert (alone.headers["content-type"], alone.text) == (
        as_csv.headers["content-type"],
        as_csv.text,
    )
    # The council: its LA and each partnership sharing with it. Q's 2 reports and R's 1 are
    # below the threshold, and together too, so P's are hidden as well (else LA - P = Q + R);
    # one workshop is about one school.
    la_csv = await kit.get(
        "/v1/insights/process", council, scope="la", id=LA, year=YEAR, format="csv"
    )
    rows = list(csv.DictReader(io.StringIO(la_csv.text)))
    assert [r["scope_kind"] for r in rows] == ["la", "partnership", "partnership", "partnership"]
    assert rows[0]["name"] == "Essex"  # the LA named beside its code
    assert all(r["name"].startswith("Partnership ") for r in rows[1:])
    assert [r["reports"] for r in rows] == ["8", "", "", ""]
    assert [r["workshops"] for r in rows] == ["", "", "0", "0"]  # Q and R held none
    assert all(r["days_to_workshop"] == "" for r in rows)


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


async def test_a_council_never_gets_a_name_words_or_a_small_figure_on_any_route(kit: Kit) -> None:
    """Every route of the security table, and each insight route for every scope the council
    can name, answered to a council's token: no URN, no school name, no finding's or action's
    words, no figure about 1..4 schools (the agreements' threshold is 5)."""
    from tests.knowledge.test_security import ROUTES

    reviews = await _county(kit)
    council = kit.token(la=[LA])
    library = await kit.get("/v1/evidence-library", council)
    source_id = library.json()["data"][0]["id"]
    calls = []
    for route in ROUTES:
        path = route.path.format(
            code="maths", source_id=source_id, urn=A, review_id=reviews[A].review_id
        )
        calls.append((route.method, path, route.body))
    for scope in (f"partnership&id={p}" for p in (P, Q, R)):
        for what in ("themes?year=2026-27&", "trends?", "outcomes?year=2026-27&", "process?"):
            calls.append(("GET", f"/v1/insights/{what}scope={scope}", None))
    calls.append(("GET", "/v1/insights/search?q=phonics+number+train", None))
    urns = {A, B, X, Y, X2, Z, V, W}
    words = ("Phonics teaching", "Number facts", "Early reading", "Train Year 1")
    answered = 0
    for method, path, body in calls:
        response = await kit.client.request(method, path, json=body, headers=council)
        assert response.status_code < 500, (path, response.text)
        answered += response.status_code == 200
        text = response.text
        assert not any(w in text for w in words), path
        assert "School 2" not in text, path
        if response.status_code != 200:
            continue  # a problem document echoes the request (its path), nothing else
        if not response.headers["content-type"].startswith("application/json"):
            assert not any(str(u) in text for u in urns), path  # the CSV
            continue
        for key, value in _walk(response.json()):
            assert not (isinstance(value, int) and value in urns), (path, key)
            if key in ("value", "schools") and isinstance(value, int):
                assert value == 0 or value >= 5, (path, key, value)
            assert key != "urns" or value is None, path
    assert answered >= 15
