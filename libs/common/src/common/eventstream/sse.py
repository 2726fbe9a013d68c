"""Server-Sent Events of a stream: ``id:`` the stream sequence, ``event:`` the CloudEvents
type, ``data:`` the event JSON, and a keep-alive comment when nothing else was sent.

``sse-starlette`` does the protocol (framing, the ping task, disconnect detection and
cancelling the producer when the client goes), which a plain ``StreamingResponse`` would leave
to us. Resuming: browsers send back the last ``id:`` they saw as ``Last-Event-ID`` when they
reconnect, and the stream restarts just after that sequence, so a reconnect misses nothing and
repeats nothing.

A bounded read (``max_events``, ``wait_seconds``) ends the response, for clients that read a
response whole rather than as it comes (a client generated from the OpenAPI).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from nats.js.client import JetStreamContext
from sse_starlette import EventSourceResponse, ServerSentEvent

from common.eventstream.cursors import sequence_of
from common.eventstream.reader import Visible, follow, last_sequence
from common.http.problems import validation_failed

KEEP_ALIVE_SECONDS = 15.0
#: How long a bounded read waits when it is given only ``max_events``.
DEFAULT_WAIT_SECONDS = 25.0
MAX_WAIT_SECONDS = 120.0
MAX_EVENTS = 1000


async def start_sequence(
    js: JetStreamContext, stream: str, *, last_event_id: str | None, after: str | None
) -> int:
    """Where a stream starts: after ``Last-Event-ID``, else after the feed cursor ``after``,
    else with the next event published (new events only)."""
    if last_event_id is not None:
        value = last_event_id.strip()
        if not value.isdigit() or len(value) > 19:
            message = "Must be the id of an event this stream sent (a number)."
            raise validation_failed([{"field": "header.Last-Event-ID", "message": message}])
        return int(value) + 1
    if after is not None:
        return sequence_of(after) + 1
    return await last_sequence(js, stream) + 1


@dataclass(frozen=True)
class Bound:
    """A bounded read, for clients that read a response whole (a generated client): the
    response ends after ``max_events`` events or ``wait_seconds``, whichever comes first."""

    max_events: int | None = None
    wait_seconds: float = DEFAULT_WAIT_SECONDS

    @classmethod
    def of(cls, max_events: int | None, wait_seconds: float | None) -> Bound | None:
        """``None`` (the endless stream) unless either is asked for."""
        if max_events is None and wait_seconds is None:
            return None
        wait = DEFAULT_WAIT_SECONDS if wait_seconds is None else wait_seconds
        return cls(max_events=max_events, wait_seconds=wait)


async def _events(
    js: JetStreamContext,
    stream: str,
    start_seq: int,
    filter_subjects: Sequence[str],
    visible: Visible,
    bound: Bound | None,
) -> AsyncIterator[ServerSentEvent]:
    until = None
    if bound is not None:
        until = asyncio.get_running_loop().time() + bound.wait_seconds
    sent = 0
    entries = follow(js, stream, start_seq=start_seq, filter_subjects=filter_subjects, until=until)
    async for entry in entries:
        if await visible(entry):
            yield ServerSentEvent(
                data=entry.raw.decode(), event=entry.event.type, id=str(entry.seq)
            )
            sent += 1
            if bound is not None and bound.max_events is not None and sent >= bound.max_events:
                return


def _keep_alive() -> ServerSentEvent:
    return ServerSentEvent(comment="keep-alive")


def event_stream_response(
    js: JetStreamContext,
    stream: str,
    *,
    start_seq: int,
    visible: Visible,
    filter_subjects: Sequence[str] = (),
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS,
    bound: Bound | None = None,
) -> EventSourceResponse:
    return EventSourceResponse(
        _events(js, stream, start_seq, filter_subjects, visible, bound),
        ping=keep_alive_seconds,
        ping_message_factory=_keep_alive,
        headers={"Cache-Control": "no-store"},
    )
