"""The webhook routes a service mounts: ``app.include_router(webhook_router(host))``.

No ``from __future__ import annotations``: the dependencies are built per host inside the
factory, and FastAPI resolves a route's annotations from the module's globals.
"""

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import AwareDatetime
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth.deps import require_scopes
from common.auth.principal import Principal
from common.http.etag import IfMatchVersion, set_etag
from common.http.idempotency import IdempotencyKey
from common.http.pagination import Page, Pagination
from common.runtime import session_dependency
from common.webhooks import replay, subscriptions
from common.webhooks.host import WebhookHost
from common.webhooks.models import DeliveryStatus
from common.webhooks.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    EventTypeOut,
    ReplayIn,
    ReplayOut,
    SecretOut,
    SecretRotationIn,
    SubscriptionCreated,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionPatch,
)

PREFIX = "/v1/webhooks"

SessionDep = Annotated[AsyncSession, Depends(session_dependency)]
SubscriptionId = Annotated[uuid.UUID, Path(description="Subscription id (UUIDv7)")]
DeliveryId = Annotated[uuid.UUID, Path(description="Delivery id (UUIDv7)")]


def _detail(delivery: object, attempts: list[object]) -> DeliveryDetail:
    out = DeliveryOut.model_validate(delivery)
    return DeliveryDetail(
        **out.model_dump(),
        event=json.loads(delivery.payload),  # type: ignore[attr-defined]
        attempts=[AttemptOut.model_validate(a) for a in attempts],
    )


def webhook_router(host: WebhookHost) -> APIRouter:
    """Subscriptions CRUD, secret rotation, the delivery log, replay and ping, under
    ``/v1/webhooks``, guarded by ``host.read_scope`` and ``host.write_scope``."""
    router = APIRouter(prefix=PREFIX, tags=["webhooks"])
    reader = Annotated[Principal, Depends(require_scopes(host.read_scope))]
    writer = Annotated[Principal, Depends(require_scopes(host.write_scope))]

    @router.get(
        "/event-types",
        name="list_webhook_event_types",
        summary="The event types a subscription may ask for",
    )
    async def list_event_types(principal: reader) -> list[EventTypeOut]:
        return [EventTypeOut(type=t, description=d) for t, d in sorted(host.event_types.items())]

    @router.post(
        "/subscriptions",
        name="create_webhook_subscription",
        summary="Subscribe a URL to event types",
        description=(
            "The tenancy filter is taken from the token: the subscription receives only events "
            "about the LAs, trusts, partnerships and schools the token names. The response "
            "carries the signing secret (Standard Webhooks, `whsec_`); keep it. Send "
            "`Idempotency-Key` to retry safely."
        ),
        status_code=201,
        response_model=SubscriptionCreated,
    )
    async def create_subscription(
        body: SubscriptionIn, idempotency: IdempotencyKey, session: SessionDep, principal: writer
    ) -> Response:
        stored = await subscriptions.create_subscription(
            session, host, principal, body, idempotency
        )
        return stored.to_response()

    @router.get(
        "/subscriptions",
        name="list_webhook_subscriptions",
        summary="The caller's subscriptions",
    )
    async def list_subscriptions(
        session: SessionDep, principal: reader, params: Pagination
    ) -> Page[SubscriptionOut]:
        rows, next_cursor = await subscriptions.list_subscriptions(session, host, principal, params)
        return Page(data=[SubscriptionOut.of(r) for r in rows], next_cursor=next_cursor)

    @router.get(
        "/subscriptions/{subscription_id}",
        name="get_webhook_subscription",
        summary="A subscription",
    )
    async def get_subscription(
        subscription_id: SubscriptionId, response: Response, session: SessionDep, principal: reader
    ) -> SubscriptionOut:
        row = await subscriptions.get_owned(session, host, principal, subscription_id)
        set_etag(response, row.version)
        return SubscriptionOut.of(row)

    @router.patch(
        "/subscriptions/{subscription_id}",
        name="update_webhook_subscription",
        summary="Change the URL, the event types or the description; disable or enable",
        description="Disabling fails the pending deliveries; enabling does not bring them "
        "back (replay them). The tenancy filter is refreshed from the token.",
    )
    async def update_subscription(
        subscription_id: SubscriptionId,
        body: SubscriptionPatch,
        expected: IfMatchVersion,
        response: Response,
        session: SessionDep,
        principal: writer,
    ) -> SubscriptionOut:
        row = await subscriptions.update_subscription(
            session, host, principal, subscription_id, body, expected
        )
        set_etag(response, row.version)
        return SubscriptionOut.of(row)

    @router.delete(
        "/subscriptions/{subscription_id}",
        name="delete_webhook_subscription",
        summary="Delete a subscription with its delivery log",
        status_code=204,
    )
    async def delete_subscription(
        subscription_id: SubscriptionId, session: SessionDep, principal: writer
    ) -> Response:
        await subscriptions.delete_subscription(session, host, principal, subscription_id)
        return Response(status_code=204)

    @router.post(
        "/subscriptions/{subscription_id}/secret/rotate",
        name="rotate_webhook_secret",
        summary="Rotate the signing secret",
        description="Deliveries carry two signatures, the new secret's and the old one's, "
        "until `previous_secret_expires_at`. Needs `If-Match`.",
    )
    async def rotate_secret(
        subscription_id: SubscriptionId,
        body: SecretRotationIn,
        expected: IfMatchVersion,
        response: Response,
        session: SessionDep,
        principal: writer,
    ) -> SecretOut:
        row = await subscriptions.rotate_secret(
            session, host, principal, subscription_id, body, expected
        )
        set_etag(response, row.version)
        return SecretOut(
            secret=row.secret, previous_secret_expires_at=row.previous_secret_expires_at
        )

    @router.get(
        "/subscriptions/{subscription_id}/deliveries",
        name="list_webhook_deliveries",
        summary="The delivery log, newest first",
    )
    async def list_deliveries(
        subscription_id: SubscriptionId,
        session: SessionDep,
        principal: reader,
        params: Pagination,
        status: Annotated[DeliveryStatus | None, Query(description="Only this status")] = None,
        since: Annotated[AwareDatetime | None, Query(description="Created at or after")] = None,
        until: Annotated[AwareDatetime | None, Query(description="Created before")] = None,
    ) -> Page[DeliveryOut]:
        rows, next_cursor = await replay.list_deliveries(
            session,
            host,
            principal,
            subscription_id,
            params,
            status=status,
            since=since,
            until=until,
        )
        return Page(data=[DeliveryOut.model_validate(r) for r in rows], next_cursor=next_cursor)

    @router.get(
        "/subscriptions/{subscription_id}/deliveries/{delivery_id}",
        name="get_webhook_delivery",
        summary="A delivery, its body and every attempt with its response code",
    )
    async def get_delivery(
        subscription_id: SubscriptionId,
        delivery_id: DeliveryId,
        session: SessionDep,
        principal: reader,
    ) -> DeliveryDetail:
        delivery, attempts = await replay.get_delivery(
            session, host, principal, subscription_id, delivery_id
        )
        return _detail(delivery, attempts)

    @router.post(
        "/subscriptions/{subscription_id}/deliveries/{delivery_id}/replay",
        name="replay_webhook_delivery",
        summary="Send a delivery again",
        status_code=202,
    )
    async def replay_delivery(
        subscription_id: SubscriptionId,
        delivery_id: DeliveryId,
        session: SessionDep,
        principal: writer,
    ) -> DeliveryOut:
        delivery = await replay.replay_delivery(
            session, host, principal, subscription_id, delivery_id
        )
        return DeliveryOut.model_validate(delivery)

    @router.post(
        "/subscriptions/{subscription_id}/replay",
        name="replay_webhook_deliveries",
        summary="Send again every delivery of a time range",
        status_code=202,
    )
    async def replay_range(
        subscription_id: SubscriptionId, body: ReplayIn, session: SessionDep, principal: writer
    ) -> ReplayOut:
        count = await replay.replay_range(session, host, principal, subscription_id, body)
        return ReplayOut(replayed=count)

    @router.post(
        "/subscriptions/{subscription_id}/ping",
        name="ping_webhook_subscription",
        summary="Send a `webhook.ping` test event",
        description="Goes through the same queue, signing and retries as any event; follow "
        "it in the delivery log (`Location`).",
        status_code=202,
    )
    async def ping(
        subscription_id: SubscriptionId, response: Response, session: SessionDep, principal: writer
    ) -> DeliveryOut:
        delivery = await replay.ping(session, host, principal, subscription_id)
        response.headers["Location"] = (
            f"{PREFIX}/subscriptions/{subscription_id}/deliveries/{delivery.id}"
        )
        return DeliveryOut.model_validate(delivery)

    return router
