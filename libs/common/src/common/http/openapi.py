"""OpenAPI post-processing: every operation documents the problem responses it can give."""

from __future__ import annotations

from collections import Counter
from typing import Any

from common.http.problems import PROBLEM_MEDIA_TYPE
from common.http.schemas import Problem

PROBLEM_DESCRIPTIONS: dict[int, str] = {
    400: "The request body is not valid JSON (problem type `malformed-json`).",
    401: "Missing, invalid or expired bearer token.",
    403: "The token lacks a required scope.",
    404: "No such resource (or not visible to this client).",
    409: "Conflicts with the current state (e.g. a duplicate).",
    412: "If-Match does not match the current ETag.",
    413: "The request body is too large.",
    422: "The request is not valid; `errors` lists the fields.",
    428: "If-Match is required.",
    429: "Write rate limit exceeded; see Retry-After.",
    500: "Unexpected error; quote the request_id.",
    503: "At capacity, or the database is busy or unreachable (nothing was changed), or a "
    "dependency is not ready; see Retry-After.",
}
_OPERATION_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
_WRITE_METHODS = {"put", "post", "delete", "patch"}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _codes_for(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    # Any request may be shed (503) when the process is at capacity or its database is not
    # reachable; any body may be malformed JSON (400).
    codes = {500, 503}
    parameters = operation.get("parameters", [])
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes.add(400)
    if operation.get("security"):
        codes |= {401, 403}
    if "{" in path:
        codes.add(404)
    if method in _WRITE_METHODS:
        codes |= {409, 413, 429}
    if any(p.get("in") == "header" and p.get("name", "").lower() == "if-match" for p in parameters):
        codes |= {412, 428}
    return codes


def _is_default_validation_response(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))


def add_problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the ``Problem`` schema and the problem responses of each operation (idempotent).

    FastAPI's default 422 (``HTTPValidationError``) is replaced, since our handler answers with
    a problem document instead.
    """
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(problem_schema.pop("$defs", {}))
    schemas["Problem"] = problem_schema
    operation_ids: Counter[str] = Counter()
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _OPERATION_METHODS:
                continue
            if "operationId" in operation:
                operation_ids[operation["operationId"]] += 1
            responses = operation.setdefault("responses", {})
            for code in sorted(_codes_for(path, method, operation)):
                existing = responses.get(str(code))
                if existing is None or _is_default_validation_response(existing):
                    responses[str(code)] = {
                        "description": PROBLEM_DESCRIPTIONS[code],
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}},
                    }
    duplicates = sorted(name for name, count in operation_ids.items() if count > 1)
    if duplicates:
        raise RuntimeError(f"duplicate operationIds (route names): {', '.join(duplicates)}")
    if not _mentions(schema.get("paths", {}), "#/components/schemas/HTTPValidationError"):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return schema


def _mentions(node: Any, ref: str) -> bool:
    if isinstance(node, dict):
        return node.get("$ref") == ref or any(_mentions(v, ref) for v in node.values())
    if isinstance(node, list):
        return any(_mentions(v, ref) for v in node)
    return False
