"""Ingest from the REVIEWS stream through the real consumer: rollups by theme (ancestors
included) and scope, replaced by a later report version, untouched by an older one or a
duplicate; text kept only while the agreement names schools; a stricter agreement removes the
text and the review from the scopes it no longer allows; an emerging theme emitted once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from contracts import reviews
from knowledge.intake.review.models import IngestedReview
from knowledge.intake.rollup.models import InsightCell
from knowledge.intake.search.models import SearchDocument
from tests.knowledge.kit import LA, YEAR, Kit, Review, finding, knowledge_events, stream_size, uid

P = uid(1, "0aaa")
TRUST = "4001"
TRUST_NAME = "Chelmer Learning Trust"
URNS = [100001 + i for i in range(10)]


def _themes(body: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(t["code"], t["kind"]): t for t in body["themes"]}


async def _setup(kit: Kit) -> list[Review]:
    events = [await kit.partnership(P), await kit.agreement(P)]
    for i, urn in enumerate(URNS):
        events.append(
            await kit.school(
                urn,
                trust=TRUST if i < 5 else None,
                trust_name=TRUST_NAME if i < 5 else None,
                at=(570000 + i, 210000),
            )
        )
        events.append(await kit.member(P, urn))
    await kit.applied(*events)
    return [Review(uid(100 + i, "0bbb"), P, urn) for i, urn in enumerate(URNS)]


async def _count(kit: Kit, model: Any, *where: Any) -> int:
    async with kit.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def test_reports_roll_up_by_theme_and_scope_and_follow_the_agreement(
    kit: Kit, nats_server: Any
) -> None:
    schools = await _setup(kit)
    sent = []
    for i, review in enumerate(schools):
        findings = (
            [
                finding(
                    "area_for_development", "curriculum.reading.phonics", text=f"Phonics gaps {i}"
                )
            ]
            if i < 5
            else [finding("strength", "maths.number", text="Fluent number work")]
        )
        sent.append(await kit.report(review, findings, text_shared=True))
    await kit.applied(*sent)

    lead = kit.token(partnerships=[str(P)])
    named = await kit.get("/v1/insights/themes", lead, scope="partnership", id=str(P), year=YEAR)
    assert named.status_code == 200, named.text
    body = named.json()
    assert body["view"] == "named"
    assert body["reviewed_schools"] == {"value": 10, "suppressed": False, "suppressed_reason": None}
    rows = _themes(body)
    for code in ("curriculum", "curriculum.reading", "curriculum.reading.phonics"):
        assert rows[(code, "area_for_development")]["schools"] == 5
        assert rows[(code, "area_for_development")]["urns"] == URNS[:5]
    assert rows[("maths", "strength")]["share"] == 0.5
    assert await _count(kit, SearchDocument) == 10

    council = kit.token(la=[LA])
    la = await kit.get("/v1/insights/themes", council, scope="la", id=LA, year=YEAR)
    assert la.status_code == 200, la.text
    la_rows = _themes(la.json())
    assert la.json()["view"] == "aggregated"
    assert la.json()["scope"] == {"kind": "la", "id": LA, "name": "Essex"}
    assert la.json()["threshold"] == 5
    assert la_rows[("curriculum", "area_for_development")]["schools"] == 5
    assert la_rows[("curriculum", "area_for_development")]["urns"] is None
    trust = await kit.get(
        "/v1/insights/themes", kit.token(trusts=[TRUST]), scope="trust", id=TRUST, year=YEAR
    )
    assert (
        _themes(trust.json())[("curriculum.reading.phonics", "area_for_development")]["schools"]
        == 5
    )
    assert trust.json()["scope"] == {"kind": "trust", "id": TRUST, "name": TRUST_NAME}

    # Five of ten raised phonics (and so curriculum and curriculum.reading): emerging, once.
    emerged = await knowledge_events(nats_server, 4)  # the seeded taxonomy, then three themes
    emerging = sorted(d["data"]["theme_code"] for s, d in emerged if ".theme.emerging." in s)
    assert emerging == ["curriculum", "curriculum.reading", "curriculum.reading.phonics"]
    assert all(s.endswith(f"._.{P}._") for s, _ in emerged[1:])
    assert emerged[1][1]["data"]["reviews_raising"] == 5

    # A later version replaces the earlier one; the earlier one sent again changes nothing,
    # and so does the same event delivered twice.
    fifth = schools[4]
    v2 = await kit.report(fifth, [finding("strength", "maths.reasoning")], version=2)
    old = await kit.report(fifth, [finding("area_for_development", "send")], version=1)
    await kit.applied(v2, old)
    again = await kit.review_event(
        reviews.REPORT_PUBLISHED, fifth.report([finding("strength", "maths.reasoning")], version=2)
    )
    await kit.applied(again)
    rows = _themes(
        (
            await kit.get("/v1/insights/themes", lead, scope="partnership", id=str(P), year=YEAR)
        ).json()
    )
    assert rows[("curriculum.reading.phonics", "area_for_development")]["schools"] == 4
    assert ("send", "area_for_development") not in rows
    assert rows[("maths", "strength")]["schools"] == 6
    la_answer = (await kit.get("/v1/insights/themes", council, scope="la", id=LA, year=YEAR)).json()
    la_rows = _themes(la_answer)
    curriculum = dict(la_rows[("curriculum", "area_for_development")])
    source = la_answer["threshold_source"]  # the agreement of the one partnership counted
    assert (source["kind"], [p["id"] for p in source["partnerships"]]) == ("agreement", [str(P)])
    assert curriculum.pop("label") == "Curriculum"
    assert curriculum.pop("suppressed_reason") == "fewer_than_threshold"
    assert curriculum == {
        "code": "curriculum", "kind": "area_for_development", "schools": None, "share": None,
        "suppressed": True, "findings": None, "triangulated": None, "urns": None,
    }  # fmt: skip
    # Names beside codes name the scope only: no school's name or URN, hidden or not.
    assert la_answer["scope"]["name"] == "Essex"
    assert not any(f"{urn}" in json.dumps(la_answer) for urn in URNS)
    trust_answer = await kit.get(
        "/v1/insights/themes", kit.token(trusts=[TRUST]), scope="trust", id=TRUST, year=YEAR
    )
    assert trust_answer.json()["scope"]["name"] == TRUST_NAME
    assert not any(f"{urn}" in trust_answer.text for urn in URNS)
    csv = await kit.get("/v1/insights/process", council, scope="la", id=LA, year=YEAR, format="csv")
    assert csv.status_code == 200, csv.text
    assert f"la,{LA},Essex,{YEAR}," in csv.text
    assert await _count(kit, SearchDocument) == 9  # v2 shared no text

    # The agreement stops naming schools and stops sharing with the LA: text is deleted, the
    # lead sees aggregates only, the council sees nothing of the partnership any more.
    await kit.applied(await kit.agreement(P, partnership="aggregated", la_visibility="none"))
    assert await _count(kit, SearchDocument) == 0
    lead_view = await kit.get(
        "/v1/insights/themes", lead, scope="partnership", id=str(P), year=YEAR
    )
    assert lead_view.json()["view"] == "aggregated"
    assert await _count(kit, InsightCell, InsightCell.scope_kind.in_(["la", "all"])) == 0
    la_after = await kit.get("/v1/insights/themes", council, scope="la", id=LA, year=YEAR)
    assert la_after.json()["reviewed_schools"] == {
        "value": 0,
        "suppressed": False,
        "suppressed_reason": None,
    }
    assert la_after.json()["themes"] == []
    hidden = await kit.get(
        "/v1/insights/themes", council, scope="partnership", id=str(P), year=YEAR
    )
    assert hidden.status_code == 404
    # Sharing again brings the counts back (the shapes were kept; the words were not).
    await kit.applied(await kit.agreement(P, partnership="named", la_visibility="aggregated"))
    back = (await kit.get("/v1/insights/themes", council, scope="la", id=LA, year=YEAR)).json()
    assert back["reviewed_schools"] == {"value": 10, "suppressed": False, "suppressed_reason": None}
    # 6 of 10 raised maths: the 4 that did not would be singled out, so it is hidden.
    assert _themes(back)[("maths", "strength")]["suppressed"] is True
    assert await _count(kit, SearchDocument) == 0
    assert await stream_size(nats_server) == 4


async def test_plans_ninety_day_reviews_and_the_lifecycle(kit: Kit) -> None:
    """Action plans and 90-day reviews roll up as outcomes per action kind and theme (a later
    90-day review replaces an earlier one, an older one is ignored); the lifecycle and the
    close are kept by version."""
    schools = await _setup(kit)
    sent = [await kit.report(r, [finding("area_for_development", "maths.number")]) for r in schools]
    for i, review in enumerate(schools[:6]):
        action = {
            "action_id": uid(500 + i),
            "kind": "coaching_mentoring",
            "theme_codes": ["maths.number"],
        }
        sent.append(await kit.review_event(reviews.ACTION_PLAN_AGREED, review.plan([action])))
        rating = {**action, "rating": "on_track" if i < 5 else "off_track"}
        sent.append(await kit.review_event(reviews.PROGRESS_REVIEWED, review.progress([rating])))
    await kit.applied(*sent)
    lead = kit.token(partnerships=[str(P)])
    outcomes = await kit.get(
        "/v1/insights/outcomes", lead, scope="partnership", id=str(P), year=YEAR
    )
    assert outcomes.status_code == 200, outcomes.text
    (coaching,) = outcomes.json()["data"]
    assert coaching["key"] == "coaching_mentoring"
    assert coaching["rated"] == {"value": 6, "suppressed": False, "suppressed_reason": None}
    assert coaching["actions"] == {"on_track": 5, "at_risk": 0, "off_track": 1, "done": 0}
    by_theme = await kit.get(
        "/v1/insights/outcomes", lead, scope="partnership", id=str(P), year=YEAR, by="theme"
    )
    assert {row["key"] for row in by_theme.json()["data"]} == {"maths", "maths.number"}
    council = await kit.get(
        "/v1/insights/outcomes", kit.token(la=[LA]), scope="la", id=LA, year=YEAR
    )
    (seen,) = council.json()["data"]
    assert seen["rated"] == {
        "value": 6,
        "suppressed": False,
        "suppressed_reason": None,
    }  # all 6 with a 90-day review
    # 1 off track is too few, and 5 on track leaves that 1 apart: both hidden.
    assert seen["ratings"]["off_track"]["suppressed"]
    assert seen["ratings"]["on_track"]["suppressed"]

    sixth = schools[5]
    later = sixth.progress(
        [
            {
                "action_id": uid(505),
                "kind": "coaching_mentoring",
                "theme_codes": ["maths.number"],
                "rating": "done",
            }
        ],
        on_time=False,
    )
    earlier = later.model_copy(
        update={"reviewed_on": later.reviewed_on.replace(year=2026), "ratings": later.ratings}
    )
    await kit.applied(await kit.review_event(reviews.PROGRESS_REVIEWED, later))
    await kit.applied(await kit.review_event(reviews.PROGRESS_REVIEWED, earlier))
    outcomes = await kit.get(
        "/v1/insights/outcomes", lead, scope="partnership", id=str(P), year=YEAR
    )
    assert outcomes.json()["data"][0]["actions"] == {
        "on_track": 5,
        "at_risk": 0,
        "off_track": 0,
        "done": 1,
    }
    measures = await kit.get(
        "/v1/insights/process", lead, scope="partnership", id=str(P), year=YEAR
    )
    assert measures.json()["data"][0]["on_time_share"] == round(5 / 6, 4)

    ref = sixth.ref()
    moved = reviews.ReviewTransitionedPayload.model_validate(
        {
            **ref,
            "from_state": "progress_review",
            "to_state": "closed",
            "by_person_id": None,
            "version": 9,
            "occurred_at": datetime.now(UTC),
        }
    )
    stale = moved.model_copy(update={"to_state": reviews.ReviewState.WORKSHOP, "version": 5})
    closed = reviews.ReviewClosedPayload.model_validate(
        {**ref, "version": 9, "closed_at": datetime.now(UTC)}
    )
    for payload in (moved, stale):
        await kit.applied(await kit.review_event(reviews.REVIEW_TRANSITIONED, payload))
    await kit.applied(await kit.review_event(reviews.REVIEW_CLOSED, closed))
    async with kit.db.session() as session:
        stored = await session.get(IngestedReview, sixth.review_id)
        assert stored is not None
        assert (stored.state, stored.state_version, stored.closed_version) == ("closed", 9, 9)
