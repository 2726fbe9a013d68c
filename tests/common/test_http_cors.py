"""Browsers: CORS for the configured origins only (preflights, exposed headers, problems
readable too), and OPTIONS without a preflight answering which methods a path takes."""

from __future__ import annotations

from pathlib import Path

from tests.common.test_http_app import router
from tests.common.test_http_helpers import bearer, client_for, make_app, problem, token

APP_ORIGIN = "https://app.example.org"


def _preflight(origin: str, method: str, headers: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


async def test_cors_for_configured_origins(dev_key_path: Path) -> None:
    app = make_app(dev_key_path, [router], cors_allowed_origins=[APP_ORIGIN])
    writer = bearer(token(dev_key_path, "things:read", "things:write"))
    async with client_for(app) as client:
        asked = "authorization, content-type, if-match, idempotency-key, last-event-id"
        ok = await client.options("/v1/things/7", headers=_preflight(APP_ORIGIN, "PUT", asked))
        assert ok.status_code == 200, ok.text
        assert ok.headers["access-control-allow-origin"] == APP_ORIGIN
        assert "PUT" in ok.headers["access-control-allow-methods"]
        allowed = {h.strip().lower() for h in ok.headers["access-control-allow-headers"].split(",")}
        assert set(asked.split(", ")) <= allowed
        assert "access-control-allow-credentials" not in ok.headers

        stranger = await client.options(
            "/v1/things", headers=_preflight("https://evil.example", "POST", "authorization")
        )
        assert stranger.status_code == 400
        assert "access-control-allow-origin" not in stranger.headers

        # The actual request: the page may read ETag, X-Request-ID...
        put = await client.put(
            "/v1/things/7",
            json={"name": "x"},
            headers={**writer, "Origin": APP_ORIGIN, "If-Match": '"1"'},
        )
        assert put.status_code == 200, put.text
        assert put.headers["access-control-allow-origin"] == APP_ORIGIN
        exposed = {h.strip() for h in put.headers["access-control-expose-headers"].split(",")}
        wanted = {"ETag", "Location", "Retry-After", "Idempotent-Replayed", "X-Request-ID"}
        assert wanted <= exposed
        # ...and a problem is as readable as a success.
        refused = await client.get("/v1/things", headers={"Origin": APP_ORIGIN})
        problem(refused, 401)
        assert refused.headers["access-control-allow-origin"] == APP_ORIGIN
        other = await client.get("/v1/things", headers={**writer, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_no_origin_is_allowed_by_default(dev_key_path: Path) -> None:
    app = make_app(dev_key_path, [router])
    async with client_for(app) as client:
        response = await client.options(
            "/v1/things", headers=_preflight(APP_ORIGIN, "POST", "authorization")
        )
        assert "access-control-allow-origin" not in response.headers
        get = await client.get("/healthz", headers={"Origin": APP_ORIGIN})
        assert "access-control-allow-origin" not in get.headers


async def test_options_answers_with_allow(dev_key_path: Path) -> None:
    for origins in ([], [APP_ORIGIN]):
        app = make_app(dev_key_path, [router], cors_allowed_origins=origins)
        async with client_for(app) as client:
            things = await client.options("/v1/things")
            assert things.status_code == 204
            assert things.headers["allow"] == "GET, OPTIONS, POST"
            assert things.headers["x-request-id"]
            one = await client.options("/v1/things/7", headers={"Origin": APP_ORIGIN})
            assert one.headers["allow"] == "OPTIONS, PUT"
            problem(await client.options("/v1/nothing-here"), 404)
