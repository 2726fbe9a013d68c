"""The generic integration routes (webhooks, the event stream and feed) generate a clean
client too: a subscription created with it, and read back, through an in-process app."""

from __future__ import annotations

import importlib
from pathlib import Path

import httpx
from nats.js.client import JetStreamContext

from common.eventstream import EventsHost, StreamEntry, events_router
from tests.clients.conftest import generate_client
from tests.common.webhook_support import HOST, TRANSITIONED, webhook_app, webhook_database
from tests.support import TokenFactory


async def _nothing_visible(entry: StreamEntry) -> bool:
    return False


def _no_stream(request: object) -> JetStreamContext:
    raise AssertionError("not called: only the OpenAPI document is generated from")


async def test_integration_routes_generate_a_working_client(
    database_url: str, dev_key_path: Path, issue_token: TokenFactory, tmp_path: Path
) -> None:
    database = await webhook_database(database_url)
    app = webhook_app(database, dev_key_path)
    events = EventsHost(
        stream="REVIEWS",
        scope="hooks:read",
        visibility=lambda request, principal: _nothing_visible,
        jetstream=_no_stream,
    )
    app.include_router(events_router(events))
    app.openapi_schema = None
    package = generate_client(app, "cf_integration_client", tmp_path)
    models = importlib.import_module(f"{package.__name__}.models")
    create = importlib.import_module(f"{package.__name__}.api.webhooks.create_webhook_subscription")
    get = importlib.import_module(f"{package.__name__}.api.webhooks.get_webhook_subscription")
    importlib.import_module(f"{package.__name__}.api.events.list_events")
    importlib.import_module(f"{package.__name__}.api.events.stream_events")

    token = issue_token("hooks:read", "hooks:write", la=["881"])
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {token}"},
    )
    client = package.AuthenticatedClient(base_url="http://testserver", token=token)
    client.set_async_httpx_client(http)
    async with http:
        body = models.SubscriptionIn(url="http://127.0.0.1:9/", event_types=[TRANSITIONED])
        created = await create.asyncio_detailed(client=client, body=body, idempotency_key="k")
        assert created.status_code == 201, created.content
        assert created.parsed.secret.startswith("whsec_")
        read = await get.asyncio(subscription_id=created.parsed.id, client=client)
        assert read.tenancy.la_codes == ["881"]
        assert read.event_types == [TRANSITIONED]
        assert set(HOST.event_types) >= set(read.event_types)
        refused = await create.asyncio_detailed(
            client=client,
            body=models.SubscriptionIn(url="http://127.0.0.1:9/", event_types=["nope"]),
        )
        assert refused.status_code == 422
        assert isinstance(refused.parsed, models.Problem)
    await database.dispose()
