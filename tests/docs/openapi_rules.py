"""The rules the committed OpenAPI documents are held to (beyond the OpenAPI 3.1 schema that
openapi-spec-validator checks): each returns its findings as ``"<where>: <what>"`` lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def missing_fields(document: dict[str, Any]) -> list[str]:
    """Every operation has an operationId, a summary, a description and declared tags."""
    declared = {tag["name"] for tag in document.get("tags", [])}
    found = []
    for where, operation in operations(document):
        for name in ("operationId", "summary", "description"):
            if not str(operation.get(name, "")).strip():
                found.append(f"{operation.get('operationId', where)}: no {name}")
        if not operation.get("tags"):
            found.append(f"{operation.get('operationId', where)}: no tags")
        found += [
            f"{operation.get('operationId', where)}: undeclared tag {tag!r}"
            for tag in operation.get("tags", [])
            if tag not in declared
        ]
    found += [
        f"tag {t['name']!r}: no description"
        for t in document.get("tags", [])
        if not t.get("description")
    ]
    return found


def _validate(document: dict[str, Any], schema: dict[str, Any], value: Any) -> str | None:
    # The document's components beside the schema, so "#/components/..." refs resolve.
    root = {**schema, "components": document.get("components", {})}
    error = next(iter(Draft202012Validator(root).iter_errors(value)), None)
    return None if error is None else error.message[:160]


def _example_sites(
    document: dict[str, Any], node: Any, where: str
) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """``(where, schema, example)`` for each example beside the schema it illustrates."""
    if isinstance(node, dict):
        schema = node.get("schema")
        if isinstance(schema, dict):  # a parameter or a media type
            if "example" in node:
                yield where, schema, node["example"]
            for name, example in (node.get("examples") or {}).items():
                if isinstance(example, dict) and "value" in example:
                    yield f"{where} example {name}", schema, example["value"]
        if isinstance(node.get("examples"), list) and (
            "type" in node or "properties" in node or "$ref" in node or "anyOf" in node
        ):
            bare = {k: v for k, v in node.items() if k != "examples"}
            for example in node["examples"]:
                yield where, bare, example
        for key, value in node.items():
            if key not in ("examples", "example"):
                yield from _example_sites(document, value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _example_sites(document, value, f"{where}/{index}")


def failing_examples(document: dict[str, Any]) -> list[str]:
    """Every example (of a parameter, a body, a response, a schema) validates against its schema."""
    found = []
    for section in ("paths", "components", "webhooks"):
        for where, schema, example in _example_sites(document, document.get(section, {}), section):
            message = _validate(document, schema, example)
            if message is not None:
                found.append(f"{where}: {message}")
    return sorted(set(found))
