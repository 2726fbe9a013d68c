"""Browsers: CORS for the configured origins, and ``OPTIONS`` answered with ``Allow``.

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) is answered by
Starlette's ``CORSMiddleware``, outermost, so that every answer (problems, 429s, 500s) carries
the CORS headers a browser needs to read it. Any other ``OPTIONS`` asks which methods a path
takes (RFC 9110 section 9.3.7): 204 with ``Allow``, instead of the router's 405.

No credentials mode: the API takes bearer tokens, never cookies, so a page must hold a token
and send it in ``Authorization``, which the preflight allows.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

ALLOWED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALLOWED_HEADERS = (
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Last-Event-ID",
    "X-Request-ID",
    "X-Correlation-ID",
)
# Response headers a page may read beyond the CORS-safelisted ones.
EXPOSED_HEADERS = (
    "ETag",
    "Location",
    "Link",
    "Retry-After",
    "Idempotent-Replayed",
    "X-Request-ID",
    "X-Correlation-ID",
    "WWW-Authenticate",
    "Content-Disposition",
    "Last-Event-ID",
)
PREFLIGHT_MAX_AGE_SECONDS = 600


def cors_options(origins: Sequence[str]) -> dict[str, object]:
    """The keyword arguments of ``CORSMiddleware`` for ``origins``."""
    return {
        "allow_origins": list(origins),
        "allow_methods": list(ALLOWED_METHODS),
        "allow_headers": list(ALLOWED_HEADERS),
        "expose_headers": list(EXPOSED_HEADERS),
        "allow_credentials": False,
        "max_age": PREFLIGHT_MAX_AGE_SECONDS,
    }


_PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(scope: Scope) -> set[str]:
    """The methods some route takes at ``scope``'s path (empty: no such path). Probed by
    asking the routes, as included routers do not list their routes' methods."""
    routes = getattr(getattr(scope.get("app"), "router", None), "routes", ())
    return {
        method
        for method in _PROBED_METHODS
        if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes)
    }


class OptionsMiddleware:
    """``OPTIONS`` that is not a CORS preflight: 204 with ``Allow`` for a known path; an
    unknown path goes on to the router (404)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        methods = _allowed_methods(scope)
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        await Response(status_code=204, headers={"Allow": allow})(scope, receive, send)


__all__ = [
    "ALLOWED_HEADERS",
    "EXPOSED_HEADERS",
    "CORSMiddleware",
    "OptionsMiddleware",
    "cors_options",
]
