"""Pure ASGI middlewares (no BaseHTTPMiddleware: it breaks contextvars and streaming).

Order, outermost first, as :func:`common.http.app.create_service_app` installs them (CORS,
when configured, outside all): ``InFlightLimitMiddleware`` (``common.http.overload``) ->
``RequestContextMiddleware`` -> ``WriteRateLimitMiddleware`` -> ``BodySizeLimitMiddleware``.
"""

from __future__ import annotations

import math
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.http.problems import (
    ProblemError,
    bad_request,
    content_too_large,
    internal_error,
    problem_response,
    too_many_requests,
)
from common.ids import new_id
from common.logging import correlation_id_var, get_logger, request_id_var
from common.observability.metrics import observe_request, route_template

REQUEST_ID_HEADER = "X-Request-ID"
CORRELATION_ID_HEADER = "X-Correlation-ID"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Path parameters that are credentials (a secret feed URL is its own password).
SECRET_PATH_PARAMS = frozenset({"secret", "token", "ticket"})

# A caller's id is echoed into headers and logs, so only short, plain tokens are trusted.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")

_access_log = get_logger("common.http.access")
_error_log = get_logger("common.http.errors")

Identify = Callable[[Scope], Awaitable[str]]


def _sane_id(value: str | None) -> str | None:
    return value if value is not None and _SANE_ID.fullmatch(value) else None


def request_id_for(headers: Headers) -> str:
    """The caller's ``X-Request-ID`` when it is a short, plain token; otherwise a new id."""
    return _sane_id(headers.get(REQUEST_ID_HEADER)) or str(new_id())


def loggable_path(scope: Scope) -> str:
    """The request path with secret path parameters (a calendar feed's secret) masked: a path
    that carries a secret must not leave it in the logs. Query strings are never logged."""
    path = str(scope.get("path", ""))
    params = scope.get("path_params") or {}
    for name, value in params.items():
        if name in SECRET_PATH_PARAMS and isinstance(value, str) and value:
            path = path.replace(value, "***")
    return path


def client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class RequestContextMiddleware:
    """Request and correlation ids (header in, header out, contextvars for the logs), one access
    log line per request, and a 500 problem for any exception nothing else handled."""

    def __init__(self, app: ASGIApp, *, service: str = "service") -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        request_id = request_id_for(headers)
        correlation_id = _sane_id(headers.get(CORRELATION_ID_HEADER)) or request_id
        request_token = request_id_var.set(request_id)
        correlation_token = correlation_id_var.set(correlation_id)
        # Every line of the request names its service (requests run in tasks of the server's,
        # not in the lifespan's context where configure_logging bound it).
        service_tokens = structlog.contextvars.bind_contextvars(service=self.service)
        started_at = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            if response_started:
                _error_log.exception("error_after_response_started", path=scope.get("path"))
                raise
            if isinstance(exc, ProblemError):
                error = exc
            else:
                _error_log.exception(
                    "unhandled_error", method=scope.get("method"), path=scope.get("path")
                )
                error = internal_error()
            await problem_response(error, scope)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started_at
            observe_request(self.service, scope, status, elapsed)
            _access_log.info(
                "request",
                method=scope.get("method"),
                path=loggable_path(scope),
                route=route_template(scope),
                status=status,
                duration_ms=round(elapsed * 1000, 2),
                client=client_ip(scope),
            )
            structlog.contextvars.reset_contextvars(**service_tokens)
            correlation_id_var.reset(correlation_token)
            request_id_var.reset(request_token)


class BodySizeLimitMiddleware:
    """413 when ``Content-Length`` exceeds the limit, or when a streamed (chunked) body grows
    past it. The streamed case raises a ProblemError from ``receive``: FastAPI re-raises
    HTTPExceptions met while reading the body, so it reaches the problem handler."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                error = bad_request("Content-Length is not a number.")
                await problem_response(error, scope)(scope, receive, send)
                return
            if int(declared) > self.max_body_bytes:
                error = content_too_large(self.max_body_bytes)
                await problem_response(error, scope)(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise content_too_large(self.max_body_bytes)
            return message

        await self.app(scope, limited_receive, send)


class TokenBuckets:
    """In-memory token buckets, one per key, least recently used evicted past ``max_keys``.

    Per process: with N replicas a client gets up to N times the rate, which is fine for
    abuse protection; an exact global limit belongs in the gateway."""

    def __init__(
        self,
        *,
        rate_per_minute: float,
        burst: float | None = None,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate_per_second = rate_per_minute / 60
        self.capacity = burst if burst is not None else rate_per_minute
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        """Take one token. Returns 0 when allowed, else the seconds until one is available."""
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate_per_second)
        wait = 0.0
        if tokens >= 1:
            tokens -= 1
        else:
            wait = (1 - tokens) / self.rate_per_second
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


async def _ip_identity(scope: Scope) -> str:
    return "ip:" + client_ip(scope)


class WriteRateLimitMiddleware:
    """429 with ``Retry-After`` when a client exceeds its write rate (POST/PUT/PATCH/DELETE).

    ``identify`` names the client; the app factory passes one that uses the verified token's
    subject and falls back to the IP address (see :func:`common.auth.deps.rate_limit_identity`).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        rate_per_minute: int,
        burst: int | None = None,
        identify: Identify | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.enabled = rate_per_minute > 0
        self.buckets = TokenBuckets(
            rate_per_minute=max(rate_per_minute, 1), burst=burst, clock=clock
        )
        self.identify = identify or _ip_identity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        wait = self.buckets.take(await self.identify(scope))
        if wait > 0:
            error = too_many_requests(max(1, math.ceil(wait)))
            await problem_response(error, scope)(scope, receive, send)
            return
        await self.app(scope, receive, send)
