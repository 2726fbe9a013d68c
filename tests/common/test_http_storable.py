"""Text PostgreSQL cannot store (NUL, unpaired surrogates) is a 422 naming the field, wherever
the route reads it, before the route runs; other text passes untouched."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Header, Query

from common.http.schemas import StrictModel
from common.http.storable import NUL_MESSAGE, SURROGATE_MESSAGE, unstorable_reason
from tests.common.test_http_helpers import client_for, make_app, problem


class Inner(StrictModel):
    label: str


class Thing(StrictModel):
    name: str
    tags: list[str] = []
    inner: Inner | None = None


def _router(reached: list[str]) -> APIRouter:
    router = APIRouter()

    @router.put("/v1/things/{key}")
    async def put_thing(
        key: str,
        body: Thing,
        note: Annotated[str | None, Query()] = None,
        x_reason: Annotated[str | None, Header()] = None,
    ) -> dict[str, str]:
        reached.append(key)
        return {"name": body.name}

    return router


@pytest.fixture
def reached() -> list[str]:
    return []


async def _put(
    tmp_path: Path,
    reached: list[str],
    *,
    key: str = "k",
    body: object,
    params: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    app = make_app(tmp_path / "key.pem", [_router(reached)])
    # json.dumps escapes to ASCII: "\ud800" travels as JSON text, as a client would send it.
    headers = {"Content-Type": "application/json", **(headers or {})}
    async with client_for(app) as client:
        return await client.put(
            f"/v1/things/{key}", content=json.dumps(body), params=params, headers=headers
        )


@pytest.mark.parametrize(
    ("body", "params", "key", "headers", "field", "message"),
    [
        ({"name": "a\x00b"}, {}, "k", {}, "body.name", NUL_MESSAGE),
        ({"name": "a", "tags": ["ok", "b\x00"]}, {}, "k", {}, "body.tags.1", NUL_MESSAGE),
        ({"name": "a", "inner": {"label": "\x00"}}, {}, "k", {}, "body.inner.label", NUL_MESSAGE),
        ({"name": "a\ud800"}, {}, "k", {}, "body.name", SURROGATE_MESSAGE),
        ({"name": "a", "x\x00": 1}, {}, "k", {}, "body.x\\u0000", NUL_MESSAGE),
        ({"name": "a"}, {"note": "n\x00"}, "k", {}, "query.note", NUL_MESSAGE),
        ({"name": "a"}, {}, "k%00", {}, "path.key", NUL_MESSAGE),
        ({"name": "a"}, {}, "k", {"X-Reason": "r\x00"}, "header.x-reason", NUL_MESSAGE),
    ],
)
async def test_unstorable_text_is_a_422_naming_the_field_before_the_route_runs(
    tmp_path: Path,
    reached: list[str],
    body: object,
    params: dict[str, str],
    key: str,
    headers: dict[str, str],
    field: str,
    message: str,
) -> None:
    response = await _put(tmp_path, reached, key=key, body=body, params=params, headers=headers)
    assert problem(response, 422)["errors"] == [{"field": field, "message": message}]
    assert reached == []


async def test_a_query_parameter_the_route_does_not_read_is_not_checked(
    tmp_path: Path, reached: list[str]
) -> None:
    response = await _put(tmp_path, reached, body={"name": "ok"}, params={"other": "\x00"})
    assert response.status_code == 200
    assert reached == ["k"]


async def test_storable_text_passes_untouched(tmp_path: Path, reached: list[str]) -> None:
    name = "Ysgol Gymraeg \u2014 \U0001f3eb \t\u00e9"  # tabs, accents, astral characters
    response = await _put(tmp_path, reached, body={"name": name}, params={"note": "\u00a0"})
    assert response.json() == {"name": name}


def test_the_reason_names_nul_before_surrogates() -> None:
    assert unstorable_reason("plain") is None
    assert unstorable_reason("\x00") == NUL_MESSAGE
    assert unstorable_reason("\udfff") == SURROGATE_MESSAGE
