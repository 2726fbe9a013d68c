"""Publishing a batch of outbox rows pipelined: up to ``window`` in flight, each key in order.

A row is sent only once the earlier rows of its partition key are acknowledged, so a key is
never reordered in the stream: if a publish fails, the key's later rows were not sent at all
and the next batch starts again from its first unacknowledged row. Keys are independent, so a
batch of many keys (a national import, a burst of writes) keeps the window full; rows without
a partition key are ordered by nothing and all go at once. After the first failure nothing new
is sent; the acknowledgements already on their way are still collected (those rows are marked
sent) before the error is reported.

JetStream stores a message once per ``Nats-Msg-Id`` within its duplicate window, so a row whose
acknowledgement was lost and that is sent again is acknowledged as a duplicate, not stored twice.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from nats.js.api import PubAck

Send = Callable[["PendingRow"], Awaitable["asyncio.Future[PubAck]"]]
OnAck = Callable[["PendingRow", PubAck], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class PendingRow:
    id: int
    event_id: str
    nats_subject: str
    payload: str
    partition_key: str | None
    correlation_id: str | None


class PublishTimeoutError(TimeoutError):
    """No acknowledgement arrived for ``ack_wait`` seconds while publishes were in flight."""


async def publish_window(
    rows: Sequence[PendingRow], send: Send, on_ack: OnAck, *, window: int, ack_wait: float
) -> tuple[list[int], Exception | None]:
    """Publish ``rows`` (in ``id`` order); return the ids acknowledged and the first error.
    ``ack_wait``: how long to wait for the next ack before giving up on all in flight."""
    later: dict[str, deque[PendingRow]] = {}  # per key, the rows behind the one in flight
    ready: deque[PendingRow] = deque()
    for row in rows:
        key = row.partition_key
        if key is None:
            ready.append(row)
        elif key in later:
            later[key].append(row)
        else:
            later[key] = deque()
            ready.append(row)

    acked: list[int] = []
    error: Exception | None = None
    in_flight: dict[asyncio.Future[PubAck], PendingRow] = {}
    settled: deque[asyncio.Future[PubAck]] = deque()
    progress = asyncio.Event()

    def on_settled(future: asyncio.Future[PubAck]) -> None:
        settled.append(future)
        progress.set()

    try:
        while True:
            while error is None and ready and len(in_flight) < window:
                row = ready.popleft()
                try:
                    future = await send(row)
                except Exception as exc:  # the connection is gone: collect what is in flight
                    error = exc
                    break
                in_flight[future] = row
                future.add_done_callback(on_settled)
            if not in_flight:
                break
            if not settled:
                progress.clear()
                try:
                    async with asyncio.timeout(ack_wait):
                        await progress.wait()
                except TimeoutError:
                    error = error or PublishTimeoutError(f"no ack within {ack_wait}s")
                    break  # the rows still in flight are not marked; the finally cancels them
            while settled:
                future = settled.popleft()
                row = in_flight.pop(future)
                if future.cancelled() or future.exception() is not None:
                    if error is None:
                        failure = None if future.cancelled() else future.exception()
                        error = (
                            failure
                            if isinstance(failure, Exception)
                            else PublishTimeoutError("publish cancelled")
                        )
                    continue  # the key's later rows stay unsent
                await on_ack(row, future.result())
                acked.append(row.id)
                queue = later.get(row.partition_key) if row.partition_key is not None else None
                if queue:
                    ready.append(queue.popleft())
    finally:
        for future in in_flight:  # frees their slots in the client's pending limit
            future.cancel()
    return acked, error
