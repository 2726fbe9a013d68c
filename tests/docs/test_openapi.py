"""The committed OpenAPI documents: current, valid OpenAPI 3.1, and describing the protocol
(scopes, headers, If-Match, tags, servers, typed events, problem types)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.docs.openapi_rules import failing_examples, missing_fields, operations

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("scheduling", "reviews", "knowledge")

# What the documents fail today, to be fixed in the services (see docs/api.md); a new failure
# fails the test, and so does an entry here that no longer fails (remove it).
KNOWN_MISSING: dict[str, set[str]] = {
    "scheduling": set(),
    "reviews": set(),
    "knowledge": set(),
}


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("openapi_docs", ROOT / "deploy/openapi_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("openapi_docs", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    return {s: json.loads((ROOT / f"docs/openapi/{s}.json").read_text()) for s in SERVICES}


def test_the_committed_documents_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://api.example.org")  # ignored by the generator
    generated = _generator().documents()
    stale = [
        service
        for service, text in generated.items()
        if (ROOT / f"docs/openapi/{service}.json").read_text() != text
    ]
    assert not stale, f"stale OpenAPI documents: {stale}; run `make openapi` and commit them"


@pytest.mark.parametrize("service", SERVICES)
def test_valid_openapi_3_1(documents: dict[str, dict[str, Any]], service: str) -> None:
    assert documents[service]["openapi"].startswith("3.1")
    validate(documents[service])


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_is_described(documents: dict[str, dict[str, Any]], service: str) -> None:
    assert set(missing_fields(documents[service])) == KNOWN_MISSING[service]


@pytest.mark.parametrize("service", SERVICES)
def test_examples_validate(documents: dict[str, dict[str, Any]], service: str) -> None:
    assert failing_examples(documents[service]) == []


def test_examples_keep_their_nulls(documents: dict[str, dict[str, Any]]) -> None:
    # FastAPI drops every null from the document; a required nullable field's example keeps it.
    schemas = documents["scheduling"]["components"]["schemas"]
    (trust,) = schemas["TrustOut"]["examples"]
    assert "close_date" in trust
    assert trust["close_date"] is None
    (job,) = schemas["ImportOut"]["examples"]
    assert job["reason"] is None
    assert job["finished_at"] is None


def _public(path: str) -> bool:
    return path in ("/healthz", "/livez", "/readyz") or path.startswith(("/problems", "/v1/feeds/"))


@pytest.mark.parametrize("service", SERVICES)
def test_scopes_per_operation(documents: dict[str, dict[str, Any]], service: str) -> None:
    document = documents[service]
    flows = document["components"]["securitySchemes"]["OAuth2"]["flows"]
    declared = set(flows["clientCredentials"]["scopes"])
    for where, operation in operations(document):
        path = where.split(" ", 1)[1]
        security = operation.get("security", [])
        if _public(path):
            assert not security, where
            continue
        scopes = security[0]["OAuth2"]
        assert scopes, f"{where}: no scope"
        assert set(scopes) <= declared
        assert security[1] == {"HTTPBearer": scopes}
        assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_if_match_required_where_428(documents: dict[str, dict[str, Any]]) -> None:
    scheduling = documents["scheduling"]["paths"]
    for path in ("/v1/people/{person_id}/unavailability", "/v1/people/{person_id}/training"):
        (if_match,) = [p for p in scheduling[path]["post"]["parameters"] if p["name"] == "If-Match"]
        assert if_match["required"] is True
        assert if_match["schema"]["type"] == "string"


@pytest.mark.parametrize("service", SERVICES)
def test_response_headers(documents: dict[str, dict[str, Any]], service: str) -> None:
    document = documents[service]
    assert set(document["components"]["headers"]) >= {
        "X-Request-ID", "ETag", "Location", "Retry-After", "Idempotent-Replayed",
        "WWW-Authenticate",
    }  # fmt: skip
    for where, operation in operations(document):
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        for code, response in operation["responses"].items():
            headers = set(response.get("headers", {}))
            assert "X-Request-ID" in headers, f"{where} {code}"
            if code in ("201", "202"):
                assert "Location" in headers, f"{where} {code}"
            if code in ("429", "503"):
                assert "Retry-After" in headers, f"{where} {code}"
            if code.startswith("2") and "Idempotency-Key" in names:
                assert "Idempotent-Replayed" in headers, f"{where} {code}"
            if code.startswith("2") and code != "204" and "If-Match" in names:
                assert "ETag" in headers, f"{where} {code}"


@pytest.mark.parametrize("service", SERVICES)
def test_tags_and_servers(documents: dict[str, dict[str, Any]], service: str) -> None:
    document = documents[service]
    assert document["servers"] == [{"url": "/"}]
    assert all(tag.get("description") for tag in document["tags"])


def test_review_events_are_typed(documents: dict[str, dict[str, Any]]) -> None:
    from reviews.integration.catalog import CONTENT, LIFECYCLE

    document = documents["reviews"]
    events = (*LIFECYCLE, *CONTENT)
    assert set(document["webhooks"]) == {e.name for e in events}
    union = document["components"]["schemas"]["FeedEntry"]["properties"]["event"]
    mapping = union["discriminator"]["mapping"]
    assert set(mapping) == {e.type for e in events}
    schemas = document["components"]["schemas"]
    transitioned = schemas[mapping["org.criticalfriend.reviews.review.transitioned.v1"][21:]]
    payload = schemas[transitioned["properties"]["data"]["$ref"][21:]]
    assert {"from_state", "to_state"} <= set(payload["properties"])
