"""The service app factory: middlewares, problem handlers, health and readiness, OpenAPI."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from common.auth.cache import CachingVerifier
from common.auth.deps import rate_limit_identity
from common.auth.verifier import TokenVerifier, verifier_from_settings
from common.http.cors import CORSMiddleware, OptionsMiddleware, cors_options
from common.http.health import Backlog, Health, Readiness
from common.http.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    WriteRateLimitMiddleware,
)
from common.http.openapi import add_problem_responses
from common.http.openapi_document import OpenApiExtras, describe_protocol
from common.http.openapi_examples import restore_example_nulls
from common.http.overload import InFlightLimitMiddleware
from common.http.problem_routes import add_problem_routes
from common.http.problems import (
    PROBLEM_MEDIA_TYPE,
    install_problem_handlers,
    service_unavailable,
)
from common.http.storable import UnstorableTextCheck
from common.logging import get_logger
from common.observability.metrics import Refresher, render
from common.observability.tracing import configure_tracing, instrument_app
from common.operations.router import router as operations_router
from common.settings import ServiceSettings

ReadinessCheck = Callable[[], Awaitable[dict[str, bool]]]
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[Any]]

READINESS_TIMEOUT_SECONDS = 5.0
_log = get_logger("common.http.app")


def operation_id(route: APIRoute) -> str:
    """Stable operationIds: the route's name (the endpoint function's name unless given)."""
    return route.name


class ServiceApp(FastAPI):
    """FastAPI whose OpenAPI documents the problem responses of every operation, and the
    protocol (scopes, headers, tags, servers, events: :mod:`common.http.openapi_document`)."""

    openapi_extras: OpenApiExtras = OpenApiExtras()
    _described: dict[str, Any] | None = None

    def openapi(self) -> dict[str, Any]:
        if self._described is None:
            schema = restore_example_nulls(super().openapi(), self.routes)
            schema = add_problem_responses(schema)
            settings = getattr(self.state, "settings", None)
            self._described = describe_protocol(
                schema,
                self.routes,
                self.openapi_extras,
                public_base_url=getattr(settings, "public_base_url", "/"),
                token_url=getattr(settings, "auth_token_url", None),
            )
        return self._described


async def _check(readiness: ReadinessCheck) -> dict[str, bool]:
    try:
        with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
            return await readiness()
    except Exception:
        _log.exception("readiness_check_failed")
        return {"readiness": False}


async def _backlog(request: Request) -> Backlog | None:
    """The runtime's backlog (``app.state.runtime.backlog()``), None when it cannot say."""
    probe = getattr(getattr(request.app.state, "runtime", None), "backlog", None)
    if probe is None:
        return None
    try:
        with anyio.fail_after(READINESS_TIMEOUT_SECONDS):
            backlog: Backlog = await probe()
            return backlog
    except Exception:
        _log.exception("backlog_check_failed")
        return None


_NOT_READY = {
    503: {
        "description": (
            "Not ready for its role (an API needs its database; a worker, the database and "
            "NATS); `checks` says what failed, `backlog` what is waiting."
        ),
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def _add_health_routes(app: FastAPI, readiness: ReadinessCheck | None) -> None:
    # Documented in the OpenAPI (tag "operations"): gateways and orchestrators depend on them.
    @app.get("/livez", name="livez", tags=["operations"], summary="Liveness: the process runs")
    async def livez() -> Health:
        return Health(status="ok")

    @app.get("/healthz", name="healthz", tags=["operations"], summary="Liveness (as /livez)")
    async def healthz() -> Health:
        return Health(status="ok")

    @app.get(
        "/readyz",
        name="readyz",
        tags=["operations"],
        summary="Readiness for the process's role, and the event backlog",
        responses=_NOT_READY,  # type: ignore[arg-type]
    )
    async def readyz(request: Request) -> Readiness:
        checks = await _check(readiness) if readiness is not None else {}
        backlog = await _backlog(request)
        role = getattr(request.app.state.settings, "role", None)
        failing = sorted(name for name, ok in checks.items() if not ok)
        if failing:
            extensions: dict[str, Any] = {"checks": checks}
            if backlog is not None:
                extensions["backlog"] = backlog.model_dump(mode="json")
            raise service_unavailable(f"Not ready: {', '.join(failing)}.", extensions=extensions)
        return Readiness(
            status="ready", role=str(role) if role else None, checks=checks, backlog=backlog
        )


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
    openapi: OpenApiExtras | None = None,
) -> FastAPI:
    """A FastAPI app with the kit installed. ``verifier`` defaults to
    :func:`~common.auth.verifier_from_settings`; routes find it at ``app.state.verifier``."""
    app = ServiceApp(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # Before any route: text PostgreSQL cannot store is a 422 on both databases.
        dependencies=[Depends(UnstorableTextCheck())],
    )
    app.state.settings = settings
    app.openapi_extras = openapi or OpenApiExtras()
    app.state.verifier = verifier or _cached(verifier_from_settings(settings), settings)
    install_problem_handlers(app)
    # add_middleware puts each one outside the previous, so from the outside in: CORS, the
    # in-flight limit (shedding must be the cheapest answer), request context (ids, the access
    # line, metrics), the write rate limit, the body size limit, OPTIONS.
    app.add_middleware(OptionsMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(
        WriteRateLimitMiddleware,
        rate_per_minute=settings.write_rate_per_minute,
        burst=settings.write_rate_burst,
        identify=rate_limit_identity,
    )
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.add_middleware(
        InFlightLimitMiddleware,
        limit=settings.max_requests_in_flight,
        service=settings.service_name,
    )
    if settings.cors_allowed_origins:
        app.add_middleware(CORSMiddleware, **cors_options(settings.cors_allowed_origins))  # type: ignore[arg-type]
    if configure_tracing(settings.service_name):
        instrument_app(app)
    _add_health_routes(app, readiness)
    app.include_router(operations_router)
    _add_metrics_route(app)
    add_problem_routes(app)
    for router in routers:
        app.include_router(router)
    return app
