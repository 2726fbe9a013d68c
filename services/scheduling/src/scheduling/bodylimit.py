"""A larger request-body limit for some path prefixes (the GIAS upload), the service's limit for
everything else. Replaces the kit's ``BodySizeLimitMiddleware`` in the same place of the stack,
so the 413 problem keeps its request id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send

from common.http.middleware import BodySizeLimitMiddleware


class PrefixBodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, overrides: Mapping[str, int]) -> None:
        self.default = BodySizeLimitMiddleware(app, max_body_bytes=max_body_bytes)
        self.overrides = [
            (prefix, BodySizeLimitMiddleware(app, max_body_bytes=limit))
            for prefix, limit in overrides.items()
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        for prefix, limited in self.overrides:
            if path == prefix or path.startswith(prefix + "/"):
                await limited(scope, receive, send)
                return
        await self.default(scope, receive, send)


def override_body_limits(
    app: FastAPI, *, max_body_bytes: int, overrides: Mapping[str, int]
) -> None:
    app.user_middleware = [
        Middleware(
            PrefixBodySizeLimitMiddleware, max_body_bytes=max_body_bytes, overrides=overrides
        )
        if cast(object, entry.cls) is BodySizeLimitMiddleware
        else entry
        for entry in app.user_middleware
    ]
