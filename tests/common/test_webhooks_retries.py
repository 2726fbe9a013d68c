"""The dispatcher against failing receivers: retries until a recovery, a 410 that disables
the subscription, a restart in the middle of the retries, and two dispatchers sharing one
database without ever sending a delivery twice at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from common.db import Database
from common.testing.apps import eventually
from common.webhooks import DeliveryStatus, EventTenancy, new_secret
from tests.common.webhook_support import (
    TRANSITIONED,
    Delivery,
    RecordingReceiver,
    Scripted,
    api_client,
    attempt_codes,
    deliveries,
    publish,
    review_event,
    running_dispatcher,
    serving,
    webhook_app,
    webhook_database,
)
from tests.support import TokenFactory, bearer

ESSEX = EventTenancy(la="881", partnership="p-1", urn="100001")


async def _subscribe(api: object, headers: dict[str, str], url: str, secret: str) -> str:
    body = {"url": url, "event_types": [TRANSITIONED], "secret": secret}
    response = await api.post("/v1/webhooks/subscriptions", json=body, headers=headers)  # type: ignore[attr-defined]
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _status(database: Database, message_id: str, subscription_id: str) -> str | None:
    rows = await deliveries(database, Delivery.message_id == message_id)
    return next((r.status for r in rows if str(r.subscription_id) == subscription_id), None)


async def test_retries_until_recovery_and_a_410_stops_everything(
    database_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    database = await webhook_database(database_url)
    app = webhook_app(database, dev_key_path)
    secret = new_secret()
    flaky_receiver = RecordingReceiver([secret])
    flaky = Scripted(flaky_receiver.app, script=[500, 500, 500])
    gone = Scripted(RecordingReceiver([secret]).app, always=410)
    headers = bearer(issue_token("hooks:read", "hooks:write", subject="mis", la=["881"]))
    async with (
        api_client(app) as api,
        serving(flaky) as flaky_url,
        serving(gone) as gone_url,
    ):
        flaky_id = await _subscribe(api, headers, flaky_url + "/", secret)
        gone_id = await _subscribe(api, headers, gone_url + "/", secret)
        first, second = review_event(to_state="self_review"), review_event(to_state="pre_review")
        assert await publish(database, first, ESSEX) == 2
        assert await publish(database, second, ESSEX) == 2

        # A dispatcher stops after the first failure; its successor carries on from the
        # database (the attempts so far, the next attempt time).
        async with running_dispatcher(database):
            await eventually(lambda: _requested(flaky, 1))
        async with running_dispatcher(database):

            async def recovered() -> bool:
                statuses = [await _status(database, e.id, flaky_id) for e in (first, second)]
                return statuses == ["delivered", "delivered"]

            await eventually(recovered)
            # After the 410, nothing more for that subscription, old or new.
            third = review_event(to_state="review_day")
            assert await publish(database, third, ESSEX) == 1
            await eventually(lambda: _delivered(database, third.id))

        subscription = (
            await api.get(f"/v1/webhooks/subscriptions/{gone_id}", headers=headers)
        ).json()
        assert subscription["status"] == "disabled"
        assert "410" in subscription["disabled_reason"]
        assert gone.requests == 1
        gone_rows = [r for r in await deliveries(database) if str(r.subscription_id) == gone_id]
        assert sorted(r.status for r in gone_rows) == [DeliveryStatus.FAILED] * 2
        codes = sorted([await attempt_codes(database, r.id) for r in gone_rows], key=len)
        assert codes == [[], [410]]  # one tried and refused, the other never tried

        # The flaky receiver got each event once it recovered, verified, exactly once.
        assert sorted(flaky_receiver.ids()) == sorted([first.id, second.id, third.id])
        assert flaky_receiver.receiver.rejected == 0
        log = await api.get(f"/v1/webhooks/subscriptions/{flaky_id}/deliveries", headers=headers)
        by_message = {d["message_id"]: d for d in log.json()["data"]}
        for event in (first, second, third):
            codes = await attempt_codes(database, by_message[event.id]["id"])
            assert codes == [500, 500, 500, 204]
            assert by_message[event.id]["attempt_count"] == 4
            assert by_message[event.id]["last_response_code"] == 204
        assert flaky.requests == 3 * 4

        # Replaying a disabled subscription is refused until it is enabled again.
        refused = await api.post(f"/v1/webhooks/subscriptions/{gone_id}/ping", headers=headers)
        assert refused.status_code == 409
    await database.dispose()


async def test_two_dispatchers_never_send_one_delivery_twice(
    database_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    database = await webhook_database(database_url)
    app = webhook_app(database, dev_key_path)
    secret = new_secret()
    receiver = RecordingReceiver([secret])
    counting = Scripted(receiver.app)
    headers = bearer(issue_token("hooks:read", "hooks:write", subject="mis", la=["881"]))
    async with api_client(app) as api, serving(counting) as url:
        await _subscribe(api, headers, url + "/", secret)
        events = [review_event(n=n) for n in range(40)]
        for event in events:
            await publish(database, event, ESSEX)
        async with running_dispatcher(database), running_dispatcher(database):
            await eventually(lambda: _all_delivered(database, len(events)), within=60)
    assert sorted(receiver.ids()) == sorted(e.id for e in events)
    assert [r for r in receiver.received if r.duplicate] == []
    assert counting.requests == len(events)
    assert set(counting.max_in_flight.values()) == {1}
    await database.dispose()


async def _requested(app: Scripted, times: int) -> bool:
    await asyncio.sleep(0)
    return app.requests >= times


async def _delivered(database: Database, message_id: str) -> bool:
    rows = await deliveries(database, Delivery.message_id == message_id)
    return bool(rows) and all(r.status == DeliveryStatus.DELIVERED for r in rows)


async def _all_delivered(database: Database, count: int) -> bool:
    rows = await deliveries(database, Delivery.status == DeliveryStatus.DELIVERED)
    return len(rows) == count
