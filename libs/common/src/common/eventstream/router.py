"""The routes a service mounts for its stream: ``GET /v1/events/stream`` (Server-Sent
Events), ``POST /v1/events/stream-tickets`` (a browser's way in to it) and ``GET /v1/events``
(the paged feed), all filtered by the caller's token.

No ``from __future__ import annotations``: the dependencies are built per host inside the
factory, and FastAPI resolves a route's annotations from the module's globals.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from sse_starlette import EventSourceResponse

from common.auth.deps import bearer_scheme, current_principal, declare_scopes, require_scopes
from common.auth.principal import Principal
from common.eventstream.cursors import sequence_of
from common.eventstream.feed import FeedPage, read_feed_page
from common.eventstream.reader import Visible, VisibleMany, one_by_one
from common.eventstream.sse import (
    DEFAULT_WAIT_SECONDS,
    KEEP_ALIVE_SECONDS,
    MAX_EVENTS,
    MAX_WAIT_SECONDS,
    Bound,
    event_stream_response,
    start_sequence,
)
from common.eventstream.tickets import TICKET_TTL_SECONDS, StreamTicket, TicketError, TicketSigner
from common.http.pagination import DEFAULT_LIMIT, MAX_CURSOR_LENGTH, MAX_LIMIT
from common.http.problems import (
    PROBLEM_MEDIA_TYPE,
    ProblemError,
    forbidden,
    service_unavailable,
    unauthorized,
)
from common.settings import ServiceSettings

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
    #: The same rule for a page at once (the feed); without it the feed asks per event.
    page_visibility: Callable[[Request, Principal], VisibleMany] | None = None
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
ticket_scheme = APIKeyQuery(
    name="ticket",
    scheme_name="StreamTicket",
    auto_error=False,
    description="For `GET /v1/events/stream` only: a ticket from `POST "
    f"/v1/events/stream-tickets`, valid {TICKET_TTL_SECONDS} s (for browsers, whose "
    "`EventSource` cannot send `Authorization`).",
)


def ticket_signer(request: Request, scope: str) -> TicketSigner:
    """The app's signer, made on first use from its settings (``STREAM_TICKET_SECRET``)."""
    signer: TicketSigner | None = getattr(request.app.state, "stream_tickets", None)
    if signer is None:
        settings: ServiceSettings = request.app.state.settings
        signer = TicketSigner.create(
            settings.stream_ticket_secret, service=settings.service_name, scope=scope
        )
        request.app.state.stream_tickets = signer
    return signer


_SSE_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`text/event-stream`: `id:` the stream sequence, `event:` the "
        "CloudEvents type, `data:` the event JSON; a `: keep-alive` comment every 15 s. "
        "Endless, unless a bounded read (`max_events`, `wait_seconds`) was asked for.",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    **_UNAVAILABLE,
}


def events_router(host: EventsHost) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["events"])
    reader = Annotated[Principal, Depends(require_scopes(host.scope))]

    async def stream_reader(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
        ticket: Annotated[str | None, Depends(ticket_scheme)],
    ) -> Principal:
        """The bearer token's principal, else the stream ticket's."""
        if credentials is None and ticket is not None:
            try:
                principal = ticket_signer(request, host.scope).redeem(ticket)
            except TicketError as exc:
                raise unauthorized(str(exc), invalid_token=True) from exc
        else:
            principal = await current_principal(request, credentials)
        if not principal.has_scope(host.scope):
            raise forbidden(f"The token lacks the scope(s): {host.scope}.")
        return principal

    declare_scopes(stream_reader, host.scope)

    @router.post(
        "/stream-tickets",
        name="create_stream_ticket",
        summary="A short-lived ticket to open the stream from a browser",
        description=(
            "Trades the bearer token for a ticket that opens `GET /v1/events/stream?ticket=` "
            f"for {TICKET_TTL_SECONDS} s: a browser's `EventSource` cannot send "
            "`Authorization`, and a bearer token does not belong in a URL. The ticket carries "
            "the token's subject and tenancy, so the stream shows what the token would; it is "
            "good for this stream only, may be reused until it expires (`EventSource` "
            "reconnects by itself), and an open stream is not cut when it expires."
        ),
    )
    async def create_stream_ticket(
        request: Request, response: Response, principal: reader
    ) -> StreamTicket:
        response.headers["Cache-Control"] = "no-store"
        return ticket_signer(request, host.scope).issue(principal)

    after_query = Query(
        max_length=MAX_CURSOR_LENGTH,
        description="Opaque: a `cursor` or `next_cursor` from the feed; start after it.",
    )

    @router.get(
        "/stream",
        name="stream_events",
        summary="Live events (Server-Sent Events), resumable",
        description=(
            "Events the token may see, as they happen. Reconnect with `Last-Event-ID` to "
            "resume just after the last event received: nothing is missed and nothing "
            "repeated. Without it, `after` starts after a feed cursor; with neither, only "
            "events published from now on are sent.\n\n"
            "From a browser: `EventSource` cannot send `Authorization`, so get a ticket "
            "(`POST /v1/events/stream-tickets`, with the bearer token) and open "
            "`/v1/events/stream?ticket=<ticket>`. `EventSource` reconnects by itself with "
            "`Last-Event-ID` while the ticket is valid; after that, get a new ticket and "
            "open a new `EventSource` with `after` (or `last_event_id`).\n\n"
            "A client that reads a response whole (one generated from this document) asks "
            "for a bounded read: with `max_events` and/or `wait_seconds` the response ends "
            "after that many events or seconds, whichever comes first (`wait_seconds` is "
            f"{DEFAULT_WAIT_SECONDS:g} when only `max_events` is given); its body is the same "
            "`text/event-stream`. Read on from the last `id:` with `last_event_id`, or page "
            "`GET /v1/events` instead."
        ),
        response_class=EventSourceResponse,
        responses=_SSE_DOC,
    )
    async def stream_events(
        request: Request,
        principal: Annotated[Principal, Depends(stream_reader)],
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
        last_event_id_query: Annotated[
            str | None,
            Query(
                alias="last_event_id",
                max_length=32,
                description="As `Last-Event-ID`, for a new `EventSource` (which cannot send "
                "the header); the header wins.",
                examples=["1042"],
            ),
        ] = None,
        max_events: Annotated[
            int | None,
            Query(
                ge=1,
                le=MAX_EVENTS,
                description="A bounded read: end the response after this many events.",
                examples=[10],
            ),
        ] = None,
        wait_seconds: Annotated[
            float | None,
            Query(
                ge=0,
                le=MAX_WAIT_SECONDS,
                description="A bounded read: end the response after this many seconds "
                f"(default {DEFAULT_WAIT_SECONDS:g} when `max_events` is given).",
                examples=[5],
            ),
        ] = None,
    ) -> EventSourceResponse:
        js = host.jetstream(request)
        resume = last_event_id if last_event_id is not None else last_event_id_query
        try:
            start = await start_sequence(js, host.stream, last_event_id=resume, after=after)
        except NotFoundError as exc:
            raise _not_there_yet() from exc
        return event_stream_response(
            js,
            host.stream,
            start_seq=start,
            visible=host.visibility(request, principal),
            filter_subjects=host.filter_subjects,
            keep_alive_seconds=host.keep_alive_seconds,
            bound=Bound.of(max_events, wait_seconds),
        )

    @router.get(
        "",
        name="list_events",
        summary="The events as a paged feed",
        description="Events the token may see, oldest first, after the cursor `after`. "
        "`next_cursor` is never null: keep it and poll again for what comes later.",
        response_model=FeedPage,
        responses=_UNAVAILABLE,
    )
    async def list_events(
        request: Request,
        principal: reader,
        after: Annotated[str | None, after_query] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size")] = DEFAULT_LIMIT,
    ) -> Response:
        start_after = sequence_of(after) if after is not None else 0
        js = host.jetstream(request)
        if host.page_visibility is not None:
            visible = host.page_visibility(request, principal)
        else:
            visible = one_by_one(host.visibility(request, principal))
        try:
            page = await read_feed_page(
                js,
                host.stream,
                after=start_after,
                limit=limit,
                visible=visible,
                filter_subjects=host.filter_subjects,
            )
        except TimeoutError as exc:
            raise service_unavailable("The event stream did not answer in time.") from exc
        except NotFoundError as exc:
            raise _not_there_yet() from exc
        # The events go out as published: no model to validate and serialise them again.
        return Response(page.to_json(), media_type="application/json")

    return router


def _not_there_yet() -> ProblemError:
    # The service creates its stream once NATS answers; a request can come first.
    return service_unavailable("The event stream is not there yet; retry shortly.")
