"""Who reads a review: the school, its team and IC, the partnership lead, and its LA or trust only
where the data-sharing agreement names the school to them. Lists, filters and the history
follow the same rule."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from tests.reviews.kit import (
    HEAD,
    IC,
    LA,
    LEAD,
    OTHER_URN,
    PARTNERSHIP,
    REVIEWER,
    RW,
    TRUST,
    URN,
    Kit,
    plan,
)
from tests.support import assert_problem


async def _status(kit: Kit, review_id: uuid.UUID, headers: dict[str, str]) -> int:
    got = await kit.client.get(f"/v1/reviews/{review_id}", headers=headers)
    history = await kit.client.get(f"/v1/reviews/{review_id}/history", headers=headers)
    assert got.status_code == history.status_code
    if got.status_code == 404:
        assert_problem(got, 404)
        assert_problem(history, 404)
    return got.status_code


async def _ids(kit: Kit, headers: dict[str, str], query: str = "") -> set[str]:
    response = await kit.client.get(f"/v1/reviews{query}", headers=headers)
    assert response.status_code == 200, response.text
    return {r["id"] for r in response.json()["data"]}


async def test_schools_see_their_own_reviews_only(kit: Kit) -> None:
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(mine, urn=URN))
    await kit.plan(plan(theirs, urn=OTHER_URN, team=[(uuid.uuid4(), "lead_reviewer")], ic=None))
    head_a = kit.token(*RW, person=HEAD, schools=[str(URN)])
    assert await _status(kit, mine, head_a) == 200
    assert await _status(kit, theirs, head_a) == 404
    assert await _ids(kit, head_a) == {str(mine)}
    # Without a person id, a token of the school still reads its own review.
    assert await _status(kit, mine, kit.token("reviews:read", schools=[str(URN)])) == 200


async def test_a_reviewer_reads_only_the_reviews_they_are_on(kit: Kit) -> None:
    on, off = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(on, urn=URN))
    await kit.plan(plan(off, urn=OTHER_URN, team=[(uuid.uuid4(), "lead_reviewer")], ic=None))
    for person in (REVIEWER, LEAD, IC):
        token = kit.token(*RW, person=person)
        assert await _status(kit, on, token) == 200
        assert await _status(kit, off, token) == 404
        assert await _ids(kit, token) == {str(on)}
    # Taken off the team, the reviewer no longer sees it.
    await kit.plan(plan(on, version=2, team=[(LEAD, "lead_reviewer")]), "team_changed")
    assert await _status(kit, on, kit.token(*RW, person=REVIEWER)) == 404


async def test_la_and_trust_read_only_when_the_agreement_names_the_school(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id))
    await kit.school(URN, trust=TRUST)
    la = kit.token("reviews:read", la=[LA])
    trust = kit.token("reviews:read", trusts=[TRUST])
    other_la = kit.token("reviews:read", la=["882"])
    # No agreement known yet, then the default (aggregated): neither sees the record.
    assert await _status(kit, review_id, la) == 404
    await kit.agreement(la="aggregated", trust="aggregated", v=1)
    assert await _status(kit, review_id, la) == 404
    assert await _status(kit, review_id, trust) == 404
    assert await _ids(kit, la) == set()
    # An agreement that names the school to them.
    await kit.agreement(la="named", trust="named", v=2)
    assert await _status(kit, review_id, la) == 200
    assert await _status(kit, review_id, trust) == 200
    assert await _status(kit, review_id, other_la) == 404
    assert await _ids(kit, la) == {str(review_id)}
    # Withdrawn again.
    await kit.agreement(la="none", trust="aggregated", v=3)
    assert await _status(kit, review_id, la) == 404
    assert await _status(kit, review_id, trust) == 404


async def test_a_proposal_discloses_nothing_until_the_school_consents(kit: Kit) -> None:
    """Issue 14: the LA (or a lead, or a trust) proposing `named` reads no more reports; one
    school's consent discloses that school's alone; its withdrawal hides them again at once."""
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(mine, urn=URN))
    await kit.plan(plan(theirs, urn=OTHER_URN))
    await kit.school(URN, trust=TRUST)
    await kit.school(OTHER_URN, trust=TRUST)
    la = kit.token("reviews:read", la=[LA])
    trust = kit.token("reviews:read", trusts=[TRUST])
    await kit.agreement(la="aggregated", trust="aggregated", v=1)
    # Proposed: named to the LA and the trust. Nobody has consented yet.
    await kit.agreement(la="named", trust="named", v=2, consented=())
    for token in (la, trust):
        assert await _status(kit, mine, token) == 404
        assert await _status(kit, theirs, token) == 404
        assert await _ids(kit, token) == set()
    # URN's head consents: URN's reviews only.
    await kit.school_terms(URN, la="named", trust="named", v=3)
    for token in (la, trust):
        assert await _status(kit, mine, token) == 200
        assert await _status(kit, theirs, token) == 404
        assert await _ids(kit, token) == {str(mine)}
    # Withdrawn: at once.
    await kit.school_terms(URN, la="aggregated", trust="aggregated", v=4)
    for token in (la, trust):
        assert await _status(kit, mine, token) == 404
        assert await _ids(kit, token) == set()
    # A narrower current version binds a school that had consented to more.
    await kit.school_terms(URN, la="named", trust="named", v=5)
    await kit.agreement(la="aggregated", trust="named", v=6, consented=())
    assert await _status(kit, mine, la) == 404
    assert await _status(kit, mine, trust) == 200


async def test_the_partnership_lead_sees_the_partnership_and_filters_work(kit: Kit) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    await kit.plan(plan(first, urn=URN))
    await kit.plan(plan(second, urn=OTHER_URN))
    lead = kit.admin
    assert await _ids(kit, lead) == {str(first), str(second)}
    assert await _ids(kit, lead, f"?urn={URN}") == {str(first)}
    assert await _ids(kit, lead, f"?partnership={PARTNERSHIP}") == {str(first), str(second)}
    assert await _ids(kit, lead, f"?partnership={uuid.uuid4()}") == set()
    assert await _ids(kit, lead, "?academic_year=2026-27") == {str(first), str(second)}
    assert await _ids(kit, lead, "?academic_year=2027-28") == set()
    head = kit.token(*RW, person=HEAD, schools=[str(URN)])
    assert (await kit.move(first, "self_review", head)).status_code == 200
    assert await _ids(kit, lead, "?state=self_review") == {str(first)}
    assert await _ids(kit, lead, "?state=planned") == {str(second)}
    page = await kit.client.get("/v1/reviews?limit=1", headers=lead)
    cursor = page.json()["next_cursor"]
    assert cursor
    rest = await kit.client.get(f"/v1/reviews?limit=1&cursor={cursor}", headers=lead)
    seen = {page.json()["data"][0]["id"], rest.json()["data"][0]["id"]}
    assert seen == {str(first), str(second)}
    since = rest.json()["data"][0]["updated_at"]
    later = await kit.client.get("/v1/reviews", params={"updated_since": since}, headers=lead)
    assert {r["id"] for r in later.json()["data"]} == {rest.json()["data"][0]["id"]}
    other_partnership = kit.token(*RW, partnerships=[str(uuid.uuid4())])
    assert await _ids(kit, other_partnership) == set()
    assert await _status(kit, first, other_partnership) == 404


async def test_overdue_means_a_milestone_passed_before_its_stage(kit: Kit) -> None:
    past, future = uuid.uuid4(), uuid.uuid4()
    # Its self-review was due weeks ago and it is still planned.
    await kit.plan(plan(past, first_day=date.today() - timedelta(days=7)))
    await kit.plan(plan(future, urn=OTHER_URN, first_day=date.today() + timedelta(days=90)))
    lead = kit.admin
    assert await _ids(kit, lead, "?overdue=true") == {str(past)}
    assert await _ids(kit, lead, "?overdue=false") == {str(future)}
    body = (await kit.get(past)).json()
    assert body["overdue_milestones"] == ["self_review_due", "pre_review_meeting"]
    # Postponing it: a postponed review is not late.
    assert (await kit.move(past, "postponed", lead)).status_code == 200
    assert await _ids(kit, lead, "?overdue=true") == set()


async def test_bad_queries_are_problems(kit: Kit) -> None:
    lead = kit.admin
    for query in (
        "?state=nowhere",
        "?urn=12",
        "?academic_year=2026",
        "?overdue=perhaps",
        "?updated_since=2026-01-01T00:00:00",
        "?cursor=not-a-cursor",
        "?limit=0",
    ):
        assert_problem(await kit.client.get(f"/v1/reviews{query}", headers=lead), 422)
    assert_problem(await kit.client.get("/v1/reviews/not-a-uuid", headers=lead), 422)
