"""Theme codes against the knowledge taxonomy: before any taxonomy has arrived, pattern-valid
codes are accepted; afterwards an unknown or retired code is a 422 naming it. The newest
taxonomy version wins; a duplicate or an older version delivered late changes nothing."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from reviews.taxonomy.models import TaxonomyTheme, TaxonomyVersion
from tests.reviews.kit import Kit, plan
from tests.reviews.test_focus import FOCUS, _walk_to, put_focus
from tests.reviews.test_lifecycle import _people
from tests.support import assert_problem

CODES = {"curriculum": False, "curriculum.reading": False, "curriculum.oracy": False}


async def _held(kit: Kit) -> tuple[int | None, dict[str, bool]]:
    async with kit.db.session() as session:
        version = await session.get(TaxonomyVersion, "current")
        themes = (await session.scalars(select(TaxonomyTheme))).all()
    return (None if version is None else version.source_version), {
        t.code: t.retired for t in themes
    }


async def test_codes_are_checked_once_a_taxonomy_is_held(kit: Kit) -> None:
    review_id = uuid.uuid4()
    await kit.plan(plan(review_id, triangulation_min_kinds=3))
    assert (await kit.get(review_id)).json()["triangulation_min_kinds"] == 3
    await _walk_to(kit, review_id, "self_review")
    head = _people(kit)["head"]

    # No taxonomy yet: any code of the right shape is accepted (and bad shapes are not).
    assert await _held(kit) == (None, {})
    unknown_yet = {**FOCUS, "theme_codes": ["not_yet.known"]}
    assert (await put_focus(kit, review_id, unknown_yet, head)).status_code == 200
    assert_problem(
        await put_focus(kit, review_id, {**FOCUS, "theme_codes": ["Bad Code"]}, head), 422
    )

    # Version 2 arrives: curriculum.oracy retired, not_yet.known absent.
    v2 = await kit.taxonomy(2, {**CODES, "curriculum.oracy": True})
    assert await _held(kit) == (2, {**CODES, "curriculum.oracy": True})
    both = {**FOCUS, "theme_codes": ["curriculum.reading", "not_yet.known", "curriculum.oracy"]}
    body = assert_problem(await put_focus(kit, review_id, both, head), 422)
    assert [e["field"] for e in body["errors"]] == ["body.theme_codes", "body.theme_codes"]
    assert "'not_yet.known'" in body["errors"][0]["message"]
    assert "'curriculum.oracy'" in body["errors"][1]["message"]
    assert "not_yet.known" in body["detail"]
    focus = await kit.client.get(f"/v1/reviews/{review_id}/focus", headers=kit.admin)
    assert focus.json()["theme_codes"] == ["not_yet.known"]  # unchanged by the refused PUT
    assert (await put_focus(kit, review_id, FOCUS, head)).status_code == 200

    # The same event again (no JetStream de-duplication: the inbox drops it), and an older
    # version delivered late: nothing changes.
    await kit.taxonomy(2, {**CODES, "curriculum.oracy": True}, event=v2, dedupe=False)
    await kit.taxonomy(1, {**CODES, "not_yet.known": False})  # applied after the duplicate
    assert await _held(kit) == (2, {**CODES, "curriculum.oracy": True})

    # A newer version reinstates oracy and drops reading: the newest wins, whole.
    await kit.taxonomy(3, {"curriculum": False, "curriculum.oracy": False})
    assert await _held(kit) == (3, {"curriculum": False, "curriculum.oracy": False})
    oracy = {**FOCUS, "theme_codes": ["curriculum.oracy"]}
    assert (await put_focus(kit, review_id, oracy, head)).status_code == 200
    assert_problem(await put_focus(kit, review_id, FOCUS, head), 422)
