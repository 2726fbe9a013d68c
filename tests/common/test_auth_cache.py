"""Verified tokens are remembered until they expire: the signature is checked once per token,
an expired token is checked again (and refused past the leeway), failures are never kept,
and the cache is bounded. Through the app, the JWKS path keeps working behind the cache."""

from __future__ import annotations

import time

import jwt
import pytest

from common.auth import CachingVerifier, JwksVerifier, Principal, TokenError
from common.auth.verifier import LEEWAY_SECONDS
from tests.common.test_auth_oidc import LocalIssuer, _app, keycloak_access_token
from tests.common.test_http_helpers import bearer, client_for, problem

NOW = 1_800_000_000.0


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class CountingInner:
    """Accepts tokens until ``exp`` + leeway on the same clock as the cache; counts calls."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls = 0
        self.refuse = False

    async def verify(self, token: str) -> Principal:
        self.calls += 1
        claims = jwt.decode(token, options={"verify_signature": False})
        if self.refuse or self.clock() > claims["exp"] + LEEWAY_SECONDS:
            raise TokenError("The bearer token has expired.")
        return Principal(subject=claims["sub"])


def token(sub: str = "client", exp: float = NOW + 600) -> str:
    return jwt.encode({"sub": sub, "exp": int(exp)}, "k" * 32, algorithm="HS256")


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_a_token_is_verified_once_until_it_expires(clock: Clock) -> None:
    inner = CountingInner(clock)
    cache = CachingVerifier(inner, clock=clock)
    bearer_token = token(exp=NOW + 120)
    for _ in range(3):
        assert (await cache.verify(bearer_token)).subject == "client"
    assert inner.calls == 1
    clock.now = NOW + 119
    await cache.verify(bearer_token)
    assert inner.calls == 1
    # Past exp the cache asks again: within the leeway the issuer's rule still accepts it (and
    # it is not kept), past the leeway it is refused, however often it was used before.
    clock.now = NOW + 121
    await cache.verify(bearer_token)
    clock.now = NOW + 122
    await cache.verify(bearer_token)
    assert inner.calls == 3
    clock.now = NOW + 120 + LEEWAY_SECONDS + 1
    with pytest.raises(TokenError):
        await cache.verify(bearer_token)
    assert len(cache) == 0


async def test_entries_live_at_most_max_age(clock: Clock) -> None:
    inner = CountingInner(clock)
    cache = CachingVerifier(inner, clock=clock, max_age=60)
    bearer_token = token(exp=NOW + 3600)
    await cache.verify(bearer_token)
    clock.now = NOW + 61
    await cache.verify(bearer_token)
    assert inner.calls == 2


async def test_failures_are_not_remembered(clock: Clock) -> None:
    inner = CountingInner(clock)
    cache = CachingVerifier(inner, clock=clock)
    inner.refuse = True
    for _ in range(2):
        with pytest.raises(TokenError):
            await cache.verify(token())
    inner.refuse = False  # e.g. the JWKS now has the key
    await cache.verify(token())
    assert inner.calls == 3


async def test_the_cache_is_bounded_least_recent_first(clock: Clock) -> None:
    inner = CountingInner(clock)
    cache = CachingVerifier(inner, clock=clock, max_entries=2)
    a, b, c = token("a"), token("b"), token("c")
    await cache.verify(a)
    await cache.verify(b)
    await cache.verify(a)  # a is now the most recent
    await cache.verify(c)  # evicts b
    assert len(cache) == 2
    calls = inner.calls
    await cache.verify(a)
    assert inner.calls == calls
    await cache.verify(b)
    assert inner.calls == calls + 1


async def test_the_app_caches_jwks_verified_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = LocalIssuer()
    try:
        issuer.publish_key()
        app = _app(issuer)
        verifier = app.state.verifier
        assert isinstance(verifier, CachingVerifier)
        assert isinstance(verifier.inner, JwksVerifier)
        calls = 0
        verify = verifier.inner.verify

        async def counted(value: str) -> Principal:
            nonlocal calls
            calls += 1
            return await verify(value)

        monkeypatch.setattr(verifier.inner, "verify", counted)
        good = bearer(keycloak_access_token(issuer))
        async with client_for(app) as client:
            for _ in range(3):
                assert (await client.get("/v1/me", headers=good)).status_code == 200
            assert calls == 1
            # A token whose key is unknown is refused each time (nothing cached); a token
            # that expired long ago is refused even though its signature is fine.
            expired = issuer.sign(
                {
                    "aud": "api://critical-friend",
                    "sub": "x",
                    "scope": "things:read",
                    "exp": int(time.time()) - 3600,
                    "iat": int(time.time()) - 7200,
                }
            )
            for _ in range(2):
                problem(await client.get("/v1/me", headers=bearer(expired)), 401)
        assert calls == 3
    finally:
        issuer.stop()
