"""FastAPI dependencies: the caller's :class:`Principal`, and scope checks.

The verifier is ``request.app.state.verifier`` (set by ``create_service_app``), so a test or a
service can swap it without touching the routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.datastructures import Headers
from starlette.types import Scope

from common.auth.principal import Principal
from common.auth.verifier import TokenError, TokenVerifier, VerifierUnavailableError
from common.http.middleware import client_ip
from common.http.problems import forbidden, service_unavailable, unauthorized

# Where a principal verified earlier in the same request (by the rate limiter) is kept, with
# its token. In the scope itself, not scope["state"]: that dict may be shared by all requests
# (lifespan state; asgi-lifespan does not copy it per request).
PRINCIPAL_SCOPE_KEY = "common.auth.principal"


def _remember(scope: Scope, token: str, principal: Principal) -> None:
    scope[PRINCIPAL_SCOPE_KEY] = (token, principal)


def _remembered(scope: Scope, token: str) -> Principal | None:
    cached = scope.get(PRINCIPAL_SCOPE_KEY)
    if isinstance(cached, tuple) and cached[0] == token:
        principal: Principal = cached[1]
        return principal
    return None


bearer_scheme = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    description="A JWT from the identity provider (`make token` for local development).",
)


def get_verifier(state: object) -> TokenVerifier:
    verifier: TokenVerifier | None = getattr(state, "verifier", None)
    if verifier is None:
        raise RuntimeError("app.state.verifier is not set (use create_service_app)")
    return verifier


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The verified caller; 401 (``WWW-Authenticate: Bearer``) when the token is missing or bad."""
    if credentials is None:
        raise unauthorized()
    if (cached := _remembered(request.scope, credentials.credentials)) is not None:
        return cached
    try:
        principal = await get_verifier(request.app.state).verify(credentials.credentials)
    except TokenError as exc:
        raise unauthorized(str(exc), invalid_token=True) from exc
    except VerifierUnavailableError as exc:
        raise service_unavailable("Tokens cannot be verified right now; retry later.") from exc
    _remember(request.scope, credentials.credentials, principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


#: The attribute naming the scopes a :func:`require_scopes` dependency checks, read by the
#: OpenAPI post-processing (``common.http.openapi_security``) to document each operation's.
REQUIRED_SCOPES_ATTR = "__required_scopes__"
_Dependency = TypeVar("_Dependency", bound=Callable[..., Any])


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency returning the principal, or 403 when any of ``scopes`` is missing::

    principal: Annotated[Principal, Depends(require_scopes("directory:write"))]
    """

    async def principal_with_scopes(principal: CurrentPrincipal) -> Principal:
        missing = [s for s in scopes if not principal.has_scope(s)]
        if missing:
            raise forbidden(f"The token lacks the scope(s): {' '.join(missing)}.")
        return principal

    return declare_scopes(principal_with_scopes, *scopes)


def declare_scopes(dependency: _Dependency, *scopes: str) -> _Dependency:
    """Mark a dependency that checks ``scopes`` itself, so the OpenAPI lists them."""
    setattr(dependency, REQUIRED_SCOPES_ATTR, tuple(scopes))
    return dependency


def required_scopes(dependency: object) -> tuple[str, ...]:
    """The scopes ``dependency`` (made by :func:`require_scopes`) checks; ``()`` for others."""
    scopes: tuple[str, ...] = getattr(dependency, REQUIRED_SCOPES_ATTR, ())
    return scopes


async def rate_limit_identity(scope: Scope) -> str:
    """The rate-limit key: ``sub:<subject>`` for a valid token, else ``ip:<address>``.

    Only a verified subject is used, so nobody can drain another client's bucket with a forged
    token; the principal is kept for :func:`current_principal` so the token is checked once.
    """
    scheme, token = get_authorization_scheme_param(Headers(scope=scope).get("authorization"))
    app = scope.get("app")
    if scheme.lower() == "bearer" and token and app is not None:
        try:
            principal = await get_verifier(app.state).verify(token)
        except (TokenError, VerifierUnavailableError, RuntimeError):
            pass
        else:
            _remember(scope, token, principal)
            return "sub:" + principal.subject
    return "ip:" + client_ip(scope)
