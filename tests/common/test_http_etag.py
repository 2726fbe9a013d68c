"""ETags and If-Match: 428 when missing, 412 when malformed or stale, 200 with the new ETag."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Request, Response
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from common.db import TYPE_ANNOTATION_MAP, VersionedMixin, service_metadata
from common.http.etag import (
    IfMatchVersion,
    check_version,
    etag_for,
    parse_if_match,
    require_if_match,
    set_etag,
)
from common.http.problems import ProblemError, not_found
from common.http.schemas import StrictModel
from common.testing.databases import database_with_tables
from tests.common.test_http_helpers import client_for, make_app, problem


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class Note(VersionedMixin, Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


class NoteIn(StrictModel):
    text: str


class NoteOut(StrictModel):
    id: int
    text: str


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    db = await database_with_tables(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}", Base.metadata)
    async with db.session() as session:
        session.add(Note(id=1, text="first"))
        await session.commit()
    router = APIRouter()

    @router.get("/v1/notes/{note_id}", name="get_note")
    async def get_note(note_id: int, response: Response) -> NoteOut:
        async with db.session() as session:
            note = await session.get(Note, note_id)
            if note is None:
                raise not_found()
            set_etag(response, note.version)
            return NoteOut(id=note.id, text=note.text)

    @router.put("/v1/notes/{note_id}", name="replace_note")
    async def replace_note(
        note_id: int, body: NoteIn, expected: IfMatchVersion, response: Response
    ) -> NoteOut:
        async with db.session() as session:
            note = await session.get(Note, note_id)
            if note is None:
                raise not_found()
            check_version(note.version, expected)
            note.text = body.text
            await session.commit()
            set_etag(response, note.version)
            return NoteOut(id=note.id, text=note.text)

    async with client_for(make_app(tmp_path / "k.pem", [router])) as http:
        yield http
    await db.dispose()


async def test_update_needs_the_current_etag(client: httpx.AsyncClient) -> None:
    read = await client.get("/v1/notes/1")
    assert read.headers["ETag"] == '"1"'

    problem(await client.put("/v1/notes/1", json={"text": "x"}), 428)
    for bad in ['"abc"', "1", 'W/"1"', '"1", "2"']:
        problem(await client.put("/v1/notes/1", json={"text": "x"}, headers={"If-Match": bad}), 412)
    problem(await client.put("/v1/notes/1", json={"text": "x"}, headers={"If-Match": "*"}), 428)

    updated = await client.put(
        "/v1/notes/1", json={"text": "second"}, headers={"If-Match": read.headers["ETag"]}
    )
    assert updated.status_code == 200
    assert updated.headers["ETag"] == '"2"'
    assert updated.json() == {"id": 1, "text": "second"}

    # The old ETag is stale now: a lost update is refused.
    stale = await client.put(
        "/v1/notes/1", json={"text": "third"}, headers={"If-Match": read.headers["ETag"]}
    )
    problem(stale, 412)
    assert (await client.get("/v1/notes/1")).json()["text"] == "second"


def test_helpers() -> None:
    assert etag_for(7) == '"7"'
    assert parse_if_match(' "7" ') == 7
    check_version(3, 3)
    with pytest.raises(ProblemError) as caught:
        check_version(4, 3)
    assert caught.value.status == 412
    request = Request({"type": "http", "headers": [(b"if-match", b'"12"')]})
    assert require_if_match(request) == 12
    with pytest.raises(ProblemError) as missing:
        require_if_match(Request({"type": "http", "headers": []}))
    assert missing.value.status == 428
    response = Response()
    set_etag(response, 5)
    assert response.headers["etag"] == '"5"'
