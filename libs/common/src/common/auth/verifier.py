"""Bearer token verification: against an issuer's JWKS, or against the local development key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import anyio.to_thread
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt import PyJWKClient
from jwt.exceptions import PyJWKClientConnectionError, PyJWTError

from common.auth.dev_keys import DEV_ALGORITHM, load_or_create_dev_key
from common.auth.principal import InvalidClaimsError, Principal
from common.logging import get_logger
from common.settings import ServiceSettings

# Asymmetric only: accepting HS* would let anyone holding the public key forge tokens.
ALLOWED_ALGORITHMS = frozenset(
    {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA"}
)
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]
LEEWAY_SECONDS = 30  # clock skew between the issuer and us

_log = get_logger("common.auth")


class TokenError(Exception):
    """The token is not acceptable (a 401). ``str(error)`` is safe to show the client."""


class VerifierUnavailableError(Exception):
    """The keys cannot be fetched right now (a 503, not the client's fault)."""


class TokenVerifier(Protocol):
    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; raises TokenError or VerifierUnavailableError."""
        ...


def decode_token(
    token: str, key: Any, *, algorithms: list[str], issuer: str, audience: str
) -> Principal:
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
        return Principal.from_claims(claims)
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("The bearer token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenError("The bearer token is not meant for this API.") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenError("The bearer token comes from an unknown issuer.") from exc
    except (PyJWTError, InvalidClaimsError) as exc:
        raise TokenError("The bearer token is invalid.") from exc


class JwksVerifier:
    """Checks tokens against the issuer's JWKS. PyJWKClient caches the key set (``lifespan``
    seconds) and refetches once on an unknown ``kid`` (key rotation). Its fetch is blocking
    urllib, so it runs in a worker thread."""

    def __init__(
        self,
        jwks_url: str,
        issuer: str,
        audience: str,
        *,
        lifespan: float = 300,
        timeout: float = 5,
        refresh_cooldown: float = 30,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        # The cooldown bounds refetches caused by tokens with made-up key ids.
        self._client = PyJWKClient(
            jwks_url, lifespan=lifespan, timeout=timeout, cooldown_duration=refresh_cooldown
        )

    async def verify(self, token: str) -> Principal:
        try:
            jwk = await anyio.to_thread.run_sync(self._client.get_signing_key_from_jwt, token)
        except PyJWKClientConnectionError as exc:
            raise VerifierUnavailableError("cannot fetch the issuer's keys") from exc
        except PyJWTError as exc:
            raise TokenError("The bearer token is invalid.") from exc
        if jwk.algorithm_name not in ALLOWED_ALGORITHMS:
            raise TokenError("The bearer token is invalid.")
        return decode_token(
            token,
            jwk.key,
            algorithms=[jwk.algorithm_name],
            issuer=self.issuer,
            audience=self.audience,
        )


class DevKeyVerifier:
    """Checks tokens signed with the development key (created on first use if missing)."""

    def __init__(self, key_path: Path, issuer: str, audience: str) -> None:
        self.key_path = Path(key_path)
        self.issuer = issuer
        self.audience = audience
        self._public_key: ec.EllipticCurvePublicKey | None = None

    async def _key(self) -> ec.EllipticCurvePublicKey:
        if self._public_key is None:
            private = await anyio.to_thread.run_sync(load_or_create_dev_key, self.key_path)
            self._public_key = private.public_key()
        return self._public_key

    async def verify(self, token: str) -> Principal:
        return decode_token(
            token,
            await self._key(),
            algorithms=[DEV_ALGORITHM],
            issuer=self.issuer,
            audience=self.audience,
        )


def verifier_from_settings(settings: ServiceSettings) -> TokenVerifier:
    """JWKS when ``AUTH_JWKS_URL`` is set, else the development key."""
    if settings.auth_jwks_url:
        return JwksVerifier(settings.auth_jwks_url, settings.auth_issuer, settings.auth_audience)
    # Loud on purpose: a production deployment without AUTH_JWKS_URL is a misconfiguration.
    _log.warning("using_development_signing_key", path=str(settings.auth_dev_key_path))
    return DevKeyVerifier(settings.auth_dev_key_path, settings.auth_issuer, settings.auth_audience)
