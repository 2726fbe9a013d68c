"""JetStream streams: each producing service creates its own at start-up, idempotently."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from nats.js.api import (
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
    StreamSource,
)
from nats.js.client import JetStreamContext
from nats.js.errors import BadRequestError, NotFoundError

from common.logging import get_logger

log = get_logger(__name__)

DEAD_LETTER_STREAM = "DEADLETTER"
DEAD_LETTER_SUBJECTS = ["deadletter.>"]
# Long enough to cover a relay that published, crashed before marking the row sent, and was
# restarted; a repeat beyond it is still harmless because consumers keep an inbox.
DUPLICATE_WINDOW_SECONDS = 120.0
_STREAM_NAME_IN_USE = 10058  # JetStream API error: the name exists with another configuration


async def ensure_stream(
    js: JetStreamContext,
    name: str,
    subjects: list[str],
    *,
    replicas: int = 1,
    duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
    sources: Sequence[StreamSource] = (),
) -> StreamInfo:
    """Create the stream, or update it to this configuration; safe to call from every replica
    at every start.

    ``sources``: a stream that copies other streams' messages (each filtered to a subject)
    into one sequence of its own; it takes no subjects then. A source that does not exist
    yet is picked up by the server once it does (it retries every few seconds)."""
    config = StreamConfig(
        name=name,
        subjects=subjects or None,
        sources=list(sources) or None,
        storage=StorageType.FILE,
        retention=RetentionPolicy.LIMITS,
        discard=DiscardPolicy.OLD,
        num_replicas=replicas,
        duplicate_window=duplicate_window,
    )
    try:
        return await js.add_stream(config)
    except BadRequestError as exc:
        # Creating with an identical configuration succeeds; a different one is an update.
        if exc.err_code != _STREAM_NAME_IN_USE:
            raise
    return await js.update_stream(config)


async def ensure_dead_letter_stream(js: JetStreamContext, *, replicas: int = 1) -> StreamInfo:
    """The shared stream that keeps messages a consumer gave up on (``deadletter.>``)."""
    return await ensure_stream(js, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, replicas=replicas)


#: How often a copying stream's creation looks again for a source stream not yet created.
SOURCE_POLL_SECONDS = 0.2


async def ensure_copying_stream(
    js: JetStreamContext, name: str, sources: Sequence[StreamSource], *, replicas: int = 1
) -> StreamInfo:
    """``ensure_stream`` for a stream that copies ``sources``, once every one of them exists
    (run it as a task: it waits). Created earlier, the server looks for a missing source only
    every ten seconds or so, and the copy lags (and, between its sources, falls out of causal
    order) that long; from sources that exist it copies within milliseconds."""
    waiting_logged = False
    while True:
        try:
            missing = [s.name for s in sources if not await _stream_exists(js, s.name)]
            if not missing:
                info = await ensure_stream(js, name, [], replicas=replicas, sources=sources)
                log.info("stream_ready", stream=name)
                return info
            if not waiting_logged:
                log.info("stream_waiting_for_sources", stream=name, missing=missing)
                waiting_logged = True
        except BadRequestError:  # a configuration the server refuses: waiting will not help
            raise
        except Exception as exc:  # NATS away for a moment: look again
            log.warning("stream_retry", stream=name, error=repr(exc))
        await asyncio.sleep(SOURCE_POLL_SECONDS)


async def _stream_exists(js: JetStreamContext, name: str) -> bool:
    try:
        await js.stream_info(name)
    except NotFoundError:
        return False
    return True
