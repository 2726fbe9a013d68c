"""Reading a JetStream stream from a sequence, as the SSE stream and the feed both do.

An ordered consumer is the tool for this: ephemeral (nothing to clean up when the reader goes
away; the server drops it after ``INACTIVE_THRESHOLD_SECONDS``), in memory, unacknowledged,
and the client library re-creates it from the last sequence it saw whenever it notices a gap
(a lost message, a reconnect), so the reader gets every message once, in stream order.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from nats.js.api import ConsumerConfig, DeliverPolicy
from nats.js.client import JetStreamContext

from common.logging import get_logger
from common.messaging.envelope import CloudEvent, MalformedEvent

log = get_logger(__name__)

INACTIVE_THRESHOLD_SECONDS = 30.0
IDLE_HEARTBEAT_SECONDS = 5.0


@dataclass(frozen=True)
class StreamEntry:
    """One event of the stream: its stream sequence, NATS subject, the event and its bytes."""

    seq: int
    subject: str
    event: CloudEvent
    raw: bytes


# The host's rule for one reader (the caller's token): may it see this entry?
Visible = Callable[[StreamEntry], Awaitable[bool]]
# The same rule for a page of entries at once (one session, one query per kind of lookup):
# a verdict per entry, in order.
VisibleMany = Callable[[Sequence[StreamEntry]], Awaitable[Sequence[bool]]]


def one_by_one(visible: Visible) -> VisibleMany:
    """A page rule from a per-entry rule, for hosts that have no batch rule."""

    async def many(entries: Sequence[StreamEntry]) -> list[bool]:
        return [await visible(entry) for entry in entries]

    return many


async def last_sequence(js: JetStreamContext, stream: str) -> int:
    info = await js.stream_info(stream)
    return int(info.state.last_seq)


@contextlib.asynccontextmanager
async def ordered_reader(
    js: JetStreamContext, stream: str, *, start_seq: int, filter_subjects: Sequence[str]
) -> AsyncIterator[JetStreamContext.PushSubscription]:
    """An ordered consumer on ``stream`` from ``start_seq`` (1 is the first message)."""
    filters = list(filter_subjects) or [">"]
    config = ConsumerConfig(
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
        opt_start_seq=max(1, start_seq),
        inactive_threshold=INACTIVE_THRESHOLD_SECONDS,
        filter_subjects=filters if len(filters) > 1 else None,
    )
    sub = await js.subscribe(
        filters[0],
        stream=stream,
        ordered_consumer=True,
        config=config,
        idle_heartbeat=IDLE_HEARTBEAT_SECONDS,
    )
    try:
        yield sub
    finally:
        with contextlib.suppress(Exception):  # the connection may be gone already
            await sub.unsubscribe()


def parse_entry(seq: int, subject: str, raw: bytes) -> StreamEntry | None:
    """The entry, or ``None`` for a message that is not a CloudEvent (skipped, logged)."""
    try:
        return StreamEntry(seq=seq, subject=subject, event=CloudEvent.from_bytes(raw), raw=raw)
    except MalformedEvent as exc:
        log.warning("stream_message_not_an_event", seq=seq, subject=subject, error=str(exc))
        return None


async def follow(
    js: JetStreamContext,
    stream: str,
    *,
    start_seq: int,
    filter_subjects: Sequence[str],
    poll_seconds: float = 1.0,
    until: float | None = None,
) -> AsyncIterator[StreamEntry]:
    """Every event from ``start_seq`` on, then each new one as it arrives: endless, or until
    the event loop's clock reaches ``until`` (a bounded read)."""
    loop = asyncio.get_running_loop()
    async with ordered_reader(
        js, stream, start_seq=start_seq, filter_subjects=filter_subjects
    ) as sub:
        while True:
            wait = poll_seconds
            if until is not None:
                wait = min(wait, until - loop.time())
                if wait <= 0:
                    return
            try:
                msg = await sub.next_msg(timeout=wait)
            except TimeoutError:
                continue
            entry = parse_entry(msg.metadata.sequence.stream, msg.subject, msg.data)
            if entry is not None:
                yield entry
