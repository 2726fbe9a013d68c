"""``GET /v1/reviews/{id}?include=findings,evidence``: the same as the three separate reads, in
one request; each part keeps its read rule; a stranger gets 404, as for the review alone."""

from __future__ import annotations

import uuid

from tests.reviews.kit import RW, Kit
from tests.reviews.test_findings import day_with_evidence, finding
from tests.reviews.walk import people
from tests.support import assert_problem


async def test_embedded_read_equals_the_separate_reads(kit: Kit) -> None:
    review_id, questions, items = await day_with_evidence(kit)
    who = people(kit)
    url = f"/v1/reviews/{review_id}"
    for body in (
        finding([items["lesson_visit"], items["pupil_voice"]], question_id=questions[0]),
        finding([items["work_scrutiny"]], kind="area_for_development"),
    ):
        created = await kit.client.post(f"{url}/findings", json=body, headers=who["lead"])
        assert created.status_code == 201, created.text

    for reader in ("lead", "head"):
        headers = who[reader]
        review = await kit.client.get(url, headers=headers)
        found = await kit.client.get(f"{url}/findings?limit=200", headers=headers)
        evidence = await kit.client.get(f"{url}/evidence?limit=200", headers=headers)
        embedded = await kit.client.get(
            url, params={"include": "team,findings,evidence"}, headers=headers
        )
        assert embedded.status_code == 200, embedded.text
        assert embedded.headers["etag"] == review.headers["etag"]
        assert embedded.json() == {
            **review.json(),
            "findings": found.json(),
            "evidence": evidence.json(),
        }
        assert len(embedded.json()["findings"]["data"]) == 2
        assert len(embedded.json()["evidence"]["data"]) == 3
        only = await kit.client.get(url, params={"include": "findings"}, headers=headers)
        assert only.json() == {**review.json(), "findings": found.json()}

    # The plain read is unchanged: no parts, not even as nulls.
    plain = (await kit.client.get(url, headers=who["lead"])).json()
    assert "findings" not in plain
    assert "evidence" not in plain

    # A stranger: 404 with or without include, as for the review alone.
    stranger = kit.token(*RW, person=uuid.uuid4())
    for params in ({}, {"include": "findings,evidence"}):
        assert_problem(await kit.client.get(url, params=params, headers=stranger), 404)
    # A part the caller may not read is that part's 403 (the partnership lead reads evidence,
    # not findings); an unknown part is a 422.
    assert (await kit.client.get(url, params={"include": "evidence"}, headers=kit.admin)).is_success
    problem = assert_problem(
        await kit.client.get(url, params={"include": "findings"}, headers=kit.admin), 403
    )
    assert problem["type"].endswith("finding-not-allowed-for-role")
    problem = assert_problem(
        await kit.client.get(url, params={"include": "findings,actions"}, headers=who["lead"]),
        422,
    )
    assert problem["errors"][0]["field"] == "query.include"
