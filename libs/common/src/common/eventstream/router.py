"""The routes a service mounts for its stream: ``GET /v1/events/stream`` (Server-Sent
Events) and ``GET /v1/events`` (the paged feed), both filtered by the caller's token.

No ``from __future__ import annotations``: the dependencies are built per host inside the
factory, and FastAPI resolves a route's annotations from the module's globals.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sse_starlette import EventSourceResponse

from common.auth.deps import require_scopes
from common.auth.principal import Principal
from common.eventstream.cursors import sequence_of
from common.eventstream.feed import FeedPage, read_feed
from common.eventstream.reader import Visible
from common.eventstream.sse import KEEP_ALIVE_SECONDS, event_stream_response, start_sequence
from common.http.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT
from common.http.problems import PROBLEM_MEDIA_TYPE, ProblemError, service_unavailable

PREFIX = "/v1/events"


def runtime_jetstream(request: Request) -> JetStreamContext:
    """The service runtime's JetStream context (``app.state.runtime.broker``)."""
    runtime: Any = getattr(request.app.state, "runtime", None)
    broker = getattr(runtime, "broker", None)
    if broker is None or not broker.is_connected:
        raise service_unavailable("The event stream is not reachable right now; retry later.")
    js: JetStreamContext = broker.js
    return js


@dataclass(frozen=True)
class EventsHost:
    """``visibility(request, principal)`` gives the predicate for one caller (its token's
    tenancy, and whatever else the host decides by)."""

    stream: str
    scope: str
    visibility: Callable[[Request, Principal], Visible]
    filter_subjects: Sequence[str] = ()
    jetstream: Callable[[Request], JetStreamContext] = runtime_jetstream
    keep_alive_seconds: float = KEEP_ALIVE_SECONDS


_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "description": "The event stream is not reachable right now (NATS is away, or the "
        "service is still starting); retry shortly.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}
_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`text/event-stream`: `id:` the stream sequence, `event:` the "
        "CloudEvents type, `data:` the event JSON; a `: keep-alive` comment every 15 s.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **_UNAVAILABLE,
}


def events_router(host: EventsHost) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["events"])
    reader = Annotated[Principal, Depends(require_scopes(host.scope))]
    after_query = Query(
        max_length=MAX_CURSOR_LENGTH,
        description="Opaque: a `cursor` or `next_cursor` from the feed; start after it.",
    )

    @router.get(
        "/stream",
        name="stream_events",
        summary="Live events (Server-Sent Events), resumable",
        description=(
            "Events the token may see, as they happen. Reconnect with `Last-Event-ID` (browsers "
            "do it for you) to resume just after the last event received: nothing is missed "
            "and nothing repeated. Without it, `after` starts after a feed cursor; with "
            "neither, only events published from now on are sent."
        ),
        response_class=EventSourceResponse,
        responses=_SSE_DOC,
    )
    async def stream_events(
        request: Request,
        principal: reader,
        last_event_id: Annotated[
            str | None,
            Header(
                alias="Last-Event-ID",
                max_length=32,
                description="The `id:` of the last event received.",
                examples=["1042"],
            ),
        ] = None,
        after: Annotated[str | None, after_query] = None,
    ) -> EventSourceResponse:
        js = host.jetstream(request)
        try:
            start = await start_sequence(js, host.stream, last_event_id=last_event_id, after=after)
        except NotFoundError as exc:
            raise _not_there_yet() from exc
        return event_stream_response(
            js,
            host.stream,
            start_seq=start,
            visible=host.visibility(request, principal),
            filter_subjects=host.filter_subjects,
            keep_alive_seconds=host.keep_alive_seconds,
        )

    @router.get(
        "",
        name="list_events",
        summary="The events as a paged feed",
        description="Events the token may see, oldest first, after the cursor `after`. "
        "`next_cursor` is never null: keep it and poll again for what comes later.",
        responses=_UNAVAILABLE,
    )
    async def list_events(
        request: Request,
        principal: reader,
        after: Annotated[str | None, after_query] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")] = DEFAULT_LIMIT,
    ) -> FeedPage:
        start_after = sequence_of(after) if after is not None else 0
        js = host.jetstream(request)
        try:
            return await read_feed(
                js,
                host.stream,
                after=start_after,
                limit=limit,
                visible=host.visibility(request, principal),
                filter_subjects=host.filter_subjects,
            )
        except TimeoutError as exc:
            raise service_unavailable("The event stream did not answer in time.") from exc
        except NotFoundError as exc:
            raise _not_there_yet() from exc

    return router


def _not_there_yet() -> ProblemError:
    # The service creates its stream once NATS answers; a request can come first.
    return service_unavailable("The event stream is not there yet; retry shortly.")
