"""Issue 14: nobody widens their own access alone, across the three services.

An LA token, the partnership's lead and a member school's trust each propose a wider data-sharing
agreement in scheduling; none of them reads one more review in reviews, and knowledge counts no
school's reviews more widely, until a school's head consents; that consent widens that school's
disclosure only; its withdrawal narrows it again at once, in both services."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from common.testing.apps import eventually
from knowledge.intake.directory.models import DirectoryAgreement as KnowledgeAgreement
from knowledge.intake.review.models import IngestedReview
from reviews.directory.models import DirectoryAgreement as ReviewsAgreement
from tests.e2e.conftest import System
from tests.reviews.kit import transition
from tests.scheduling.kit import Built, build_partnership, finished_job
from tests.support import TokenFactory, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")
RW = ("reviews:read", "reviews:write")
TRUST = "4700"
URNS = [154001, 154002, 154003]
HIDDEN = {
    "partnership_visibility": "named",
    "trust_visibility": "none",
    "local_authority_visibility": "none",
    "suppression_threshold": 5,
    "named_for_support": False,
}
WIDE = {**HIDDEN, "trust_visibility": "named", "local_authority_visibility": "named"}


async def _published(system: System, council: dict[str, str]) -> tuple[Built, dict[int, str]]:
    built = await build_partnership(
        system.scheduling, council, urns=URNS, name="Consenting", trust_uid=TRUST
    )
    started = await system.scheduling.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={}, headers=council
    )
    assert started.status_code == 202, started.text
    job = await finished_job(system.scheduling, started.headers["location"], council)
    assert job["status"] == "succeeded", job
    published = await system.scheduling.post(
        f"/v1/cycles/{built.cycle_id}/schedule/publish", headers=council
    )
    assert published.status_code == 201, published.text
    return built, {r["urn"]: r["id"] for r in published.json()["reviews"]}


async def _propose(
    system: System, pid: str, headers: dict[str, str], body: dict[str, Any]
) -> httpx.Response:
    path = f"/v1/partnerships/{pid}/agreement"
    current = await system.scheduling.get(path, headers=headers)
    return await system.scheduling.put(
        path, json=body, headers={**headers, "If-Match": current.headers["etag"]}
    )


async def _counted_la(system: System, pid: str) -> dict[int, bool]:
    """Per school, whether knowledge counts its reviews in the LA's (and national) figures."""
    async with system.knowledge_db.session() as session:
        rows = await session.scalars(
            select(IngestedReview).where(IngestedReview.partnership_id == uuid.UUID(pid))
        )
        return {row.urn: row.counted_la for row in rows}


async def _readable(system: System, headers: dict[str, str], reviews: dict[int, str]) -> set[int]:
    found = set()
    for urn, review_id in reviews.items():
        answer = await system.reviews.get(f"/v1/reviews/{review_id}", headers=headers)
        assert answer.status_code in (200, 404), answer.text
        if answer.status_code == 200:
            found.add(urn)
    return found


async def test_proposals_widen_nothing_until_each_school_consents(
    system: System, issue_token: TokenFactory
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    built, reviews = await _published(system, council)
    pid = built.partnership_id
    a, b = URNS[0], URNS[1]  # a is in the trust
    la_reader = bearer(issue_token("reviews:read", la=["881"]))
    trust_reader = bearer(issue_token("reviews:read", trusts=[TRUST]))

    lead_reader = bearer(issue_token("reviews:read", partnerships=[pid]))

    async def arrived() -> bool:
        return await _readable(system, lead_reader, reviews) == set(URNS)

    await eventually(arrived, within=60)
    # Each head starts its self-review: the move reaches knowledge, which then holds the review.
    for urn, review_id in reviews.items():
        head = bearer(issue_token(*RW, person_id=built.staff[urn].head, schools=[str(urn)]))
        moved = await transition(system.reviews, review_id, "self_review", head, head)
        assert moved.status_code == 200, moved.text

    async def ingested() -> bool:
        return set(await _counted_la(system, pid)) == set(URNS)

    await eventually(ingested, within=60)
    # The default: the LA counts every school in aggregate and reads no review.
    assert set((await _counted_la(system, pid)).values()) == {True}
    assert await _readable(system, la_reader, reviews) == set()

    # A narrowing binds everyone at once: out of the LA's figures.
    assert (await _propose(system, pid, council, HIDDEN)).status_code == 200

    async def hidden() -> bool:
        return set((await _counted_la(system, pid)).values()) == {False}

    await eventually(hidden, within=30)

    # The LA, the lead and the trust each propose to be named: 202, and nothing more to see.
    lead = bearer(issue_token("directory:read", "directory:write", partnerships=[pid]))
    trust = bearer(issue_token("directory:read", "directory:write", trusts=[TRUST]))
    for proposer in (council, lead, trust):
        proposed = await _propose(system, pid, proposer, WIDE)
        assert proposed.status_code in (200, 202), proposed.text
    current = await system.scheduling.get(f"/v1/partnerships/{pid}/agreement", headers=council)
    version = current.json()["version"]
    assert current.json()["local_authority_visibility"] == "named"

    async def proposals_arrived() -> bool:
        found = []
        for db, model in (
            (system.reviews_db, ReviewsAgreement),
            (system.knowledge_db, KnowledgeAgreement),
        ):
            async with db.session() as session:
                row = await session.get(model, uuid.UUID(pid))
                found.append(row is not None and row.source_version == version)
        return all(found)

    # Once both read models hold the last proposal, nothing of it may have widened anything.
    await eventually(proposals_arrived, within=30)
    head_a = bearer(
        issue_token(
            "directory:read",
            "directory:write",
            schools=[str(a)],
            person_id=built.staff[a].head,
        )
    )
    assert await _readable(system, la_reader, reviews) == set()
    assert await _readable(system, trust_reader, reviews) == set()
    assert set((await _counted_la(system, pid)).values()) == {False}

    # A's head consents: A's reviews, and only A's, to the LA and the trust.
    consent = {"urn": a, "version": version, "decision": "consented"}
    decided = await system.scheduling.post(
        f"/v1/partnerships/{pid}/agreement/consents", json=consent, headers=head_a
    )
    assert decided.status_code == 201, decided.text

    async def a_disclosed() -> bool:
        return await _readable(system, la_reader, reviews) == {a} and await _counted_la(
            system, pid
        ) == {a: True, b: False, URNS[2]: False}

    await eventually(a_disclosed, within=30)
    assert await _readable(system, trust_reader, reviews) == {a}

    # A withdraws: back at once to what bound it before (out of the LA's figures, unnamed).
    withdrawal = {"urn": a, "decision": "withdrawn"}
    withdrawn = await system.scheduling.post(
        f"/v1/partnerships/{pid}/agreement/consents", json=withdrawal, headers=head_a
    )
    assert withdrawn.status_code == 201, withdrawn.text

    async def a_hidden() -> bool:
        return await _readable(system, la_reader, reviews) == set() and set(
            (await _counted_la(system, pid)).values()
        ) == {False}

    await eventually(a_hidden, within=30)
    assert await _readable(system, trust_reader, reviews) == set()
