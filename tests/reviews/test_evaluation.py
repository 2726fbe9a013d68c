"""The partnership's evaluation pack for its June evaluation: two reviews walked to a published
report (one with host feedback) and one only planned, counted, with the lead reviewer's
consistency, the feedback averaged and the recurring themes labelled; JSON and the CSV table;
for the partnership's lead only (anyone else 404)."""

from __future__ import annotations

import csv
import io
import uuid

from tests.reviews.kit import LEAD, PARTNERSHIP, RW, URN, Kit, plan
from tests.reviews.test_report import _drafting
from tests.reviews.walk import ok, people, walk_to
from tests.support import assert_problem

URL = f"/v1/evaluation-packs/{PARTNERSHIP}?academic_year=2026-27"
CSV_URL = f"/v1/evaluation-packs/{PARTNERSHIP}/lead-reviewers.csv?academic_year=2026-27"


async def test_evaluation_pack_of_a_year(kit: Kit) -> None:
    await kit.agreement()
    await kit.partnership()
    await kit.taxonomy(1, {"curriculum.reading": False})
    who = people(kit)
    reviewed = []
    for _ in range(2):
        review_id, _ = await _drafting(kit)  # a triangulated strength, an untriangulated area
        await walk_to(kit, review_id, "report_published")
        reviewed.append(review_id)
    await kit.plan(plan(uuid.uuid4()))  # planned, not yet held
    feedback = {"preparation": 5, "challenge": 3, "report_usefulness": 4}
    ok(
        await kit.client.post(
            f"/v1/reviews/{reviewed[0]}/host-feedback", json=feedback, headers=who["head"]
        ),
        201,
    )

    pack = ok(await kit.client.get(URL, headers=kit.admin))
    assert pack["partnership_name"] == "Chelmer Valley Partnership"
    assert pack["reviews"] == {
        "planned": 3,
        "held": 2,
        "reported": 2,
        "closed": 0,
        "cancelled": 0,
        "host_feedback": 1,
    }
    assert pack["lead_reviewers"] == [
        {
            "person_id": str(LEAD),
            "name": None,
            "reviews": 2,
            "findings": 4,
            "findings_per_review": 2.0,
            "triangulated_share": 0.5,
            "evidence_per_finding": 1.5,
        }
    ]
    assert pack["host_feedback"] == {"responses": 1, **{k: float(v) for k, v in feedback.items()}}
    recurring = {"code": "curriculum.reading", "label": "Reading", "reviews": 2, "findings": 2}
    assert pack["recurring_strengths"] == [{**recurring, "kind": "strength"}]
    assert pack["recurring_areas"] == [{**recurring, "kind": "area_for_development"}]

    table = await kit.client.get(CSV_URL, headers=kit.admin)
    assert table.status_code == 200, table.text
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(r["person_id"], r["reviews"], r["triangulated_share"]) for r in rows] == [
        (str(LEAD), "2", "0.5")
    ]

    # Another year: zeros and no averages.
    empty = ok(await kit.client.get(URL.replace("2026-27", "2025-26"), headers=kit.admin))
    assert empty["reviews"]["planned"] == 0
    assert empty["lead_reviewers"] == []
    assert empty["host_feedback"]["preparation"] is None


async def test_evaluation_pack_is_the_partnership_leads(kit: Kit) -> None:
    """No token: 401; no reviews:read: 403; the school's head, the lead reviewer, another
    partnership's lead: 404; a bad or missing year: 422."""
    who = people(kit)
    for url in (URL, CSV_URL):
        assert_problem(await kit.client.get(url), 401)
        unscoped = kit.token("reviews:write", partnerships=[str(PARTNERSHIP)])
        assert_problem(await kit.client.get(url, headers=unscoped), 403)
    other_lead = kit.token(*RW, partnerships=[str(uuid.uuid4())])
    for stranger in (who["head"], who["lead"], other_lead, kit.token(*RW, schools=[str(URN)])):
        for url in (URL, CSV_URL):
            assert_problem(await kit.client.get(url, headers=stranger), 404)
    assert_problem(await kit.client.get(URL.replace("2026-27", "2026"), headers=kit.admin), 422)
    assert_problem(await kit.client.get(URL.split("?")[0], headers=kit.admin), 422)
