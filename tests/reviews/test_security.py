"""Every route: 401 without a token, 403 without the scope, and a review the caller cannot see
is 404 and unchanged. The table must name every /v1 route the reviews app serves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from reviews.main import create_app
from tests.reviews.conftest import HEAD, RW, URN, Kit, plan
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
    Route(
        "POST",
        "/v1/reviews/{review_id}/report/versions/{number}/acknowledgement",
        "reviews:write",
        {},
    ),
    Route("POST", "/v1/reviews/{review_id}/report/publication", "reviews:write", {"version": 1}),
    Route("GET", "/v1/reviews/{review_id}/report", "reviews:read"),
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
]


def test_the_table_covers_every_route() -> None:
    served = {
        (method.upper(), path)
        for path, operations in create_app().openapi()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    assert served == {(r.method, r.path) for r in ROUTES}


@pytest.fixture
async def review(kit: Kit) -> uuid.UUID:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    return review_id


async def _call(kit: Kit, route: Route, review_id: uuid.UUID, headers: dict[str, str]) -> Any:
    path = route.path.format(
        review_id=review_id, item_id=uuid.uuid4(), finding_id=uuid.uuid4(), number=1
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
