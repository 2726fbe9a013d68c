"""Every route: 401 without a token, 403 without the scope (editing needs knowledge:admin,
knowledge:read is not enough). Themes and the library are global; the insights, search and
brokering routes address a tenant's scope: another tenant's is a 404 and changes nothing.

The route table below must name every /v1 route the app serves. Each check walks the whole
table in one running service (one start per database, not one per route).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from common.db import create_database
from contracts import directory
from knowledge.answers.library.service import load_default_sources
from knowledge.config import KnowledgeSettings
from knowledge.intake.review import service as review_service
from knowledge.intake.review.visibility import directory as directory_model
from knowledge.main import create_app
from tests.knowledge.kit import Review, finding, uid
from tests.support import TokenFactory, assert_problem, bearer

SOURCE = {**load_default_sources()[0], "title": "Changed"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    scope: str
    body: Any = None
    tenancy: dict[str, list[str]] | None = None  # the caller's claims where the route is tenanted


LA = {"la": ["881"]}
P = uid(1, "0dd1")
URN = 100001
REVIEW = Review(uid(2, "0dd1"), P, URN)
SCHOOL = {"schools": [str(URN)]}
ROUND = {"partnership_id": str(P), "academic_year": "2026-27"}


ROUTES = [
    Route("GET", "/v1/themes", "knowledge:read"),
    Route("POST", "/v1/themes", "knowledge:admin", {"code": "maths.new", "label": "New"}),
    Route("GET", "/v1/themes/versions", "knowledge:read"),
    Route("GET", "/v1/themes/expertise-map", "knowledge:read"),
    Route("GET", "/v1/themes/{code}", "knowledge:read"),
    Route("PATCH", "/v1/themes/{code}", "knowledge:admin", {"label": "Changed"}),
    Route("GET", "/v1/evidence-library", "knowledge:read"),
    Route("POST", "/v1/evidence-library", "knowledge:admin", {**SOURCE, "url": "https://x.org/"}),
    Route("GET", "/v1/evidence-library/suggestions?themes=maths", "knowledge:read"),
    Route("GET", "/v1/evidence-library/{source_id}", "knowledge:read"),
    Route("PUT", "/v1/evidence-library/{source_id}", "knowledge:admin", SOURCE),
    Route("GET", "/v1/insights/themes?scope=la&id=881&year=2026-27", "knowledge:read", tenancy=LA),
    Route("GET", "/v1/insights/trends?scope=la&id=881", "knowledge:read", tenancy=LA),
    Route(
        "GET", "/v1/insights/outcomes?scope=la&id=881&year=2026-27", "knowledge:read", tenancy=LA
    ),
    Route("GET", "/v1/insights/process?scope=la&id=881&format=csv", "knowledge:read", tenancy=LA),
    Route("GET", "/v1/insights/process.csv?scope=la&id=881", "knowledge:read", tenancy=LA),
    Route("GET", "/v1/insights/search?q=phonics", "knowledge:read"),
    Route("GET", "/v1/insights/support/schools/{urn}", "knowledge:read", tenancy=SCHOOL),
    Route(
        "POST", "/v1/insights/support/rounds", "knowledge:read", ROUND, {"partnerships": [str(P)]}
    ),
    Route(
        "GET",
        "/v1/evidence-library/reviews/{review_id}/suggestions",
        "knowledge:read",
        tenancy=SCHOOL,
    ),
]


def test_the_table_covers_every_route() -> None:
    served = {
        (method.upper(), path)
        for path, operations in create_app().openapi()["paths"].items()
        if path.startswith("/v1")
        for method in operations
    }
    assert served == {(r.method, r.path.split("?")[0]) for r in ROUTES}


async def _source_id(client: httpx.AsyncClient, issue_token: TokenFactory) -> str:
    page = await client.get("/v1/evidence-library", headers=bearer(issue_token("knowledge:read")))
    return str(page.json()["data"][0]["id"])


async def _snapshot(client: httpx.AsyncClient, issue_token: TokenFactory) -> Any:
    headers = bearer(issue_token("knowledge:read"))
    themes = await client.get("/v1/themes", params={"limit": 200}, headers=headers)
    library = await client.get("/v1/evidence-library", params={"limit": 200}, headers=headers)
    return themes.json(), library.json()


async def _call(
    client: httpx.AsyncClient, route: Route, source_id: str, headers: dict[str, str]
) -> httpx.Response:
    path = route.path.format(code="maths", source_id=source_id, urn=URN, review_id=REVIEW.review_id)
    return await client.request(
        route.method, path, json=route.body, headers={**headers, "If-Match": '"1"'}
    )


def _other_scopes(route: Route) -> set[str]:
    if route.scope == "knowledge:admin":
        return {"knowledge:read", "directory:write", "reviews:write"}
    return {"knowledge:read", "knowledge:admin", "directory:write", "reviews:write"} - {route.scope}


@pytest.fixture
async def tenants(client: httpx.AsyncClient, knowledge_settings: KnowledgeSettings) -> None:
    """A partnership that names its schools, a member school and its review (written through
    the handlers' service functions), so that tenanted routes have an object to find."""
    database = create_database(knowledge_settings.database_url)
    try:
        async with database.session() as session:
            now = datetime.now(UTC)
            await directory_model.apply_partnership(
                session,
                directory.PartnershipPayload(
                    id=P, name="P", kind="la_cluster", la_code="881", version=1, updated_at=now
                ),
            )
            agreement = {"partnership_id": P, "la_code": "881", "partnership_visibility": "named"}
            await directory_model.apply_agreement(
                session,
                directory.AgreementPayload.model_validate(
                    {
                        **agreement,
                        "trust_visibility": "none",
                        "local_authority_visibility": "aggregated",
                        "suppression_threshold": 5,
                        "version": 1,
                        "updated_at": now,
                    }
                ),
            )
            membership = directory.MembershipPayload(
                partnership_id=P, urn=URN, la_code="881", occurred_at=now
            )
            await directory_model.apply_membership(session, membership, joined=True)
            report = REVIEW.report([finding("area_for_development", "maths")])
            await review_service.apply_report(session, report, knowledge_settings)
            await session.commit()
    finally:
        await database.dispose()


async def test_refused_without_a_token_the_scope_or_the_tenancy(
    client: httpx.AsyncClient, issue_token: TokenFactory, tenants: None
) -> None:
    source_id = await _source_id(client, issue_token)
    before = await _snapshot(client, issue_token)
    for route in ROUTES:
        response = await _call(client, route, source_id, {})
        assert_problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer"), route
        assert_problem(await _call(client, route, source_id, bearer("not-a-jwt")), 401)
        token = issue_token(*_other_scopes(route), la=["881"])
        assert_problem(await _call(client, route, source_id, bearer(token)), 403)
        if route.tenancy:
            for other in ({"la": ["882"]}, {"trusts": ["881"]}, {"schools": ["100881"]}, {}):
                token = issue_token(route.scope, **other)
                assert_problem(await _call(client, route, source_id, bearer(token)), 404)
        assert await _snapshot(client, issue_token) == before, route


async def test_with_the_scope_it_answers(
    client: httpx.AsyncClient, issue_token: TokenFactory, tenants: None
) -> None:
    source_id = await _source_id(client, issue_token)
    for route in ROUTES:
        token = issue_token(route.scope, **(route.tenancy or {}))
        response = await _call(client, route, source_id, bearer(token))
        assert response.status_code in (200, 201), (route, response.text)
