"""The app factory: request ids, health and readiness, lifespan, OpenAPI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import pytest
from asgi_lifespan import LifespanManager
from fastapi import APIRouter, Depends, FastAPI, Response

from common.auth import Principal, require_scopes
from common.http.app import create_service_app
from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination
from common.http.schemas import StrictModel
from common.logging import correlation_id_var, request_id_var
from tests.common.test_http_helpers import client_for, make_app, problem, settings

Reader = Annotated[Principal, Depends(require_scopes("things:read"))]
Writer = Annotated[Principal, Depends(require_scopes("things:write"))]


class ThingIn(StrictModel):
    name: str


class ThingOut(StrictModel):
    id: int
    name: str


router = APIRouter(prefix="/v1/things", tags=["things"])


@router.get("", name="list_things")
async def list_things(params: Pagination, _: Reader) -> Page[ThingOut]:
    return Page(data=[], next_cursor=None)


@router.post("", status_code=201, name="create_thing")
async def create_thing(body: ThingIn, _: Writer, idem: IdempotencyKey) -> ThingOut:
    return ThingOut(id=1, name=body.name)


@router.put("/{thing_id}", name="replace_thing")
async def replace_thing(
    thing_id: int, body: ThingIn, expected: IfMatchVersion, _: Writer, response: Response
) -> ThingOut:
    set_etag(response, expected + 1)
    return ThingOut(id=thing_id, name=body.name)


@router.get("/ids", name="ids")
async def ids() -> dict[str, str | None]:
    return {"request_id": request_id_var.get(), "correlation_id": correlation_id_var.get()}


async def test_request_id_is_echoed_and_set_for_logs(tmp_path: Path) -> None:
    async with client_for(make_app(tmp_path / "k.pem", [router])) as client:
        response = await client.get("/v1/things/ids", headers={"X-Request-ID": "abc-123"})
        assert response.headers["X-Request-ID"] == "abc-123"
        assert response.json() == {"request_id": "abc-123", "correlation_id": "abc-123"}

        response = await client.get(
            "/v1/things/ids",
            headers={"X-Request-ID": "bad id\twith spaces", "X-Correlation-ID": "flow-9"},
        )
        generated = response.headers["X-Request-ID"]
        assert uuid.UUID(generated).version == 7
        assert response.json() == {"request_id": generated, "correlation_id": "flow-9"}
        assert request_id_var.get() is None  # reset after the request


async def test_healthz_and_readyz(tmp_path: Path) -> None:
    state = {"database": True, "nats": False}

    async def readiness() -> dict[str, bool]:
        return dict(state)

    async with client_for(make_app(tmp_path / "k.pem", readiness=readiness)) as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/livez")).json() == {"status": "ok"}
        body = problem(await client.get("/readyz"), 503)
        assert body["checks"] == {"database": True, "nats": False}
        assert "nats" in body["detail"]
        state["nats"] = True
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json()["checks"] == {"database": True, "nats": True}


async def test_readiness_that_raises_is_not_ready(tmp_path: Path) -> None:
    async def readiness() -> dict[str, bool]:
        raise ConnectionError("db down")

    async with client_for(make_app(tmp_path / "k.pem", readiness=readiness)) as client:
        body = problem(await client.get("/readyz"), 503)
        assert "db down" not in str(body)


async def test_lifespan_runs(tmp_path: Path) -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("start")
        app.state.started = True
        yield
        events.append("stop")

    async def readiness() -> dict[str, bool]:
        return {"started": bool(getattr(app.state, "started", False))}

    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(auth_dev_key_path=tmp_path / "k.pem"),
        lifespan=lifespan,
        routers=[],
        readiness=readiness,
    )
    async with LifespanManager(app) as manager, client_for(manager.app) as client:
        assert (await client.get("/readyz")).status_code == 200
    assert events == ["start", "stop"]


async def test_openapi_documents_problems_and_operation_ids(tmp_path: Path) -> None:
    async with client_for(make_app(tmp_path / "k.pem", [router])) as client:
        schema = (await client.get("/openapi.json")).json()
        assert (await client.get("/docs")).status_code == 200
    operations = {
        op["operationId"]: op for item in schema["paths"].values() for op in item.values()
    }
    assert set(operations) == {
        "list_things",
        "create_thing",
        "replace_thing",
        "ids",
        "livez",
        "healthz",
        "readyz",
        "list_problem_types",
        "get_problem_type",
    }
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    assert "bearer" in str(schema["components"]["securitySchemes"]).lower()

    def codes(name: str) -> set[str]:
        return set(operations[name]["responses"])

    assert {"401", "403", "422", "500"} <= codes("list_things")
    assert {"401", "403", "409", "413", "422", "429", "500"} <= codes("create_thing")
    assert {"404", "412", "428"} <= codes("replace_thing")
    problem_422 = operations["create_thing"]["responses"]["422"]["content"]
    assert problem_422 == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    headers = {p["name"] for p in operations["create_thing"]["parameters"]}
    assert "Idempotency-Key" in headers
    # Health routes are documented (gateways rely on them), and readiness documents its 503.
    assert schema["paths"]["/healthz"]["get"]["tags"] == ["operations"]
    assert "503" in schema["paths"]["/readyz"]["get"]["responses"]


async def test_duplicate_route_names_are_refused(tmp_path: Path) -> None:
    clash = APIRouter()

    @clash.get("/a", name="same")
    async def a() -> None: ...

    @clash.get("/b", name="same")
    async def b() -> None: ...

    app = make_app(tmp_path / "k.pem", [clash])
    with (
        pytest.warns(UserWarning, match="Duplicate Operation ID"),
        pytest.raises(RuntimeError, match="same"),
    ):
        app.openapi()
