"""Shared helpers for the common HTTP and auth tests (no tests here)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from common.auth import DevKeyVerifier, issue_dev_token, load_or_create_dev_key
from common.http.app import ReadinessCheck, create_service_app
from common.settings import ServiceSettings

ISSUER = "test-issuer"
AUDIENCE = "test-audience"


def settings(**overrides: Any) -> ServiceSettings:
    return ServiceSettings(service_name="test", **overrides)


def make_app(
    key_path: Path,
    routers: Sequence[APIRouter] = (),
    *,
    readiness: ReadinessCheck | None = None,
    **setting_overrides: Any,
) -> FastAPI:
    return create_service_app(
        title="Test",
        version="0.0.1",
        description="A test app.",
        settings=settings(**setting_overrides),
        routers=routers,
        readiness=readiness,
        verifier=DevKeyVerifier(key_path, ISSUER, AUDIENCE),
    )


def token(key_path: Path, *scopes: str, subject: str = "client-a", **claims: Any) -> str:
    key = load_or_create_dev_key(key_path)
    return issue_dev_token(
        key, issuer=ISSUER, audience=AUDIENCE, subject=subject, scopes=scopes, **claims
    )


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@asynccontextmanager
async def client_for(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem with ``status``; return the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://criticalfriend.org/problems/")
    assert body["title"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["X-Request-ID"]
    return body
