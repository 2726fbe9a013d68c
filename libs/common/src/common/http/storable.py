"""Text PostgreSQL cannot store is a 422 on every route and both databases alike.

PostgreSQL's ``text`` (and ``jsonb``) reject the NUL character, and an unpaired UTF-16 surrogate
(a JSON ``"\\ud800"``) cannot be encoded to UTF-8 at all; SQLite stores both. One app-wide
dependency (:class:`UnstorableTextCheck`, installed by the app factory) checks the path and
query parameters, the headers and the JSON body of every request before any route runs, and
names each offending field the way validation errors do (``body.name``, ``query.q``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.requests import Request

from common.http.problems import validation_failed

#: NUL, and the surrogate code points, which are not characters and have no UTF-8 form.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
NUL_MESSAGE = "Text cannot contain the NUL character (U+0000)."
SURROGATE_MESSAGE = "Text cannot contain an unpaired surrogate (U+D800 to U+DFFF)."


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None when it can."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def _printable(name: str) -> str:
    # A field's name goes back in the problem, which must itself be valid UTF-8 JSON.
    return _UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", name)


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, reason) for each unstorable string in a parsed JSON value, keys included."""
    if isinstance(value, str):
        reason = unstorable_reason(value)
        if reason is not None:
            yield path, reason
    elif isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{_printable(str(key))}"
            key_reason = unstorable_reason(str(key))
            if key_reason is not None:
                yield child, key_reason
            yield from _walk(item, child)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}.{index}")


def _is_json(content_type: str | None) -> bool:
    # As FastAPI decides whether to parse a body as JSON (no content type, or */json, */*+json).
    if not content_type:
        return True
    message = Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


@dataclass(frozen=True)
class _Reads:
    """The query parameters and headers a route reads (its own and its dependencies')."""

    query: frozenset[str]
    headers: frozenset[str]


def _header_name(name: str) -> str:
    return name.lower().replace("_", "-")


def _route_reads(route: APIRoute) -> _Reads:
    query: set[str] = set()
    headers: set[str] = set()
    pending: list[Dependant] = [route.dependant]
    while pending:
        dependant = pending.pop()
        query |= {field.alias for field in dependant.query_params}
        headers |= {_header_name(field.alias) for field in dependant.header_params}
        pending += dependant.dependencies
    return _Reads(frozenset(query), frozenset(headers))


async def _json_body(request: Request, route: APIRoute) -> Any:
    if route.body_field is None:
        return None
    if not await request.body() or not _is_json(request.headers.get("content-type")):
        return None
    # FastAPI parsed it before solving dependencies; Starlette hands back that parse.
    return await request.json()


class UnstorableTextCheck:
    """The app-wide dependency: ``FastAPI(dependencies=[Depends(UnstorableTextCheck())])``.

    A 422 names every path or query parameter, header and JSON body field the route reads
    that holds text PostgreSQL cannot store. What each route reads is worked out once."""

    def __init__(self) -> None:
        self._reads: dict[int, _Reads] = {}  # by id(route): routes are not hashable

    async def __call__(self, request: Request) -> None:
        route = request.scope.get("route")
        if not isinstance(route, APIRoute):
            return
        reads = self._reads.get(id(route))
        if reads is None:
            reads = self._reads[id(route)] = _route_reads(route)
        found: list[tuple[str, str]] = []
        for name, value in request.path_params.items():
            found += _walk(value, f"path.{name}")
        for name, value in request.query_params.multi_items():
            if name in reads.query:
                found += _walk(value, f"query.{name}")
        for raw_name, raw_value in request.scope["headers"]:
            name = raw_name.decode("latin-1").lower()
            if name in reads.headers and b"\x00" in raw_value:
                found.append((f"header.{name}", NUL_MESSAGE))
        found += _walk(await _json_body(request, route), "body")
        if found:
            errors = [{"field": field, "message": reason} for field, reason in found]
            raise validation_failed(errors, "The request holds text that cannot be stored.")
