"""Pairs each OpenAPI operation with the route that serves it, and walks its dependencies:
the post-processing reads markers (required scopes, If-Match) from the dependency tree."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

OPERATION_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(path, method, operation)`` for every operation of the document."""
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method in OPERATION_METHODS:
                yield path, method, operation


def route_operations(
    schema: dict[str, Any], routes: Sequence[BaseRoute]
) -> Iterator[tuple[Dependant, dict[str, Any]]]:
    """``(dependant, operation)`` for every documented route (included routers too)."""
    paths = schema.get("paths", {})
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        if not context.include_in_schema:
            continue
        item = paths.get(context.path_format, {})
        dependant: Dependant = context.dependant
        for method in sorted(context.methods or ()):
            operation = item.get(method.lower())
            if operation is not None:
                yield dependant, operation


def dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every callable in the dependency tree (the endpoint's own dependencies, recursively)."""
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from dependency_calls(dependency)
