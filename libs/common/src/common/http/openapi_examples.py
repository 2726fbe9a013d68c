"""Give the component schemas back the examples their models declare, nulls included.

FastAPI encodes the whole document with ``exclude_none=True``, which also drops every ``null``
inside an example: ``"reason": None`` of a job that has not failed vanishes, and the example no
longer validates against its own schema (the field is required, only nullable). The models'
own JSON schemas still hold the examples as written; each one replaces the rendered example it
is the source of (the same value once its nulls are dropped), and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode
from starlette.routing import BaseRoute

_REF_TEMPLATE = "#/components/schemas/{model}"
_EXAMPLE_KEYS = ("examples", "example")


def _without_nulls(value: Any) -> Any:
    """``value`` as FastAPI's ``jsonable_encoder(exclude_none=True)`` renders it."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_nulls(v) for v in value]
    return value


def _annotations(routes: Sequence[BaseRoute]) -> Iterator[tuple[Any, JsonSchemaMode]]:
    """``(type, mode)`` of every response and body model the routes document (included
    routers too)."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not context.include_in_schema:
            continue
        if route.response_model is not None:
            yield route.response_model, "serialization"
        for extra in route.responses.values():
            model = extra.get("model") if isinstance(extra, dict) else None
            if model is not None:
                yield model, "serialization"
        if route.body_field is not None:
            yield route.body_field.field_info.annotation, "validation"


def _source_schemas(routes: Sequence[BaseRoute]) -> dict[str, dict[str, Any]]:
    """Model name -> its JSON schema as pydantic writes it (examples intact)."""
    found: dict[str, dict[str, Any]] = {}
    for annotation, mode in _annotations(routes):
        schema = TypeAdapter(annotation).json_schema(mode=mode, ref_template=_REF_TEMPLATE)
        for name, definition in schema.pop("$defs", {}).items():
            found.setdefault(name, definition)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found.setdefault(annotation.__name__, schema)
    return found


def _restore(rendered: Any, source: Any) -> None:
    """Walk both schemas side by side; put back each example whose nulls were dropped."""
    if isinstance(rendered, dict) and isinstance(source, dict):
        for key, value in rendered.items():
            if key not in source:
                continue
            if key in _EXAMPLE_KEYS:
                if source[key] != value and _without_nulls(source[key]) == value:
                    rendered[key] = source[key]
            else:
                _restore(value, source[key])
    elif isinstance(rendered, list) and isinstance(source, list) and len(rendered) == len(source):
        for mine, theirs in zip(rendered, source, strict=True):
            _restore(mine, theirs)


def restore_example_nulls(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """Put the nulls back into the examples of ``components.schemas`` (in place)."""
    components = schema.get("components", {}).get("schemas", {})
    sources = _source_schemas(routes)
    for name, rendered in components.items():
        # FastAPI names a model's two schemas "<name>-Input"/"<name>-Output" when they differ.
        source = sources.get(name) or sources.get(name.rsplit("-", 1)[0])
        if source is not None:
            _restore(rendered, source)
    return schema
