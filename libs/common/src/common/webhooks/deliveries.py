"""State changes of deliveries and subscriptions that several callers share: recording an
attempt, disabling a subscription, re-arming deliveries for a replay."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, CursorResult, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.webhooks.fanout import mark_due
from common.webhooks.models import DeliveryStatus, SubscriptionStatus, WebhookTables
from common.webhooks.retry import Outcome, RetryPolicy, outcome_of

MAX_ERROR_LENGTH = 1000


@dataclass(frozen=True)
class AttemptResult:
    """What one HTTP request came to."""

    attempted_at: datetime
    duration_ms: int
    response_code: int | None = None
    error: str | None = None
    retry_after: float | None = None
    withheld: bool = False  # no request made: the host's rules refuse the event now


def _rowcount(result: object) -> int:
    assert isinstance(result, CursorResult)
    return result.rowcount


async def disable_subscription(
    session: AsyncSession, tables: WebhookTables, subscription_id: uuid.UUID, reason: str
) -> None:
    """Disable the subscription (bumping its version, so its ETag changes) and fail its
    pending deliveries: nothing more is tried until it is enabled and they are replayed."""
    subscription, delivery = tables.subscription, tables.delivery
    now = utcnow()
    await session.execute(
        update(subscription)
        .where(subscription.id == subscription_id)
        .values(
            status=SubscriptionStatus.DISABLED,
            disabled_reason=reason[:500],
            disabled_at=now,
            updated_at=now,
            version=subscription.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(delivery)
        .where(
            delivery.subscription_id == subscription_id,
            delivery.status == DeliveryStatus.PENDING,
        )
        .values(
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            claim=None,
            last_error=f"subscription disabled: {reason}"[:MAX_ERROR_LENGTH],
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )


async def record_attempt(
    session: AsyncSession,
    tables: WebhookTables,
    *,
    delivery_id: uuid.UUID,
    subscription_id: uuid.UUID,
    claim: uuid.UUID,
    attempt_number: int,
    result: AttemptResult,
    retry: RetryPolicy,
) -> Outcome:
    """Log the attempt and move the delivery on: delivered, due again later, or failed.

    The delivery changes only while ``claim`` is still its claim; the attempt is logged in
    any case (it happened). Never commits.
    """
    error = result.error[:MAX_ERROR_LENGTH] if result.error else None
    session.add(
        tables.attempt(
            delivery_id=delivery_id,
            attempted_at=result.attempted_at,
            response_code=result.response_code,
            error=error,
            duration_ms=result.duration_ms,
        )
    )
    if result.withheld:
        outcome = Outcome.WITHHELD
    else:
        outcome = outcome_of(result.response_code) if error is None else Outcome.RETRY
    now = utcnow()
    values: dict[str, object] = {
        "attempt_count": attempt_number,
        "last_response_code": result.response_code,
        "last_error": error,
        "claim": None,
        "updated_at": now,
    }
    if outcome is Outcome.DELIVERED:
        values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif outcome in (Outcome.GONE, Outcome.WITHHELD):
        values |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
    else:
        next_at = retry.next_attempt(attempt_number, now, result.retry_after)
        if next_at is None:
            values |= {"status": DeliveryStatus.FAILED, "next_attempt_at": None}
        else:
            values["next_attempt_at"] = next_at
    delivery = tables.delivery
    changed = await session.execute(
        update(delivery)
        .where(delivery.id == delivery_id, delivery.claim == claim)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if outcome is Outcome.GONE and _rowcount(changed):
        await disable_subscription(
            session, tables, subscription_id, "the receiver answered 410 Gone"
        )
    return outcome


async def rearm(session: AsyncSession, tables: WebhookTables, *where: ColumnElement[bool]) -> int:
    """Make the deliveries matching ``where`` due now, with a fresh retry schedule (their
    attempt log is kept), and wake the dispatchers after the commit; returns how many. One
    being sent right now (it has a claim) is left alone, so a delivery is never sent twice at
    once. Never commits."""
    delivery = tables.delivery
    now = utcnow()
    result = await session.execute(
        update(delivery)
        .where(
            *where,
            or_(delivery.status != DeliveryStatus.PENDING, delivery.claim.is_(None)),
        )
        .values(
            status=DeliveryStatus.PENDING,
            attempt_count=0,
            next_attempt_at=now,
            claim=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    mark_due(session, tables)
    return _rowcount(result)
