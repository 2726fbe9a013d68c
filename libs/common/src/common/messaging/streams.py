"""JetStream streams: each producing service creates its own at start-up, idempotently, with the
limits its settings give (:class:`StreamLimits`); an existing stream whose configuration
differs is updated in place (replicas can be raised, limits changed)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from nats.js.api import (
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
    StreamSource,
)
from nats.js.client import JetStreamContext
from nats.js.errors import APIError, BadRequestError, NotFoundError

from common.logging import get_logger

log = get_logger(__name__)

DEAD_LETTER_STREAM = "DEADLETTER"
DEAD_LETTER_SUBJECTS = ["deadletter.>"]
# Long enough to cover a relay that published, crashed before marking the row sent, and was
# restarted; a repeat beyond it is still harmless because consumers keep an inbox.
DUPLICATE_WINDOW_SECONDS = 120.0
_STREAM_NAME_IN_USE = 10058  # JetStream API error: the name exists with another configuration


@dataclass(frozen=True)
class StreamLimits:
    """How a stream is kept: replicas (1, or 3 on a 3-node cluster), storage, how long and how
    much (0 / -1: unlimited), what goes when full, and the publish de-duplication window."""

    replicas: int = 1
    storage: Literal["file", "memory"] = "file"
    max_age_seconds: float = 0.0
    max_bytes: int = -1
    discard: Literal["old", "new"] = "old"
    duplicate_window_seconds: float = DUPLICATE_WINDOW_SECONDS

    def config(
        self, name: str, subjects: Sequence[str], sources: Sequence[StreamSource]
    ) -> StreamConfig:
        window = self.duplicate_window_seconds
        if self.max_age_seconds > 0:  # JetStream refuses a window longer than the max age
            window = min(window, self.max_age_seconds)
        return StreamConfig(
            name=name,
            subjects=list(subjects) or None,
            sources=list(sources) or None,
            storage=StorageType(self.storage),
            retention=RetentionPolicy.LIMITS,
            discard=DiscardPolicy(self.discard),
            max_age=self.max_age_seconds,
            max_bytes=self.max_bytes,
            num_replicas=self.replicas,
            duplicate_window=window,
        )


def _differences(wanted: StreamConfig, current: StreamConfig) -> dict[str, object]:
    """The settings of ``wanted`` that ``current`` does not have (what an update changes)."""
    fields = ("subjects", "storage", "discard", "max_age", "max_bytes", "num_replicas")
    changed: dict[str, object] = {
        field: getattr(wanted, field)
        for field in fields
        if getattr(wanted, field) != getattr(current, field)
    }
    if abs((wanted.duplicate_window or 0) - (current.duplicate_window or 0)) > 1e-3:
        changed["duplicate_window"] = wanted.duplicate_window
    wanted_sources = sorted((s.name, s.filter_subject) for s in wanted.sources or [])
    current_sources = sorted((s.name, s.filter_subject) for s in current.sources or [])
    if wanted_sources != current_sources:
        changed["sources"] = [name for name, _ in wanted_sources]
    return changed


async def ensure_stream(
    js: JetStreamContext,
    name: str,
    subjects: list[str],
    *,
    replicas: int = 1,
    duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
    sources: Sequence[StreamSource] = (),
    limits: StreamLimits | None = None,
) -> StreamInfo:
    """Create the stream, or update it to this configuration; safe to call from every replica
    at every start. ``limits`` wins over ``replicas`` and ``duplicate_window``.

    ``sources``: a stream that copies other streams' messages (each filtered to a subject)
    into one sequence of its own; it takes no subjects then. A source that does not exist
    yet is picked up by the server once it does (it retries every few seconds).

    An update the server refuses (storage cannot change in place; fewer replicas than nodes
    up) is logged as an error and the stream is used as it is: the service still runs."""
    if limits is None:
        limits = StreamLimits(replicas=replicas, duplicate_window_seconds=duplicate_window)
    config = limits.config(name, subjects, sources)
    if not await _stream_exists(js, name):
        try:
            info: StreamInfo = await js.add_stream(config)
        except BadRequestError as exc:
            # Another replica created it meanwhile: compare with that one, below.
            if exc.err_code != _STREAM_NAME_IN_USE:
                raise
        else:
            log.info("stream_created", stream=name, replicas=limits.replicas)
            return info
    current = await js.stream_info(name)
    changes = _differences(config, current.config)
    if not changes:
        return current
    try:
        info = await js.update_stream(config)
    except APIError as exc:
        log.error("stream_update_refused", stream=name, changes=changes, error=exc.description)
        return current
    log.warning("stream_updated", stream=name, changes=changes)
    return info


async def ensure_dead_letter_stream(
    js: JetStreamContext, *, replicas: int = 1, limits: StreamLimits | None = None
) -> StreamInfo:
    """The shared stream that keeps messages a consumer gave up on (``deadletter.>``)."""
    return await ensure_stream(
        js, DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, replicas=replicas, limits=limits
    )


#: How often a copying stream's creation looks again for a source stream not yet created.
SOURCE_POLL_SECONDS = 0.2


async def ensure_copying_stream(
    js: JetStreamContext,
    name: str,
    sources: Sequence[StreamSource],
    *,
    replicas: int = 1,
    limits: StreamLimits | None = None,
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
                info = await ensure_stream(
                    js, name, [], replicas=replicas, sources=sources, limits=limits
                )
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
