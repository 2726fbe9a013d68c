"""From an identity provider's claims to a :class:`Principal`, as configured.

Providers put the same facts in different claims. Keycloak: scopes in ``scope`` (a
space-separated string), roles in ``realm_access.roles``. Entra ID: application permissions
in ``roles`` (a list), delegated ones in ``scp`` (a space-separated string). Tenancy and
``person_id`` come from whatever claims the deployment's protocol mappers, optional claims or
directory extensions produce, so their names are settings.

Scopes: every value of every scope claim and role claim, each mapped through ``role_scopes``
when it is a key there (``"Reviewer" -> "reviews:read reviews:write"``), else taken as a scope
with ``area.action`` read as ``area:action`` (Entra app role and scope values are written
with dots: ``reviews.read`` is ``reviews:read``).

Tenancy from roles (``tenancy_role_prefix``, off by default): an app-only token (client
credentials) has no user whose attributes could carry tenancy, so an Entra app role whose
value is ``<prefix><claim>.<value>`` (``tenancy.la.881``, ``tenancy.partnerships.<id>``) adds
``value`` to that tenancy claim; such roles give no scope.

Access tokens only: an ID token proves who signed in to a client, not that the client may
call this API. The header ``typ`` must be one of ``accepted_types`` (RFC 9068's ``at+jwt``;
``JWT`` too by default, since Keycloak and Entra ID write that on access tokens), and a token
carrying an ID token's marks (``nonce``, ``at_hash``, ``c_hash``, ``s_hash``, or Keycloak's
``typ`` claim ``ID``) is refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from common.auth.principal import InvalidClaimsError, Principal

DEFAULT_SCOPE_CLAIMS = ("scope", "scp")
DEFAULT_ROLE_CLAIMS = ("roles", "realm_access.roles")
DEFAULT_ACCEPTED_TYPES = ("at+jwt", "application/at+jwt", "JWT")
ID_TOKEN_CLAIMS = ("nonce", "at_hash", "c_hash", "s_hash")
_DOTTED_SCOPE = re.compile(r"^([A-Za-z][\w-]*)\.([A-Za-z][\w-]*)$")
_SEPARATORS = re.compile(r"[\s,]+")
TENANCY_FIELDS = ("la", "trusts", "partnerships", "schools", "person_id")


class NotAnAccessTokenError(InvalidClaimsError):
    """An ID token (or another kind of token) where an access token was expected."""


def _claim(claims: Mapping[str, Any], name: str) -> Any:
    """``claims[name]``, or the nested value at a dotted path (``realm_access.roles``)."""
    if name in claims:
        return claims[name]
    node: Any = claims
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _values(claims: Mapping[str, Any], name: str) -> list[str]:
    """A claim as a list of strings: a list, or one string split on spaces and commas."""
    value = _claim(claims, name)
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in _SEPARATORS.split(value) if v]
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value)]
    if isinstance(value, list) and all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        return [str(v) for v in value]
    raise InvalidClaimsError(f"claim {name!r} must be a string or a list of strings")


def _scope(value: str) -> str:
    match = _DOTTED_SCOPE.match(value)
    return f"{match[1]}:{match[2]}" if match else value


def parse_role_scopes(text: str | None) -> dict[str, tuple[str, ...]]:
    """``AUTH_ROLE_SCOPES``: a JSON object from a role (or scope) value to the scopes it gives,
    as a list or a space-separated string."""
    if not text:
        return {}
    loaded = json.loads(text)
    if not isinstance(loaded, dict):
        raise ValueError("AUTH_ROLE_SCOPES must be a JSON object")
    mapping: dict[str, tuple[str, ...]] = {}
    for role, scopes in loaded.items():
        if isinstance(scopes, str):
            scopes = scopes.split()
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ValueError(f"AUTH_ROLE_SCOPES[{role!r}] must be a list of scopes")
        mapping[str(role)] = tuple(scopes)
    return mapping


@dataclass(frozen=True)
class ClaimMapping:
    """Which claims say what. The defaults read the development tokens (and Keycloak's and
    Entra ID's scope and role claims) as they are."""

    scope_claims: tuple[str, ...] = DEFAULT_SCOPE_CLAIMS
    role_claims: tuple[str, ...] = DEFAULT_ROLE_CLAIMS
    role_scopes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    la_claim: str = "la"
    trusts_claim: str = "trusts"
    partnerships_claim: str = "partnerships"
    schools_claim: str = "schools"
    person_id_claim: str = "person_id"
    subject_claim: str = "sub"
    accepted_types: tuple[str, ...] = DEFAULT_ACCEPTED_TYPES
    tenancy_role_prefix: str = ""

    def _tenancy_role(self, value: str) -> tuple[str, str] | None:
        """``(field, value)`` of a tenancy role (``tenancy.la.881``), else None."""
        if not self.tenancy_role_prefix or not value.startswith(self.tenancy_role_prefix):
            return None
        name, _, item = value[len(self.tenancy_role_prefix) :].partition(".")
        return (name, item) if name in TENANCY_FIELDS and item else None

    def _role_tenancy(self, claims: Mapping[str, Any]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {name: [] for name in TENANCY_FIELDS}
        if self.tenancy_role_prefix:
            for name in self.role_claims:
                for value in _values(claims, name):
                    if (pair := self._tenancy_role(value)) is not None:
                        found[pair[0]].append(pair[1])
        return found

    def scopes(self, claims: Mapping[str, Any]) -> frozenset[str]:
        found: set[str] = set()
        for name in (*self.scope_claims, *self.role_claims):
            for value in _values(claims, name):
                if self._tenancy_role(value) is not None:
                    continue
                mapped = self.role_scopes.get(value)
                found.update(mapped if mapped is not None else (_scope(value),))
        return frozenset(found)

    def check_access_token(self, header: Mapping[str, Any], claims: Mapping[str, Any]) -> None:
        """NotAnAccessTokenError unless the token is an access token by the configured rule."""
        typ = str(header.get("typ", "JWT"))
        if typ.lower() not in {t.lower() for t in self.accepted_types}:
            raise NotAnAccessTokenError(f"token type {typ!r} is not an access token")
        marks = [name for name in ID_TOKEN_CLAIMS if name in claims]
        if marks or claims.get("typ") == "ID":
            raise NotAnAccessTokenError("an ID token is not an access token")

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        subject = _claim(claims, self.subject_claim)
        if not isinstance(subject, str) or not subject:
            raise InvalidClaimsError(f"claim {self.subject_claim!r} is missing")
        person_id = _claim(claims, self.person_id_claim)
        if person_id is not None and not isinstance(person_id, str):
            raise InvalidClaimsError(f"claim {self.person_id_claim!r} must be a string")
        roles = self._role_tenancy(claims)
        if person_id is None and roles["person_id"]:
            person_id = roles["person_id"][0]
        return Principal(
            subject=subject,
            scopes=self.scopes(claims),
            la=(*_values(claims, self.la_claim), *roles["la"]),
            trusts=(*_values(claims, self.trusts_claim), *roles["trusts"]),
            partnerships=(*_values(claims, self.partnerships_claim), *roles["partnerships"]),
            schools=(*_values(claims, self.schools_claim), *roles["schools"]),
            person_id=person_id or None,
        )


def split_names(text: str, default: Iterable[str]) -> tuple[str, ...]:
    """A comma-separated setting; empty means ``default``."""
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    return names or tuple(default)
