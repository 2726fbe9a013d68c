"""The operator's routes (``/admin``, scope ``ops:admin``): the backlog, a service's own dead
letters and consumers, and no one else's; a tenant's token, whatever its scopes, is refused."""

from __future__ import annotations

import nats

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from tests.e2e.conftest import System
from tests.support import TokenFactory, bearer

# On the SCHEDULING stream, where the directory consumers of reviews and knowledge read it:
# not a CloudEvent at all, so each consumer dead-letters it at once.
SUBJECT = "scheduling.school.registered.v1.881._.199999"


async def test_operators_see_and_replay_only_their_own_service(
    system: System, nats_server: NatsServer, issue_token: TokenFactory
) -> None:
    operator = bearer(issue_token("ops:admin"))
    council = bearer(issue_token("directory:read", "reviews:read", "knowledge:read", la=["881"]))

    backlog = await system.reviews.get("/admin/backlog", headers=operator)
    assert backlog.status_code == 200, backlog.text
    assert (await system.reviews.get("/admin/backlog", headers=council)).status_code == 403
    assert (await system.reviews.get("/admin/backlog")).status_code == 401
    empty = await system.reviews.get("/admin/dead-letters", headers=operator)
    assert empty.json() == {"data": []}

    client = await nats.connect(nats_server.url)
    try:
        await client.jetstream().publish(SUBJECT, b"not an event")
    finally:
        await client.close()

    async def letters(service: str) -> list[dict[str, object]]:
        answer = await getattr(system, service).get("/admin/dead-letters", headers=operator)
        data: list[dict[str, object]] = answer.json()["data"]
        return data

    async def both_gave_up() -> bool:
        return len(await letters("reviews")) == 1 and len(await letters("knowledge")) == 1

    await eventually(both_gave_up, within=60)
    [mine] = await letters("reviews")
    assert mine["consumer"] == "reviews-directory"
    assert mine["event_id"] is None  # not an event
    [theirs] = await letters("knowledge")
    assert theirs["consumer"] == "knowledge-directory"

    shown = await system.reviews.get(f"/admin/dead-letters/{mine['seq']}", headers=operator)
    assert shown.status_code == 200
    assert shown.json()["payload"] == "not an event"
    # Another service's letter is not there for this one; nor for a tenant.
    other = await system.reviews.get(f"/admin/dead-letters/{theirs['seq']}", headers=operator)
    assert other.status_code == 404
    assert (
        await system.reviews.get(f"/admin/dead-letters/{mine['seq']}", headers=council)
    ).status_code == 403
    refused = await system.reviews.post(
        f"/admin/dead-letters/{mine['seq']}/replay", headers=operator
    )
    assert refused.status_code == 409  # not an event: nothing to apply

    replay = {"from_seq": 1}
    rewound = await system.reviews.post(
        "/admin/consumers/reviews-directory/replay", json=replay, headers=operator
    )
    assert rewound.status_code == 202, rewound.text
    foreign = await system.reviews.post(
        "/admin/consumers/knowledge-directory/replay", json=replay, headers=operator
    )
    assert foreign.status_code == 404
    both = await system.reviews.post(
        "/admin/consumers/reviews-directory/replay",
        json={"from_seq": 1, "from_time": "2026-12-07T00:00:00Z"},
        headers=operator,
    )
    assert both.status_code == 422
