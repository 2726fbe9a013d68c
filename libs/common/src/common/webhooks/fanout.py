"""Fan-out: one delivery row per matching active subscription, in the caller's transaction.

The host calls :func:`fan_out` from a consumer of its own stream, so the consumer's inbox
makes it run once per event; the unique ``(subscription, message id)`` makes a second run add
nothing anyway. After the commit, the dispatchers of this process are woken (see
:func:`register_waker`), so a delivery does not wait for the next poll.

Matching loads the active subscriptions and filters them here (event types and tenancy are
JSON lists, matched alike on SQLite and PostgreSQL): fine for thousands of subscriptions; past
that, index the event types in a table of their own.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from common.clock import utcnow
from common.messaging.envelope import CloudEvent
from common.webhooks.models import DeliveryStatus, SubscriptionStatus, WebhookTables
from common.webhooks.tenancy import EventTenancy, TenancyFilter

# The host's rule on top of the filter; asynchronous when it needs the database (a
# data-sharing agreement).
MayReceive = Callable[[TenancyFilter, EventTenancy], bool | Awaitable[bool]]

_PENDING_KEY = "common.webhooks.pending"
_wakers: dict[type[Any], set[Callable[[], None]]] = {}


def _covers(subscriber: TenancyFilter, tenancy: EventTenancy) -> bool:
    return subscriber.covers(tenancy)


def add_delivery(
    session: AsyncSession,
    tables: WebhookTables,
    subscription: Any,
    body: str,
    *,
    message_id: str,
    event_type: str,
) -> Any:
    """Add one pending delivery, due now (the caller has checked there is none yet)."""
    delivery = tables.delivery(
        subscription_id=subscription.id,
        message_id=message_id,
        event_type=event_type,
        payload=body,
        status=DeliveryStatus.PENDING,
        attempt_count=0,
        next_attempt_at=utcnow(),
    )
    session.add(delivery)
    session.info.setdefault(_PENDING_KEY, set()).add(tables.delivery)
    return delivery


async def fan_out(
    session: AsyncSession,
    tables: WebhookTables,
    cloud_event: CloudEvent,
    tenancy: EventTenancy,
    *,
    may_receive: MayReceive = _covers,
) -> int:
    """Add a delivery of ``cloud_event`` for every active subscription to its type that
    ``may_receive`` lets see the event (by default: its tenancy filter covers ``tenancy``);
    returns how many. Never commits."""
    subscriptions = (
        await session.scalars(
            select(tables.subscription).where(
                tables.subscription.status == SubscriptionStatus.ACTIVE
            )
        )
    ).all()
    matching = []
    for subscription in subscriptions:
        if cloud_event.type not in subscription.event_types:
            continue
        verdict = may_receive(TenancyFilter.of_row(subscription), tenancy)
        if await verdict if inspect.isawaitable(verdict) else verdict:
            matching.append(subscription)
    if not matching:
        return 0
    already = set(
        (
            await session.scalars(
                select(tables.delivery.subscription_id).where(
                    tables.delivery.message_id == cloud_event.id,
                    tables.delivery.subscription_id.in_([s.id for s in matching]),
                )
            )
        ).all()
    )
    body = cloud_event.to_bytes().decode()
    added = 0
    for subscription in matching:
        if subscription.id in already:
            continue
        add_delivery(
            session,
            tables,
            subscription,
            body,
            message_id=cloud_event.id,
            event_type=cloud_event.type,
        )
        added += 1
    return added


def mark_due(session: AsyncSession, tables: WebhookTables) -> None:
    """Wake the dispatchers after this session commits (a replay re-armed deliveries)."""
    session.info.setdefault(_PENDING_KEY, set()).add(tables.delivery)


def register_waker(delivery_model: type[Any], wake: Callable[[], None]) -> None:
    _wakers.setdefault(delivery_model, set()).add(wake)


def unregister_waker(delivery_model: type[Any], wake: Callable[[], None]) -> None:
    _wakers.get(delivery_model, set()).discard(wake)


@event.listens_for(Session, "after_commit")
def _wake_dispatchers(session: Session) -> None:
    for model in session.info.pop(_PENDING_KEY, set()):
        for wake in tuple(_wakers.get(model, ())):
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
