"""JwksVerifier against a JWKS served over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from common.auth import (
    JwksVerifier,
    TokenError,
    VerifierUnavailableError,
    issue_dev_token,
    jwks_document,
)
from common.http.app import create_service_app
from tests.common.test_auth_tokens import router
from tests.common.test_http_helpers import AUDIENCE, ISSUER, bearer, client_for, problem, settings


class JwksServer:
    """Serves ``self.document`` at /jwks.json and counts the fetches."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    server = JwksServer()
    yield server
    server.stop()


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _token(key: ec.EllipticCurvePrivateKey, **claims: Any) -> str:
    return issue_dev_token(
        key, issuer=ISSUER, audience=AUDIENCE, subject="svc", scopes=["things:read"], **claims
    )


async def test_verifies_and_caches_the_key_set(jwks: JwksServer) -> None:
    key = _key()
    jwks.document = jwks_document(key)
    verifier = JwksVerifier(jwks.url, ISSUER, AUDIENCE)
    for _ in range(3):
        principal = await verifier.verify(_token(key, la=["881"]))
        assert principal.subject == "svc"
        assert principal.la == ("881",)
    assert jwks.fetches == 1


async def test_rotated_key_is_fetched(jwks: JwksServer) -> None:
    old, new = _key(), _key()
    jwks.document = jwks_document(old)
    verifier = JwksVerifier(jwks.url, ISSUER, AUDIENCE, refresh_cooldown=0)
    await verifier.verify(_token(old))
    jwks.document = jwks_document(old, new)
    assert (await verifier.verify(_token(new))).subject == "svc"
    assert jwks.fetches == 2


async def test_unknown_or_wrong_tokens_are_rejected(jwks: JwksServer) -> None:
    key = _key()
    jwks.document = jwks_document(key)
    verifier = JwksVerifier(jwks.url, ISSUER, AUDIENCE)
    with pytest.raises(TokenError):
        await verifier.verify(_token(_key()))  # kid not in the set
    with pytest.raises(TokenError, match="expired"):
        await verifier.verify(_token(key, ttl_seconds=-3600))
    with pytest.raises(TokenError, match="not meant"):
        await verifier.verify(issue_dev_token(key, issuer=ISSUER, audience="elsewhere"))
    with pytest.raises(TokenError):
        await verifier.verify("not-a-jwt")


async def test_unreachable_issuer_is_503(jwks: JwksServer, tmp_path: Path) -> None:
    url = jwks.url
    jwks.stop()
    verifier = JwksVerifier(url, ISSUER, AUDIENCE, timeout=2)
    with pytest.raises(VerifierUnavailableError):
        await verifier.verify(_token(_key()))
    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(),
        routers=[router],
        verifier=verifier,
    )
    async with client_for(app) as client:
        response = await client.get("/v1/me", headers=bearer(_token(_key())))
    problem(response, 503)


async def test_app_with_a_jwks_verifier(jwks: JwksServer) -> None:
    key = _key()
    jwks.document = jwks_document(key)
    app = create_service_app(
        title="T",
        version="1",
        description="d",
        settings=settings(auth_jwks_url=jwks.url, auth_issuer=ISSUER, auth_audience=AUDIENCE),
        routers=[router],
    )
    async with client_for(app) as client:
        response = await client.get("/v1/me", headers=bearer(_token(key)))
        assert response.status_code == 200
        assert response.json()["subject"] == "svc"
        problem(await client.get("/v1/me", headers=bearer(_token(_key()))), 401)
