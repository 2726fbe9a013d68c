"""The dispatcher: sends due deliveries, logs every attempt, retries on the schedule.

Claiming (several replicas): a short transaction takes a batch of due deliveries of active
subscriptions (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` write
lock serialises claimers) and stamps each with a claim id and a ``next_attempt_at`` past the
lease. The requests are then sent outside any transaction, concurrently, and each result is
recorded in its own transaction, only while the claim is still ours. Nobody else takes a
claimed delivery before its lease ends, and the lease outlasts the request timeout, so a
delivery is never sent twice at once; a dispatcher that dies mid-send leaves the delivery to
be taken again when the lease ends (at least once: receivers drop repeats by ``webhook-id``).

Re-checked before every attempt: a host whose rules depend on data that can change after the
fan-out (a data-sharing agreement, a review's team) passes ``still_receives``; a delivery it
refuses is withheld: failed without a request, its log saying why, and a replay of it is
checked again.

Deliveries are not ordered across dispatchers (Standard Webhooks promises no order either):
each payload carries the event's time and the producer's version for the receiver to keep the
newest.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from common.clock import utcnow
from common.db.engine import Database
from common.ids import new_id
from common.logging import get_logger
from common.messaging.envelope import CloudEvent, MalformedEvent
from common.observability.metrics import count_webhook_attempt
from common.observability.tracing import delivery_span
from common.webhooks.deliveries import AttemptResult, record_attempt
from common.webhooks.destinations import (
    DestinationPolicy,
    DestinationRefusedError,
    check_destination,
)
from common.webhooks.fanout import register_waker, unregister_waker
from common.webhooks.host import PING_EVENT_TYPE
from common.webhooks.models import DeliveryStatus, SubscriptionStatus, WebhookTables
from common.webhooks.retry import Outcome, RetryPolicy, retry_after_seconds
from common.webhooks.signing import signature_headers
from common.webhooks.tenancy import TenancyFilter

log = get_logger(__name__)

CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "critical-friend-webhooks/1"

# The host's rule, asked before each attempt: may this subscription still receive this event?
StillReceives = Callable[[AsyncSession, TenancyFilter, CloudEvent], Awaitable[bool]]


@dataclass(frozen=True)
class ClaimedDelivery:
    id: uuid.UUID
    subscription_id: uuid.UUID
    message_id: str
    event_type: str
    payload: str
    attempt_count: int
    url: str
    secrets: list[str]
    tenancy: TenancyFilter


class WebhookDispatcher:
    """Sends ``tables``' due deliveries. ``run()`` until ``stop()``; woken after a fan-out or a
    replay commits in this process, and polls every ``poll_interval`` seconds otherwise."""

    def __init__(
        self,
        database: Database,
        tables: WebhookTables,
        *,
        destinations: DestinationPolicy,
        retry: RetryPolicy | None = None,
        timeout: float = 15.0,
        lease: float | None = None,
        batch_size: int = 50,
        concurrency: int = 10,
        poll_interval: float = 1.0,
        still_receives: StillReceives | None = None,
    ) -> None:
        self._database = database
        self._tables = tables
        self._destinations = destinations
        self._retry = retry or RetryPolicy()
        self._timeout = timeout
        # Longer than a request can last, so a claim never ends while its request is out.
        self._lease = lease if lease is not None else timeout * 2 + 30
        if self._lease <= timeout:
            raise ValueError("the lease must outlast the request timeout")
        self._batch_size = batch_size
        self._concurrency = asyncio.Semaphore(concurrency)
        self._poll_interval = poll_interval
        self._still_receives = still_receives
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[Any] | None = None
        self._client: httpx.AsyncClient | None = None

    def wake(self) -> None:
        self._wakeup.set()

    async def run(self) -> None:
        self._task = asyncio.current_task()
        register_waker(self._tables.delivery, self.wake)
        # Redirects are not followed (the spec: update the URL instead); a followed redirect
        # would also skip the destination check.
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self._timeout), follow_redirects=False
        )
        failures = 0
        try:
            while not self._stopping.is_set():
                self._wakeup.clear()
                try:
                    sent = await self.dispatch_due()
                    wait = 0.0 if sent == self._batch_size else await self._next_due_in()
                    failures = 0
                except Exception as exc:  # the database is down: retry later
                    failures += 1
                    wait = min(30.0, 0.1 * 2 ** min(failures, 10))
                    log.warning("webhook_dispatch_retry", error=repr(exc), retry_in=wait)
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wakeup.wait(), timeout=wait)
        finally:
            unregister_waker(self._tables.delivery, self.wake)
            await self._client.aclose()

    async def stop(self, grace: float = 5.0) -> None:
        """Let the requests in flight finish (up to ``grace`` seconds), then stop. A request
        cut short is sent again once its lease ends."""
        self._stopping.set()
        self._wakeup.set()
        task = self._task
        if task is None or task.done() or task is asyncio.current_task():
            return
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def dispatch_due(self) -> int:
        """Claim one batch of due deliveries, send them and record the results.

        Subscriptions are served side by side, each one's deliveries one after another: a
        receiver gets one request at a time from a dispatcher, and once it answers 410 the
        rest of its batch is not sent (disabling failed them already)."""
        claim, batch = await self._claim()
        by_subscription: dict[uuid.UUID, list[ClaimedDelivery]] = {}
        for item in batch:
            by_subscription.setdefault(item.subscription_id, []).append(item)
        await asyncio.gather(
            *(self._deliver_in_turn(claim, items) for items in by_subscription.values())
        )
        return len(batch)

    async def _deliver_in_turn(self, claim: uuid.UUID, items: list[ClaimedDelivery]) -> None:
        for item in items:
            if await self._deliver(claim, item) is Outcome.GONE:
                return

    async def _next_due_in(self) -> float:
        delivery, subscription = self._tables.delivery, self._tables.subscription
        async with self._database.session() as session:
            earliest = await session.scalar(
                select(func.min(delivery.next_attempt_at))
                .join(subscription, subscription.id == delivery.subscription_id)
                .where(
                    delivery.status == DeliveryStatus.PENDING,
                    subscription.status == SubscriptionStatus.ACTIVE,
                )
            )
        if earliest is None:
            return self._poll_interval
        due_in: float = (earliest - utcnow()).total_seconds()
        return max(0.0, min(self._poll_interval, due_in))

    async def _claim(self) -> tuple[uuid.UUID, list[ClaimedDelivery]]:
        delivery, subscription = self._tables.delivery, self._tables.subscription
        claim = new_id()
        async with self._database.session() as session, session.begin():
            now = utcnow()
            due = (
                select(delivery.id)
                .join(subscription, subscription.id == delivery.subscription_id)
                .where(
                    delivery.status == DeliveryStatus.PENDING,
                    delivery.next_attempt_at <= now,
                    subscription.status == SubscriptionStatus.ACTIVE,
                )
                .order_by(delivery.next_attempt_at)
                .limit(self._batch_size)
            )
            if self._database.is_postgres:
                due = due.with_for_update(of=delivery, skip_locked=True)
            ids = list((await session.scalars(due)).all())
            if not ids:
                return claim, []
            await session.execute(
                update(delivery)
                .where(delivery.id.in_(ids))
                .values(claim=claim, next_attempt_at=now + timedelta(seconds=self._lease))
                .execution_options(synchronize_session=False)
            )
            rows = (
                await session.execute(
                    select(delivery, subscription)
                    .join(subscription, subscription.id == delivery.subscription_id)
                    .where(delivery.id.in_(ids))
                )
            ).all()
            return claim, [
                ClaimedDelivery(
                    id=d.id,
                    subscription_id=s.id,
                    message_id=d.message_id,
                    event_type=d.event_type,
                    payload=d.payload,
                    attempt_count=d.attempt_count,
                    url=s.url,
                    secrets=s.signing_secrets(now),
                    tenancy=TenancyFilter.of_row(s),
                )
                for d, s in rows
            ]

    async def _deliver(self, claim: uuid.UUID, item: ClaimedDelivery) -> Outcome | None:
        async with self._concurrency:
            with delivery_span(item.payload, item.message_id):
                result = await self._withheld(item) or await self._send(item)
        try:
            async with self._database.session() as session, session.begin():
                outcome = await record_attempt(
                    session,
                    self._tables,
                    delivery_id=item.id,
                    subscription_id=item.subscription_id,
                    claim=claim,
                    attempt_number=item.attempt_count + 1,
                    result=result,
                    retry=self._retry,
                )
        except Exception as exc:  # sent but not recorded: sent again after the lease
            log.warning("webhook_attempt_not_recorded", delivery=str(item.id), error=repr(exc))
            return None
        count_webhook_attempt(outcome.value, item.attempt_count + 1)
        log.info(
            "webhook_attempt",
            delivery=str(item.id),
            status=result.response_code,
            error=result.error,
            outcome=outcome.value,
        )
        return outcome

    async def _withheld(self, item: ClaimedDelivery) -> AttemptResult | None:
        """A withheld result when the host's rules refuse the event now; None to send it."""
        if self._still_receives is None or item.event_type == PING_EVENT_TYPE:
            return None
        attempted_at = utcnow()
        try:
            event = CloudEvent.from_bytes(item.payload.encode())
            async with self._database.session() as session:
                if await self._still_receives(session, item.tenancy, event):
                    return None
        except MalformedEvent:
            pass
        except Exception as exc:  # the check could not run: try again on the schedule
            return AttemptResult(attempted_at, 0, error=f"could not check the tenancy: {exc!r}")
        message = "withheld: the subscription's tenancy no longer covers this event"
        return AttemptResult(attempted_at, 0, error=message, withheld=True)

    async def _send(self, item: ClaimedDelivery) -> AttemptResult:
        assert self._client is not None
        attempted_at = utcnow()
        started = time.perf_counter()

        def elapsed_ms() -> int:
            return round((time.perf_counter() - started) * 1000)

        try:
            await check_destination(item.url, self._destinations)
        except DestinationRefusedError as exc:
            return AttemptResult(attempted_at, elapsed_ms(), error=f"destination refused: {exc}")
        headers = signature_headers(item.message_id, attempted_at, item.payload, item.secrets)
        headers |= {"content-type": CONTENT_TYPE, "user-agent": USER_AGENT}
        try:
            # Streamed and never read: only the status matters, and a receiver cannot make us
            # download a large body.
            async with self._client.stream(
                "POST", item.url, content=item.payload.encode(), headers=headers
            ) as response:
                retry_after = retry_after_seconds(response.headers.get("retry-after"), utcnow())
                return AttemptResult(
                    attempted_at,
                    elapsed_ms(),
                    response_code=response.status_code,
                    retry_after=retry_after,
                )
        except httpx.TimeoutException:
            return AttemptResult(attempted_at, elapsed_ms(), error="timed out")
        except httpx.HTTPError as exc:
            return AttemptResult(attempted_at, elapsed_ms(), error=f"{type(exc).__name__}: {exc}")
