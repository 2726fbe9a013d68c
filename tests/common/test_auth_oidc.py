"""Real identity providers, imitated by a local OIDC issuer on 127.0.0.1 (discovery document,
JWKS, RS256 keys it makes): tokens shaped like Keycloak's and like Entra ID's v2 app tokens
reach a route through the configured claim mapping; ID tokens are refused; a key published
after the first fetch is accepted on its first token."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from common.auth import JwksVerifier, TokenError
from common.auth.claims import ClaimMapping, parse_role_scopes
from common.auth.verifier import claim_mapping
from common.http.app import create_service_app
from tests.common.test_auth_tokens import router
from tests.common.test_http_helpers import bearer, client_for, problem, settings

API = "api://critical-friend"  # the audience: our API (Entra: its Application ID URI)
ENTRA_TENANT = "8eaef023-2b34-4da1-9baa-8bc8c9d6a490"


class LocalIssuer:
    """An OIDC issuer: ``/.well-known/openid-configuration`` and ``/jwks`` over HTTP, RSA keys
    it publishes on demand, and tokens signed with them. Counts the JWKS fetches."""

    def __init__(self) -> None:
        self.published: list[tuple[str, rsa.RSAPrivateKey]] = []
        self.jwks_fetches = 0
        self.discovery_fetches = 0
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    issuer.discovery_fetches += 1
                    body: dict[str, Any] = {
                        "issuer": issuer.url,
                        "jwks_uri": issuer.url + "/jwks",
                        "token_endpoint": issuer.url + "/token",
                        "id_token_signing_alg_values_supported": ["RS256"],
                    }
                elif self.path == "/jwks":
                    issuer.jwks_fetches += 1
                    body = {"keys": [issuer.public_jwk(kid, key) for kid, key in issuer.published]}
                else:
                    self.send_error(404)
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @staticmethod
    def public_jwk(kid: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
        # As Entra publishes them: no "alg", "use": "sig".
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
        return {**jwk, "kid": kid, "use": "sig"}

    def publish_key(self) -> str:
        kid = uuid.uuid4().hex[:16]
        self.published.append((kid, rsa.generate_private_key(public_exponent=65537, key_size=2048)))
        return kid

    def sign(self, claims: dict[str, Any], *, kid: str | None = None, typ: str = "JWT") -> str:
        kid = kid or self.published[-1][0]
        key = dict(self.published)[kid]
        now = int(time.time())
        payload = {"iss": self.url, "iat": now, "nbf": now, "exp": now + 300, **claims}
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid, "typ": typ})

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def issuer() -> Iterator[LocalIssuer]:
    server = LocalIssuer()
    server.publish_key()
    yield server
    server.stop()


def keycloak_access_token(issuer: LocalIssuer, **extra: Any) -> str:
    """As Keycloak issues to a client-credentials client with our protocol mappers."""
    return issuer.sign(
        {
            "jti": str(uuid.uuid4()),
            "aud": [API, "account"],
            "sub": "5f3c0d0e-6a55-4d8a-9a0f-1b2c3d4e5f60",
            "typ": "Bearer",
            "azp": "county-mis",
            "acr": "1",
            "realm_access": {"roles": ["default-roles-critical-friend", "offline_access"]},
            "resource_access": {"account": {"roles": ["manage-account"]}},
            "scope": "profile email things:read",
            "clientHost": "10.0.0.7",
            "preferred_username": "service-account-county-mis",
            "la": ["881"],
            "person_id": "0a1b2c3d-0000-4000-8000-000000000001",
            **extra,
        }
    )


def entra_app_token(issuer: LocalIssuer, roles: list[str], **extra: Any) -> str:
    """As Entra ID v2 issues to a daemon app (client credentials): app roles in ``roles``,
    tenancy from directory extensions (``extn.*``) via optional claims."""
    return issuer.sign(
        {
            "aud": API,
            "sub": "6c1e2f0a-1111-4a4a-9b9b-222233334444",
            "oid": "6c1e2f0a-1111-4a4a-9b9b-222233334444",
            "azp": "0b6d3a8e-5555-4c4c-8d8d-666677778888",
            "azpacr": "1",
            "idtyp": "app",
            "roles": roles,
            "tid": ENTRA_TENANT,
            "uti": "AbCdEfGh",
            "ver": "2.0",
            "extn.la": "881",
            "extn.partnerships": "0aa10000-0000-4000-8000-000000000001",
            **extra,
        }
    )


ENTRA_CLAIMS = {
    "auth_la_claim": "extn.la",
    "auth_partnerships_claim": "extn.partnerships",
    "auth_person_id_claim": "extn.person_id",
}


def _app(issuer: LocalIssuer, **overrides: Any) -> Any:
    # Only the issuer is configured: its keys are found by OIDC discovery.
    config = settings(auth_issuer=issuer.url, auth_audience=API, **overrides)
    return create_service_app(
        title="T", version="1", description="d", settings=config, routers=[router]
    )


async def test_keycloak_and_entra_shaped_tokens_reach_a_route(issuer: LocalIssuer) -> None:
    async with client_for(_app(issuer)) as client:
        response = await client.get("/v1/me", headers=bearer(keycloak_access_token(issuer)))
        assert response.status_code == 200, response.text
        me = response.json()
        assert "things:read" in me["scopes"]
        assert me["la"] == ["881"]
        assert me["person_id"] == "0a1b2c3d-0000-4000-8000-000000000001"
    assert issuer.discovery_fetches == 1

    async with client_for(_app(issuer, **ENTRA_CLAIMS)) as client:
        # An app role "things.read" is the scope things:read.
        token = entra_app_token(issuer, ["things.read"])
        response = await client.get("/v1/me", headers=bearer(token))
        assert response.status_code == 200, response.text
        me = response.json()
        assert me["scopes"] == ["things:read"]
        assert me["la"] == ["881"]
        assert me["partnerships"] == ["0aa10000-0000-4000-8000-000000000001"]
        assert me["person_id"] is None
        # Without the role: the token is good but lacks the scope.
        problem(await client.get("/v1/me", headers=bearer(entra_app_token(issuer, []))), 403)

    # Roles named as the organisation likes, mapped in configuration.
    named = {**ENTRA_CLAIMS, "auth_role_scopes": '{"Council.Reader": "things:read reviews:read"}'}
    async with client_for(_app(issuer, **named)) as client:
        response = await client.get(
            "/v1/me", headers=bearer(entra_app_token(issuer, ["Council.Reader"]))
        )
        assert response.status_code == 200, response.text
        assert response.json()["scopes"] == ["reviews:read", "things:read"]


async def test_an_entra_daemon_gets_its_tenancy_from_app_roles(issuer: LocalIssuer) -> None:
    # A client-credentials token has no user, so no extension attributes: app roles instead.
    config = {"auth_tenancy_role_prefix": "tenancy."}
    roles = ["things.read", "tenancy.la.881", "tenancy.schools.100001", "tenancy.bogus.1"]
    async with client_for(_app(issuer, **config)) as client:
        token = issuer.sign(
            {"aud": API, "sub": "daemon", "azp": "mis", "roles": roles, "ver": "2.0"}
        )
        response = await client.get("/v1/me", headers=bearer(token))
        assert response.status_code == 200, response.text
        me = response.json()
        assert me["scopes"] == ["tenancy.bogus.1", "things:read"]  # not a tenancy field: a scope
        assert me["la"] == ["881"]
        assert me["schools"] == ["100001"]


async def test_id_tokens_and_other_types_are_refused(issuer: LocalIssuer) -> None:
    id_claims = {
        "aud": API,
        "sub": "someone",
        "azp": API,
        "nonce": "n-0S6_WzA2Mj",
        "at_hash": "77QmUPtjPfzWtF2AnpK9RQ",
        "scope": "things:read",
    }
    access = {"aud": API, "sub": "svc", "scope": "things:read"}
    refused = [
        issuer.sign(id_claims),  # an OIDC ID token for a client sharing the API's id
        issuer.sign({k: v for k, v in id_claims.items() if k != "at_hash"}),  # nonce alone
        issuer.sign({**access, "at_hash": "77QmUPtjPfzWtF2AnpK9RQ"}),
        keycloak_access_token(issuer, typ="ID"),  # Keycloak marks its ID tokens so
        issuer.sign(access, typ="id_token+jwt"),
        issuer.sign(access, typ="logout+jwt"),
    ]
    async with client_for(_app(issuer)) as client:
        for token in refused:
            body = problem(await client.get("/v1/me", headers=bearer(token)), 401)
            assert "not an access token" in body["detail"]
        # RFC 9068 access tokens are welcome; a deployment can insist on them.
        rfc = issuer.sign(access, typ="at+jwt")
        assert (await client.get("/v1/me", headers=bearer(rfc))).status_code == 200
    strict = {"auth_accepted_token_types": "at+jwt"}
    async with client_for(_app(issuer, **strict)) as client:
        assert (await client.get("/v1/me", headers=bearer(rfc))).status_code == 200
        problem(await client.get("/v1/me", headers=bearer(keycloak_access_token(issuer))), 401)


async def test_a_key_published_after_the_first_fetch_is_accepted_at_once(
    issuer: LocalIssuer,
) -> None:
    verifier = JwksVerifier(None, issuer.url, API, refresh_cooldown=3600)
    assert (await verifier.verify(keycloak_access_token(issuer))).la == ("881",)
    assert issuer.jwks_fetches == 1
    issuer.publish_key()  # the issuer rotates: new tokens use the new key
    principal = await verifier.verify(keycloak_access_token(issuer))
    assert principal.subject.startswith("5f3c0d0e")
    assert issuer.jwks_fetches == 2
    # A made-up kid right after: refused without another fetch (rate-limited).
    with pytest.raises(TokenError, match="unknown key"):
        await verifier.verify(_with_kid(issuer, "no-such-key"))
    assert issuer.jwks_fetches == 2
    # Both keys still verify from the cache.
    for kid, _ in issuer.published:
        token = issuer.sign({"aud": API, "sub": "svc", "scope": "things:read"}, kid=kid)
        assert (await verifier.verify(token)).scopes == frozenset({"things:read"})
    assert issuer.jwks_fetches == 2


def _with_kid(issuer: LocalIssuer, kid: str) -> str:
    """A token signed with an unpublished key under a kid the issuer never published."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    claims = {"iss": issuer.url, "aud": API, "sub": "x", "iat": now, "exp": now + 60}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid, "typ": "JWT"})


def test_the_claim_mapping_from_settings() -> None:
    mapping = claim_mapping(
        settings(
            auth_scope_claims="scp",
            auth_role_claims="",
            auth_role_scopes='{"Admin": ["knowledge:admin"]}',
            auth_la_claim="extension_0b6d3a8e_la",
        )
    )
    assert mapping.scope_claims == ("scp",)
    assert mapping.role_claims == ("roles", "realm_access.roles")  # empty: the defaults
    principal = mapping.principal(
        {"sub": "u", "scp": "reviews.read Admin", "extension_0b6d3a8e_la": "881, 882"}
    )
    assert principal.scopes == frozenset({"reviews:read", "knowledge:admin"})
    assert principal.la == ("881", "882")
    assert ClaimMapping().scopes({"scp": ["a.b", "c:d"], "realm_access": {"roles": ["e"]}}) == {
        "a:b",
        "c:d",
        "e",
    }
    with pytest.raises(ValueError, match="JSON object"):
        parse_role_scopes("[1]")
