"""A durable JetStream pull consumer feeding one handler, exactly once and in order per key.

Design
------
*Exactly once.* Each message is handled in one transaction that also inserts
``(consumer, event id)`` into the inbox; a message whose row exists is a duplicate, acked and
skipped. The ack is sent only after the commit, so a crash in between means a redelivery,
which the inbox absorbs. The handler must not commit (the runner does).

*Order per partition key, and poison messages.* The runner handles messages one at a time in
the order JetStream delivers them. A failing handler does not ``nak`` the message back to
JetStream: the message is parked in the inbox table (with its payload and next attempt time)
and acked, and every later message of its partition key is parked behind it, while other keys
keep flowing. Parked events are retried in stream order with ``backoff``; after
``max_deliver`` failed attempts the event goes to ``deadletter.<stream>.<durable>`` and its
key flows again. Why not ``nak(delay)``: a nak'd message is invisible until its delay ends,
so a runner that restarted in the meantime would not know its key is blocked and would apply
the key's later events first; parking makes "this key is blocked" durable, and the attempt
count stays exact (a nak'd message waiting behind another would use up deliveries).
JetStream's own ``max_deliver`` is left unlimited: a server-side limit would silently strand
a message whose last delivery was lost to a crash.

*Gaps.* JetStream redelivers an unacked message only after ``ack_wait``, while newer messages
keep coming; an unacked, unapplied message would then be overtaken by a later one of its key.
That happens when a runner dies with fetched messages in hand or deliveries are lost with a
connection. Every delivery carries the consumer's delivery sequence, which grows by one per
delivery, so the runner notices any discontinuity (and catches up when it subscribes); it
then reads the stream itself from the consumer's ack floor up to its last delivery, in order,
applying or parking whatever the inbox does not have, before it goes on. The redeliveries of
those messages arrive later as duplicates.

*Batches.* With ``transaction_batch`` > 1, consecutive fetched deliveries (no gap in the
delivery sequence) are applied in one transaction and acked after its commit: the same
guarantees with one commit per batch instead of one per message. A batch that would not simply
be applied (a malformed message, a parked key, a failing handler) commits nothing and its
messages go one at a time, as above.

*Replicas.* Meant to run once per durable consumer. A second runner on the same durable (a
rolling deploy) stays exactly once (the inbox key) and in order (every delivery it misses
looks like a gap, so it catches up in stream order first), but it does that work for every
message: scale a consumer by splitting its subjects across durables, not by replicas.

*History.* ``guard`` runs before every subscription (see :mod:`common.messaging.continuity`):
a stream that lost the events this consumer had applied is not consumed from 1 again; the
runner logs the error, sets ``refused`` and looks again every ``HISTORY_RECHECK_SECONDS``.
The guard returns the replica count for the consumer (the stream's), None to inherit it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import Awaitable, Callable, Sequence

import nats.errors
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, ReplayPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError

from common.db.engine import Database
from common.logging import get_logger
from common.messaging.continuity import StreamHistoryLostError
from common.messaging.deadletter import DeadLetter, publish_dead_letter
from common.messaging.inbox import InboxMixin
from common.messaging.processing import Delivery, Handler, InboxProcessor, Outcome
from common.messaging.subjects import subject_matches
from common.observability.metrics import count_consumer_outcome, count_dead_letter

log = get_logger(__name__)

DEFAULT_BACKOFF = (1.0, 5.0, 30.0, 60.0, 300.0)
MIN_FETCH_WAIT = 0.05
# How often a runner looks for parked events it did not park itself (a replayed dead letter).
PARKED_LOOK_SECONDS = 15.0
HISTORY_RECHECK_SECONDS = 10.0
# A cluster elects a new stream or consumer leader within seconds of losing a node: retry
# often enough to resume within a second of it, not several.
MAX_RETRY_DELAY = 1.0
MISSING_STREAM_RETRY = 5.0

#: Runs before each subscription; raises StreamHistoryLostError, returns the replica count.
SubscribeGuard = Callable[[], Awaitable[int | None]]


class ConsumerRunner:
    def __init__(
        self,
        database: Database,
        inbox_model: type[InboxMixin],
        js: JetStreamContext,
        *,
        stream: str,
        durable: str,
        filter_subjects: list[str],
        handler: Handler,
        max_deliver: int = 5,
        backoff: Sequence[float] = DEFAULT_BACKOFF,
        ack_wait: float = 30.0,
        batch_size: int = 64,
        fetch_wait: float = 1.0,
        max_ack_pending: int = 1000,
        publish_timeout: float = 5.0,
        transaction_batch: int = 1,
        parked_look_seconds: float = PARKED_LOOK_SECONDS,
        guard: SubscribeGuard | None = None,
    ) -> None:
        self._js = js
        self._guard = guard
        self.refused: str | None = None  # why the stream is not being consumed
        self._stream = stream
        self._durable = durable
        self._filters = list(filter_subjects)
        self._ack_wait = ack_wait
        self._batch_size = batch_size
        self._fetch_wait = fetch_wait
        self._max_ack_pending = max_ack_pending
        self._publish_timeout = publish_timeout
        self._transaction_batch = max(1, transaction_batch)
        self._processor = InboxProcessor(
            database,
            inbox_model,
            stream=stream,
            consumer=durable,
            handler=handler,
            dead_letter=self._publish_dead_letter,
            max_attempts=max_deliver,
            backoff=backoff,
        )
        self._sub: JetStreamContext.PullSubscription | None = None
        self._backlog: deque[Msg] = deque()  # fetched, not yet settled: handled first
        # Consumer (delivery) sequences: every delivery up to ``_covered`` was received or
        # caught up with; ``_last_seen`` is the last one received. None: not caught up yet.
        self._covered: int | None = None
        self._last_seen = 0
        self._parked = True  # unknown at start: look
        # Events are parked by others too (an operator replaying a dead letter): look anyway.
        self._parked_look_seconds = parked_look_seconds
        self._next_parked_look = 0.0
        self._stopping = asyncio.Event()
        self._fetching = False
        self._task: asyncio.Task[None] | None = None
        self._log = log.bind(stream=stream, consumer=durable)

    @property
    def stream(self) -> str:
        return self._stream

    @property
    def durable(self) -> str:
        return self._durable

    @property
    def filter_subjects(self) -> tuple[str, ...]:
        return tuple(self._filters)

    async def run(self) -> None:
        self._task = asyncio.current_task()
        failures = 0
        try:
            while not self._stopping.is_set():
                try:
                    await self._step()
                    failures = 0
                except StreamHistoryLostError as exc:
                    if self.refused != str(exc):
                        self._log.error("stream_history_lost", problem=str(exc))
                    self.refused = str(exc)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(
                            self._stopping.wait(), timeout=HISTORY_RECHECK_SECONDS
                        )
                except Exception as exc:  # NATS or the database: retry later
                    failures += 1
                    if isinstance(exc, nats.errors.Error):
                        await self._drop_subscription()
                    # A stream not created yet (its producer not started) can take long.
                    cap = (
                        MISSING_STREAM_RETRY if isinstance(exc, NotFoundError) else MAX_RETRY_DELAY
                    )
                    delay = min(cap, 0.1 * 2 ** min(failures, 10))
                    self._log.warning("consumer_retry", error=repr(exc), retry_in=delay)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), timeout=delay)
        finally:
            await self._drop_subscription()

    async def stop(self, grace: float = 2.0) -> None:
        """Finish the message in hand (up to ``grace`` seconds), then stop. Fetched messages
        not yet handled stay unacked and are redelivered."""
        self._stopping.set()
        task = self._task
        if task is None or task.done() or task is asyncio.current_task():
            return
        # Waiting in a fetch holds nothing: stop now rather than at the end of the fetch wait
        # (what it fetched is unacked, so it is redelivered, as after a crash).
        done, _ = await asyncio.wait({task}, timeout=0 if self._fetching else grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _step(self) -> None:
        if self._sub is None:
            await self._subscribe()
        assert self._sub is not None
        wait = self._fetch_wait
        now = asyncio.get_running_loop().time()
        if self._parked or now >= self._next_parked_look:
            self._next_parked_look = now + self._parked_look_seconds
            due_in = await self._processor.retry_parked()
            self._parked = due_in is not None
            if due_in is not None:
                wait = max(MIN_FETCH_WAIT, min(wait, due_in))
        if not self._backlog:
            self._backlog.extend(await self._fetch(self._sub, wait))
        while self._backlog and not self._stopping.is_set():
            if self._transaction_batch > 1 and len(self._backlog) > 1 and await self._batch():
                continue
            await self._handle(self._backlog[0])
            self._backlog.popleft()

    async def _subscribe(self) -> None:
        replicas = await self._guard() if self._guard is not None else None
        self.refused = None
        config = ConsumerConfig(
            name=self._durable,
            durable_name=self._durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            replay_policy=ReplayPolicy.INSTANT,
            filter_subjects=self._filters,
            ack_wait=self._ack_wait,
            max_deliver=-1,
            max_ack_pending=self._max_ack_pending,
            num_replicas=replicas,
        )
        with contextlib.suppress(NotFoundError):
            # Keep the start an operator gave when replaying it (common.operations.replay):
            # JetStream refuses to change a durable's deliver policy, and ours is "all".
            existing = (await self._js.consumer_info(self._stream, self._durable)).config
            config.deliver_policy = existing.deliver_policy
            config.opt_start_seq = existing.opt_start_seq
            config.opt_start_time = existing.opt_start_time
        await self._js.add_consumer(self._stream, config)  # creates, or updates the config
        self._sub = await self._js.pull_subscribe_bind(durable=self._durable, stream=self._stream)
        self._covered = None  # the first delivery catches up if this does not
        self._log.info("consumer_subscribed", filters=self._filters)
        await self._catch_up()  # what earlier runners left delivered but unacked

    async def _fetch(self, sub: JetStreamContext.PullSubscription, wait: float) -> list[Msg]:
        self._fetching = True
        try:
            return await sub.fetch(self._batch_size, timeout=wait)
        except TimeoutError:  # nothing to deliver (or not connected right now)
            return []
        finally:
            self._fetching = False

    async def _handle(self, msg: Msg) -> None:
        meta = msg.metadata
        delivery = meta.sequence.consumer
        # A skipped delivery (lost, or sent to a dead subscription) or a rewound sequence (a
        # server that lost recent state) may hide an unapplied message of some key: catch up.
        if self._covered is None or delivery > self._covered + 1 or delivery < self._last_seen:
            await self._catch_up()
        self._covered = max(self._covered or 0, delivery)
        self._last_seen = delivery
        outcome = await self._processor.receive(
            Delivery(subject=msg.subject, stream_seq=meta.sequence.stream, payload=msg.data)
        )
        await self._settle(msg, outcome)

    async def _batch(self) -> bool:
        """Apply the next consecutive deliveries in one transaction; False (nothing done) when
        they must go one at a time: a gap or rewind to catch up on, or see ``receive_batch``."""
        batch = list(itertools.islice(self._backlog, self._transaction_batch))
        sequences = [msg.metadata.sequence.consumer for msg in batch]
        first = sequences[0]
        if self._covered is None or first > self._covered + 1 or first < self._last_seen:
            return False
        # Only the consecutive run at the head: a gap further on is dealt with when it is next.
        run = 1
        while run < len(sequences) and sequences[run] == sequences[run - 1] + 1:
            run += 1
        if run < 2:
            return False
        batch, sequences = batch[:run], sequences[:run]
        outcomes = await self._processor.receive_batch(
            [Delivery(msg.subject, msg.metadata.sequence.stream, msg.data) for msg in batch]
        )
        if outcomes is None:
            return False
        self._covered = max(self._covered, sequences[-1])
        self._last_seen = sequences[-1]
        for msg, outcome in zip(batch, outcomes, strict=True):
            await self._settle(msg, outcome)
            self._backlog.popleft()
        return True

    async def _catch_up(self) -> None:
        """Apply or park, in stream order, every message delivered but not yet acked."""
        info = await self._js.consumer_info(self._stream, self._durable)
        floor = info.ack_floor.stream_seq if info.ack_floor else 0
        last = info.delivered.stream_seq if info.delivered else 0
        if last > floor:
            self._log.info("consumer_catching_up", from_seq=floor + 1, to_seq=last)
        for seq in range(floor + 1, last + 1):
            try:
                raw = await self._js.get_msg(self._stream, seq)
            except NotFoundError:  # deleted from the stream: nothing to apply
                continue
            subject = raw.subject or ""
            if not any(subject_matches(subject, pattern) for pattern in self._filters):
                continue
            outcome = await self._processor.receive(Delivery(subject, seq, raw.data or b""))
            count_consumer_outcome(self._durable, outcome.value)
            self._parked = self._parked or outcome is Outcome.PARKED
        self._covered = info.delivered.consumer_seq if info.delivered else 0
        self._last_seen = 0

    async def _settle(self, msg: Msg, outcome: Outcome) -> None:
        self._parked = self._parked or outcome is Outcome.PARKED
        count_consumer_outcome(self._durable, outcome.value)
        try:
            if outcome is Outcome.DEAD:
                await msg.term()
            else:
                await self._ack(msg)
        except nats.errors.Error as exc:
            # Committed already: a redelivery will be recognised by the inbox and acked then.
            self._log.info("ack_failed", error=repr(exc))

    async def _ack(self, msg: Msg) -> None:
        """Acknowledge after the commit (a seam for tests that crash just before it)."""
        await msg.ack()

    async def _publish_dead_letter(self, letter: DeadLetter) -> None:
        await publish_dead_letter(self._js, letter, publish_timeout=self._publish_timeout)
        count_dead_letter(self._durable)
        self._log.error(
            "event_dead_lettered",
            seq=letter.stream_seq,
            attempts=letter.attempts,
            error=letter.error,
        )

    async def _drop_subscription(self) -> None:
        # Unsettled messages are redelivered; the next first delivery triggers a catch-up.
        sub, self._sub = self._sub, None
        self._backlog.clear()
        self._covered = None
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
