"""A cycle's meetings generated from its policy and edited, and the iCalendar feeds of a
person, a school and a partnership: they parse with `icalendar`, keep their UIDs, carry a
display alarm on every live event (parsed back with `icalendar`), show a reschedule with a
higher SEQUENCE and a cancellation as cancelled (without alarms), and answer only at their
secret URL until revoked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import icalendar

from tests.scheduling.kit import build_partnership, finished_job, person_token
from tests.support import TokenFactory, assert_problem, bearer

SCOPES = ("directory:read", "directory:write", "schedule:read", "schedule:write")
URNS = [122001, 122002, 122003, 122004]
UK = ZoneInfo("Europe/London")


def _alarm(event: Any) -> tuple[str, timedelta, str]:
    """The event's one VALARM, as `icalendar` parses it: action, trigger, description."""
    [alarm] = event.walk("VALARM")
    return str(alarm["ACTION"]), alarm["TRIGGER"].dt, str(alarm["DESCRIPTION"])


def _events(body: bytes) -> dict[str, Any]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


async def test_meetings_and_feeds(
    client: httpx.AsyncClient, issue_token: TokenFactory, dev_key_path: Path
) -> None:
    council = bearer(issue_token(*SCOPES, la=["881"]))
    built = await build_partnership(client, council, urns=URNS, name="Blackwater")
    started = await client.post(
        f"/v1/cycles/{built.cycle_id}/schedule-jobs", json={}, headers=council
    )
    assert (await finished_job(client, started.headers["location"], council))[
        "status"
    ] == "succeeded"
    published = await client.post(f"/v1/cycles/{built.cycle_id}/schedule/publish", headers=council)
    reviews = published.json()["reviews"]

    # meetings from the policy: six headteachers' meetings, three trainings, one evaluation
    meetings = f"/v1/cycles/{built.cycle_id}/meetings"
    generated = await client.post(f"{meetings}/generation", headers=council)
    assert generated.status_code == 200, generated.text
    created = generated.json()["created"]
    kinds = sorted(m["kind"] for m in created)
    assert kinds == ["evaluation"] + ["headteacher_meeting"] * 6 + ["training"] * 3
    for m in created:
        local = datetime.fromisoformat(m["starts_at"]).astimezone(UK)
        assert local.strftime("%A %H:%M") == "Wednesday 13:30"
    evaluation = next(m for m in created if m["kind"] == "evaluation")
    evaluated_on = datetime.fromisoformat(evaluation["starts_at"]).astimezone(UK).date()
    assert evaluated_on >= date(built.first_year + 1, 6, 15)
    again = await client.post(f"{meetings}/generation", headers=council)
    assert again.json() == {"created": [], "kept": 10}
    extra = {
        "title": "Annual conference",
        "starts_at": f"{built.first_year + 1}-03-01T09:30:00Z",
        "ends_at": f"{built.first_year + 1}-03-01T15:30:00Z",
        "location": "County Hall",
    }
    added = await client.post(meetings, json=extra, headers=council)
    assert added.status_code == 201, added.text
    assert_problem(
        await client.post(meetings, json={**extra, "ends_at": extra["starts_at"]}, headers=council),
        422,
    )
    moved = created[0]
    url = f"/v1/meetings/{moved['id']}"
    changed = await client.patch(
        url, json={"location": "Zoom"}, headers={**council, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    dropped = created[1]
    gone = await client.delete(
        f"/v1/meetings/{dropped['id']}", headers={**council, "If-Match": '"1"'}
    )
    assert gone.status_code == 204
    assert_problem(
        await client.patch(
            f"/v1/meetings/{dropped['id']}",
            json={"title": "x"},
            headers={**council, "If-Match": '"2"'},
        ),
        409,
    )
    member = bearer(issue_token(*SCOPES, schools=[str(URNS[0])]))
    listed = await client.get(meetings, params={"limit": 200}, headers=member)
    assert len(listed.json()["data"]) == 11
    assert_problem(await client.post(meetings, json=extra, headers=member), 403)
    stranger = bearer(issue_token(*SCOPES, la=["882"]))
    assert_problem(await client.get(meetings, headers=stranger), 404)
    assert_problem(await client.get(url, headers=stranger), 404)

    # feeds: a person's (by the person), a school's, the partnership's (by its LA)
    review = reviews[0]
    lead = review["team"][0]["person_id"]
    themselves = bearer(person_token(dev_key_path, lead, "schedule:read"))
    person_feed = await client.post(
        "/v1/feed-tokens", json={"kind": "person", "person_id": lead}, headers=themselves
    )
    assert person_feed.status_code == 201, person_feed.text
    feed_url = person_feed.json()["url"]
    school_feed = await client.post(
        "/v1/feed-tokens", json={"kind": "school", "urn": review["urn"]}, headers=council
    )
    whole = await client.post(
        "/v1/feed-tokens",
        json={"kind": "partnership", "partnership_id": built.partnership_id},
        headers=council,
    )
    assert school_feed.status_code == whole.status_code == 201
    partnership_body = {"kind": "partnership", "partnership_id": built.partnership_id}
    assert_problem(await client.post("/v1/feed-tokens", json=partnership_body, headers=member), 403)
    assert_problem(
        await client.post("/v1/feed-tokens", json=partnership_body, headers=stranger), 422
    )
    assert_problem(
        await client.post(
            "/v1/feed-tokens", json={"kind": "person", "urn": URNS[0]}, headers=council
        ),
        422,
    )

    feed = await client.get(feed_url)  # no bearer token
    assert feed.status_code == 200, feed.text
    assert feed.headers["content-type"].startswith("text/calendar")
    events = _events(feed.content)
    mine = [r for r in reviews if lead in {m["person_id"] for m in r["team"]}]
    for r in mine:
        main = events[f"review-{r['id']}@criticalfriend.org"]
        assert main.start == date.fromisoformat(r["days"][0])
        assert int(main["SEQUENCE"]) == r["version"] - 1
        assert str(main["STATUS"]) == "CONFIRMED"
        workshop = events[f"review-{r['id']}-workshop_on@criticalfriend.org"]
        assert workshop.start == date.fromisoformat(r["milestones"]["workshop_on"])
        # alarms: 09:00 a week before the review, 09:00 the day before each milestone
        action, trigger, text = _alarm(main)
        assert (action, trigger) == ("DISPLAY", -timedelta(days=6, hours=15))
        assert "in a week" in text
        assert _alarm(workshop)[:2] == ("DISPLAY", -timedelta(hours=15))
        assert _alarm(workshop)[2].startswith("Improvement workshop tomorrow")
    others = [r for r in reviews if r not in mine]
    assert all(f"review-{r['id']}@criticalfriend.org" not in events for r in others)
    assert f"meeting-{moved['id']}@criticalfriend.org" in events
    assert str(events[f"meeting-{moved['id']}@criticalfriend.org"]["LOCATION"]) == "Zoom"
    assert int(events[f"meeting-{moved['id']}@criticalfriend.org"]["SEQUENCE"]) == 1
    assert _alarm(events[f"meeting-{moved['id']}@criticalfriend.org"])[1] == -timedelta(days=1)
    assert str(events[f"meeting-{dropped['id']}@criticalfriend.org"]["STATUS"]) == "CANCELLED"
    assert events[f"meeting-{dropped['id']}@criticalfriend.org"].walk("VALARM") == []
    school_events = _events((await client.get(school_feed.json()["url"])).content)
    assert f"review-{review['id']}@criticalfriend.org" in school_events
    all_events = _events((await client.get(whole.json()["url"])).content)
    assert {f"review-{r['id']}@criticalfriend.org" for r in reviews} <= set(all_events)

    # a change raises the SEQUENCE; a cancellation shows as cancelled
    target = mine[-1]
    patched = await client.patch(
        f"/v1/planned-reviews/{target['id']}",
        json={"mode": "virtual"},
        headers={**council, "If-Match": f'"{target["version"]}"'},
    )
    assert patched.status_code == 200, patched.text
    events = _events((await client.get(feed_url)).content)
    main = events[f"review-{target['id']}@criticalfriend.org"]
    assert int(main["SEQUENCE"]) == target["version"]  # one more than before
    assert "virtual" in str(main["DESCRIPTION"])
    cancelled = await client.post(
        f"/v1/planned-reviews/{target['id']}/cancellation",
        json={"reason": "The school closed"},
        headers={**council, "If-Match": f'"{patched.json()["version"]}"'},
    )
    assert cancelled.status_code == 200
    events = _events((await client.get(feed_url)).content)
    for uid, event in events.items():
        if uid.startswith(f"review-{target['id']}"):
            assert str(event["STATUS"]) == "CANCELLED"
            assert int(event["SEQUENCE"]) == target["version"] + 1
            assert event.walk("VALARM") == []

    # revoked or unknown: 404; the caller lists their tokens (never the secrets)
    mine_tokens = await client.get("/v1/feed-tokens", headers=themselves)
    assert [t["id"] for t in mine_tokens.json()["data"]] == [person_feed.json()["id"]]
    assert "url" not in mine_tokens.json()["data"][0]
    assert_problem(
        await client.delete(f"/v1/feed-tokens/{person_feed.json()['id']}", headers=stranger), 404
    )
    revoked = await client.delete(f"/v1/feed-tokens/{person_feed.json()['id']}", headers=themselves)
    assert revoked.status_code == 204
    assert_problem(await client.get(feed_url), 404)
    assert_problem(await client.get("/v1/feeds/" + "x" * 43 + ".ics"), 404)
    assert (await client.get("/v1/feed-tokens", headers=themselves)).json()["data"][0]["revoked_at"]
