"""Keyset pagination through an app, on SQLite and PostgreSQL; bad cursors are 422s."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import TYPE_ANNOTATION_MAP, Database, service_metadata
from common.http.pagination import (
    After,
    Page,
    PageParams,
    Pagination,
    decode_cursor,
    encode_cursor,
    paginate,
    paginate_after,
)
from common.ids import new_id
from common.testing.databases import database_with_tables
from tests.common.test_http_helpers import client_for, make_app, problem


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class Item(Base):
    __tablename__ = "items"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime]


class ItemOut(BaseModel):
    id: uuid.UUID
    updated_at: datetime


T0 = datetime(2025, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


def build_router(db: Database) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/items", name="list_items")
    async def list_items(params: Pagination, newest_first: bool = False) -> Page[ItemOut]:
        async with db.session() as session:
            rows, cursor = await paginate(
                session,
                select(Item).where(Item.kind == "a"),
                order_by=(Item.updated_at, Item.id),
                params=params,
                descending=newest_first,
            )
        return Page(
            data=[ItemOut(id=r.id, updated_at=r.updated_at) for r in rows], next_cursor=cursor
        )

    @router.get("/v1/grown", name="list_grown")
    async def list_grown(params: Pagination, after: After) -> Page[ItemOut]:
        # Newest first, as the job lists; ``after_id`` reads what came after a row, oldest first.
        async with db.session() as session:
            rows, cursor = await paginate_after(
                session,
                select(Item).where(Item.kind == "a"),
                after=after,
                id_=Item.id,
                order_by=(Item.updated_at, Item.id),
                params=params,
                descending=True,
            )
        return Page(
            data=[ItemOut(id=r.id, updated_at=r.updated_at) for r in rows], next_cursor=cursor
        )

    return router


@pytest.fixture
async def items(database_url: str) -> AsyncIterator[tuple[Database, list[Item]]]:
    db = await database_with_tables(database_url, Base.metadata)
    # Ties on updated_at (three rows share each timestamp) so the id breaks them.
    rows = [
        Item(id=new_id(), kind="a", updated_at=T0 + timedelta(seconds=i // 3)) for i in range(8)
    ]
    rows.append(Item(id=new_id(), kind="b", updated_at=T0))  # filtered out
    async with db.session() as session:
        session.add_all(rows)
        await session.commit()
    yield db, sorted(rows[:8], key=lambda r: (r.updated_at, r.id))
    await db.dispose()


@pytest.fixture
async def client(
    items: tuple[Database, list[Item]], tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(make_app(tmp_path / "k.pem", [build_router(items[0])])) as http:
        yield http


async def _all_pages(
    client: httpx.AsyncClient, path: str = "/v1/items", **query: str
) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor: str | None = None
    for _ in range(20):
        params = {**query, **({"cursor": cursor} if cursor else {})}
        body = (await client.get(path, params=params)).raise_for_status().json()
        pages.append([row["id"] for row in body["data"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("too many pages")


async def test_pages_cover_everything_once_in_order(
    client: httpx.AsyncClient, items: tuple[Database, list[Item]]
) -> None:
    expected = [str(r.id) for r in items[1]]
    pages = await _all_pages(client, limit="3")
    assert [len(p) for p in pages] == [3, 3, 2]
    assert [i for p in pages for i in p] == expected

    newest_first = await _all_pages(client, limit="3", newest_first="true")
    assert [i for p in newest_first for i in p] == expected[::-1]

    exact = await _all_pages(client, limit="8")
    assert exact == [expected]  # no empty trailing page


async def test_after_id_reads_only_what_follows_that_row(
    client: httpx.AsyncClient, items: tuple[Database, list[Item]]
) -> None:
    expected = [str(r.id) for r in items[1]]
    newest_first = await _all_pages(client, "/v1/grown", limit="3")
    assert [i for p in newest_first for i in p] == expected[::-1]
    # Row 4 shares its updated_at with rows 3 and 5: the boundary is the row, not the instant.
    pages = await _all_pages(client, "/v1/grown", limit="2", after_id=expected[4])
    assert [len(p) for p in pages] == [2, 1]
    assert [i for p in pages for i in p] == expected[5:]
    assert await _all_pages(client, "/v1/grown", after_id=expected[-1]) == [[]]
    assert [i for p in await _all_pages(client, "/v1/grown", after_id=expected[0]) for i in p] == (
        expected[1:]
    )


@pytest.mark.parametrize("after_id", ["not-a-uuid", "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e", "b"])
async def test_after_id_not_of_the_list_is_422(
    client: httpx.AsyncClient, items: tuple[Database, list[Item]], after_id: str
) -> None:
    if after_id == "b":  # a row the list's filter leaves out is no boundary either
        async with items[0].session() as session:
            after_id = str(await session.scalar(select(Item.id).where(Item.kind == "b")))
    body = problem(await client.get("/v1/grown", params={"after_id": after_id}), 422)
    assert body["errors"][0]["field"] == "query.after_id"


async def test_default_and_bounds_of_limit(client: httpx.AsyncClient) -> None:
    body = (await client.get("/v1/items")).json()
    assert len(body["data"]) == 8
    assert body["next_cursor"] is None
    assert problem(await client.get("/v1/items?limit=0"), 422)["errors"][0]["field"] == (
        "query.limit"
    )
    problem(await client.get("/v1/items?limit=201"), 422)
    assert (await client.get("/v1/items?limit=200")).status_code == 200


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!not-base64!!!",
        "abc",  # base64 of bytes that are not JSON
        _b64(b'{"a": 1}'),  # JSON, not a list
        _b64(b'["2025-01-01T12:00:00+00:00"]'),  # wrong length
        _b64(b'["yesterday", "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"]'),
        _b64(b'["2025-01-01T12:00:00", "0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"]'),  # naive
        _b64(b'["2025-01-01T12:00:00+00:00", "not-a-uuid"]'),
        _b64(b'["2025-01-01T12:00:00+00:00", 42]'),
        _b64(b"[null, null]"),
    ],
)
async def test_malformed_cursor_is_422(client: httpx.AsyncClient, cursor: str) -> None:
    body = problem(await client.get("/v1/items", params={"cursor": cursor}), 422)
    assert body["errors"][0]["field"] == "query.cursor"


def test_cursor_round_trip() -> None:
    values = [T0, uuid.UUID("0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"), 3, "x"]
    encoded = encode_cursor(values)
    assert "=" not in encoded
    assert "/" not in encoded
    assert "+" not in encoded
    assert decode_cursor(encoded) == [T0.isoformat(), str(values[1]), 3, "x"]


async def test_paginate_directly(items: tuple[Database, list[Item]]) -> None:
    db, expected = items
    async with db.session() as session:
        first, cursor = await paginate(
            session,
            select(Item).where(Item.kind == "a"),
            order_by=(Item.updated_at, Item.id),
            params=PageParams(limit=5),
        )
        assert cursor is not None
        second, end = await paginate(
            session,
            select(Item).where(Item.kind == "a"),
            order_by=(Item.updated_at, Item.id),
            params=PageParams(limit=5, cursor=cursor),
        )
    assert [r.id for r in first + second] == [r.id for r in expected]
    assert end is None
