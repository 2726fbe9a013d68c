"""Response headers in the OpenAPI document (as ``components/headers``), and ``If-Match``
marked required where the route's dependency answers 428 without it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from common.http.etag import if_match_version
from common.http.openapi_routes import dependency_calls, operations, route_operations

_STRING = {"type": "string"}
HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "This request's id (the one sent, or a new one); quote it when "
        "reporting a problem. Every response carries it.",
        "schema": {**_STRING, "examples": ["0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"]},
    },
    "ETag": {
        "description": "The resource's version as a strong ETag: send it back in `If-Match` "
        "to change the resource.",
        "schema": {**_STRING, "examples": ['"3"']},
    },
    "Location": {
        "description": "The URL of the resource created (201) or of the job accepted (202).",
        "schema": {**_STRING, "format": "uri-reference"},
    },
    "Retry-After": {
        "description": "Seconds to wait before retrying.",
        # Seconds, as digits (a header is text: a checker need not convert it to a number).
        "schema": {**_STRING, "pattern": "^[0-9]+$", "examples": ["2"]},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the recorded response to an earlier request with "
        "the same `Idempotency-Key` (nothing was done again).",
        "schema": {**_STRING, "enum": ["true"]},
    },
    "WWW-Authenticate": {
        "description": "The bearer challenge (RFC 6750): `Bearer`, or "
        '`Bearer error="invalid_token"` when the token sent was rejected.',
        "schema": {**_STRING, "examples": ['Bearer error="invalid_token"']},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def _header_parameter(operation: dict[str, Any], name: str) -> dict[str, Any] | None:
    for parameter in operation.get("parameters", []):
        if parameter.get("in") == "header" and parameter.get("name", "").lower() == name.lower():
            found: dict[str, Any] = parameter
            return found
    return None


def require_if_match(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """``If-Match`` is ``required: true`` where the route depends on ``IfMatchVersion``."""
    for dependant, operation in route_operations(schema, routes):
        if if_match_version in set(dependency_calls(dependant)):
            parameter = _header_parameter(operation, "If-Match")
            if parameter is not None:
                parameter["required"] = True
                # A required header cannot be null: document the string alone.
                schema_ = parameter.get("schema", {})
                if {"type": "null"} in schema_.get("anyOf", []):
                    schema_.pop("anyOf")
                    schema_["type"] = "string"
    return schema


def _versioned_paths(schema: dict[str, Any]) -> set[str]:
    return {
        path
        for path, _, operation in operations(schema)
        if _header_parameter(operation, "If-Match") is not None
    }


def _headers_for(
    path: str, method: str, operation: dict[str, Any], code: str, versioned: set[str]
) -> list[str]:
    names = ["X-Request-ID"]
    success = code.startswith("2")
    if (
        success
        and code != "204"
        and path in versioned
        and (method == "get" or _header_parameter(operation, "If-Match") is not None)
    ):
        names.append("ETag")
    if code in ("201", "202"):
        names.append("Location")
    if code in ("429", "503"):
        names.append("Retry-After")
    if success and _header_parameter(operation, "Idempotency-Key") is not None:
        names.append("Idempotent-Replayed")
    if code == "401":
        names.append("WWW-Authenticate")
    return names


def add_response_headers(schema: dict[str, Any]) -> dict[str, Any]:
    """Reference the headers each response carries (existing header entries are kept)."""
    schema.setdefault("components", {}).setdefault("headers", {}).update(HEADERS)
    versioned = _versioned_paths(schema)
    for path, method, operation in operations(schema):
        for code, response in operation.get("responses", {}).items():
            if "$ref" in response:
                continue
            headers = response.setdefault("headers", {})
            for name in _headers_for(path, method, operation, code, versioned):
                headers.setdefault(name, _ref(name))
    return schema
