"""Bearer token verification: against an issuer's JWKS (configured, or found by OIDC discovery
from the issuer URL), or against the local development key; claims read by a
:class:`~common.auth.claims.ClaimMapping`, access tokens only."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import anyio.to_thread
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.exceptions import PyJWTError

from common.auth.claims import (
    DEFAULT_ACCEPTED_TYPES,
    DEFAULT_ROLE_CLAIMS,
    DEFAULT_SCOPE_CLAIMS,
    ClaimMapping,
    NotAnAccessTokenError,
    parse_role_scopes,
    split_names,
)
from common.auth.dev_keys import DEV_ALGORITHM, load_or_create_dev_key
from common.auth.jwks import JwksKeys, KeysUnavailableError, UnknownKeyError
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
    token: str,
    key: Any,
    *,
    algorithms: list[str],
    issuer: str,
    audience: str,
    claims: ClaimMapping | None = None,
) -> Principal:
    mapping = claims or ClaimMapping()
    try:
        decoded = jwt.decode_complete(
            token,
            key,
            algorithms=algorithms,
            issuer=issuer,
            audience=audience,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
        payload: dict[str, Any] = decoded["payload"]
        mapping.check_access_token(decoded["header"], payload)
        return mapping.principal(payload)
    except jwt.ExpiredSignatureError as exc:
        raise TokenError("The bearer token has expired.") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenError("The bearer token is not meant for this API.") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenError("The bearer token comes from an unknown issuer.") from exc
    except NotAnAccessTokenError as exc:
        raise TokenError("The bearer token is not an access token.") from exc
    except (PyJWTError, InvalidClaimsError) as exc:
        raise TokenError("The bearer token is invalid.") from exc


class JwksVerifier:
    """Checks tokens against the issuer's keys: ``jwks_url``, or (when it is None) the
    ``jwks_uri`` of the issuer's OIDC discovery document. See :class:`JwksKeys` for the
    caching and the immediate, rate-limited refresh on an unknown ``kid``."""

    def __init__(
        self,
        jwks_url: str | None,
        issuer: str,
        audience: str,
        *,
        lifespan: float = 300,
        timeout: float = 5,
        refresh_cooldown: float = 10,
        claims: ClaimMapping | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.claims = claims or ClaimMapping()
        self._keys = JwksKeys(
            jwks_url=jwks_url,
            issuer=None if jwks_url else issuer,
            lifespan=lifespan,
            timeout=timeout,
            refresh_cooldown=refresh_cooldown,
        )

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except PyJWTError as exc:
            raise TokenError("The bearer token is invalid.") from exc
        algorithm, kid = header.get("alg"), header.get("kid")
        if algorithm not in ALLOWED_ALGORITHMS or not isinstance(kid, str | None):
            raise TokenError("The bearer token is invalid.")
        try:
            jwk = await self._keys.key(kid)
        except KeysUnavailableError as exc:
            raise VerifierUnavailableError("cannot fetch the issuer's keys") from exc
        except UnknownKeyError as exc:
            raise TokenError("The bearer token is signed with an unknown key.") from exc
        if jwk.algorithm_name != algorithm:
            raise TokenError("The bearer token is invalid.")
        return decode_token(
            token,
            jwk.key,
            algorithms=[algorithm],
            issuer=self.issuer,
            audience=self.audience,
            claims=self.claims,
        )


class DevKeyVerifier:
    """Checks tokens signed with the development key (created on first use if missing)."""

    def __init__(
        self, key_path: Path, issuer: str, audience: str, *, claims: ClaimMapping | None = None
    ) -> None:
        self.key_path = Path(key_path)
        self.issuer = issuer
        self.audience = audience
        self.claims = claims or ClaimMapping()
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
            claims=self.claims,
        )


def claim_mapping(settings: ServiceSettings) -> ClaimMapping:
    """The ``AUTH_*_CLAIM(S)``, ``AUTH_ROLE_SCOPES``, ``AUTH_TENANCY_ROLE_PREFIX`` and
    ``AUTH_ACCEPTED_TOKEN_TYPES`` settings."""
    return ClaimMapping(
        scope_claims=split_names(settings.auth_scope_claims, DEFAULT_SCOPE_CLAIMS),
        role_claims=split_names(settings.auth_role_claims, DEFAULT_ROLE_CLAIMS),
        role_scopes=parse_role_scopes(settings.auth_role_scopes),
        la_claim=settings.auth_la_claim,
        trusts_claim=settings.auth_trusts_claim,
        partnerships_claim=settings.auth_partnerships_claim,
        schools_claim=settings.auth_schools_claim,
        person_id_claim=settings.auth_person_id_claim,
        accepted_types=split_names(settings.auth_accepted_token_types, DEFAULT_ACCEPTED_TYPES),
        tenancy_role_prefix=settings.auth_tenancy_role_prefix,
    )


def _is_url(value: str) -> bool:
    return value.startswith(("https://", "http://"))


def verifier_from_settings(settings: ServiceSettings) -> TokenVerifier:
    """JWKS when ``AUTH_JWKS_URL`` is set; OIDC discovery when ``AUTH_ISSUER`` is a URL (and
    ``AUTH_DISCOVERY`` is not off); else the development key."""
    claims = claim_mapping(settings)
    if settings.auth_jwks_url:
        return JwksVerifier(
            settings.auth_jwks_url, settings.auth_issuer, settings.auth_audience, claims=claims
        )
    if settings.auth_discovery and _is_url(settings.auth_issuer):
        return JwksVerifier(None, settings.auth_issuer, settings.auth_audience, claims=claims)
    # Loud on purpose: a production deployment without an issuer is a misconfiguration.
    _log.warning("using_development_signing_key", path=str(settings.auth_dev_key_path))
    return DevKeyVerifier(
        settings.auth_dev_key_path, settings.auth_issuer, settings.auth_audience, claims=claims
    )
