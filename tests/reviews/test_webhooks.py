"""Webhooks hosted by the reviews service, against the real app, a real NATS server and both
databases, with receivers built only on the ``standardwebhooks`` library
(examples/webhook_receiver.py): a review walked from planned (on the SCHEDULING stream) to
closed, and a second one rescheduled, changed and cancelled, reach exactly the subscriptions
their tenancy covers, verified; a receiver that fails three times gets each event once it
recovers; a 410 stops everything for its subscription; a stranger's subscription receives
nothing; a delivery replayed after the agreement stopped naming the school is withheld."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta
from typing import Any

from common.testing.apps import eventually
from common.testing.nats import NatsServer
from common.webhooks import new_secret
from reviews.milestone.service import sweep_due_soon, sweep_overdue
from tests.common.webhook_support import RecordingReceiver, Scripted, serving
from tests.reviews.kit import (
    CONTENT,
    LA,
    LIFECYCLE,
    PARTNERSHIP,
    REVIEWER,
    RW,
    TRUST,
    URN,
    Kit,
    kinds,
    plan,
    reschedule_and_cancel,
    review_events,
    short,
    subscribe,
)
from tests.reviews.walk import walk_to

#: Review A: planned, one milestone due soon then overdue, ten moves to closed with the report,
#: plan and 90-day review; review B: planned, rescheduled, team changed, cancelled (and its move).
EXPECTED_ON_THE_STREAM = {
    "review.planned": 2,
    "review.rescheduled": 1,
    "review.team_changed": 1,
    "review.cancelled": 1,
    "milestone.due_soon": 1,
    "milestone.overdue": 1,
    "review.transitioned": 11,
    "report.published": 1,
    "action_plan.agreed": 1,
    "progress.reviewed": 1,
    "review.closed": 1,
}


async def _deliveries(kit: Kit, headers: dict[str, str], sid: str) -> list[dict[str, Any]]:
    page = await kit.client.get(
        f"/v1/webhooks/subscriptions/{sid}/deliveries", params={"limit": 200}, headers=headers
    )
    assert page.status_code == 200, page.text
    data: list[dict[str, Any]] = page.json()["data"]
    return data


async def _attempt_codes(kit: Kit, headers: dict[str, str], sid: str, did: str) -> list[Any]:
    detail = await kit.client.get(
        f"/v1/webhooks/subscriptions/{sid}/deliveries/{did}", headers=headers
    )
    return [a["response_code"] for a in detail.json()["attempts"]]


async def test_review_events_reach_exactly_the_subscriptions_their_tenancy_covers(
    kit: Kit, nats_server: NatsServer
) -> None:
    # The agreement names the school to the partnership and the LA, not to the trust.
    await kit.agreement(partnership="named", la="named", trust="aggregated")
    await kit.school(URN)  # in TRUST, as the directory says
    tokens = {
        "county": kit.token(*RW, subject="essex-county", la=[LA]),
        "trust": kit.token(*RW, subject="trust-mis", trusts=[TRUST]),
        "lead": kit.token(*RW, subject="partnership-app", partnerships=[str(PARTNERSHIP)]),
        "reviewer": kit.token(*RW, subject="reviewer-app", person=REVIEWER),
        "school": kit.token(*RW, subject="school-mis", schools=[str(URN)]),
    }
    strangers = [
        kit.token(*RW, subject="kent-county", la=["886"]),
        kit.token(*RW, subject="other-partnership", partnerships=[str(uuid.uuid4())]),
        kit.token(*RW, subject="other-trust", trusts=["99999"]),
        kit.token(*RW, subject="other-school", schools=["115999"]),
        kit.token(*RW, subject="other-person", person=uuid.uuid4()),
    ]
    listed = await kit.client.get("/v1/webhooks/event-types", headers=tokens["county"])
    every_type = sorted(t["type"] for t in listed.json())
    assert set(every_type) == LIFECYCLE | CONTENT

    secret = new_secret()
    receivers = {name: RecordingReceiver([secret]) for name in [*tokens, "stranger"]}
    flaky = Scripted(receivers["lead"].app, script=[500, 500, 500])
    gone = Scripted(receivers["school"].app, always=410)
    apps = {name: r.app for name, r in receivers.items()} | {"lead": flaky, "school": gone}
    async with contextlib.AsyncExitStack() as stack:
        urls = {name: await stack.enter_async_context(serving(app)) for name, app in apps.items()}
        ids = {
            name: await subscribe(kit, tokens[name], urls[name] + "/", secret, every_type)
            for name in tokens
        }
        stranger_ids = [
            await subscribe(kit, token, urls["stranger"] + "/", secret, every_type)
            for token in strangers
        ]

        review_a = uuid.uuid4()
        first_day = date.today() + timedelta(days=40)
        soon = first_day - timedelta(days=35)  # the kit's self-review is due 28 days before
        reminder = [("self_review_due", 5, soon)]
        planned = plan(review_a, first_day=first_day, reminders=reminder)
        await kit.plan(planned)
        assert await sweep_due_soon(kit.db, today=soon) == 1
        late = planned.milestones.self_review_due + timedelta(days=1)
        assert await sweep_overdue(kit.db, today=late) == 1
        await walk_to(kit, review_a, "closed")
        await reschedule_and_cancel(kit)

        stream = [event for _, event in await review_events(nats_server, 22)]
        assert kinds(stream) == EXPECTED_ON_THE_STREAM
        lifecycle = {e["id"] for e in stream if e["type"] in LIFECYCLE}
        everything = {e["id"] for e in stream}
        expected = {
            "county": everything,  # named to the LA: the content too
            "trust": lifecycle,  # not named to the trust: where the review is, not what it found
            "lead": everything,
            "reviewer": everything,  # on both teams
        }

        async def all_arrived() -> bool:
            return all(set(receivers[n].ids()) == ids_ for n, ids_ in expected.items())

        await eventually(all_arrived, within=60)

        # Verified by the standardwebhooks library, each once, the body the stream's event.
        by_id = {e["id"]: e for e in stream}
        for name in expected:
            receiver = receivers[name]
            assert receiver.receiver.rejected == 0
            assert sorted(receiver.ids()) == sorted(set(receiver.ids()))
            for got in receiver.received:
                assert got.event["id"] == got.message_id
                assert got.event["data"] == by_id[got.message_id]["data"]
        county_kinds = kinds(receivers["county"].events())
        assert county_kinds["review.planned"] == 2  # from the SCHEDULING stream
        assert county_kinds["review.transitioned"] == 11  # from the REVIEWS stream
        assert not {short(t) for t in CONTENT} & set(kinds(receivers["trust"].events()))

        # The receiver that failed three times got each event once it recovered. A receiver
        # has its request before the dispatcher commits the outcome: wait for the log to say so.
        lead_log: list[dict[str, Any]] = []

        async def all_recorded() -> bool:
            nonlocal lead_log
            lead_log = await _deliveries(kit, tokens["lead"], ids["lead"])
            return len(lead_log) == len(everything) and all(
                d["status"] == "delivered" for d in lead_log
            )

        await eventually(all_recorded, within=60)
        for delivery in lead_log:
            codes = await _attempt_codes(kit, tokens["lead"], ids["lead"], delivery["id"])
            assert codes == [500, 500, 500, 204]

        # 410: one request, the subscription disabled, nothing more tried.
        school = await kit.client.get(
            f"/v1/webhooks/subscriptions/{ids['school']}", headers=tokens["school"]
        )
        assert school.json()["status"] == "disabled"
        assert "410" in school.json()["disabled_reason"]
        assert gone.requests == 1
        school_log = await _deliveries(kit, tokens["school"], ids["school"])
        assert {d["status"] for d in school_log} == {"failed"}
        assert len(school_log) < len(everything)  # none made once it was disabled

        # Strangers: no delivery made, no request received.
        for token, sid in zip(strangers, stranger_ids, strict=True):
            assert await _deliveries(kit, token, sid) == []
        assert receivers["stranger"].received == []

        # The school withdraws its consent to being named to the LA (the partnership's version
        # still names it): a replayed report is withheld at once (checked again before the
        # attempt), a replayed lifecycle event still goes.
        await kit.school_terms(URN, partnership="named", la="aggregated", trust="aggregated", v=2)
        county_log = {
            short(d["event_type"]): d
            for d in await _deliveries(kit, tokens["county"], ids["county"])
        }
        base = f"/v1/webhooks/subscriptions/{ids['county']}/deliveries"
        for name in ("report.published", "review.closed"):
            replayed = await kit.client.post(
                f"{base}/{county_log[name]['id']}/replay", headers=tokens["county"]
            )
            assert replayed.status_code == 202, replayed.text

        after: dict[str, dict[str, Any]] = {}

        async def settled() -> bool:
            log = await _deliveries(kit, tokens["county"], ids["county"])
            after.update({short(d["event_type"]): d for d in log})
            return all(
                after[n]["status"] != "pending" for n in ("report.published", "review.closed")
            )

        await eventually(settled)
        assert after["report.published"]["status"] == "failed"
        assert after["report.published"]["last_error"].startswith("withheld")
        report_id = after["report.published"]["id"]
        assert await _attempt_codes(kit, tokens["county"], ids["county"], report_id) == [204, None]
        assert after["review.closed"]["status"] == "delivered"
        repeats = [r.message_id for r in receivers["county"].received if r.duplicate]
        assert repeats == [county_log["review.closed"]["message_id"]]
