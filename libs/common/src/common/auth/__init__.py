"""Authentication: bearer JWTs verified against a JWKS (or the development key) and the
FastAPI dependencies that give routes the caller's :class:`Principal`.

The FastAPI dependencies are imported on first use, so ``cf token`` does not load FastAPI.
"""

from typing import TYPE_CHECKING, Any

from common.auth.cache import CachingVerifier
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

if TYPE_CHECKING:
    from common.auth.deps import CurrentPrincipal, current_principal, require_scopes

_DEPS = frozenset({"CurrentPrincipal", "current_principal", "require_scopes"})


def __getattr__(name: str) -> Any:
    if name in _DEPS:
        from common.auth import deps

        return getattr(deps, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CachingVerifier",
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
