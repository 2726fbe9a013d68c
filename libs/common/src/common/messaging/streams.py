"""JetStream streams: each producing service creates its own at start-up, idempotently."""

from __future__ import annotations

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
from nats.js.errors import BadRequestError

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
