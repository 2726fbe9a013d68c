"""Webhook test kit: a test service's tables (from the mixins), an app mounting the webhook
routes, a database with the tables, and receivers served over real HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase
from starlette.types import ASGIApp, Receive, Scope, Send

from common.db import TYPE_ANNOTATION_MAP, Database, service_metadata
from common.http.app import create_service_app
from common.http.idempotency import IdempotencyMixin
from common.messaging import CloudEvent
from common.settings import ServiceSettings
from common.testing.databases import database_with_tables
from common.testing.servers import serving
from common.webhooks import (
    DestinationPolicy,
    EventTenancy,
    RetryPolicy,
    WebhookAttemptMixin,
    WebhookDeliveryMixin,
    WebhookDispatcher,
    WebhookHost,
    WebhookSubscriptionMixin,
    WebhookTables,
    fan_out,
    webhook_router,
)
from examples.webhook_receiver import Received, Receiver, create_app

TRANSITIONED = "org.criticalfriend.test.review.transitioned.v1"
CLOSED = "org.criticalfriend.test.review.closed.v1"
EVENT_TYPES = {TRANSITIONED: "A review moved on.", CLOSED: "A review closed."}
FAST_RETRIES = RetryPolicy(delays=(0.2, 0.2, 0.2, 0.2, 0.2), jitter=0)
OPEN_DESTINATIONS = DestinationPolicy(allow_private=True, allow_http=True)


class Base(DeclarativeBase):
    metadata = service_metadata()
    type_annotation_map = TYPE_ANNOTATION_MAP


class Subscription(WebhookSubscriptionMixin, Base):
    __tablename__ = "webhook_subscriptions"


class Delivery(WebhookDeliveryMixin, Base):
    __tablename__ = "webhook_deliveries"


class Attempt(WebhookAttemptMixin, Base):
    __tablename__ = "webhook_attempts"


class IdempotencyRecord(IdempotencyMixin, Base):
    __tablename__ = "idempotency_keys"


TABLES = WebhookTables(Subscription, Delivery, Attempt)
HOST = WebhookHost(
    tables=TABLES,
    idempotency_model=IdempotencyRecord,
    read_scope="hooks:read",
    write_scope="hooks:write",
    event_types=EVENT_TYPES,
    source="/test",
    destinations=OPEN_DESTINATIONS,
)


async def webhook_database(url: str) -> Database:
    return await database_with_tables(url, Base.metadata)


def webhook_app(database: Database, dev_key_path: Path, host: WebhookHost = HOST) -> FastAPI:
    settings = ServiceSettings(service_name="hooks", auth_dev_key_path=dev_key_path)
    app = create_service_app(
        title="webhooks test",
        version="1",
        description="The webhook routes on a test service.",
        settings=settings,
        routers=[webhook_router(host)],
    )
    app.state.database = database
    return app


def review_event(event_type: str = TRANSITIONED, **data: Any) -> CloudEvent:
    return CloudEvent(source="/test", type=event_type, subject="reviews/1", data=data)


async def publish(
    database: Database, event: CloudEvent, tenancy: EventTenancy, times: int = 1
) -> int:
    """Fan ``event`` out as the host's consumer would (``times`` > 1: a redelivery)."""
    added = 0
    for _ in range(times):
        async with database.session() as session, session.begin():
            added += await fan_out(session, TABLES, event, tenancy)
    return added


async def deliveries(database: Database, *where: Any) -> list[Any]:
    async with database.session() as session:
        return list((await session.scalars(select(Delivery).where(*where))).all())


async def attempt_codes(database: Database, delivery_id: Any) -> list[int | None]:
    async with database.session() as session:
        rows = await session.scalars(
            select(Attempt.response_code)
            .where(Attempt.delivery_id == uuid.UUID(str(delivery_id)))
            .order_by(Attempt.id)
        )
        return list(rows.all())


@dataclass
class RecordingReceiver:
    """The example receiver, recording what it verified."""

    secrets: list[str]
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.receiver = Receiver(self.secrets, on_delivery=self.received.append)

    @property
    def app(self) -> ASGIApp:
        return create_app(self.receiver)

    def events(self, *, duplicates: bool = False) -> list[dict[str, Any]]:
        return [r.event for r in self.received if duplicates or not r.duplicate]

    def ids(self) -> list[str]:
        return [r.message_id for r in self.received if not r.duplicate]


class Scripted:
    """ASGI middleware answering the first requests of each ``webhook-id`` with the scripted
    status codes, then passing them to the app behind; counts every request and the most in
    flight at once per id."""

    def __init__(self, app: ASGIApp, script: list[int] | None = None, always: int | None = None):
        self.app = app
        self.script = list(script or [])
        self.always = always
        self.seen: dict[str, int] = {}
        self.requests = 0
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        self.requests += 1
        message_id = dict(scope["headers"]).get(b"webhook-id", b"").decode()
        self.in_flight[message_id] = self.in_flight.get(message_id, 0) + 1
        self.max_in_flight[message_id] = max(
            self.max_in_flight.get(message_id, 0), self.in_flight[message_id]
        )
        try:
            await asyncio.sleep(0.01)  # widen the window a concurrent duplicate would hit
            nth = self.seen[message_id] = self.seen.get(message_id, 0) + 1
            status = self.always
            if status is None and nth <= len(self.script):
                status = self.script[nth - 1]
            if status is None:
                await self.app(scope, receive, send)
                return
            await send({"type": "http.response.start", "status": status, "headers": []})
            await send({"type": "http.response.body", "body": b""})
        finally:
            self.in_flight[message_id] -= 1


@contextlib.asynccontextmanager
async def running_dispatcher(
    database: Database, *, retry: RetryPolicy = FAST_RETRIES, request_timeout: float = 5.0
) -> AsyncIterator[WebhookDispatcher]:
    dispatcher = WebhookDispatcher(
        database,
        TABLES,
        destinations=OPEN_DESTINATIONS,
        retry=retry,
        timeout=request_timeout,
        poll_interval=0.2,
    )
    task = asyncio.create_task(dispatcher.run(), name="webhook-dispatcher")
    try:
        yield dispatcher
    finally:
        await dispatcher.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def api_client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


__all__ = ["serving"]
