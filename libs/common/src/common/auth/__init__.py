"""Authentication: bearer JWTs verified against a JWKS (or the development key) and the
FastAPI dependencies that give routes the caller's :class:`Principal`."""

from common.auth.deps import CurrentPrincipal, current_principal, require_scopes
from common.auth.dev_keys import issue_dev_token, jwks_document, load_or_create_dev_key
from common.auth.principal import Principal
from common.auth.verifier import (
    DevKeyVerifier,
    JwksVerifier,
    TokenError,
    TokenVerifier,
    VerifierUnavailableError,
    verifier_from_settings,
)

__all__ = [
    "CurrentPrincipal",
    "DevKeyVerifier",
    "JwksVerifier",
    "Principal",
    "TokenError",
    "TokenVerifier",
    "VerifierUnavailableError",
    "current_principal",
    "issue_dev_token",
    "jwks_document",
    "load_or_create_dev_key",
    "require_scopes",
    "verifier_from_settings",
]
