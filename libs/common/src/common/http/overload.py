"""Shed load instead of queueing it: a per-process limit on the requests being handled.

A Python process serves one request's CPU at a time, so every request admitted past what it can
do only makes all the others slower. :class:`InFlightLimitMiddleware` answers a request that
finds ``limit`` others in progress with a 503 problem and ``Retry-After`` at once, before it
reads the body or touches the database; the admitted ones keep their latency. Health
endpoints are exempt, so that an orchestrator never mistakes a busy process for a dead one.

It is the outermost middleware (inside CORS only, so that a browser can read the 503): shedding
must cost far less than serving, or at four times the sustainable rate the refusals take the
CPU the admitted requests need. A shed request is therefore counted in the request metrics
(``route="unmatched"``, status 503) and in a sampled warning, but gets no access-log line.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.http.middleware import REQUEST_ID_HEADER, request_id_for
from common.http.problems import overloaded, problem_response
from common.logging import get_logger, request_id_var
from common.observability.metrics import observe_request

# Probes and scrapes: a busy process must still say it is alive and what it is doing.
HEALTH_PATHS = frozenset({"/healthz", "/livez", "/readyz", "/metrics"})
SHED_RETRY_AFTER_SECONDS = 1
_log = get_logger("common.http.overload")


@dataclass
class InFlightCounts:
    """What the limiter saw: requests in progress now, admitted and shed since the start."""

    in_flight: int = 0
    admitted: int = 0
    shed: int = 0


class InFlightLimitMiddleware:
    """503 + ``Retry-After`` when ``limit`` requests are already in progress (0: no limit).

    A request counts until its response ends; a Server-Sent Events stream counts only until
    its headers are sent, since it stays open for as long as the client listens."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        service: str = "service",
        exempt_paths: frozenset[str] = HEALTH_PATHS,
        retry_after_seconds: int = SHED_RETRY_AFTER_SECONDS,
    ) -> None:
        self.app = app
        self.limit = limit
        self.service = service
        self.exempt_paths = exempt_paths
        self.retry_after_seconds = retry_after_seconds
        self.counts = InFlightCounts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        counts = self.counts
        if counts.in_flight >= self.limit:
            counts.shed += 1
            if counts.shed & (counts.shed - 1) == 0:  # 1, 2, 4, 8...: a trace, not a flood
                _log.warning("shedding_load", limit=self.limit, shed=counts.shed)
            await self._shed(scope, receive, send)
            return
        counts.in_flight += 1
        counts.admitted += 1
        held = True

        def release() -> None:
            nonlocal held
            if held:
                held = False
                counts.in_flight -= 1

        async def send_releasing_streams(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                if content_type.startswith("text/event-stream"):
                    release()
            await send(message)

        try:
            await self.app(scope, receive, send_releasing_streams)
        finally:
            release()

    async def _shed(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The 503 problem, with the request id every problem carries (body and header)."""
        request_id = request_id_for(Headers(scope=scope))
        token = request_id_var.set(request_id)
        try:
            response = problem_response(overloaded(self.retry_after_seconds), scope)
        finally:
            request_id_var.reset(token)
        response.headers[REQUEST_ID_HEADER] = request_id
        await response(scope, receive, send)
        observe_request(self.service, scope, response.status_code, 0.0)
