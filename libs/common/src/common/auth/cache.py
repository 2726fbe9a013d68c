"""Verified tokens remembered until they expire, so a client that sends the same bearer token
on every request pays for one signature check (ES256: ~1 ms of CPU), not one per request.

Keyed by the SHA-256 of the token (the token itself is never kept as a key); bounded, least
recently used evicted first. An entry lives until the token's ``exp`` and at most ``max_age``
seconds, so a key the issuer withdraws from its JWKS stops being trusted within ``max_age``.
Failures are never remembered: a token refused now (an unknown ``kid`` before the JWKS
refresh, keys unavailable) is checked again on its next use.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable

import jwt
from jwt.exceptions import PyJWTError

from common.auth.principal import Principal
from common.auth.verifier import TokenVerifier

DEFAULT_MAX_ENTRIES = 10_000
DEFAULT_MAX_AGE_SECONDS = 300.0  # as long as the JWKS is cached


def _expiry(token: str) -> float | None:
    """The ``exp`` of a token that has just been verified (so its payload is trusted)."""
    try:
        payload = jwt.decode(token, options={"verify_signature": False})
    except PyJWTError:
        return None
    exp = payload.get("exp")
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class CachingVerifier:
    """A :class:`TokenVerifier` that remembers ``inner``'s successful verifications."""

    def __init__(
        self,
        inner: TokenVerifier,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.inner = inner
        self.max_entries = max_entries
        self.max_age = max_age
        self._clock = clock  # wall clock: compared with the token's exp
        self._entries: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def verify(self, token: str) -> Principal:
        key = hashlib.sha256(token.encode()).digest()
        now = self._clock()
        entry = self._entries.get(key)
        if entry is not None:
            principal, until = entry
            if now < until:
                self._entries.move_to_end(key)
                return principal
            del self._entries[key]  # expired: verify again (and refuse it past the leeway)
        principal = await self.inner.verify(token)  # raises: nothing is remembered
        self._remember(key, principal, now, _expiry(token))
        return principal

    def _remember(self, key: bytes, principal: Principal, now: float, exp: float | None) -> None:
        if exp is None or self.max_entries <= 0:
            return
        until = min(exp, now + self.max_age)
        if until <= now:
            return  # already past exp (accepted within the leeway): not worth keeping
        self._entries[key] = (principal, until)
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
