"""Sync of a review's sub-collections, as an MIS mirrors them: evidence and findings change, so
they take the compound ``updated_since``/``after_id`` boundary; the history, the challenge notes
and the report's versions only grow, so ``after_id`` alone reads what came after a row."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.reviews.kit import RW, TRUST, URN, Kit
from tests.reviews.test_findings import day_with_evidence, finding
from tests.reviews.test_focus import FOCUS, _review, put_focus
from tests.reviews.walk import people, walk_to
from tests.support import assert_problem


async def _pull(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], since: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every page after ``since``, two rows a page, as a sync client reads it."""
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {**since, "limit": 2}
    for _ in range(50):
        response = await client.get(path, params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += page["data"]
        if page["next_cursor"] is None:
            return rows
        params = {**since, "limit": 2, "cursor": page["next_cursor"]}
    raise AssertionError("too many pages")


def _boundary(row: dict[str, Any], key: str = "id") -> dict[str, Any]:
    return {"updated_since": row["updated_at"], "after_id": row[key]}


async def test_evidence_and_findings_sync_after_the_compound_boundary(kit: Kit) -> None:
    await kit.school(URN, trust=TRUST)
    await kit.agreement(partnership="named", la="named")
    review_id, _, items = await day_with_evidence(kit)
    who = people(kit)
    base = f"/v1/reviews/{review_id}"

    # Evidence: one batch (its items may share one instant); nothing comes twice.
    evidence = await _pull(kit.client, f"{base}/evidence", who["head"], {})
    assert {e["id"] for e in evidence} == set(items.values())
    last = evidence[-1]
    assert await _pull(kit.client, f"{base}/evidence", who["head"], _boundary(last)) == []
    inclusive = {"updated_since": last["updated_at"]}
    assert last["id"] in {
        e["id"] for e in await _pull(kit.client, f"{base}/evidence", who["head"], inclusive)
    }
    first = evidence[0]
    edited = await kit.client.patch(
        f"{base}/evidence/{first['id']}",
        json={"note": "Five pupils named books."},
        headers={**who["reviewer"], "If-Match": f'"{first["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
    changed = await _pull(kit.client, f"{base}/evidence", who["head"], _boundary(last))
    assert [(e["id"], e["note"]) for e in changed] == [(first["id"], "Five pupils named books.")]

    # Findings: listed oldest first; with a boundary, oldest change first.
    for evidence_ids in ([items["lesson_visit"]], [items["pupil_voice"]], [items["work_scrutiny"]]):
        created = await kit.client.post(
            f"{base}/findings", json=finding(evidence_ids), headers=who["lead"]
        )
        assert created.status_code == 201, created.text
    findings = await _pull(kit.client, f"{base}/findings", who["head"], {})
    assert len(findings) == 3
    newest = max(findings, key=lambda f: (f["updated_at"], f["id"]))
    assert await _pull(kit.client, f"{base}/findings", who["head"], _boundary(newest)) == []
    oldest = findings[0]
    patched = await kit.client.patch(
        f"{base}/findings/{oldest['id']}",
        json={"text": "Reading for pleasure is everywhere."},
        headers={**who["lead"], "If-Match": f'"{oldest["version"]}"'},
    )
    assert patched.status_code == 200, patched.text
    changed = await _pull(kit.client, f"{base}/findings", who["head"], _boundary(newest))
    assert [f["id"] for f in changed] == [oldest["id"]]

    # after_id alone is no boundary on a list that changes; a bad id is a 422.
    alone = await kit.client.get(
        f"{base}/findings", params={"after_id": oldest["id"]}, headers=who["head"]
    )
    assert_problem(alone, 422)
    bad = {"updated_since": newest["updated_at"], "after_id": "not-a-uuid"}
    assert_problem(await kit.client.get(f"{base}/evidence", params=bad, headers=who["head"]), 422)


async def test_append_only_lists_follow_after_id(kit: Kit) -> None:
    await kit.school(URN, trust=TRUST)
    await kit.agreement(partnership="named", la="named")
    review_id, _, items = await day_with_evidence(kit)
    who = people(kit)
    base = f"/v1/reviews/{review_id}"
    created = await kit.client.post(
        f"{base}/findings",
        json=finding([items["lesson_visit"], items["pupil_voice"]]),
        headers=who["lead"],
    )
    assert created.status_code == 201, created.text

    # History: every entry after the one held, none twice, however it is paged.
    history = await _pull(kit.client, f"{base}/history", kit.admin, {})
    assert len(history) >= 3
    middle = history[1]
    after = await _pull(kit.client, f"{base}/history", kit.admin, {"after_id": middle["id"]})
    assert after == history[2:]
    last = history[-1]
    assert await _pull(kit.client, f"{base}/history", kit.admin, {"after_id": last["id"]}) == []
    await walk_to(kit, review_id, "report_drafted")
    grown = await _pull(kit.client, f"{base}/history", kit.admin, {"after_id": last["id"]})
    assert grown
    assert all(h["id"] > last["id"] for h in grown)

    # Report versions: by number.
    versions = f"{base}/report/versions"
    for summary in ("First.", "Second.", "Third."):
        made = await kit.client.post(versions, json={"summary": summary}, headers=who["lead"])
        assert made.status_code == 201, made.text
    newer = await _pull(kit.client, versions, who["head"], {"after_id": "1"})
    assert [v["version"] for v in newer] == [2, 3]
    assert await _pull(kit.client, versions, who["head"], {"after_id": "3"}) == []
    assert_problem(
        await kit.client.get(versions, params={"after_id": "9"}, headers=who["head"]), 422
    )

    # Another review's history entry is no boundary of this one.
    other = await _review(kit, "self_review")
    foreign = (await _pull(kit.client, f"/v1/reviews/{other}/history", kit.admin, {}))[-1]
    refused = await kit.client.get(
        f"{base}/history", params={"after_id": foreign["id"]}, headers=kit.admin
    )
    assert_problem(refused, 422)


async def test_challenges_follow_after_id(kit: Kit) -> None:
    who = people(kit)
    review_id = await _review(kit, "self_review")
    assert (await put_focus(kit, review_id, FOCUS, who["head"])).status_code == 200
    url = f"/v1/reviews/{review_id}/focus/challenges"
    for text in ("Too safe", "Sharpen question 2", "Ask about writing"):
        made = await kit.client.post(url, json={"text": text}, headers=who["reviewer"])
        assert made.status_code == 201, made.text
    notes = await _pull(kit.client, url, who["head"], {})
    after = await _pull(kit.client, url, who["head"], {"after_id": notes[0]["id"]})
    assert [n["text"] for n in after] == ["Sharpen question 2", "Ask about writing"]
    assert_problem(await kit.client.get(url, params={"after_id": "x"}, headers=who["head"]), 422)


async def test_a_stranger_gets_404_for_the_sub_lists_with_sync_parameters(kit: Kit) -> None:
    await kit.school(URN, trust=TRUST)
    await kit.agreement(partnership="named", la="named")
    review_id, _, _ = await day_with_evidence(kit)
    base = f"/v1/reviews/{review_id}"
    evidence = await _pull(kit.client, f"{base}/evidence", kit.admin, {})
    boundary = _boundary(evidence[-1])
    asks = [
        (f"{base}/evidence", boundary),
        (f"{base}/findings", {"updated_since": evidence[-1]["updated_at"]}),
        (f"{base}/history", {"after_id": "1"}),
        (f"{base}/focus/challenges", {"after_id": "1"}),
        (f"{base}/report/versions", {"after_id": "1"}),
    ]
    strangers = [
        kit.token(*RW, la=["882"]),
        kit.token(*RW, person=uuid.uuid4(), schools=["115999"]),
        kit.token(*RW, partnerships=[str(uuid.uuid4())]),
    ]
    for path, params in asks:
        for stranger in strangers:
            assert_problem(await kit.client.get(path, params=params, headers=stranger), 404)
        unknown = path.replace(str(review_id), str(uuid.uuid4()))
        assert_problem(await kit.client.get(unknown, params=params, headers=kit.admin), 404)
