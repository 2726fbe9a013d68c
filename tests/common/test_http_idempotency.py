"""Idempotency-Key on a creating POST, on SQLite and PostgreSQL: replay, mismatch, races."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends, Response
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from structlog.testing import capture_logs

from common.auth import Principal, require_scopes
from common.db import (
    TYPE_ANNOTATION_MAP,
    Database,
    VersionedMixin,
    service_metadata,
)
from common.http.etag import etag_for
from common.http.idempotency import (
    IdempotencyKey,
    IdempotencyMixin,
    IdempotencyStore,
    StoredResponse,
)
from common.http.schemas import StrictModel
from common.ids import new_id
from common.testing.databases import database_with_tables
from tests.common.test_http_helpers import bearer, client_for, make_app, problem, token


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class Widget(VersionedMixin, Base):
    __tablename__ = "widgets"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


class IdempotencyRecord(IdempotencyMixin, Base):
    __tablename__ = "idempotency_keys"


class WidgetIn(StrictModel):
    name: str
    size: int = 1


class WidgetOut(StrictModel):
    id: uuid.UUID
    name: str
    size: int


keys = IdempotencyStore(IdempotencyRecord)
Writer = Annotated[Principal, Depends(require_scopes("widgets:write"))]


@dataclass
class Knobs:
    delay: float = 0.0  # hold the transaction open so concurrent requests overlap
    crash: bool = False


def build_router(db: Database, knobs: Knobs) -> APIRouter:
    router = APIRouter()

    # Service layer: create, flush, describe the response; the store records and commits.
    async def create_widget(data: WidgetIn, idem: IdempotencyKey) -> StoredResponse:
        async with db.session() as session:

            async def create() -> StoredResponse:
                widget = Widget(id=new_id(), name=data.name)
                session.add(widget)
                await session.flush()
                await asyncio.sleep(knobs.delay)
                if knobs.crash:
                    raise RuntimeError("crash after the insert, before the commit")
                out = WidgetOut(id=widget.id, name=widget.name, size=data.size)
                headers = {"Location": f"/v1/widgets/{widget.id}", "ETag": etag_for(1)}
                return StoredResponse.json(201, out, headers=headers)

            return await keys.run(session, idem, create)

    @router.post("/v1/widgets", status_code=201, response_model=WidgetOut, name="create_widget")
    async def post_widget(body: WidgetIn, _: Writer, idem: IdempotencyKey) -> Response:
        return (await create_widget(body, idem)).to_response()

    return router


@dataclass
class Env:
    client: httpx.AsyncClient
    db: Database
    knobs: Knobs
    key_path: Path

    def headers(self, key: str | None = None, subject: str = "client-a") -> dict[str, str]:
        headers = bearer(token(self.key_path, "widgets:write", subject=subject))
        if key is not None:
            headers["Idempotency-Key"] = key
        return headers

    async def widgets(self) -> int:
        async with self.db.session() as session:
            return int(await session.scalar(select(func.count()).select_from(Widget)) or 0)


@pytest.fixture
async def env(database_url: str, tmp_path: Path) -> AsyncIterator[Env]:
    db = await database_with_tables(database_url, Base.metadata)
    knobs = Knobs()
    key_path = tmp_path / "k.pem"
    app = make_app(key_path, [build_router(db, knobs)])
    async with client_for(app) as client:
        yield Env(client, db, knobs, key_path)
    await db.dispose()


async def test_same_key_and_body_replays_the_first_response(env: Env) -> None:
    first = await env.client.post(
        "/v1/widgets", json={"name": "a", "size": 2}, headers=env.headers("k-1")
    )
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    # Same JSON, other key order and spacing: the same request.
    again = await env.client.post(
        "/v1/widgets",
        content=b'{ "size": 2,  "name": "a" }',
        headers={**env.headers("k-1"), "Content-Type": "application/json"},
    )
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["ETag"] == first.headers["ETag"]
    assert await env.widgets() == 1


async def test_same_key_other_body_is_422(env: Env) -> None:
    await env.client.post("/v1/widgets", json={"name": "a"}, headers=env.headers("k-2"))
    response = await env.client.post("/v1/widgets", json={"name": "b"}, headers=env.headers("k-2"))
    assert problem(response, 422)["type"].endswith("/idempotency-key-reused")
    assert await env.widgets() == 1


async def test_keys_belong_to_one_client(env: Env) -> None:
    one = await env.client.post("/v1/widgets", json={"name": "a"}, headers=env.headers("k-3"))
    other = await env.client.post(
        "/v1/widgets", json={"name": "a"}, headers=env.headers("k-3", subject="client-b")
    )
    assert "Idempotent-Replayed" not in other.headers
    assert other.json()["id"] != one.json()["id"]
    assert await env.widgets() == 2


async def test_without_a_key_each_post_creates(env: Env) -> None:
    for _ in range(2):
        response = await env.client.post("/v1/widgets", json={"name": "a"}, headers=env.headers())
        assert response.status_code == 201
    assert await env.widgets() == 2


@pytest.mark.parametrize("bad_key", ["x" * 256, "tab\there", ""])
async def test_malformed_key_is_422(env: Env, bad_key: str) -> None:
    response = await env.client.post(
        "/v1/widgets", json={"name": "a"}, headers=env.headers(bad_key)
    )
    body = problem(response, 422)
    assert body["errors"][0]["field"] == "header.Idempotency-Key"
    assert await env.widgets() == 0


async def test_a_crash_records_nothing_and_the_retry_creates(env: Env) -> None:
    env.knobs.crash = True
    with capture_logs():  # keep the expected traceback out of the output
        response = await env.client.post(
            "/v1/widgets", json={"name": "a"}, headers=env.headers("k-4")
        )
    problem(response, 500)
    assert await env.widgets() == 0
    env.knobs.crash = False
    retry = await env.client.post("/v1/widgets", json={"name": "a"}, headers=env.headers("k-4"))
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers
    assert await env.widgets() == 1


async def test_concurrent_requests_with_one_key_create_once(env: Env) -> None:
    env.knobs.delay = 0.2
    headers = env.headers("k-5")
    responses = await asyncio.gather(
        *(env.client.post("/v1/widgets", json={"name": "a"}, headers=headers) for _ in range(4))
    )
    assert [r.status_code for r in responses] == [201] * 4, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert await env.widgets() == 1
