"""Issue 17: an MIS integrator's whole scenario driven through the clients generated from the
three services' OpenAPI documents, with no hand-written HTTP: directory data set up and read
(people by the bulk upsert, keyed by the MIS's ids), a cycle scheduled and published, one
review walked by its people to a published report, the report read as Markdown and HTML, the
process measures as CSV, deletions picked up by the tombstone sync, and the review events read
by a bounded Server-Sent Events request that returns."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from common.testing.apps import eventually
from tests.clients.generated import Generated, sse_frames
from tests.e2e.conftest import System
from tests.scheduling.kit import la_calendar, next_academic_year
from tests.support import TokenFactory

COUNCIL = ("directory:read", "directory:write", "schedule:read", "schedule:write")
RW = ("reviews:read", "reviews:write")
#: The partnership's three schools, and a fourth that joins and leaves.
URNS = (154001, 154002, 154003)
LEAVER = 154004
SOURCE = "arbor"
#: The moves before the report, and who makes each (then the report is published by its route).
MOVES = [
    ("self_review", "head"),
    ("pre_review", "head"),
    ("review_day", "lead"),
    ("feedback", "lead"),
    ("report_drafted", "lead"),
]


def _staff(urn: int, year: str) -> list[dict[str, Any]]:
    """A school's three people as its MIS holds them (``external_id``: the MIS's own)."""
    return [
        {
            "external_id": f"{urn}-head",
            "name": f"Head of {urn}",
            "email": f"head.{urn}@school.example",
            "roles": [{"role": "headteacher", "urn": urn}, {"role": "lead_reviewer", "urn": urn}],
            "expertise": ["reading", "maths"],
        },
        {
            "external_id": f"{urn}-deputy",
            "name": f"Deputy of {urn}",
            "email": f"deputy.{urn}@school.example",
            "roles": [{"role": "deputy", "urn": urn}, {"role": "reviewer", "urn": urn}],
            "expertise": ["send"],
        },
        {
            "external_id": f"{urn}-champion",
            "name": f"Champion of {urn}",
            "email": f"champion.{urn}@school.example",
            "roles": [
                {"role": "senior_leader", "urn": urn},
                {"role": "improvement_champion", "urn": urn, "academic_year": year},
            ],
            "expertise": ["send"],
        },
    ]


async def _directory(sched: Generated, council: Any, year: str, first: int) -> dict[str, Any]:
    """Schools, a partnership of three (a fourth joins and leaves), its agreement
    naming schools, the LA calendar, the people by bulk upsert (twice: the same batch changes
    nothing) and the heads' training: the partnership and each person's id by MIS id."""
    for i, urn in enumerate((*URNS, LEAVER)):
        school = {
            "name": f"School {urn}",
            "phase": "primary",
            "la_code": "881",
            "status": "open",
            "easting": 570_000 + 1_000 * i,
            "northing": 206_000 + 700 * i,
        }
        body = sched.model("SchoolIn", school)
        await sched.call("schools", "put_school", council, urn, body=body, status=201)
    partnership = {"name": "MIS Partnership", "kind": "la_cluster", "la_code": "881"}
    body = sched.model("PartnershipIn", partnership)
    created = await sched.call("partnerships", "create_partnership", council, body=body, status=201)
    pid = created.parsed.id
    for urn in (*URNS, LEAVER):
        await sched.call("partnerships", "put_partnership_member", council, pid, urn, status=201)
    await sched.call("partnerships", "delete_partnership_member", council, pid, LEAVER, status=204)
    agreement = {
        "partnership_visibility": "named",
        "trust_visibility": "aggregated",
        "local_authority_visibility": "aggregated",
        "suppression_threshold": 5,
    }
    await sched.call(
        "partnerships",
        "put_partnership_agreement",
        council,
        pid,
        body=sched.model("AgreementIn", agreement),
        if_match='"1"',
    )
    calendar = sched.model("LaCalendarIn", la_calendar(first))
    await sched.call(
        "calendars", "put_la_calendar", council, "881", year, body=calendar, status=201
    )

    rows = [row for urn in URNS for row in _staff(urn, year)]
    batch = sched.model("BulkPeopleIn", {"source": SOURCE, "people": rows})
    upserted = (await sched.call("people", "upsert_people", council, body=batch)).parsed
    assert [r.outcome for r in upserted.results] == ["created"] * len(rows)
    again = (await sched.call("people", "upsert_people", council, body=batch)).parsed
    assert [r.outcome for r in again.results] == ["unchanged"] * len(rows)
    people = {r.external_id: r.person.id for r in upserted.results}
    completed_on = date(first - 1, 6, 1).isoformat()
    # Lead reviewers and ICs need their training by default (the cycle policy's `training`).
    for person, kind in (("head", "lead_reviewer"), ("champion", "improvement_champion")):
        trained = sched.model("TrainingIn", {"kind": kind, "completed_on": completed_on})
        for urn in URNS:
            await sched.call(
                "people",
                "add_person_training",
                council,
                people[f"{urn}-{person}"],
                body=trained,
                if_match='"1"',
            )
    read = (await sched.call("partnerships", "get_partnership", council, pid)).parsed
    assert read.name == "MIS Partnership"
    members = (await sched.call("partnerships", "list_partnership_members", council, pid)).parsed
    assert [m.urn for m in members.data] == list(URNS)
    return {"partnership_id": pid, "people": people, "rows": rows}


async def _published_schedule(
    sched: Generated, council: Any, pid: uuid.UUID, year: str
) -> list[dict[str, Any]]:
    cycle_in = sched.model(
        "PartnershipCycleIn", {"academic_year": year, "policy": {"team": {"reviewers": 1}}}
    )
    cycle = (
        await sched.call(
            "cycles", "create_partnership_cycle", council, pid, body=cycle_in, status=201
        )
    ).parsed
    for i, urn in enumerate(URNS):
        request = sched.model(
            "RequestIn",
            {
                "focus": ["reading"] if i % 2 else ["send"],
                "preferred_half_terms": ["autumn2"] if i == 0 else [],
                "mode": "in_person",
            },
        )
        await sched.call(
            "cycles", "put_cycle_request", council, cycle.id, urn, body=request, status=201
        )
    job_in = sched.model("ScheduleJobIn", {})
    job = (
        await sched.call(
            "schedule_jobs", "start_cycle_schedule_job", council, cycle.id, body=job_in, status=202
        )
    ).parsed
    status = ""

    async def finished() -> bool:
        nonlocal status
        got = await sched.call("schedule_jobs", "get_schedule_job", council, job.id)
        status = got.parsed.status.value
        return status in ("succeeded", "failed", "cancelled")

    await eventually(finished, within=60)
    assert status == "succeeded"
    published = await sched.call(
        "schedules", "publish_cycle_schedule", council, cycle.id, status=201
    )
    reviews: list[dict[str, Any]] = published.parsed.to_dict()["reviews"]
    return reviews


async def _published_report(rev: Generated, who: dict[str, Any], review_id: uuid.UUID) -> int:
    """The review moved by its people to ``report_drafted``, then the report drafted (lead),
    acknowledged (head) and published (lead): its version number."""

    async def etag() -> str:
        got = await rev.call("reviews", "get_review", who["head"], review_id)
        tag: str = got.headers["etag"]
        return tag

    async def arrived() -> bool:
        module = rev.operation("reviews", "get_review")
        got = await module.asyncio_detailed(review_id, client=who["head"])
        return bool(got.status_code == 200)

    await eventually(arrived, within=30)
    for to, role in MOVES:
        body = rev.model("TransitionIn", {"to": to, "reason": f"by the {role}"})
        await rev.call(
            "reviews", "transition_review", who[role], review_id, body=body, if_match=await etag()
        )
    draft = (
        await rev.call(
            "report",
            "draft_report",
            who["lead"],
            review_id,
            body=rev.model("ReportDraftIn", {"summary": "Reading is a strength."}),
            status=201,
        )
    ).parsed
    await rev.call(
        "report",
        "acknowledge_report",
        who["head"],
        review_id,
        draft.version,
        body=rev.model("AcknowledgementIn", {}),
    )
    publication: dict[str, Any] = {"version": draft.version}
    if draft.untriangulated:
        publication["override_reason"] = "Walked by a generated client"
    await rev.call(
        "report",
        "publish_report",
        who["lead"],
        review_id,
        body=rev.model("PublicationIn", publication),
        if_match=await etag(),
    )
    number: int = draft.version
    return number


async def test_an_mis_drives_the_whole_scenario_through_generated_clients(
    system: System, issue_token: TokenFactory, generated_clients: Callable[[str], Any]
) -> None:
    sched = Generated(generated_clients("scheduling"), system.scheduling)
    rev = Generated(generated_clients("reviews"), system.reviews)
    know = Generated(generated_clients("knowledge"), system.knowledge)
    council = sched.client(issue_token(*COUNCIL, la=["881"]))
    year, first = next_academic_year()

    # Directory data and a published schedule.
    directory = await _directory(sched, council, year, first)
    pid = directory["partnership_id"]
    reviews = await _published_schedule(sched, council, pid, year)
    target = next(r for r in reviews if r["urn"] == URNS[0])
    review_id = uuid.UUID(target["id"])
    lead = next(m for m in target["team"] if m["role"] == "lead_reviewer")
    head_id = str(directory["people"][f"{URNS[0]}-head"])
    who = {
        "head": rev.client(issue_token(*RW, person_id=head_id, schools=[str(URNS[0])])),
        "lead": rev.client(
            issue_token(*RW, person_id=lead["person_id"], schools=[str(lead["home_urn"])])
        ),
    }

    # The review walked to its published report, read as Markdown and HTML (and as JSON, as
    # before), the published version too; a stranger gets 404 from each.
    number = await _published_report(rev, who, review_id)
    school = who["head"]
    markdown = (await rev.call("report", "get_report_markdown", school, review_id)).parsed
    assert markdown.startswith(f"# Peer review report: School {URNS[0]}")
    assert "Reading is a strength." in markdown  # escaped only where Markdown needs it
    html = (await rev.call("report", "get_report_html", school, review_id)).parsed
    assert html.startswith("<!DOCTYPE html>")
    assert f"<h1>Peer review report: School {URNS[0]}</h1>" in html
    version_md = await rev.call("report", "get_report_version_markdown", school, review_id, number)
    assert version_md.parsed == markdown
    version_html = await rev.call("report", "get_report_version_html", school, review_id, number)
    assert version_html.parsed == html
    assert version_html.headers["content-type"] == "text/html; charset=utf-8"
    as_json = (await rev.call("report", "get_report", school, review_id)).parsed
    assert (as_json.version, as_json.summary) == (number, "Reading is a strength.")
    stranger = rev.client(issue_token(*RW, la=["999"]))
    for operation, args in (
        ("get_report_markdown", (review_id,)),
        ("get_report_html", (review_id,)),
        ("get_report_version_markdown", (review_id, number)),
        ("get_report_version_html", (review_id, number)),
    ):
        refused = await rev.call("report", operation, stranger, *args, status=404)
        assert refused.parsed.status == 404

    # The process measures as CSV, once knowledge has taken in the report; 404 for a stranger.
    reader = know.client(issue_token("knowledge:read", partnerships=[str(pid)]))
    scope = {"scope": know.enum("GetProcessMeasuresCsvScope", "partnership")}
    csv = ""

    async def reported() -> bool:
        nonlocal csv
        got = await know.call(
            "insights", "get_process_measures_csv", reader, **scope, id=str(pid), year=year
        )
        csv = got.parsed
        lines = csv.splitlines()
        return len(lines) == 2 and lines[1].split(",")[4] == "1"

    await eventually(reported, within=30)
    header, row = csv.splitlines()
    assert header.startswith("scope_kind,scope_id,name,academic_year,reports,")
    assert row.startswith(f"partnership,{pid},MIS Partnership,{year},1,")
    nobody = know.client(issue_token("knowledge:read", partnerships=[str(uuid.uuid4())]))
    refused = await know.call(
        "insights",
        "get_process_measures_csv",
        nobody,
        **scope,
        id=str(uuid.uuid4()),
        status=404,
    )
    assert refused.parsed.status == 404

    # Deletions by sync: the member that left, then a role the MIS no longer holds (the same
    # bulk upsert, one row changed); the next pull from the last tombstone finds nothing new.
    first_pull = (await sched.call("sync", "list_tombstones", council)).parsed
    assert [(t.collection.value, t.entity_id) for t in first_pull.data] == [
        ("partnership_members", str(LEAVER))
    ]
    rows = directory["rows"]
    champion = next(r for r in rows if r["external_id"] == f"{URNS[1]}-champion")
    kept = [r for r in champion["roles"] if r["role"] != "senior_leader"]
    changed = [r if r is not champion else {**champion, "roles": kept} for r in rows]
    batch = sched.model("BulkPeopleIn", {"source": SOURCE, "people": changed})
    result = (await sched.call("people", "upsert_people", council, body=batch)).parsed
    outcomes = {r.external_id: r.outcome for r in result.results}
    assert outcomes.pop(f"{URNS[1]}-champion") == "updated"
    assert set(outcomes.values()) == {"unchanged"}
    last = first_pull.data[-1]
    since = {"updated_since": last.removed_at, "after_id": str(last.id)}
    second_pull = (await sched.call("sync", "list_tombstones", council, **since)).parsed
    champion_id = directory["people"][f"{URNS[1]}-champion"]
    assert [(t.collection.value, t.person_id) for t in second_pull.data] == [
        ("person_roles", champion_id)
    ]
    last = second_pull.data[-1]
    since = {"updated_since": last.removed_at, "after_id": str(last.id)}
    assert (await sched.call("sync", "list_tombstones", council, **since)).parsed.data == []

    # The review events, read by bounded SSE requests that return: two from the start of the
    # stream, then one resumed after the last of them; then a wait with nothing asked for.
    events = rev.client(issue_token("reviews:read", partnerships=[str(pid)]))
    stream = ("events", "stream_events", events)
    got = await rev.call(*stream, last_event_id_query="0", max_events=2)
    assert got.headers["content-type"].startswith("text/event-stream")
    opening = sse_frames(got.parsed)
    assert len(opening) == 2
    resumed = await rev.call(*stream, last_event_id_query=opening[-1]["id"], max_events=1)
    [third] = sse_frames(resumed.parsed)
    frames = [*opening, third]
    assert [int(f["id"]) for f in frames] == sorted({int(f["id"]) for f in frames})
    published = [json.loads(f["data"]) for f in frames]
    assert [e["type"] for e in published] == [f["event"] for f in frames]
    assert {e["data"]["review_id"] for e in published} <= {r["id"] for r in reviews}
    waited = await rev.call(*stream, wait_seconds=0.2)
    assert isinstance(waited.parsed, str)
    refused = await rev.call(*stream, max_events=0, status=422)
    assert refused.parsed.status == 422
