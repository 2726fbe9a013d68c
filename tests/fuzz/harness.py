"""Run a service in-process for schemathesis and the OpenAPI-driven tests: a migrated database
(SQLite or PostgreSQL), a real NATS server and a token with every scope, so generated requests
reach the handlers instead of stopping at 401."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nats
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from common.auth import issue_dev_token, load_or_create_dev_key
from common.db.migrations import upgrade
from common.messaging import ensure_stream
from common.testing.databases import (
    create_postgres_database,
    drop_postgres_database,
    postgres_reachable,
    postgres_required,
    sqlite_url,
)
from common.testing.nats import NatsServer
from tests.support import AUDIENCE, ISSUER, alembic_ini

ALL_SCOPES = [
    "directory:read",
    "directory:write",
    "schedule:read",
    "schedule:write",
    "reviews:read",
    "reviews:write",
    "knowledge:read",
    "knowledge:admin",
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
BACKENDS = ["sqlite", "postgres"]

Build = Callable[[dict[str, Any]], FastAPI]


@contextmanager
def service_database(service: str, folder: Path, backend: str) -> Iterator[str]:
    """A migrated database for ``service``: a SQLite file, or a fresh PostgreSQL database
    (skipped when no server answers, unless CF_REQUIRE_POSTGRES=1)."""
    if backend == "sqlite":
        url = sqlite_url(folder, service)
        upgrade(alembic_ini(service), url)
        yield url
        return
    if not asyncio.run(postgres_reachable()):
        if postgres_required():
            pytest.fail("PostgreSQL is required (CF_REQUIRE_POSTGRES=1) but not reachable")
        pytest.skip("PostgreSQL not reachable at TEST_POSTGRES_URL")
    url = asyncio.run(create_postgres_database(prefix=f"cf_fuzz_{service}"))
    try:
        upgrade(alembic_ini(service), url)
        yield url
    finally:
        asyncio.run(drop_postgres_database(url))


@contextmanager
def service_app(
    service: str, folder: Path, build: Build, backend: str = "sqlite"
) -> Iterator[tuple[FastAPI, dict[str, str], str]]:
    """Yield (app, auth headers, database URL) for ``service`` built by ``build(settings)``."""
    server = NatsServer.start(store_dir=folder / "nats")
    try:
        asyncio.run(_the_other_services_streams(server.url))
        with service_database(service, folder, backend) as url:
            key_path = folder / "dev-key.pem"
            settings: dict[str, Any] = {
                "database_url": url,
                "nats_url": server.url,
                "auth_dev_key_path": key_path,
                "write_rate_per_minute": 1_000_000,
            }
            app = build(settings)
            token = issue_dev_token(
                load_or_create_dev_key(key_path),
                issuer=ISSUER,
                audience=AUDIENCE,
                subject="fuzzer",
                scopes=ALL_SCOPES,
                la=["881"],
            )
            yield app, {"Authorization": f"Bearer {token}"}, url
    finally:
        server.stop()


@contextmanager
def service_schema(
    service: str, folder: Path, build: Build, backend: str = "sqlite"
) -> Iterator[tuple[Any, dict[str, str]]]:
    """Yield (schemathesis schema, auth headers) for ``service`` built by ``build(settings)``."""
    with service_app(service, folder, build, backend) as (app, headers, _url):
        yield schemathesis.openapi.from_asgi("/openapi.json", app), headers


async def _the_other_services_streams(url: str) -> None:
    """The streams the rest of the system creates at its start (each service owns its own),
    so that a service fuzzed alone finds the streams it reads and copies, as it does when run."""
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        for service in ("scheduling", "reviews", "knowledge"):
            await ensure_stream(js, service.upper(), [f"{service}.>"])
    finally:
        await nc.close()
