"""The webhook routes refuse what they must with a problem and change nothing; another
client's subscription is a 404 on every route; destinations inside our network are refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from common.webhooks import (
    DeliveryStatus,
    DestinationPolicy,
    DestinationRefusedError,
    EventTenancy,
    check_destination,
)
from tests.common.webhook_support import (
    HOST,
    TRANSITIONED,
    Delivery,
    Subscription,
    api_client,
    deliveries,
    publish,
    review_event,
    webhook_app,
    webhook_database,
)
from tests.support import TokenFactory, assert_problem, bearer

SUBSCRIPTIONS = "/v1/webhooks/subscriptions"


async def test_routes_check_scope_tenancy_and_input(
    database_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    database = await webhook_database(database_url)
    strict = dataclasses.replace(HOST, destinations=DestinationPolicy())
    app = webhook_app(database, dev_key_path, strict)
    owner = bearer(issue_token("hooks:read", "hooks:write", subject="owner", schools=["100001"]))
    other = bearer(issue_token("hooks:read", "hooks:write", subject="other", la=["881"]))
    reader = bearer(issue_token("hooks:read", subject="owner", schools=["100001"]))
    no_tenancy = bearer(issue_token("hooks:read", "hooks:write", subject="nobody"))
    good = {"url": "https://203.0.113.7/hook", "event_types": [TRANSITIONED]}
    async with api_client(app) as api:
        # 203.0.113.0/24 is documentation space, not global: refused like any private address.
        refused_urls = [
            "https://203.0.113.7/hook",
            "https://127.0.0.1/hook",
            "https://localhost/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://10.0.0.8/hook",
            "https://[::1]/hook",
            "https://[::ffff:127.0.0.1]/hook",
            "https://[64:ff9b::7f00:1]/hook",  # NAT64
            "https://[2002:7f00:1::]/hook",  # 6to4
            "https://[::127.0.0.1]/hook",  # IPv4-compatible
            "http://8.8.8.8/hook",  # plain http
            "ftp://8.8.8.8/hook",
            "https://user:pw@8.8.8.8/hook",
            "not a url",
        ]
        for url in refused_urls:
            response = await api.post(SUBSCRIPTIONS, json={**good, "url": url}, headers=owner)
            body = assert_problem(response, 422)
            assert body["errors"][0]["field"] == "body.url", url
        cases = [
            ({**good, "event_types": ["org.example.unknown.v1"]}, owner, 422),
            ({**good, "secret": "whsec_dG9vc2hvcnQ="}, owner, 422),
            ({**good, "secret": "not-a-secret"}, owner, 422),
            ({**good, "colour": "blue"}, owner, 422),
            ({**good, "event_types": []}, owner, 422),
            (good, no_tenancy, 403),
            (good, reader, 403),
            (good, {}, 401),
        ]
        for body, headers, status in cases:
            assert_problem(await api.post(SUBSCRIPTIONS, json=body, headers=headers), status)
        malformed = await api.post(
            SUBSCRIPTIONS, content=b"{", headers={**owner, "content-type": "application/json"}
        )
        assert_problem(malformed, 400)
        assert await _count(database) == 0

    # A subscription to work on (the open policy lets a test URL through).
    app = webhook_app(database, dev_key_path)
    async with api_client(app) as api:
        created = await api.post(
            SUBSCRIPTIONS, json={**good, "url": "http://127.0.0.1:9/"}, headers=owner
        )
        assert created.status_code == 201, created.text
        sid = created.json()["id"]
        etag = created.headers["ETag"]
        event = review_event()
        assert await publish(database, event, EventTenancy(la="881", urn="100001")) == 1
        [delivery] = await deliveries(database)
        did = str(delivery.id)
        # Someone else's subscription does not exist for them, on every route.
        foreign = [
            ("GET", f"{SUBSCRIPTIONS}/{sid}", None),
            ("PATCH", f"{SUBSCRIPTIONS}/{sid}", {"description": "mine now"}),
            ("DELETE", f"{SUBSCRIPTIONS}/{sid}", None),
            ("POST", f"{SUBSCRIPTIONS}/{sid}/secret/rotate", {}),
            ("GET", f"{SUBSCRIPTIONS}/{sid}/deliveries", None),
            ("GET", f"{SUBSCRIPTIONS}/{sid}/deliveries/{did}", None),
            ("POST", f"{SUBSCRIPTIONS}/{sid}/deliveries/{did}/replay", None),
            ("POST", f"{SUBSCRIPTIONS}/{sid}/replay", _window()),
            ("POST", f"{SUBSCRIPTIONS}/{sid}/ping", None),
        ]
        for method, path, body in foreign:
            response = await api.request(
                method, path, json=body, headers={**other, "If-Match": etag}
            )
            assert_problem(response, 404)
        assert (await api.get(SUBSCRIPTIONS, headers=other)).json()["data"] == []
        assert len(await deliveries(database)) == 1

        path = f"{SUBSCRIPTIONS}/{sid}"
        assert_problem(await api.patch(path, json={"status": "disabled"}, headers=owner), 428)
        stale = {**owner, "If-Match": '"99"'}
        assert_problem(await api.patch(path, json={"status": "disabled"}, headers=stale), 412)
        assert_problem(await api.post(f"{path}/secret/rotate", json={}, headers=owner), 428)
        assert_problem(
            await api.post(f"{path}/replay", json=_window(reverse=True), headers=owner), 422
        )
        assert_problem(
            await api.get(f"{path}/deliveries", params={"cursor": "nope"}, headers=owner), 422
        )
        assert_problem(
            await api.get(f"{path}/deliveries", params={"since": "yesterday"}, headers=owner), 422
        )
        assert_problem(await api.get(f"{SUBSCRIPTIONS}/not-a-uuid", headers=owner), 422)
        unchanged = await api.get(path, headers=owner)
        assert unchanged.json()["status"] == "active"
        assert unchanged.headers["ETag"] == etag

        # Disabling fails the pending delivery; replay and ping wait until it is enabled.
        disabled = await api.patch(
            path, json={"status": "disabled"}, headers={**owner, "If-Match": etag}
        )
        assert disabled.status_code == 200
        assert disabled.json()["disabled_reason"] == "disabled by its owner"
        [delivery] = await deliveries(database)
        assert delivery.status == DeliveryStatus.FAILED
        conflict = await api.post(f"{path}/deliveries/{did}/replay", headers=owner)
        assert assert_problem(conflict, 409)["type"].endswith("subscription-disabled")
        enabled = await api.patch(
            path,
            json={"status": "active"},
            headers={**owner, "If-Match": disabled.headers["ETag"]},
        )
        assert enabled.json()["status"] == "active"
        assert enabled.json()["disabled_reason"] is None
        replayed = await api.post(f"{path}/deliveries/{did}/replay", headers=owner)
        assert replayed.json()["status"] == "pending"

        types = await api.get("/v1/webhooks/event-types", headers=reader)
        assert {t["type"] for t in types.json()} == set(HOST.event_types)
        assert (await api.delete(path, headers=owner)).status_code == 204
        assert await _count(database) == 0
        assert (
            await deliveries(database, Delivery.subscription_id == delivery.subscription_id) == []
        )
        assert_problem(await api.get(path, headers=owner), 404)
    await database.dispose()


@pytest.mark.parametrize(
    ("url", "policy"),
    [
        ("https://127.0.0.1/", DestinationPolicy(allow_http=True)),
        ("http://192.168.1.10/", DestinationPolicy(allow_http=True)),
        ("https://[fe80::1]/", DestinationPolicy()),
        ("https://100.64.0.1/", DestinationPolicy()),  # carrier-grade NAT, not global
        ("http://127.0.0.1/", DestinationPolicy(allow_private=True)),  # private ok, http not
    ],
)
async def test_destinations_inside_our_network_are_refused(
    url: str, policy: DestinationPolicy
) -> None:
    with pytest.raises(DestinationRefusedError):
        await check_destination(url, policy)


async def test_allowed_destinations() -> None:
    assert await check_destination("https://8.8.8.8/hook", DestinationPolicy()) == (
        "https://8.8.8.8/hook"
    )
    open_policy = DestinationPolicy(allow_private=True, allow_http=True)
    assert await check_destination("http://localhost:9000/", open_policy)


def _window(*, reverse: bool = False) -> dict[str, str]:
    since, until = "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"
    return {"since": until, "until": since} if reverse else {"since": since, "until": until}


async def _count(database: object) -> int:
    async with database.session() as session:  # type: ignore[attr-defined]
        return int(await session.scalar(select(func.count()).select_from(Subscription)) or 0)
