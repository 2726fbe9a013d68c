"""Use cases of the delivery log: list and read deliveries, replay them, send a ping."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from common.auth.principal import Principal
from common.http.pagination import PageParams, paginate
from common.http.problems import conflict, not_found, validation_failed
from common.messaging.envelope import CloudEvent
from common.webhooks.deliveries import rearm
from common.webhooks.fanout import add_delivery
from common.webhooks.host import PING_EVENT_TYPE, WebhookHost
from common.webhooks.models import DeliveryStatus, SubscriptionStatus
from common.webhooks.schemas import ReplayIn
from common.webhooks.subscriptions import get_owned


def _require_active(subscription: Any) -> None:
    if subscription.status != SubscriptionStatus.ACTIVE:
        raise conflict(
            "The subscription is disabled; enable it (PATCH status=active) first.",
            type_="subscription-disabled",
        )


async def list_deliveries(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    subscription_id: uuid.UUID,
    params: PageParams,
    *,
    status: DeliveryStatus | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[Any], str | None]:
    """The subscription's deliveries, newest first."""
    await get_owned(session, host, principal, subscription_id)
    model = host.tables.delivery
    statement = select(model).where(model.subscription_id == subscription_id)
    if status is not None:
        statement = statement.where(model.status == status)
    if since is not None:
        statement = statement.where(model.created_at >= since)
    if until is not None:
        statement = statement.where(model.created_at < until)
    return await paginate(
        session, statement, order_by=(model.created_at, model.id), params=params, descending=True
    )


async def get_delivery(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> tuple[Any, list[Any]]:
    """A delivery of the caller's subscription and its attempts, oldest first."""
    await get_owned(session, host, principal, subscription_id)
    delivery = await session.get(host.tables.delivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise not_found("No such delivery.")
    attempt = host.tables.attempt
    attempts = (
        await session.scalars(
            select(attempt).where(attempt.delivery_id == delivery_id).order_by(attempt.id)
        )
    ).all()
    return delivery, list(attempts)


async def replay_delivery(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    subscription_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> Any:
    """Send a delivery again, whatever became of it (a 409 while it is being sent)."""
    subscription = await get_owned(session, host, principal, subscription_id)
    _require_active(subscription)
    delivery, _ = await get_delivery(session, host, principal, subscription_id, delivery_id)
    model = host.tables.delivery
    if not await rearm(session, host.tables, model.id == delivery.id):
        raise conflict("The delivery is being sent right now; look again in a moment.")
    await session.commit()
    await session.refresh(delivery)
    return delivery


async def replay_range(
    session: AsyncSession,
    host: WebhookHost,
    principal: Principal,
    subscription_id: uuid.UUID,
    body: ReplayIn,
) -> int:
    """Send again every delivery created in ``[since, until)`` (or only the failed ones)."""
    if body.until <= body.since:
        raise validation_failed([{"field": "body.until", "message": "must be after since"}])
    subscription = await get_owned(session, host, principal, subscription_id)
    _require_active(subscription)
    model = host.tables.delivery
    where = [
        model.subscription_id == subscription_id,
        model.created_at >= body.since,
        model.created_at < body.until,
    ]
    if body.only_failed:
        where.append(model.status == DeliveryStatus.FAILED)
    replayed = await rearm(session, host.tables, *where)
    await session.commit()
    return replayed


async def ping(
    session: AsyncSession, host: WebhookHost, principal: Principal, subscription_id: uuid.UUID
) -> Any:
    """A ``webhook.ping`` event for this subscription only, sent like any other delivery."""
    subscription = await get_owned(session, host, principal, subscription_id)
    _require_active(subscription)
    event = CloudEvent(
        source=host.source,
        type=PING_EVENT_TYPE,
        subject=f"webhooks/subscriptions/{subscription_id}",
        data={"subscription_id": str(subscription_id)},
    )
    delivery = add_delivery(
        session,
        host.tables,
        subscription,
        event.to_bytes().decode(),
        message_id=event.id,
        event_type=event.type,
    )
    await session.commit()
    return delivery
