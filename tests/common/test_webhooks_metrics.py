"""Webhook attempts are counted by outcome and attempt number as the dispatcher records them."""

from __future__ import annotations

from pathlib import Path

from common.testing.apps import eventually
from common.testing.metrics import local_sample
from common.webhooks import EventTenancy, new_secret
from tests.common.webhook_support import (
    TRANSITIONED,
    RecordingReceiver,
    api_client,
    publish,
    review_event,
    running_dispatcher,
    serving,
    webhook_app,
    webhook_database,
)
from tests.support import TokenFactory, bearer

ESSEX = EventTenancy(la="881", partnership="p-1", urn="100001")


async def test_a_delivered_attempt_is_counted_once(
    database_url: str, dev_key_path: Path, issue_token: TokenFactory
) -> None:
    database = await webhook_database(database_url)
    app = webhook_app(database, dev_key_path)
    secret = new_secret()
    receiver = RecordingReceiver([secret])
    essex = bearer(issue_token("hooks:read", "hooks:write", subject="essex-mis", la=["881"]))
    delivered_before = local_sample("cf_webhook_attempts_total", outcome="delivered")
    first_before = local_sample("cf_webhook_attempt_number_bucket", le="1.0")
    async with api_client(app) as api, serving(receiver.app) as url, running_dispatcher(database):
        body = {"url": url + "/", "event_types": [TRANSITIONED], "secret": secret}
        created = await api.post("/v1/webhooks/subscriptions", json=body, headers=essex)
        assert created.status_code == 201, created.text
        moved = review_event(TRANSITIONED, to_state="self_review")
        assert await publish(database, moved, ESSEX) == 1

        async def counted() -> bool:
            return local_sample("cf_webhook_attempts_total", outcome="delivered") > delivered_before

        await eventually(counted)
    assert moved.id in receiver.ids()
    assert local_sample("cf_webhook_attempts_total", outcome="delivered") == delivered_before + 1
    assert local_sample("cf_webhook_attempt_number_bucket", le="1.0") == first_before + 1
    await database.dispose()
