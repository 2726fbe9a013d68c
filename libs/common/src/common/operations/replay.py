"""Replay a durable consumer from a stream sequence or a time.

The durable is recreated with the same configuration but a new start (``by_start_sequence`` or
``by_start_time``); the consuming service's runner binds to it again by itself (it keeps the
start an operator gave) and the inbox makes the replay safe: events already applied come back
as duplicates and are skipped, events the consumer's database does not have (it was restored
from an older backup) are applied, exactly once each, in stream order.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import datetime

from nats.js.api import ConsumerConfig, ConsumerInfo, DeliverPolicy
from nats.js.client import JetStreamContext
from nats.js.errors import BadRequestError, NotFoundError

# A running runner may recreate the durable between our delete and our add: try again.
_ATTEMPTS = 5


async def replay_consumer(
    js: JetStreamContext,
    stream: str,
    durable: str,
    *,
    from_seq: int | None = None,
    from_time: datetime | None = None,
) -> ConsumerInfo:
    """Recreate ``durable`` on ``stream`` to deliver again from ``from_seq`` or ``from_time``."""
    if (from_seq is None) == (from_time is None):
        raise ValueError("give exactly one of from_seq and from_time")
    if from_seq is not None and from_seq < 1:
        raise ValueError("from_seq starts at 1")
    current = (await js.consumer_info(stream, durable)).config
    start: dict[str, object] = {"opt_start_seq": None, "opt_start_time": None}
    if from_seq is not None:
        start |= {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": from_seq}
    else:
        start |= {"deliver_policy": DeliverPolicy.BY_START_TIME, "opt_start_time": from_time}
    wanted: ConsumerConfig = replace(current, **start)
    for attempt in range(_ATTEMPTS):
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
        try:
            return await js.add_consumer(stream, wanted)
        except BadRequestError:  # recreated by its runner in between: once more
            if attempt == _ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.1)
    raise AssertionError("unreachable")
