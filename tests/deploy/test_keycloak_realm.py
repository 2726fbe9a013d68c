"""deploy/keycloak: the importable realm gives tokens our services read with the default
claim mapping: every scope a route requires, our audience, and the tenancy claims."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from common.auth.claims import ClaimMapping
from common.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
REALM = ROOT / "deploy" / "keycloak" / "critical-friend-realm.json"
_REQUIRED = re.compile(r"require_scopes\(\s*\"([a-z]+:[a-z]+)\"|\"([a-z]+:(?:read|write|admin))\"")


def _realm() -> dict[str, Any]:
    realm: dict[str, Any] = json.loads(REALM.read_text())
    return realm


def _scopes_the_services_require() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "services").glob("*/src/**/*.py"):
        for match in _REQUIRED.finditer(path.read_text()):
            found.add(match[1] or match[2])
    return found


def test_every_required_scope_is_a_client_scope_in_the_token() -> None:
    scopes = {s["name"]: s for s in _realm()["clientScopes"]}
    required = _scopes_the_services_require()
    assert {"reviews:read", "directory:read", "imports:admin"} <= required
    for name in required:
        assert scopes[name]["attributes"]["include.in.token.scope"] == "true", name


def test_the_tenancy_scope_carries_our_audience_and_claims() -> None:
    realm = _realm()
    tenancy = next(s for s in realm["clientScopes"] if s["name"] == "critical-friend-tenancy")
    mappers = {m["config"].get("claim.name"): m for m in tenancy["protocolMappers"]}
    defaults = ClaimMapping()
    for claim in (
        defaults.la_claim,
        defaults.trusts_claim,
        defaults.partnerships_claim,
        defaults.schools_claim,
        defaults.person_id_claim,
    ):
        assert mappers[claim]["config"]["access.token.claim"] == "true", claim
    audiences = [
        m["config"]["included.custom.audience"]
        for m in tenancy["protocolMappers"]
        if m["protocolMapper"] == "oidc-audience-mapper"
    ]
    assert audiences == [ServiceSettings().auth_audience]
    for client in realm["clients"]:
        assert "critical-friend-tenancy" in client["defaultClientScopes"], client["clientId"]


def test_the_machine_client_uses_client_credentials_with_a_tenancy() -> None:
    realm = _realm()
    mis = next(c for c in realm["clients"] if c["clientId"] == "county-mis")
    assert mis["serviceAccountsEnabled"] is True
    assert mis["standardFlowEnabled"] is False
    account = next(u for u in realm["users"] if u.get("serviceAccountClientId") == "county-mis")
    assert account["attributes"]["la"] == ["881"]
    web = next(c for c in realm["clients"] if c["clientId"] == "critical-friend-web")
    assert web["publicClient"] is True
    assert web["attributes"]["pkce.code.challenge.method"] == "S256"
