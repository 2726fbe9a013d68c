"""The OpenAPI post-processing that describes the protocol: scopes from ``require_scopes``,
required If-Match, response headers, tags, servers, typed events, per-operation extras."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel

from common.auth import DevKeyVerifier, Principal, require_scopes
from common.auth.deps import required_scopes
from common.http.app import create_service_app
from common.http.etag import IfMatchVersion, OptionalIfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.openapi_document import OpenApiExtras, deep_merge
from common.http.schemas import StrictModel
from tests.common.test_http_helpers import AUDIENCE, ISSUER, settings

Reader = Annotated[Principal, Depends(require_scopes("things:read"))]
Writer = Annotated[Principal, Depends(require_scopes("things:write"))]


class Thing(StrictModel):
    name: str


router = APIRouter(prefix="/v1/things", tags=["things"])


@router.get("/{thing_id}", name="get_thing", summary="A thing", description="One thing.")
async def get_thing(thing_id: int, _: Reader) -> Thing:
    return Thing(name="x")


@router.post("", status_code=201, name="create_thing")
async def create_thing(body: Thing, _: Writer, idem: IdempotencyKey) -> Thing:
    return body


@router.post("/{thing_id}/moves", name="move_thing")
async def move_thing(thing_id: int, expected: IfMatchVersion, _: Writer, r: Response) -> Thing:
    set_etag(r, expected + 1)
    return Thing(name="x")


@router.put("/{thing_id}", name="put_thing")
async def put_thing(
    thing_id: int, body: Thing, expected: OptionalIfMatchVersion, _: Writer
) -> Thing:
    return body


@router.get("/public/list", name="public_things", tags=["public"])
async def public_things() -> list[Thing]:
    return []


class ThingMoved(BaseModel):
    thing_id: int
    from_state: str
    to_state: str


class Definition:
    """Shaped like ``contracts.events.EventDefinition``."""

    name = "things.thing.moved.v1"
    type = "org.example.things.thing.moved.v1"
    summary = "A thing moved"
    payload = ThingMoved


def _document(tmp_path: Path, extras: OpenApiExtras | None = None, **overrides: Any) -> Any:
    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(**overrides),
        routers=[router],
        verifier=DevKeyVerifier(tmp_path / "k.pem", ISSUER, AUDIENCE),
        openapi=extras,
    )
    return app.openapi()


def test_require_scopes_carries_its_scopes() -> None:
    assert required_scopes(require_scopes("a:read", "b:write")) == ("a:read", "b:write")
    assert required_scopes(len) == ()


def test_each_operation_names_the_scopes_it_requires(tmp_path: Path) -> None:
    document = _document(tmp_path, auth_token_url="https://idp.example/token")
    paths = document["paths"]
    assert paths["/v1/things/{thing_id}"]["get"]["security"] == [
        {"OAuth2": ["things:read"]},
        {"HTTPBearer": ["things:read"]},
    ]
    assert paths["/v1/things"]["post"]["security"][0] == {"OAuth2": ["things:write"]}
    assert "security" not in paths["/v1/things/public/list"]["get"]
    assert "security" not in paths["/problems/{slug}"]["get"]
    flow = document["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "https://idp.example/token"
    assert flow["scopes"] == {
        "things:read": "Read things",
        "things:write": "Create and change things",
        # every service's operator routes (common.operations.router)
        "ops:admin": "Operate the service: its backlog, dead letters and consumers",
    }
    assert "HTTPBearer" in document["components"]["securitySchemes"]


def test_defaults_for_servers_and_token_url(tmp_path: Path) -> None:
    document = _document(tmp_path)
    assert document["servers"] == [{"url": "/"}]
    flow = document["components"]["securitySchemes"]["OAuth2"]["flows"]["clientCredentials"]
    assert flow["tokenUrl"] == "/oauth2/token"
    assert _document(tmp_path, public_base_url="https://api.example.org")["servers"] == [
        {"url": "https://api.example.org"}
    ]


def _parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in operation["parameters"] if p["name"] == name]
    return found


def test_if_match_required_only_where_the_dependency_requires_it(tmp_path: Path) -> None:
    paths = _document(tmp_path)["paths"]
    required = _parameter(paths["/v1/things/{thing_id}/moves"]["post"], "If-Match")
    assert required["required"] is True
    assert required["schema"]["type"] == "string"
    optional = _parameter(paths["/v1/things/{thing_id}"]["put"], "If-Match")
    assert not optional.get("required")


def test_response_headers(tmp_path: Path) -> None:
    document = _document(tmp_path)
    paths = document["paths"]

    def headers(path: str, method: str, code: str) -> set[str]:
        return set(paths[path][method]["responses"][code].get("headers", {}))

    assert headers("/v1/things", "post", "201") == {
        "X-Request-ID",
        "Location",
        "Idempotent-Replayed",
    }
    assert headers("/v1/things", "post", "429") == {"X-Request-ID", "Retry-After"}
    assert headers("/v1/things", "post", "401") == {"X-Request-ID", "WWW-Authenticate"}
    assert "ETag" in headers("/v1/things/{thing_id}/moves", "post", "200")
    assert "ETag" in headers("/v1/things/{thing_id}", "get", "200")  # the versioned resource
    assert headers("/healthz", "get", "200") == {"X-Request-ID"}
    ref = paths["/healthz"]["get"]["responses"]["200"]["headers"]["X-Request-ID"]
    assert ref == {"$ref": "#/components/headers/X-Request-ID"}
    assert "X-Request-ID" in document["components"]["headers"]


def test_tags_declared_with_descriptions(tmp_path: Path) -> None:
    document = _document(tmp_path, OpenApiExtras(tags={"things": "Things."}))
    tags = {t["name"]: t.get("description") for t in document["tags"]}
    assert tags["things"] == "Things."
    assert tags["public"] is None  # used but not described: the docs tests catch it
    assert tags["problems"]


def test_operation_extras_and_descriptions(tmp_path: Path) -> None:
    extras = OpenApiExtras(
        operations={"create_thing": {"responses": {"201": {"description": "Created."}}}},
        descriptions={"create_thing": "Makes a thing.", "get_thing": "Not used: it has one."},
    )
    paths = _document(tmp_path, extras)["paths"]
    created = paths["/v1/things"]["post"]
    assert created["description"] == "Makes a thing."
    assert created["responses"]["201"]["description"] == "Created."
    assert "content" in created["responses"]["201"]  # merged, not replaced
    assert paths["/v1/things/{thing_id}"]["get"]["description"] == "One thing."
    with pytest.raises(RuntimeError, match="no_such_operation"):
        _document(tmp_path, OpenApiExtras(operations={"no_such_operation": {}}))


def test_deep_merge() -> None:
    assert deep_merge({"a": {"b": 1, "c": 2}, "d": 1}, {"a": {"b": 3}, "d": [1]}) == {
        "a": {"b": 3, "c": 2},
        "d": [1],
    }


def test_events_as_webhooks_with_typed_payloads(tmp_path: Path) -> None:
    document = _document(tmp_path, OpenApiExtras(events=[Definition()], webhooks=True))
    webhook = document["webhooks"]["things.thing.moved.v1"]["post"]
    ref = webhook["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ThingsThingMovedV1Event"
    schemas = document["components"]["schemas"]
    envelope = schemas["ThingsThingMovedV1Event"]
    assert envelope["properties"]["type"] == {"type": "string", "const": Definition.type}
    assert envelope["properties"]["data"] == {"$ref": "#/components/schemas/ThingMoved"}
    assert {"from_state", "to_state"} <= set(schemas["ThingMoved"]["properties"])
    assert "webhooks" not in _document(tmp_path, OpenApiExtras(events=[Definition()]))
