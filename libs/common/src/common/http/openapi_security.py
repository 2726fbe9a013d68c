"""The security of each operation: an OAuth2 client-credentials scheme whose scopes are the
ones the route's :func:`~common.auth.deps.require_scopes` dependencies really check, beside
the plain bearer (JWT) scheme for clients that already hold a token."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.routing import BaseRoute

from common.auth.deps import required_scopes
from common.http.openapi_routes import dependency_calls, route_operations

OAUTH2_SCHEME = "OAuth2"
BEARER_SCHEME = "HTTPBearer"  # FastAPI's name for ``common.auth.deps.bearer_scheme``
#: Where tokens come from when ``AUTH_TOKEN_URL`` is not set: a relative placeholder that the
#: deployment's identity provider replaces (the gateway does not serve it).
DEFAULT_TOKEN_URL = "/oauth2/token"
_VERBS = {"read": "Read", "write": "Create and change", "admin": "Administer"}


#: Scopes whose meaning the verb-and-resource rule does not say.
_DESCRIBED = {"ops:admin": "Operate the service: its backlog, dead letters and consumers"}


def scope_description(scope: str) -> str:
    """``reviews:write`` -> ``Create and change reviews``."""
    if scope in _DESCRIBED:
        return _DESCRIBED[scope]
    resource, _, action = scope.partition(":")
    verb = _VERBS.get(action)
    return f"{verb} {resource}" if verb else f"The `{scope}` scope"


def add_security(
    schema: dict[str, Any], routes: Sequence[BaseRoute], token_url: str | None
) -> dict[str, Any]:
    """Give every operation that takes a token (FastAPI has put the bearer scheme in its
    ``security``) the scopes it requires, under both schemes; public operations keep none."""
    all_scopes: set[str] = set()
    for dependant, operation in route_operations(schema, routes):
        if not operation.get("security"):
            continue
        scopes = sorted({s for call in dependency_calls(dependant) for s in required_scopes(call)})
        all_scopes.update(scopes)
        # Other ways in the route itself declares (a stream ticket) stay beside the token's.
        others = [
            entry
            for entry in operation["security"]
            if not set(entry) & {OAUTH2_SCHEME, BEARER_SCHEME}
        ]
        operation["security"] = [{OAUTH2_SCHEME: scopes}, {BEARER_SCHEME: scopes}, *others]
    schemes = schema.setdefault("components", {}).setdefault("securitySchemes", {})
    if any(op.get("security") for _, op in route_operations(schema, routes)):
        schemes[OAUTH2_SCHEME] = {
            "type": "oauth2",
            "description": "Client credentials from the identity provider; each operation "
            "lists the scopes its token needs (all of them).",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": token_url or DEFAULT_TOKEN_URL,
                    "scopes": {s: scope_description(s) for s in sorted(all_scopes)},
                }
            },
        }
    return schema
