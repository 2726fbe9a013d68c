"""Bearer tokens on a route: 401 for missing, invalid, expired or foreign tokens; 403 for a
missing scope; the principal's claims otherwise."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, Depends

from common.auth import (
    DevKeyVerifier,
    JwksVerifier,
    Principal,
    issue_dev_token,
    load_or_create_dev_key,
    require_scopes,
    verifier_from_settings,
)
from common.auth.principal import InvalidClaimsError
from tests.common.test_http_helpers import (
    AUDIENCE,
    ISSUER,
    bearer,
    client_for,
    make_app,
    problem,
    settings,
    token,
)

router = APIRouter()


@router.get("/v1/me", name="me")
async def me(
    principal: Annotated[Principal, Depends(require_scopes("things:read"))],
) -> dict[str, Any]:
    return {
        "subject": principal.subject,
        "scopes": sorted(principal.scopes),
        "la": list(principal.la),
        "trusts": list(principal.trusts),
        "partnerships": list(principal.partnerships),
        "schools": list(principal.schools),
        "person_id": principal.person_id,
    }


@router.get("/v1/admin", name="admin")
async def admin(
    _: Annotated[Principal, Depends(require_scopes("things:read", "things:admin"))],
) -> None:
    return None


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    return tmp_path / "k.pem"


@pytest.fixture
async def client(key_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(make_app(key_path, [router])) as http:
        yield http


async def test_valid_token_gives_the_principal(client: httpx.AsyncClient, key_path: Path) -> None:
    value = token(
        key_path,
        "things:read",
        "other:write",
        subject="mis-vendor-1",
        la=["881"],
        trusts=["TR01234"],
        partnerships=["0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"],
        schools=["100000", "100001"],
        person_id="p-42",
    )
    response = await client.get("/v1/me", headers=bearer(value))
    assert response.status_code == 200
    assert response.json() == {
        "subject": "mis-vendor-1",
        "scopes": ["other:write", "things:read"],
        "la": ["881"],
        "trusts": ["TR01234"],
        "partnerships": ["0190b6c2-5c1e-7c9e-a8f4-3d2c1b0a9f8e"],
        "schools": ["100000", "100001"],
        "person_id": "p-42",
    }


async def test_missing_token_is_401_with_challenge(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/me")
    problem(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    problem(await client.get("/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def _other_key_token() -> str:
    return issue_dev_token(
        ec.generate_private_key(ec.SECP256R1()), issuer=ISSUER, audience=AUDIENCE
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with_public_key(key_path: Path) -> str:
    # Algorithm confusion: the public key used as an HMAC secret must not verify. PyJWT will
    # not sign such a token, so it is put together by hand.
    public = load_or_create_dev_key(key_path).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "iat": 0, "exp": 2**40}
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        + "."
        + _b64(json.dumps(claims).encode())
    )
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _b64(signature)


def _no_subject(key_path: Path) -> str:
    now = datetime.now(UTC)
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(minutes=5)}
    return jwt.encode(claims, load_or_create_dev_key(key_path), algorithm="ES256")


@pytest.mark.parametrize(
    ("make", "detail"),
    [
        (lambda p: "garbage", "invalid"),
        (lambda p: token(p, "things:read", now=datetime.now(UTC) - timedelta(hours=2)), "expired"),
        (
            lambda p: issue_dev_token(
                load_or_create_dev_key(p), issuer=ISSUER, audience="another-api"
            ),
            "not meant for this API",
        ),
        (
            lambda p: issue_dev_token(load_or_create_dev_key(p), issuer="evil", audience=AUDIENCE),
            "unknown issuer",
        ),
        (lambda p: _other_key_token(), "invalid"),
        (_hs256_with_public_key, "invalid"),
        (_no_subject, "invalid"),
    ],
    ids=["garbage", "expired", "audience", "issuer", "other-key", "hs256", "no-sub"],
)
async def test_bad_tokens_are_401(
    client: httpx.AsyncClient, key_path: Path, make: Any, detail: str
) -> None:
    response = await client.get("/v1/me", headers=bearer(make(key_path)))
    body = problem(response, 401)
    assert detail in body["detail"]
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'


async def test_missing_scope_is_403(client: httpx.AsyncClient, key_path: Path) -> None:
    body = problem(await client.get("/v1/me", headers=bearer(token(key_path, "other:read"))), 403)
    assert "things:read" in body["detail"]
    body = problem(
        await client.get("/v1/admin", headers=bearer(token(key_path, "things:read"))), 403
    )
    assert "things:admin" in body["detail"]


def test_principal_from_claims() -> None:
    principal = Principal.from_claims(
        {"sub": "s", "scope": "a b  c", "la": [881, "882"], "schools": 100000}
    )
    assert principal.scopes == frozenset({"a", "b", "c"})
    assert principal.la == ("881", "882")
    assert principal.schools == ("100000",)
    assert principal.has_scope("b")
    assert not principal.has_scope("d")
    assert principal.has_scopes("a", "c")
    for bad in [{"scope": "a"}, {"sub": "s", "scope": ["a"]}, {"sub": "s", "la": {"x": 1}}]:
        with pytest.raises(InvalidClaimsError):
            Principal.from_claims(bad)


def test_verifier_from_settings(tmp_path: Path) -> None:
    dev = verifier_from_settings(settings(auth_dev_key_path=tmp_path / "k.pem"))
    assert isinstance(dev, DevKeyVerifier)
    jwks = verifier_from_settings(settings(auth_jwks_url="http://127.0.0.1:1/jwks.json"))
    assert isinstance(jwks, JwksVerifier)
