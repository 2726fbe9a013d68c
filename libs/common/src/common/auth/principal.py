"""Who is calling: the verified claims of a bearer token."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class InvalidClaimsError(ValueError):
    pass


def _strings(claims: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = claims.get(name)
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]  # tolerate a single value where a list is expected
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise InvalidClaimsError(f"claim {name!r} must be a list of strings")
    # LA codes and URNs are numbers that must compare as strings ("881", "100000").
    return tuple(str(v) for v in value)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. Tenancy claims say what the caller may see; the service layer decides, using
    its local read model of the directory and agreements, never the caller's say-so alone."""

    subject: str
    scopes: frozenset[str] = frozenset()
    la: tuple[str, ...] = ()
    trusts: tuple[str, ...] = ()
    partnerships: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    person_id: str | None = None

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def has_scopes(self, *scopes: str) -> bool:
        return all(s in self.scopes for s in scopes)

    @classmethod
    def from_claims(cls, claims: Mapping[str, Any]) -> Principal:
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject:
            raise InvalidClaimsError("claim 'sub' is missing")
        scope = claims.get("scope", "")
        if not isinstance(scope, str):
            raise InvalidClaimsError("claim 'scope' must be a space-separated string")
        person_id = claims.get("person_id")
        if person_id is not None and not isinstance(person_id, str):
            raise InvalidClaimsError("claim 'person_id' must be a string")
        return cls(
            subject=subject,
            scopes=frozenset(scope.split()),
            la=_strings(claims, "la"),
            trusts=_strings(claims, "trusts"),
            partnerships=_strings(claims, "partnerships"),
            schools=_strings(claims, "schools"),
            person_id=person_id,
        )
