"""Run a service in-process for schemathesis: a migrated SQLite file, a real NATS server and
a token with every scope, so generated requests reach the handlers instead of stopping at 401."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import nats
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
from common.testing.databases import sqlite_url
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
    response_schema_conformance,
    response_headers_conformance,
]


@contextmanager
def service_schema(
    service: str,
    folder: Path,
    build: Callable[[dict[str, Any]], FastAPI],
) -> Iterator[tuple[Any, dict[str, str]]]:
    """Yield (schemathesis schema, auth headers) for ``service`` built by ``build(settings)``."""
    server = NatsServer.start(store_dir=folder / "nats")
    try:
        asyncio.run(_the_other_services_streams(server.url))
        url = sqlite_url(folder, service)
        upgrade(alembic_ini(service), url)
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
        schema = schemathesis.openapi.from_asgi("/openapi.json", app)
        yield schema, {"Authorization": f"Bearer {token}"}
    finally:
        server.stop()


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
