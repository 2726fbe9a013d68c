"""The host school's feedback: given once by the head after the report is published (history
and event in the same transaction), read by the school and the partnership lead only; a
stranger is answered 404."""

from __future__ import annotations

import uuid

from common.testing.nats import NatsServer
from tests.reviews.kit import HEAD, LA, OTHER_URN, PARTNERSHIP, RW, Kit
from tests.reviews.test_report import _drafting
from tests.reviews.walk import ok, people, published_events, walk_to, walker
from tests.support import assert_problem

FEEDBACK = {"preparation": 5, "challenge": 4, "report_usefulness": 3, "comment": "Fair and sharp."}


async def test_host_feedback_once_after_publication(kit: Kit, nats_server: NatsServer) -> None:
    await kit.agreement()
    who = people(kit)
    review_id, _ = await _drafting(kit)
    url = f"/v1/reviews/{review_id}/host-feedback"

    # Before publication: too early, even for the head.
    assert_problem(await kit.client.post(url, json=FEEDBACK, headers=who["head"]), 409)
    await walk_to(kit, review_id, "report_published")

    # Only the head gives it; the team, the IC and the partnership lead may not.
    for other in ("lead", "ic", "partnership_lead"):
        assert_problem(await kit.client.post(url, json=FEEDBACK, headers=who[other]), 403)
    for bad in (
        {**FEEDBACK, "preparation": 6},
        {**FEEDBACK, "challenge": 0},
        {k: v for k, v in FEEDBACK.items() if k != "report_usefulness"},
        {**FEEDBACK, "comment": ""},
        {**FEEDBACK, "extra": 1},
    ):
        assert_problem(await kit.client.post(url, json=bad, headers=who["head"]), 422)
    assert_problem(await kit.client.get(url, headers=who["head"]), 404)

    given = await kit.client.post(url, json=FEEDBACK, headers=who["head"])
    body = ok(given, 201)
    assert given.headers["location"] == url
    assert body["given_by"] == str(HEAD)
    assert {k: body[k] for k in FEEDBACK} == FEEDBACK
    assert_problem(await kit.client.post(url, json=FEEDBACK, headers=who["head"]), 409)

    # Read by the school and the partnership lead; not by the team.
    for reader in ("head", "partnership_lead"):
        assert ok(await kit.client.get(url, headers=who[reader])) == body
    assert_problem(await kit.client.get(url, headers=who["lead"]), 403)

    # A stranger (another school, another partnership) neither reads nor gives it.
    strangers = (
        kit.token(*RW, schools=[str(OTHER_URN)]),
        kit.token(*RW, partnerships=[str(uuid.uuid4())]),
    )
    for stranger in strangers:
        assert_problem(await kit.client.get(url, headers=stranger), 404)
        assert_problem(await kit.client.post(url, json=FEEDBACK, headers=stranger), 404)

    history = await walker(kit).history(review_id)
    [entry] = [h for h in history if h["action"] == "host_feedback_given"]
    assert entry["changes"]["host_feedback.preparation"] == {"from": None, "to": 5}
    assert entry["actor_person_id"] == str(HEAD)

    [(subject, event)] = await published_events(kit, nats_server, "reviews.host_feedback.>")
    assert subject.startswith(f"reviews.host_feedback.given.v1.{LA}.{PARTNERSHIP}.")
    data = event["data"]
    assert (data["preparation"], data["challenge"], data["report_usefulness"]) == (5, 4, 3)
    assert "comment" not in data  # the words stay in the school's review


async def test_host_feedback_later_in_the_cycle(kit: Kit) -> None:
    """Still open in the workshop; the comment may be left out."""
    await kit.agreement()
    review_id, _ = await _drafting(kit)
    await walk_to(kit, review_id, "workshop")
    body = {k: v for k, v in FEEDBACK.items() if k != "comment"}
    url = f"/v1/reviews/{review_id}/host-feedback"
    given = ok(await kit.client.post(url, json=body, headers=people(kit)["head"]), 201)
    assert given["comment"] is None
