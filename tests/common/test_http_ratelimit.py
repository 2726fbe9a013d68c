"""Per-client write rate limit: 429 with Retry-After, keyed by the verified subject or the IP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from asgi_lifespan import LifespanManager
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Depends, FastAPI

from common.auth import DevKeyVerifier, Principal, current_principal, issue_dev_token
from common.http.app import create_service_app
from common.http.middleware import TokenBuckets
from tests.common.test_http_helpers import (
    AUDIENCE,
    ISSUER,
    bearer,
    client_for,
    problem,
    settings,
    token,
)


class CountingVerifier(DevKeyVerifier):
    calls = 0

    async def verify(self, token: str) -> Principal:
        CountingVerifier.calls += 1
        return await super().verify(token)


router = APIRouter()


@router.post("/v1/writes", name="write")
async def write(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, str]:
    return {"sub": principal.subject}


@router.post("/v1/anonymous", name="anonymous_write")
async def anonymous_write() -> dict[str, str]:
    return {}


@router.get("/v1/writes", name="read")
async def read() -> dict[str, str]:
    return {}


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    CountingVerifier.calls = 0
    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(write_rate_per_minute=3, write_rate_burst=3),
        routers=[router],
        verifier=CountingVerifier(tmp_path / "k.pem", ISSUER, AUDIENCE),
    )
    async with client_for(app) as http:
        yield http


async def test_writes_over_the_rate_are_429(client: httpx.AsyncClient, tmp_path: Path) -> None:
    headers = bearer(token(tmp_path / "k.pem", subject="client-a"))
    for _ in range(3):
        assert (await client.post("/v1/writes", headers=headers)).status_code == 200
    limited = await client.post("/v1/writes", headers=headers)
    problem(limited, 429)
    assert 1 <= int(limited.headers["Retry-After"]) <= 20  # one token per 20 s at 3/min
    # The token was verified once per request: the limiter's check is reused by the route.
    assert CountingVerifier.calls == 4

    # Reads are not limited; another client has its own bucket.
    assert (await client.get("/v1/writes", headers=headers)).status_code == 200
    other = bearer(token(tmp_path / "k.pem", subject="client-b"))
    assert (await client.post("/v1/writes", headers=other)).status_code == 200


async def test_forged_subject_cannot_drain_another_clients_bucket(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    forger = ec.generate_private_key(ec.SECP256R1())
    forged = issue_dev_token(forger, issuer=ISSUER, audience=AUDIENCE, subject="client-a")
    for _ in range(3):
        problem(await client.post("/v1/writes", headers=bearer(forged)), 401)
    # The forged requests were counted against the IP, not against client-a.
    problem(await client.post("/v1/anonymous"), 429)
    real = bearer(token(tmp_path / "k.pem", subject="client-a"))
    assert (await client.post("/v1/writes", headers=real)).status_code == 200


async def test_garbage_token_is_keyed_by_ip(client: httpx.AsyncClient) -> None:
    for _ in range(3):
        await client.post("/v1/anonymous", headers=bearer("not.a.jwt"))
    problem(await client.post("/v1/anonymous"), 429)


def test_token_bucket_refills_at_the_rate() -> None:
    now = [0.0]
    buckets = TokenBuckets(rate_per_minute=60, burst=2, clock=lambda: now[0])
    assert buckets.take("a") == 0
    assert buckets.take("a") == 0
    assert buckets.take("a") == pytest.approx(1.0)
    assert buckets.take("b") == 0
    now[0] = 0.5
    assert buckets.take("a") == pytest.approx(0.5)
    now[0] = 2.0
    assert buckets.take("a") == 0


def test_token_bucket_forgets_the_least_recent_key() -> None:
    buckets = TokenBuckets(rate_per_minute=1, burst=1, max_keys=2, clock=lambda: 0.0)
    assert buckets.take("a") == 0
    assert buckets.take("b") == 0
    assert buckets.take("c") == 0  # evicts a
    assert buckets.take("a") == 0
    assert buckets.take("c") > 0


async def test_a_verified_principal_never_leaks_into_another_request(tmp_path: Path) -> None:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, str]]:
        yield {"shared": "lifespan state"}  # asgi-lifespan hands this same dict to every request

    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(),
        lifespan=lifespan,
        routers=[router],
        verifier=DevKeyVerifier(tmp_path / "k.pem", ISSUER, AUDIENCE),
    )
    async with LifespanManager(app) as manager, client_for(manager.app) as client:
        valid = bearer(token(tmp_path / "k.pem", subject="client-a"))
        assert (await client.post("/v1/writes", headers=valid)).status_code == 200
        problem(await client.post("/v1/writes", headers=bearer("forged")), 401)


def test_a_sync_fits_in_the_default_burst() -> None:
    """The defaults let one client make 1,000 writes at once (an MIS staff sync), then hold it
    to the sustained rate: 20 a second."""
    defaults = settings()
    now = [0.0]
    buckets = TokenBuckets(
        rate_per_minute=defaults.write_rate_per_minute,
        burst=defaults.write_rate_burst,
        clock=lambda: now[0],
    )
    assert all(buckets.take("mis") == 0 for _ in range(1_000))
    assert buckets.take("mis") > 0
    now[0] += 1.0
    assert sum(buckets.take("mis") == 0 for _ in range(30)) == 20


async def test_the_app_takes_the_burst_from_its_settings(tmp_path: Path) -> None:
    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(write_rate_per_minute=60, write_rate_burst=5),
        routers=[router],
        verifier=DevKeyVerifier(tmp_path / "k.pem", ISSUER, AUDIENCE),
    )
    headers = bearer(token(tmp_path / "k.pem", subject="mis"))
    async with client_for(app) as client:
        for _ in range(5):
            assert (await client.post("/v1/writes", headers=headers)).status_code == 200
        problem(await client.post("/v1/writes", headers=headers), 429)
