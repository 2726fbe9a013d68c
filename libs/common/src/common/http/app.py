"""The service app factory: middlewares, problem handlers, health and readiness, OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.responses import Response

from common.auth.cache import CachingVerifier
from common.auth.deps import rate_limit_identity
from common.auth.verifier import TokenVerifier, verifier_from_settings
from common.http.cors import CORSMiddleware, OptionsMiddleware, cors_options
from common.http.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    WriteRateLimitMiddleware,
)
from common.http.openapi import add_problem_responses
from common.http.problems import (
    PROBLEM_MEDIA_TYPE,
    install_problem_handlers,
    service_unavailable,
)
from common.logging import get_logger
from common.observability.metrics import Refresher, render
from common.observability.tracing import configure_tracing, instrument_app
from common.settings import ServiceSettings

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]

READINESS_TIMEOUT_SECONDS = 5.0
_log = get_logger("common.http.app")


def operation_id(route: APIRoute) -> str:
    """Stable operationIds: the route's name (the endpoint function's name unless given)."""
    return route.name


class ServiceApp(FastAPI):
    """FastAPI whose OpenAPI documents the problem responses of every operation."""

    def openapi(self) -> dict[str, Any]:
        return add_problem_responses(super().openapi())


async def _check(readiness: ReadinessCheck) -> dict[str, bool]:
    try:
        with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
            return await readiness()
    except Exception:
        _log.exception("readiness_check_failed")
        return {"readiness": False}


class Health(BaseModel):
    status: str = Field(examples=["ok"])


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    checks: dict[str, bool] = Field(examples=[{"database": True, "nats": True}])


_NOT_READY = {
    503: {
        "description": "A dependency (database or NATS) is not ready; `checks` says which.",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def _add_health_routes(app: FastAPI, readiness: ReadinessCheck | None) -> None:
    # Documented in the OpenAPI (tag "operations"): gateways and orchestrators depend on them.
    @app.get("/healthz", name="healthz", tags=["operations"], summary="Liveness")
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/readyz",
        name="readyz",
        tags=["operations"],
        summary="Readiness: the database and NATS answer",
        responses=_NOT_READY,  # type: ignore[arg-type]
    )
    async def readyz() -> Readiness:
        checks = await _check(readiness) if readiness is not None else {}
        failing = sorted(name for name, ok in checks.items() if not ok)
        if failing:
            raise service_unavailable(
                f"Not ready: {', '.join(failing)}.", extensions={"checks": checks}
            )
        return Readiness(status="ready", checks=checks)


def _add_metrics_route(app: FastAPI) -> None:
    # Out of the OpenAPI: an operator's endpoint, kept off the public gateway (routes.map).
    refreshers: list[Refresher] = []
    app.state.metrics_refreshers = refreshers

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        body, media_type = await render(refreshers)
        return Response(body, media_type=media_type)


def _cached(verifier: TokenVerifier, settings: ServiceSettings) -> TokenVerifier:
    """Verified tokens remembered until they expire (``AUTH_TOKEN_CACHE_SIZE``; 0: off)."""
    if settings.auth_token_cache_size <= 0:
        return verifier
    return CachingVerifier(verifier, max_entries=settings.auth_token_cache_size)


def create_service_app(
    *,
    title: str,
    version: str,
    description: str,
    settings: ServiceSettings,
    lifespan: Lifespan | None = None,
    routers: Sequence[APIRouter] = (),
    readiness: ReadinessCheck | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """A FastAPI app with the kit installed. ``verifier`` defaults to
    :func:`~common.auth.verifier_from_settings`; routes find it at ``app.state.verifier``."""
    app = ServiceApp(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.verifier = verifier or _cached(verifier_from_settings(settings), settings)
    install_problem_handlers(app)
    # add_middleware puts each one outside the previous: CORS, context, rate limit, size,
    # OPTIONS.
    app.add_middleware(OptionsMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(
        WriteRateLimitMiddleware,
        rate_per_minute=settings.write_rate_per_minute,
        burst=settings.write_rate_burst,
        identify=rate_limit_identity,
    )
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    if settings.cors_allowed_origins:
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_allowed_origins))  # type: ignore[arg-type]
    if configure_tracing(settings.service_name):
        instrument_app(app)
    _add_health_routes(app, readiness)
    _add_metrics_route(app)
    for router in routers:
        app.include_router(router)
    return app
