"""Every route: 401 without a token, 403 without the scope, and a review the caller cannot see
is 404 and unchanged. The table must name every /v1 route the reviews app serves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from reviews.main import create_app
from tests.reviews.kit import HEAD, LA, PARTNERSHIP, REVIEWER, RW, URN, Kit, plan
from tests.support import assert_problem, bearer


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    scope: str
    body: Any = None
    is_object: bool = True


ROUTES = [
    Route("GET", "/v1/reviews", "reviews:read", is_object=False),
    Route("GET", "/v1/reviews/{review_id}", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/history", "reviews:read"),
    Route("POST", "/v1/reviews/{review_id}/transitions", "reviews:write", {"to": "self_review"}),
    Route("GET", "/v1/reviews/{review_id}/self-evaluation", "reviews:read"),
    Route(
        "PUT",
        "/v1/reviews/{review_id}/self-evaluation",
        "reviews:write",
        {"data_summary": {"data_year": "2025-26", "results": []}},
    ),
    Route("GET", "/v1/reviews/{review_id}/focus", "reviews:read"),
    Route(
        "PUT",
        "/v1/reviews/{review_id}/focus",
        "reviews:write",
        {"text": "Reading", "theme_codes": ["curriculum.reading"], "questions": [{"text": "Q"}]},
    ),
    Route("GET", "/v1/reviews/{review_id}/focus/challenges", "reviews:read"),
    Route("POST", "/v1/reviews/{review_id}/focus/challenges", "reviews:write", {"text": "Why?"}),
    Route(
        "POST",
        "/v1/reviews/{review_id}/evidence/batches",
        "reviews:write",
        {
            "items": [
                {
                    "id": "0190a1b2-0000-7000-8000-0000000000e1",
                    "question_id": "0190a1b2-0000-7000-8000-0000000000a1",
                    "kind": "pupil_voice",
                    "note": "Pupils named books.",
                }
            ]
        },
    ),
    Route("GET", "/v1/reviews/{review_id}/evidence", "reviews:read"),
    Route("PATCH", "/v1/reviews/{review_id}/evidence/{item_id}", "reviews:write", {"note": "x"}),
    Route(
        "POST",
        "/v1/reviews/{review_id}/findings",
        "reviews:write",
        {"kind": "strength", "text": "T", "theme_codes": ["curriculum.reading"]},
    ),
    Route("GET", "/v1/reviews/{review_id}/findings", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/findings/{finding_id}", "reviews:read"),
    Route("PATCH", "/v1/reviews/{review_id}/findings/{finding_id}", "reviews:write", {"text": "x"}),
    Route("DELETE", "/v1/reviews/{review_id}/findings/{finding_id}", "reviews:write"),
    Route("POST", "/v1/reviews/{review_id}/report/versions", "reviews:write", {"summary": "S"}),
    Route("GET", "/v1/reviews/{review_id}/report/versions", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/report/versions/{number}", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/report/versions/{number}.md", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/report/versions/{number}.html", "reviews:read"),
    Route(
        "POST",
        "/v1/reviews/{review_id}/report/versions/{number}/acknowledgement",
        "reviews:write",
        {},
    ),
    Route("POST", "/v1/reviews/{review_id}/report/publication", "reviews:write", {"version": 1}),
    Route("GET", "/v1/reviews/{review_id}/report", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/report.md", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/report.html", "reviews:read"),
    Route("GET", "/v1/reviews/{review_id}/workshop", "reviews:read"),
    Route(
        "PUT",
        "/v1/reviews/{review_id}/workshop",
        "reviews:write",
        {
            "held_on": "2027-04-21",
            "attendance": [{"name": "A", "role": "B"}],
            "grow": {"goal": "G", "reality": "R", "options": "O", "will": "W"},
        },
    ),
    Route("GET", "/v1/reviews/{review_id}/action-plan", "reviews:read"),
    Route(
        "PUT",
        "/v1/reviews/{review_id}/action-plan",
        "reviews:write",
        {
            "actions": [
                {
                    "what": "W",
                    "kind": "other",
                    "owner_role": "Head",
                    "due_date": "2027-07-01",
                    "success_criteria": "S",
                }
            ]
        },
    ),
    Route("POST", "/v1/reviews/{review_id}/action-plan/agreement", "reviews:write", {}),
    Route("GET", "/v1/reviews/{review_id}/progress-review", "reviews:read"),
    Route(
        "POST",
        "/v1/reviews/{review_id}/progress-review",
        "reviews:write",
        {
            "reviewed_on": "2027-07-01",
            "ratings": [
                {
                    "action_id": "0190a1b2-0000-7000-8000-0000000000d1",
                    "rating": "done",
                    "evidence_of_impact": "E",
                }
            ],
        },
    ),
    Route("GET", "/v1/reviews/{review_id}/host-feedback", "reviews:read"),
    Route(
        "POST",
        "/v1/reviews/{review_id}/host-feedback",
        "reviews:write",
        {"preparation": 4, "challenge": 4, "report_usefulness": 4},
    ),
    Route("GET", "/v1/reviews/{review_id}/action-plan/actions/{action_id}/updates", "reviews:read"),
    Route(
        "POST",
        "/v1/reviews/{review_id}/action-plan/actions/{action_id}/updates",
        "reviews:write",
        {"noted_on": "2027-04-01", "note": "Going well.", "criteria": "partly"},
    ),
    # Support requests: only a token naming the school asked finds one
    # (tests/reviews/test_support_requests.py).
    Route("GET", "/v1/support-requests", "reviews:read", is_object=False),
    Route(
        "POST", "/v1/support-requests/{action_id}/answer", "reviews:write", {"answer": "accepted"}
    ),
    # The council's view (its tenancy: tests/reviews/test_oversight.py).
    Route("GET", "/v1/review-progress/{la_code}", "reviews:read", is_object=False),
]


SUBSCRIPTION = "/v1/webhooks/subscriptions/{subscription_id}"
DELIVERY = SUBSCRIPTION + "/deliveries/{delivery_id}"
TRANSITIONED = "org.criticalfriend.reviews.review.transitioned.v1"
#: The integration routes: their objects are subscriptions, each its owner's (the token's sub).
INTEGRATION_ROUTES = [
    Route("GET", "/v1/webhooks/event-types", "reviews:read", is_object=False),
    Route(
        "POST",
        "/v1/webhooks/subscriptions",
        "reviews:write",
        {"url": "http://127.0.0.1:9/", "event_types": [TRANSITIONED]},
        is_object=False,
    ),
    Route("GET", "/v1/webhooks/subscriptions", "reviews:read", is_object=False),
    Route("GET", SUBSCRIPTION, "reviews:read"),
    Route("PATCH", SUBSCRIPTION, "reviews:write", {"description": "taken over"}),
    Route("DELETE", SUBSCRIPTION, "reviews:write"),
    Route("POST", SUBSCRIPTION + "/secret/rotate", "reviews:write", {}),
    Route("GET", SUBSCRIPTION + "/deliveries", "reviews:read"),
    Route("GET", DELIVERY, "reviews:read"),
    Route("POST", DELIVERY + "/replay", "reviews:write"),
    Route(
        "POST",
        SUBSCRIPTION + "/replay",
        "reviews:write",
        {"since": "2026-01-01T00:00:00Z", "until": "2030-01-01T00:00:00Z"},
    ),
    Route("POST", SUBSCRIPTION + "/ping", "reviews:write"),
    Route("GET", "/v1/events", "reviews:read", is_object=False),
    Route("GET", "/v1/events/stream", "reviews:read", is_object=False),
    Route("POST", "/v1/events/stream-tickets", "reviews:read", is_object=False),
]


def test_the_table_covers_every_route() -> None:
    served = {
        (method.upper(), path)
        for path, operations in create_app().openapi()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    # the digest's and the evaluation pack's 401, 403 and 404: tests/reviews/test_digest.py,
    # tests/reviews/test_evaluation.py
    partnership = {
        ("GET", "/v1/digests/partnerships/{partnership_id}"),
        ("GET", "/v1/evaluation-packs/{partnership_id}"),
        ("GET", "/v1/evaluation-packs/{partnership_id}/lead-reviewers.csv"),
    }
    assert served == {(r.method, r.path) for r in ROUTES + INTEGRATION_ROUTES} | partnership


@pytest.fixture
async def review(kit: Kit) -> uuid.UUID:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    return review_id


async def _call(kit: Kit, route: Route, review_id: uuid.UUID, headers: dict[str, str]) -> Any:
    path = route.path.format(
        review_id=review_id,
        item_id=uuid.uuid4(),
        finding_id=uuid.uuid4(),
        action_id=uuid.uuid4(),
        number=1,
        la_code=LA,
    )
    return await kit.client.request(
        route.method, path, json=route.body, headers={**headers, "If-Match": '"1"'}
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_without_a_token_is_401(kit: Kit, review: uuid.UUID, route: Route) -> None:
    response = await _call(kit, route, review, {})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert_problem(await _call(kit, route, review, bearer("not-a-jwt")), 401)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path}")
async def test_without_the_scope_is_403(kit: Kit, review: uuid.UUID, route: Route) -> None:
    scopes = {*RW, "directory:read", "directory:write"} - {route.scope}
    head = kit.token(*scopes, person=HEAD, schools=[str(URN)])
    assert_problem(await _call(kit, route, review, head), 403)
    assert (await kit.get(review)).json()["state"] == "planned"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if r.is_object], ids=lambda r: f"{r.method} {r.path}"
)
async def test_another_tenants_review_is_404_and_unchanged(
    kit: Kit, review: uuid.UUID, route: Route
) -> None:
    before = (await kit.get(review)).json()
    strangers = [
        kit.token(*RW, person=uuid.uuid4(), schools=["115999"]),  # the head of another school
        kit.token(*RW, person=uuid.uuid4()),  # a person on no team of this review
        kit.token(*RW, la=["882"]),
        kit.token(*RW, la=["881"]),  # its own LA, but the agreement does not name the school
        kit.token(*RW, partnerships=[str(uuid.uuid4())]),
    ]
    for stranger in strangers:
        assert_problem(await _call(kit, route, review, stranger), 404)
    assert (await kit.get(review)).json() == before
    # An unknown review is the same 404.
    assert_problem(await _call(kit, route, uuid.uuid4(), kit.admin), 404)


async def test_history_cannot_be_changed(kit: Kit, review: uuid.UUID) -> None:
    """The history is append-only in the ORM and in the database."""
    import sqlalchemy as sa

    from reviews.review.models import AppendOnlyError, ReviewHistory

    async with kit.db.session() as session:
        entry = await session.scalar(sa.select(ReviewHistory))
        assert entry is not None
        entry.action = "forged"
        with pytest.raises(AppendOnlyError):
            await session.flush()
    async with kit.db.session() as session:
        entry = await session.scalar(sa.select(ReviewHistory))
        await session.delete(entry)
        with pytest.raises(AppendOnlyError):
            await session.flush()
    for statement in ("UPDATE review_history SET action = 'forged'", "DELETE FROM review_history"):
        async with kit.db.session() as session:
            with pytest.raises(sa.exc.DBAPIError):
                await session.execute(sa.text(statement))
    history = await kit.client.get(f"/v1/reviews/{review}/history", headers=kit.admin)
    assert [h["action"] for h in history.json()["data"]] == ["planned"]


async def test_integration_routes_refuse_without_a_token_the_scope_or_the_subscription(
    kit: Kit,
) -> None:
    """One app for every integration route: 401, 403, and another client's subscription (or
    an unknown one) is 404 and unchanged, whatever the stranger's tenancy."""
    owner = kit.token(*RW, subject="county-mis", la=[LA])
    body = {"url": "http://127.0.0.1:9/", "event_types": [TRANSITIONED]}
    created = await kit.client.post("/v1/webhooks/subscriptions", json=body, headers=owner)
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    base = f"/v1/webhooks/subscriptions/{sid}"
    ping = await kit.client.post(f"{base}/ping", headers=owner)
    assert ping.status_code == 202, ping.text
    did = ping.json()["id"]

    async def state() -> tuple[Any, list[str]]:
        row = await kit.client.get(base, headers=owner)
        log = await kit.client.get(f"{base}/deliveries", headers=owner)
        return row.json(), [d["id"] for d in log.json()["data"]]

    before = await state()
    strangers = [
        kit.token(*RW, subject="another-county-mis", la=[LA]),  # same tenancy, not the owner
        kit.token(*RW, subject="partnership-app", partnerships=[str(PARTNERSHIP)]),
        kit.token(*RW, subject="reviewer-app", person=REVIEWER),
    ]
    unknown = {"subscription_id": uuid.uuid4(), "delivery_id": uuid.uuid4()}
    for route in INTEGRATION_ROUTES:
        path = route.path.format(subscription_id=sid, delivery_id=did)

        async def call(headers: dict[str, str], path: str = path, route: Route = route) -> Any:
            return await kit.client.request(
                route.method, path, json=route.body, headers={**headers, "If-Match": '"1"'}
            )

        response = await call({})
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert_problem(await call(bearer("not-a-jwt")), 401)
        without_scope = {*RW, "directory:read", "directory:write"} - {route.scope}
        assert_problem(await call(kit.token(*without_scope, subject="county-mis", la=[LA])), 403)
        if route.is_object:
            for stranger in strangers:
                assert_problem(await call(stranger), 404)
            assert_problem(await call(owner, route.path.format(**unknown)), 404)
            if "{delivery_id}" in route.path:
                other = route.path.format(subscription_id=sid, delivery_id=uuid.uuid4())
                assert_problem(await call(owner, other), 404)
    assert await state() == before
