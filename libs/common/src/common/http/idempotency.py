"""Idempotent creating POSTs (``Idempotency-Key``): the same key and body replays the first
response, the same key with another body is a 422.

The response is recorded in the same transaction as the creation, so a crash can never create
without recording (or record without creating). Concurrent requests with one key create once:
on SQLite the write lock serialises them, so the second sees the record; on PostgreSQL the
second blocks on the unique (client, key) index, fails, and replays the winner's response.

Router::

    @router.post("/v1/widgets", status_code=201, response_model=WidgetOut)
    async def create_widget(body: WidgetIn, principal: Writer, idem: IdempotencyKey) -> Response:
        return (await service.create_widget(db, principal, body, idem)).to_response()

Service::

    async with db.session() as session:
        async def create() -> StoredResponse:
            widget = repo.add(Widget(...)); await session.flush()
            return StoredResponse.json(201, WidgetOut.model_validate(widget),
                                       headers={"Location": ..., "ETag": etag_for(widget.version)})
        return await widget_keys.run(session, idem, create)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import JSON, CursorResult, Integer, String, Text, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.responses import Response

from common.auth.deps import CurrentPrincipal
from common.clock import utcnow
from common.db.base import UTCDateTime
from common.http.problems import ProblemError, validation_failed

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY_FORMAT = re.compile(r"[\x20-\x7e]{1,255}")  # printable ASCII


class IdempotencyMixin:
    """Columns of the ``idempotency_keys`` table. Each service declares::

    class IdempotencyRecord(IdempotencyMixin, Base):
        __tablename__ = "idempotency_keys"
    """

    # The primary key is the unique (client, key): keys are only unique per client.
    client: Mapped[str] = mapped_column(String(255), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    method: Mapped[str] = mapped_column(String(10), nullable=False)
    path: Mapped[str] = mapped_column(String(2048), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, index=True
    )


RecordT = TypeVar("RecordT", bound=IdempotencyMixin)


@dataclass(frozen=True)
class IdempotentRequest:
    """What identifies a request: who, which key, and what was asked."""

    client: str
    key: str
    method: str
    path: str
    fingerprint: str


@dataclass(frozen=True)
class StoredResponse:
    """A creating POST's response as recorded, and as replayed."""

    status_code: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    replayed: bool = False

    @classmethod
    def json(
        cls, status_code: int, content: Any, *, headers: Mapping[str, str] | None = None
    ) -> StoredResponse:
        if isinstance(content, BaseModel):
            body = content.model_dump_json().encode()
        else:
            body = json.dumps(jsonable_encoder(content), separators=(",", ":")).encode()
        return cls(status_code=status_code, body=body, headers=dict(headers or {}))

    def to_response(self) -> Response:
        headers = dict(self.headers)
        if self.replayed:
            headers[REPLAYED_HEADER] = "true"
        return Response(
            self.body, status_code=self.status_code, headers=headers, media_type="application/json"
        )


def fingerprint(body: bytes) -> str:
    """sha256 of the body, of its canonical JSON when it is JSON (key order and whitespace do
    not make a different request)."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def key_reused() -> ProblemError:
    return ProblemError(
        422,
        "Idempotency Key Reused",
        "This Idempotency-Key was already used for a different request.",
        type_="idempotency-key-reused",
    )


class IdempotencyStore(Generic[RecordT]):
    """Looks up and records responses in one service's ``idempotency_keys`` table."""

    def __init__(self, model: type[RecordT]) -> None:
        self.model = model

    async def lookup(
        self, session: AsyncSession, request: IdempotentRequest
    ) -> StoredResponse | None:
        """The recorded response for the key, ``None`` if new; 422 if the key was used for
        another request (other body, method or path)."""
        record = await session.scalar(
            select(self.model).where(
                self.model.client == request.client, self.model.key == request.key
            )
        )
        if record is None:
            return None
        asked = (request.method, request.path, request.fingerprint)
        if (record.method, record.path, record.fingerprint) != asked:
            raise key_reused()
        return StoredResponse(
            status_code=record.status_code,
            body=record.body.encode(),
            headers=dict(record.headers),
            replayed=True,
        )

    def record(
        self, session: AsyncSession, request: IdempotentRequest, response: StoredResponse
    ) -> None:
        """Add the record to the session; it is written with the creation, at commit."""
        record = self.model()
        record.client = request.client
        record.key = request.key
        record.method = request.method
        record.path = request.path
        record.fingerprint = request.fingerprint
        record.status_code = response.status_code
        record.headers = dict(response.headers)
        record.body = response.body.decode()
        session.add(record)

    async def run(
        self,
        session: AsyncSession,
        request: IdempotentRequest | None,
        create: Callable[[], Awaitable[StoredResponse]],
    ) -> StoredResponse:
        """Replay, or ``create()`` (adds and flushes, never commits), record and commit."""
        if request is None:
            response = await create()
            await session.commit()
            return response
        if (stored := await self.lookup(session, request)) is not None:
            await session.rollback()
            return stored
        response = await create()
        self.record(session, request, response)
        try:
            await session.commit()
        except IntegrityError:
            # Lost a race with the same key (PostgreSQL): nothing of ours was written.
            await session.rollback()
            stored = await self.lookup(session, request)
            await session.rollback()
            if stored is None:
                raise  # another constraint failed: a plain 409
            return stored
        return response

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        """Delete records created before ``older_than`` (the caller commits)."""
        result = await session.execute(delete(self.model).where(self.model.created_at < older_than))
        assert isinstance(result, CursorResult)
        return result.rowcount


async def idempotency_request(
    request: Request,
    principal: CurrentPrincipal,
    key: Annotated[
        str | None,
        Header(
            alias=IDEMPOTENCY_KEY_HEADER,
            description="Optional: retrying with the same key and body replays the first "
            "response instead of creating again (1 to 255 printable ASCII characters).",
            examples=["5f1c2b9e-retry-safe"],
        ),
    ] = None,
) -> IdempotentRequest | None:
    if key is None:
        return None
    if not _KEY_FORMAT.fullmatch(key):
        message = "Must be 1 to 255 printable ASCII characters."
        raise validation_failed([{"field": f"header.{IDEMPOTENCY_KEY_HEADER}", "message": message}])
    return IdempotentRequest(
        client=principal.subject,
        key=key,
        method=request.method,
        path=request.url.path,
        fingerprint=fingerprint(await request.body()),
    )


IdempotencyKey = Annotated[IdempotentRequest | None, Depends(idempotency_request)]
