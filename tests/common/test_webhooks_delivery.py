"""Webhooks end to end: subscriptions made through the routes, events fanned out as a host's
consumer would, the real dispatcher, and receivers built on the ``standardwebhooks`` library
(the example receiver) served by uvicorn."""

from __future__ import annotations

from pathlib import Path

from common.db import Database
from common.testing.apps import eventually
from common.webhooks import PING_EVENT_TYPE, DeliveryStatus, EventTenancy, new_secret
from tests.common.webhook_support import (
    CLOSED,
    TRANSITIONED,
    Delivery,
    RecordingReceiver,
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

ESSEX = EventTenancy(la="881", partnership="p-1", urn="100001", trust="t-1")
KENT = EventTenancy(la="886", partnership="p-2", urn="200001")


async def test_signed_deliveries_reach_only_covered_subscribers_through_a_rotation(
    database_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    database = await webhook_database(database_url)
    app = webhook_app(database, dev_key_path)
    first_secret, second_secret = new_secret(), new_secret()
    essex_mis = RecordingReceiver([first_secret])
    stranger = RecordingReceiver([new_secret()])
    essex = bearer(issue_token("hooks:read", "hooks:write", subject="essex-mis", la=["881"]))
    kent = bearer(issue_token("hooks:read", "hooks:write", subject="kent-mis", la=["886"]))
    async with (
        api_client(app) as api,
        serving(essex_mis.app) as essex_url,
        serving(stranger.app) as stranger_url,
        running_dispatcher(database),
    ):
        body = {"url": essex_url + "/", "event_types": [TRANSITIONED], "secret": first_secret}
        created = await api.post(
            "/v1/webhooks/subscriptions", json=body, headers={**essex, "Idempotency-Key": "k1"}
        )
        assert created.status_code == 201, created.text
        subscription = created.json()
        assert subscription["secret"] == first_secret
        assert subscription["tenancy"] == {
            "la_codes": ["881"],
            "trusts": [],
            "partnerships": [],
            "schools": [],
            "person_id": None,
        }
        again = await api.post(
            "/v1/webhooks/subscriptions", json=body, headers={**essex, "Idempotency-Key": "k1"}
        )
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["id"] == subscription["id"]
        sid = subscription["id"]
        # Kent subscribes its own receiver to everything; it must never see Essex's events.
        kent_body = {"url": stranger_url + "/", "event_types": [TRANSITIONED, CLOSED]}
        stranger_sub = await api.post("/v1/webhooks/subscriptions", json=kent_body, headers=kent)
        assert stranger_sub.status_code == 201
        secret_of_kent = stranger_sub.json()["secret"]
        stranger.receiver.secrets[:] = [secret_of_kent]
        assert (await api.get(f"/v1/webhooks/subscriptions/{sid}", headers=kent)).status_code == 404
        listed = (await api.get("/v1/webhooks/subscriptions", headers=essex)).json()
        assert [s["id"] for s in listed["data"]] == [sid]

        # Essex's school: delivered once although the consumer handled the event twice.
        moved = review_event(TRANSITIONED, to_state="self_review")
        assert await publish(database, moved, ESSEX, times=2) == 1
        closed = review_event(CLOSED)  # Essex did not subscribe to this type
        assert await publish(database, closed, ESSEX) == 0
        kent_event = review_event(TRANSITIONED, to_state="pre_review")
        assert await publish(database, kent_event, KENT) == 1

        async def both_arrived() -> bool:
            return moved.id in essex_mis.ids() and kent_event.id in stranger.ids()

        await eventually(both_arrived)
        assert essex_mis.events()[0]["data"] == {"to_state": "self_review"}

        # Rotation: deliveries carry both signatures, so a receiver that still knows only the
        # old secret verifies them, and so does one that knows only the new one.
        page = await api.get(f"/v1/webhooks/subscriptions/{sid}", headers=essex)
        rotated = await api.post(
            f"/v1/webhooks/subscriptions/{sid}/secret/rotate",
            json={"secret": second_secret, "previous_valid_for_seconds": 3600},
            headers={**essex, "If-Match": page.headers["ETag"]},
        )
        assert rotated.status_code == 200, rotated.text
        assert rotated.json()["secret"] == second_secret
        stale = await api.post(
            f"/v1/webhooks/subscriptions/{sid}/secret/rotate",
            json={},
            headers={**essex, "If-Match": page.headers["ETag"]},
        )
        assert stale.status_code == 412  # a retried rotation cannot lose the new secret
        during = review_event(TRANSITIONED, to_state="pre_review")
        await publish(database, during, ESSEX)
        await eventually(lambda: _arrived(essex_mis, during.id))
        essex_mis.receiver.secrets[:] = [second_secret]
        after = review_event(TRANSITIONED, to_state="review_day")
        await publish(database, after, ESSEX)
        await eventually(lambda: _arrived(essex_mis, after.id))

        # The delivery log: every attempt's code, and the body that was signed.
        await eventually(lambda: _all_settled(database))
        log = await api.get(f"/v1/webhooks/subscriptions/{sid}/deliveries", headers=essex)
        assert log.status_code == 200
        entries = log.json()["data"]
        assert [e["message_id"] for e in entries] == [after.id, during.id, moved.id]
        assert {e["status"] for e in entries} == {"delivered"}
        one = await api.get(
            f"/v1/webhooks/subscriptions/{sid}/deliveries/{entries[-1]['id']}", headers=essex
        )
        assert [a["response_code"] for a in one.json()["attempts"]] == [204]
        assert one.json()["event"]["id"] == moved.id

        # Replay one delivery, then a time range: the receiver sees the same webhook-ids again
        # (and drops them as repeats, answering 200).
        replayed = await api.post(
            f"/v1/webhooks/subscriptions/{sid}/deliveries/{entries[-1]['id']}/replay",
            headers=essex,
        )
        assert replayed.status_code == 202
        await eventually(lambda: _codes(database, entries[-1]["id"], [204, 200]))
        window = {"since": entries[-1]["created_at"], "until": "2999-01-01T00:00:00Z"}
        ranged = await api.post(
            f"/v1/webhooks/subscriptions/{sid}/replay", json=window, headers=essex
        )
        assert ranged.json() == {"replayed": 3}
        await eventually(lambda: _codes(database, entries[-1]["id"], [204, 200, 200]))
        await eventually(lambda: _repeats(essex_mis, after.id, 1))
        assert len([r for r in essex_mis.received if r.message_id == moved.id]) == 3

        # Ping: through the same queue and signature.
        pinged = await api.post(f"/v1/webhooks/subscriptions/{sid}/ping", headers=essex)
        assert pinged.status_code == 202
        await eventually(lambda: _arrived(essex_mis, pinged.json()["message_id"]))
        assert essex_mis.events()[-1]["type"] == PING_EVENT_TYPE

    assert essex_mis.receiver.rejected == 0  # every delivery verified
    assert stranger.receiver.rejected == 0
    assert stranger.ids() == [kent_event.id]  # the stranger saw nothing of Essex
    assert {e["id"] for e in essex_mis.events()} == {
        moved.id,
        during.id,
        after.id,
        pinged.json()["message_id"],
    }
    rows = await deliveries(database, Delivery.message_id == kent_event.id)
    assert len(rows) == 1
    await database.dispose()


async def _arrived(receiver: RecordingReceiver, message_id: str) -> bool:
    return message_id in receiver.ids()


async def _codes(database: Database, delivery_id: str, expected: list[int | None]) -> bool:
    return await attempt_codes(database, delivery_id) == expected


async def _all_settled(database: Database) -> bool:
    return not await deliveries(database, Delivery.status == DeliveryStatus.PENDING)


async def _repeats(receiver: RecordingReceiver, message_id: str, times: int) -> bool:
    repeats = [r for r in receiver.received if r.message_id == message_id and r.duplicate]
    return len(repeats) >= times
