"""The report: versions assembled from the findings by the lead reviewer (immutable), checked
by the head, published by the lead (the only way to report_published; untriangulated findings
need a recorded override), rendered as JSON, HTML and Markdown (escaped), and emitted once as
``reviews.report.published`` with the findings' words only as the agreement allows."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from common.testing.nats import NatsServer
from reviews.report.models import ImmutableReportError, ReportVersion
from tests.reviews.kit import LA, RW, TRUST, URN, Kit
from tests.reviews.test_findings import day_with_evidence, finding
from tests.reviews.test_focus import _history
from tests.reviews.walk import people, published_events, walk_to
from tests.support import assert_problem

SCRIPT = '<script>alert("x")</script> *bold* [link](http://evil.example)'


async def _drafting(kit: Kit) -> tuple[uuid.UUID, dict[str, str]]:
    """A review in report_drafted with a triangulated strength and an untriangulated area."""
    review_id, questions, items = await day_with_evidence(kit)
    lead = people(kit)["lead"]
    url = f"/v1/reviews/{review_id}/findings"
    strong = finding(
        [items["lesson_visit"], items["pupil_voice"]], text=SCRIPT, question_id=questions[0]
    )
    weak = finding([items["work_scrutiny"]], kind="area_for_development", text="Writing stamina.")
    ids = {}
    for name, body in (("strong", strong), ("weak", weak)):
        created = await kit.client.post(url, json=body, headers=lead)
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
    await walk_to(kit, review_id, "report_drafted")
    return review_id, ids


def _base(review_id: uuid.UUID) -> str:
    return f"/v1/reviews/{review_id}/report"


async def _publish(kit: Kit, review_id: uuid.UUID, body: dict[str, Any]) -> Any:
    etag = (await kit.get(review_id)).headers["etag"]
    headers = {**people(kit)["lead"], "If-Match": etag}
    return await kit.client.post(f"{_base(review_id)}/publication", json=body, headers=headers)


async def test_draft_check_publish_render(kit: Kit, nats_server: NatsServer) -> None:
    await kit.school(URN, trust=TRUST)
    await kit.agreement(partnership="named", la="named")
    who = people(kit)
    review_id, ids = await _drafting(kit)
    base = _base(review_id)

    # The transition route does not publish: publishing does.
    moved = await kit.move(review_id, "report_published", who["lead"])
    assert assert_problem(moved, 409)["use"] == "POST /v1/reviews/{id}/report/publication"
    assert_problem(await _publish(kit, review_id, {"version": 1}), 422)  # no such version

    # Drafts: by the lead only; read by the team and the school.
    summary = {"summary": "A school that loves reading."}
    assert_problem(
        await kit.client.post(f"{base}/versions", json=summary, headers=who["reviewer"]), 403
    )
    v1 = await kit.client.post(f"{base}/versions", json=summary, headers=who["lead"])
    assert v1.status_code == 201, v1.text
    assert v1.headers["location"] == f"{base}/versions/1"
    assert v1.json()["untriangulated"] == [ids["weak"]]
    assert v1.json()["content"]["findings"][0]["question_number"] == 1
    assert v1.json()["content"]["school"]["name"] == f"School {URN}"
    for reader in ("head", "reviewer"):
        assert (await kit.client.get(f"{base}/versions/1", headers=who[reader])).status_code == 200
    for outsider in ("ic", "partnership_lead"):
        assert_problem(await kit.client.get(f"{base}/versions/1", headers=who[outsider]), 403)
        assert_problem(await kit.client.get(f"{base}/versions", headers=who[outsider]), 403)
    assert_problem(await kit.client.get(base, headers=who["head"]), 404)  # not published yet

    # The head checks it; only the current draft, once.
    assert_problem(await _publish(kit, review_id, {"version": 1}), 409)  # not acknowledged
    ack = f"{base}/versions/1/acknowledgement"
    assert_problem(await kit.client.post(ack, json={}, headers=who["lead"]), 403)
    assert (
        await kit.client.post(ack, json={"comment": "Fair."}, headers=who["head"])
    ).status_code == 200
    assert_problem(await kit.client.post(ack, json={}, headers=who["head"]), 409)
    refused = assert_problem(await _publish(kit, review_id, {"version": 1}), 409)
    assert refused["untriangulated"] == [ids["weak"]]
    assert refused["triangulation_min_kinds"] == 2

    # A second draft supersedes the first.
    v2 = await kit.client.post(f"{base}/versions", json=summary, headers=who["lead"])
    assert v2.json()["version"] == 2
    assert_problem(await _publish(kit, review_id, {"version": 1, "override_reason": "x"}), 409)
    assert_problem(await kit.client.post(ack, json={}, headers=who["head"]), 409)
    ack2 = await kit.client.post(f"{base}/versions/2/acknowledgement", json={}, headers=who["head"])
    assert ack2.status_code == 200
    stale = await kit.client.post(
        f"{base}/publication",
        json={"version": 2, "override_reason": "x"},
        headers={**who["lead"], "If-Match": '"1"'},
    )
    assert_problem(stale, 412)
    assert (await kit.get(review_id)).json()["state"] == "report_drafted"

    reason = "Parent voice could not be gathered this term"
    published = await _publish(kit, review_id, {"version": 2, "override_reason": reason})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"
    assert published.json()["override_reason"] == reason
    review = (await kit.get(review_id)).json()
    assert review["state"] == "report_published"
    assert published.headers["etag"] == f'"{review["version"]}"'
    history = await _history(kit, review_id)
    [entry] = [h for h in history if h["action"] == "report_published"]
    assert entry["reason"] == reason
    assert [h["action"] for h in history].count("report_acknowledged") == 2
    assert_problem(
        await kit.client.post(f"{base}/versions", json=summary, headers=who["lead"]), 409
    )

    # Rendered for its readers: JSON by default, HTML and Markdown escaped.
    as_json = await kit.client.get(base, headers=who["ic"])
    assert as_json.headers["content-type"].startswith("application/json")
    assert as_json.json()["version"] == 2
    html = await kit.client.get(base, headers={**who["head"], "Accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html")
    assert "<script>" not in html.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html.text
    assert "Not triangulated" in html.text
    markdown = await kit.client.get(
        f"{base}?format=markdown", headers={**who["head"], "Accept": "text/html"}
    )
    assert markdown.headers["content-type"].startswith("text/markdown")
    # Escaped only where Markdown would read markup: no HTML, emphasis or link gets through.
    assert r'\<script>alert("x")\</script> \*bold\* \[link\](http://evil.example)' in markdown.text
    assert "## Areas for development" in markdown.text
    weighted = await kit.client.get(
        base, headers={**who["head"], "Accept": "text/markdown;q=0.5, text/html;q=0.9"}
    )
    assert weighted.headers["content-type"].startswith("text/html")
    assert_problem(
        await kit.client.get(base, headers={**who["head"], "Accept": "application/xml"}), 406
    )
    assert_problem(await kit.client.get(f"{base}?format=pdf", headers=who["head"]), 422)
    # Each representation at a route of its own too, for clients that cannot negotiate.
    for path, negotiated in ((f"{base}.md", markdown), (f"{base}.html", html)):
        alone = await kit.client.get(path, headers=who["head"])
        assert alone.headers["content-type"] == negotiated.headers["content-type"]
        assert alone.text == negotiated.text
    version_md = await kit.client.get(f"{base}/versions/2.md", headers=who["head"])
    assert version_md.text == markdown.text
    assert_problem(await kit.client.get(f"{base}/versions/x.md", headers=who["head"]), 422)

    # Published versions never change, in the ORM and in the database.
    async with kit.db.session() as session:
        version = await session.get(ReportVersion, (uuid.UUID(str(review_id)), 2))
        assert version is not None
        version.acknowledgement_comment = "changed"
        with pytest.raises(ImmutableReportError):
            await session.flush()
    for statement in (
        "UPDATE report_versions SET acknowledgement_comment = 'x' WHERE number = 2",
        "UPDATE report_versions SET summary = 'x' WHERE number = 1",
        "DELETE FROM report_versions",
    ):
        async with kit.db.session() as session:
            with pytest.raises(sa.exc.DBAPIError):
                await session.execute(sa.text(statement))

    # Emitted once, with the words (the agreement names schools to the partnership).
    events = await published_events(kit, nats_server, "reviews.report.>")
    assert len(events) == 1
    subject, event = events[0]
    assert subject == f"reviews.report.published.v1.{LA}.{review['partnership_id']}.{URN}"
    data = event["data"]
    assert (data["report_version"], data["text_shared"], data["untriangulated_override"]) == (
        2,
        True,
        True,
    )
    by_id = {f["finding_id"]: f for f in data["findings"]}
    assert by_id[ids["strong"]]["text"] == SCRIPT
    assert by_id[ids["strong"]]["evidence_kinds"] == ["lesson_visit", "pupil_voice"]
    assert (by_id[ids["weak"]]["evidence_count"], by_id[ids["weak"]]["triangulated"]) == (1, False)
    assert data["evidence_items"] == 3
    assert data["focus_theme_codes"] == ["curriculum.reading"]


async def test_who_reads_the_published_report(kit: Kit, nats_server: NatsServer) -> None:
    """Beyond the school, team and IC, only as the agreement names the school; the event
    carries no words when the partnership is not named."""
    await kit.school(URN, trust=TRUST)
    await kit.agreement(partnership="aggregated", la="aggregated", trust="aggregated", v=1)
    review_id, _ = await _drafting(kit)
    who = people(kit)
    base = _base(review_id)
    v1 = await kit.client.post(f"{base}/versions", json={"summary": "S."}, headers=who["lead"])
    assert v1.status_code == 201
    await kit.client.post(f"{base}/versions/1/acknowledgement", json={}, headers=who["head"])
    body = {"version": 1, "override_reason": "Short day"}
    assert (await _publish(kit, review_id, body)).status_code == 200

    la = kit.token("reviews:read", la=[LA])
    trust = kit.token("reviews:read", trusts=[TRUST])
    other_head = kit.token(*RW, person=uuid.uuid4(), schools=["115999"])
    other_reviewer = kit.token(*RW, person=uuid.uuid4())
    assert_problem(await kit.client.get(base, headers=kit.admin), 403)
    alone = (f"{base}.md", f"{base}.html", f"{base}/versions/1.md", f"{base}/versions/1.html")
    for stranger in (la, trust, other_head, other_reviewer):
        assert_problem(await kit.client.get(base, headers=stranger), 404)
        for path in alone:
            assert_problem(await kit.client.get(path, headers=stranger), 404)
    for path in alone[:2]:
        assert_problem(await kit.client.get(path, headers=kit.admin), 403)
    for reader in ("head", "lead", "reviewer", "ic"):
        assert (await kit.client.get(base, headers=who[reader])).status_code == 200

    await kit.agreement(partnership="named", la="named", trust="named", v=2)
    for reader in (kit.admin, la, trust):
        got = await kit.client.get(f"{base}/versions/1?format=html", headers=reader)
        assert got.status_code == 200, got.text
    assert_problem(await kit.client.get(f"{base}/versions", headers=la), 403)  # drafts: no
    assert_problem(await kit.client.get(base, headers=kit.token("reviews:read", la=["882"])), 404)

    [(_, event)] = await published_events(kit, nats_server, "reviews.report.>")
    assert event["data"]["text_shared"] is False
    assert {f["text"] for f in event["data"]["findings"]} == {None}
