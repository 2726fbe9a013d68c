"""The issuer's signing keys: a JWKS fetched over HTTP (its URL configured, or found by OIDC
discovery from the issuer), cached, and refreshed at once when a token names a key we do not
have, so a key the issuer has just published is accepted on its first token.

Refreshes caused by unknown key ids are rate-limited (``refresh_cooldown``, measured between
such refreshes only: the scheduled fetch does not count), so tokens with made-up ``kid``s cost
at most one fetch per cooldown. Concurrent requests wait for one fetch.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx
from jwt import PyJWK
from jwt.exceptions import PyJWKError

from common.logging import get_logger

DISCOVERY_PATH = "/.well-known/openid-configuration"
_log = get_logger("common.auth")


class KeysUnavailableError(Exception):
    """The keys (or the discovery document) cannot be fetched right now."""


class UnknownKeyError(Exception):
    """The token's key is not among the issuer's keys, even after a refresh."""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + DISCOVERY_PATH


class JwksKeys:
    """The keys of one issuer, by ``kid``. Give ``jwks_url``, or ``issuer`` to discover it."""

    def __init__(
        self,
        *,
        jwks_url: str | None = None,
        issuer: str | None = None,
        lifespan: float = 300,
        timeout: float = 5,
        refresh_cooldown: float = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if jwks_url is None and issuer is None:
            raise ValueError("give jwks_url or issuer")
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._lifespan = lifespan
        self._timeout = timeout
        self._cooldown = refresh_cooldown
        self._clock = clock
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._unknown_refresh_at: float | None = None
        self._lock = anyio.Lock()

    async def key(self, kid: str | None) -> PyJWK:
        """The key named ``kid`` (the only key when the token names none)."""
        if self._stale():
            await self._refresh(reason="lifespan")
        found = self._find(kid)
        if found is not None:
            return found
        async with self._lock:
            found = self._find(kid)  # another request may have refreshed meanwhile
            if found is None and self._may_refresh_for_unknown():
                self._unknown_refresh_at = self._clock()
                await self._fetch(reason="unknown_kid")
                found = self._find(kid)
        if found is None:
            raise UnknownKeyError(kid)
        return found

    def _find(self, kid: str | None) -> PyJWK | None:
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _stale(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > self._lifespan

    def _may_refresh_for_unknown(self) -> bool:
        last = self._unknown_refresh_at
        return last is None or self._clock() - last >= self._cooldown

    async def _refresh(self, *, reason: str) -> None:
        async with self._lock:
            if self._stale():
                await self._fetch(reason=reason)

    async def _fetch(self, *, reason: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                url = self._jwks_url or await self._discover(client)
                response = await client.get(url, headers={"Accept": "application/json"})
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            if self._keys:  # keep serving the keys we have; try again next time
                _log.warning("jwks_refresh_failed", reason=reason, error=str(exc))
                self._fetched_at = self._clock()
                return
            raise KeysUnavailableError(str(exc)) from exc
        self._keys = _parse(document)
        self._fetched_at = self._clock()
        _log.info("jwks_fetched", reason=reason, keys=len(self._keys))

    async def _discover(self, client: httpx.AsyncClient) -> str:
        assert self._issuer is not None
        response = await client.get(discovery_url(self._issuer))
        response.raise_for_status()
        metadata = response.json()
        # OIDC Discovery 4.3: the document must name the issuer it was fetched for.
        if not isinstance(metadata, dict) or metadata.get("issuer") != self._issuer:
            raise ValueError("the discovery document names another issuer")
        jwks_uri = metadata.get("jwks_uri")
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValueError("the discovery document has no jwks_uri")
        self._jwks_url = jwks_uri  # it does not change; later refreshes go straight there
        return jwks_uri


def _parse(document: Any) -> dict[str, PyJWK]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise KeysUnavailableError("not a JWKS document")
    keys: dict[str, PyJWK] = {}
    for data in document["keys"]:
        if not isinstance(data, dict) or data.get("use", "sig") != "sig":
            continue
        try:
            key = PyJWK(data)
        except PyJWKError:
            continue  # an algorithm or key type we do not use
        keys[str(data.get("kid", ""))] = key
    return keys
