"""The weekly digest of a partnership for its lead: this week's and next week's milestones
still to reach, the overdue ones, the reviews held; for its lead only (another partnership's
lead, its LA, a head: 404), and a week the calendar lacks is a 422 problem."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.reviews.kit import HEAD, LA, OTHER_URN, PARTNERSHIP, RW, URN, Kit, plan, transition
from tests.support import assert_problem

PATH = f"/v1/digests/partnerships/{PARTNERSHIP}"
# Week 6 of 2027: Monday 8 to Sunday 14 February.
MONDAY = date(2027, 2, 8)


async def test_a_leads_week(kit: Kit) -> None:
    await kit.partnership()
    await kit.school(URN)
    # A: reviewed on Wed 10 Feb: its pre-review meeting (31 Jan) is overdue, its report is due
    # on Sat 20 Feb (next week). B: reviewed on Wed 17 Mar, its self-review due Wed 17 Feb
    # (next week) but already shared. C: reviewed Thu 11 Mar; self-review due Thu 11 Feb.
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(a, first_day=MONDAY + timedelta(days=2)))
    await kit.plan(plan(b, urn=OTHER_URN, first_day=date(2027, 3, 17)))
    await kit.plan(plan(c, urn=115002, first_day=date(2027, 3, 11)))
    head = kit.token(*RW, person=HEAD, schools=[str(OTHER_URN)])
    for to in ("self_review", "pre_review"):
        assert (await transition(kit.client, b, to, head, head)).status_code == 200

    lead = kit.token("reviews:read", partnerships=[str(PARTNERSHIP)])
    response = await kit.client.get(PATH, params={"week": "2027-W06"}, headers=lead)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["partnership_name"] == "Chelmer Valley Partnership"
    assert (body["week"], body["starts_on"], body["ends_on"]) == (
        "2027-W06",
        "2027-02-08",
        "2027-02-14",
    )

    def due(key: str) -> list[tuple[str, str, str]]:
        return [(m["review_id"], m["milestone"], m["due_date"]) for m in body[key]]

    assert due("due_this_week") == [(str(c), "self_review_due", "2027-02-11")]
    assert due("due_next_week") == [(str(a), "report_due", "2027-02-20")]  # not B's: shared
    assert due("overdue") == [
        (str(a), "self_review_due", "2027-01-13"),
        (str(a), "pre_review_meeting", "2027-01-31"),
    ]
    assert body["overdue"][0]["school_name"] == f"School {URN}"
    assert body["overdue"][0]["state"] == "planned"
    assert body["overdue"][0]["expected_state"] == "pre_review"
    assert [(r["review_id"], r["days"]) for r in body["reviews_this_week"]] == [
        (str(a), ["2027-02-10"])
    ]
    assert body["reviews_next_week"] == []
    # The week after: C's and A's are overdue now (as the reviews stand today).
    later = await kit.client.get(PATH, params={"week": "2027-W07"}, headers=lead)
    assert {m["milestone"] for m in later.json()["overdue"]} == {
        "self_review_due",
        "pre_review_meeting",
    }
    assert [m["review_id"] for m in later.json()["due_this_week"]] == [str(a)]
    # This week by default.
    today = await kit.client.get(PATH, headers=lead)
    assert today.status_code == 200
    assert date.fromisoformat(today.json()["starts_on"]).weekday() == 0


async def test_only_the_lead_reads_it(kit: Kit) -> None:
    await kit.partnership()
    await kit.plan(plan(uuid.uuid4(), first_day=MONDAY))
    strangers = [
        kit.token("reviews:read", partnerships=[str(uuid.uuid4())]),  # another partnership
        kit.token("reviews:read", la=[LA]),
        kit.token(*RW, person=HEAD, schools=[str(URN)]),
    ]
    for stranger in strangers:
        assert_problem(await kit.client.get(PATH, headers=stranger), 404)
    lead = kit.token("reviews:read", partnerships=[str(PARTNERSHIP)])
    unknown = f"/v1/digests/partnerships/{uuid.uuid4()}"
    assert_problem(await kit.client.get(unknown, headers=kit.token("reviews:read")), 404)
    assert_problem(await kit.client.get(PATH), 401)
    assert_problem(
        await kit.client.get(
            PATH, headers=kit.token("reviews:write", partnerships=[str(PARTNERSHIP)])
        ),
        403,
    )
    for week in ("2027-W54", "2026-W53", "2027-6", "x"):  # 2026 has 53 weeks, 2027 not 54
        response = await kit.client.get(PATH, params={"week": week}, headers=lead)
        if week == "2026-W53":
            assert response.status_code == 200
        else:
            assert_problem(response, 422)
    assert_problem(await kit.client.get(PATH, params={"week": "2027-W53"}, headers=lead), 422)
