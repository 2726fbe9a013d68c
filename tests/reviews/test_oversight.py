"""A council's year's progress (``GET /v1/review-progress/{la}``) over a small county's reviews,
made as the schedule makes them (plan events) and walked through the API: each partnership's
reviews planned, held, reported, 90-day done, overdue and cancelled, counted; a partnership with
none planned listed with zeros; no school named; another LA's token answered 404."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from common.clock import utcnow
from contracts.directory import PARTNERSHIP_CREATED
from contracts.events import TenancyPath
from tests.reviews.kit import LA, OTHER_URN, PARTNERSHIP, RW, URN, Kit, plan
from tests.reviews.walk import Walker, people, walk_to
from tests.support import assert_problem

YEAR = "2026-27"
SOUTH = uuid.UUID("01900000-0000-7000-8000-000000000002")
EAST = uuid.UUID("01900000-0000-7000-8000-000000000003")
ELSEWHERE = uuid.UUID("01900000-0000-7000-8000-000000000004")
ZERO = {
    "planned": 0,
    "held": 0,
    "reported": 0,
    "progress_reviewed": 0,
    "overdue": 0,
    "cancelled": 0,
}


async def _partnership(kit: Kit, id_: uuid.UUID, name: str, la: str = LA) -> None:
    payload = PARTNERSHIP_CREATED.payload.model_validate(
        {
            "id": id_,
            "name": name,
            "kind": "la_cluster",
            "la_code": la,
            "version": 1,
            "updated_at": datetime.now(UTC),
        }
    )
    event = await kit.send(
        PARTNERSHIP_CREATED, payload, tenancy=TenancyPath(la, str(id_)), key=f"partnership:{id_}"
    )
    await kit.applied(event, consumer="reviews-directory")


async def _county(kit: Kit) -> dict[str, uuid.UUID]:
    """LA 881: North (the kit's partnership) with a review walked to closed, one overdue (its
    self-review date passed while still planned), one cancelled; South with one reported;
    East with none. Beside them: an 882 review and one of another year, neither counted."""
    await _partnership(kit, PARTNERSHIP, "North")
    await _partnership(kit, SOUTH, "South")
    await _partnership(kit, EAST, "East")
    await _partnership(kit, ELSEWHERE, "Elsewhere", la="882")
    ids = {name: uuid.uuid4() for name in ("closed", "overdue", "cancelled", "south", "x", "y")}
    past = utcnow().date() - timedelta(days=40)  # self_review_due 68 days ago
    await kit.plan(plan(ids["closed"]))
    await kit.plan(plan(ids["overdue"], urn=OTHER_URN, first_day=past))
    await kit.plan(plan(ids["cancelled"], urn=115002))
    south = plan(ids["south"]).model_copy(update={"partnership_id": SOUTH})
    await kit.plan(south)
    elsewhere = {"la_code": "882", "partnership_id": ELSEWHERE}
    await kit.plan(plan(ids["x"], urn=116000).model_copy(update=elsewhere))
    await kit.plan(plan(ids["y"], urn=115003).model_copy(update={"academic_year": "2025-26"}))

    await walk_to(kit, ids["closed"], "closed")
    cancelled = await kit.move(ids["cancelled"], "cancelled", kit.admin, reason="Head left")
    assert cancelled.status_code == 200, cancelled.text
    # South's review is the kit's school too (its head's token names the URN): walked on
    # South's lead's behalf as far as the report.
    south_lead = kit.token(*RW, partnerships=[str(SOUTH)])
    await _walk_as(kit, ids["south"], south_lead)
    return ids


async def _walk_as(kit: Kit, review_id: uuid.UUID, reader: dict[str, str]) -> None:
    who = {**people(kit), "partnership_lead": reader}
    await Walker(kit.client, who).walk_to(review_id, "report_published")


def _names_no_school(body: Any) -> None:
    text = str(body)
    for urn in (URN, OTHER_URN, 115002, 115003, 116000):
        assert str(urn) not in text, urn


async def test_progress_counts_each_partnership(kit: Kit) -> None:
    await _county(kit)
    council = kit.token("reviews:read", la=[LA])
    response = await kit.client.get(
        f"/v1/review-progress/{LA}", params={"academic_year": YEAR}, headers=council
    )
    assert response.status_code == 200, response.text
    progress = response.json()
    assert progress["la_code"] == LA
    assert progress["academic_year"] == YEAR
    north = {"planned": 2, "held": 1, "reported": 1, "progress_reviewed": 1, "overdue": 1}
    south = {"planned": 1, "held": 1, "reported": 1}
    assert progress["partnerships"] == [
        {"partnership_id": str(EAST), "name": "East", **ZERO},
        {"partnership_id": str(PARTNERSHIP), "name": "North", **ZERO, **north, "cancelled": 1},
        {"partnership_id": str(SOUTH), "name": "South", **ZERO, **south},
    ]
    assert progress["total"] == {
        "planned": 3,
        "held": 2,
        "reported": 2,
        "progress_reviewed": 1,
        "overdue": 1,
        "cancelled": 1,
    }
    _names_no_school(progress)

    # Last year's: only the one review, in a partnership the directory names.
    last = await kit.client.get(
        f"/v1/review-progress/{LA}", params={"academic_year": "2025-26"}, headers=council
    )
    assert last.json()["total"]["planned"] == 1
    # The other LA sees its own, and only its own.
    other = kit.token("reviews:read", la=["882"])
    theirs = await kit.client.get(
        "/v1/review-progress/882", params={"academic_year": YEAR}, headers=other
    )
    assert [(p["name"], p["planned"]) for p in theirs.json()["partnerships"]] == [("Elsewhere", 1)]


async def test_progress_is_the_las_own(kit: Kit) -> None:
    await _partnership(kit, PARTNERSHIP, "North")
    await kit.plan(plan(uuid.uuid4()))
    path = f"/v1/review-progress/{LA}"
    strangers = [
        kit.token("reviews:read", la=["882"]),
        kit.token("reviews:read", partnerships=[str(PARTNERSHIP)]),
        kit.token("reviews:read", schools=[str(URN)]),
        kit.token("reviews:read", trusts=["16234"]),
    ]
    for stranger in strangers:
        assert_problem(await kit.client.get(path, headers=stranger), 404)
    council = kit.token("reviews:read", la=[LA])
    assert (await kit.client.get(path, headers=council)).json()["academic_year"]
    bad_year = await kit.client.get(path, params={"academic_year": "2026"}, headers=council)
    assert_problem(bad_year, 422)
    assert_problem(await kit.client.get("/v1/review-progress/8810", headers=council), 422)
    assert_problem(await kit.client.get(path, headers=kit.token(la=[LA])), 403)
