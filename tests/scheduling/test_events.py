"""Directory changes are published as CloudEvents on the SCHEDULING stream."""

from __future__ import annotations

import json
from typing import Any

import httpx
import nats
import pytest

from common.testing.nats import NatsServer
from tests.support import TokenFactory, bearer

SCHOOL = {"name": "Evented School", "phase": "primary", "la_code": "881", "status": "open"}


async def _messages(server: NatsServer, count: int) -> list[tuple[str, dict[str, str], Any]]:
    nc = await nats.connect(server.url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe("scheduling.>", durable=None, stream="SCHEDULING")
        received: list[tuple[str, dict[str, str], Any]] = []
        while len(received) < count:
            for msg in await sub.fetch(count - len(received), timeout=10):
                received.append((msg.subject, dict(msg.headers or {}), json.loads(msg.data)))
                await msg.ack()
        return received
    finally:
        await nc.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_school_put_becomes_a_cloudevent(
    client: httpx.AsyncClient, nats_server: NatsServer, issue_token: TokenFactory
) -> None:
    headers = bearer(issue_token("directory:write", la=["881"]))
    assert (await client.put("/v1/schools/140000", json=SCHOOL, headers=headers)).status_code == 201
    [(subject, msg_headers, event)] = await _messages(nats_server, 1)
    assert subject == "scheduling.school.registered.v1.881._.140000"
    assert msg_headers["Nats-Msg-Id"] == event["id"]
    assert event["specversion"] == "1.0"
    assert event["type"] == "org.criticalfriend.scheduling.school.registered.v1"
    assert event["source"] == "/scheduling"
    assert event["subject"] == "schools/140000"
    assert event["partitionkey"] == "school:140000"
    assert event["data"]["urn"] == 140000
    assert event["data"]["version"] == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_partnership_events_carry_the_tenancy_path(
    client: httpx.AsyncClient, nats_server: NatsServer, issue_token: TokenFactory
) -> None:
    headers = bearer(issue_token("directory:write", la=["881"]))
    await client.put("/v1/schools/140001", json=SCHOOL, headers=headers)
    created = await client.post(
        "/v1/partnerships",
        json={"name": "P", "kind": "trust", "la_code": "881"},
        headers=headers,
    )
    pid = created.json()["id"]
    await client.put(f"/v1/partnerships/{pid}/members/140001", headers=headers)
    agreement = {
        "partnership_visibility": "named",
        "trust_visibility": "aggregated",
        "local_authority_visibility": "named",
        "named_for_support": True,
    }
    changed = await client.put(
        f"/v1/partnerships/{pid}/agreement", json=agreement, headers={**headers, "If-Match": '"1"'}
    )
    # A widening proposal: in force for the member only once it consents.
    assert changed.status_code == 202, changed.text
    messages = await _messages(nats_server, 6)
    assert [subject for subject, _, _ in messages] == [
        "scheduling.school.registered.v1.881._.140001",
        f"scheduling.partnership.created.v1.881.{pid}._",
        f"scheduling.partnership.agreement_changed.v1.881.{pid}._",
        f"scheduling.partnership.member_joined.v1.881.{pid}.140001",
        f"scheduling.partnership.school_agreement_changed.v1.881.{pid}.140001",
        f"scheduling.partnership.agreement_changed.v1.881.{pid}._",
    ]
    assert messages[2][2]["data"]["named_for_support"] is False
    assert messages[4][2]["data"] | {"updated_at": None} == {
        "partnership_id": pid,
        "urn": 140001,
        "la_code": "881",
        "partnership_visibility": "named",
        "trust_visibility": "aggregated",
        "local_authority_visibility": "aggregated",
        "suppression_threshold": 5,
        "named_for_support": False,
        "consented_version": None,
        "version": 1,
        "updated_at": None,
    }
    assert messages[5][2]["data"] | {"updated_at": None} == {
        "partnership_id": pid,
        "la_code": "881",
        "partnership_visibility": "named",
        "trust_visibility": "aggregated",
        "local_authority_visibility": "named",
        "suppression_threshold": 5,
        "named_for_support": True,
        "version": 2,
        "updated_at": None,
        "proposed_by": "test-client",
    }
