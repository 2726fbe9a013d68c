"""What a Partnership Lead sees, with the lead's own token (``partnerships``: its id) and
through the API only: the partnership's year (each review by half-term with its team and
where it is), its meetings, its calendar feed, and the milestones that are overdue."""

from __future__ import annotations

import asyncio
from typing import Any

from demo.context import DemoContext
from demo.report import Outcome, StepReport
from demo.views import labels
from demo.views.table import table


async def _feed_url(ctx: DemoContext, report: StepReport, pid: str, token: str) -> str:
    """The partnership's calendar feed: its secret URL is shown once, when it is made."""
    api = ctx.services.scheduling
    held = await api.all_pages("/v1/feed-tokens", token=token)
    mine = [f for f in held if f["partnership_id"] == pid and f["revoked_at"] is None]
    if mine:
        report.count("calendar feeds", Outcome.UNCHANGED)
        return (
            f"made on {mine[0]['created_at'][:10]}; its secret URL was shown then "
            "(revoke it and make another to see one again)"
        )
    response = await api.request(
        "POST", "/v1/feed-tokens", token=token, ok=(201,),
        json={"kind": "partnership", "partnership_id": pid},
    )  # fmt: skip
    report.count("calendar feeds", Outcome.CREATED)
    url = f"{api.base_url}{response.json()['url']}"
    return f"{url} (subscribe to it from Outlook or Google Calendar)"


async def lead_view(
    ctx: DemoContext, report: StepReport, pid: str, name: str
) -> tuple[list[str], dict[str, Any]]:
    """The lines to print, and what they were built from (the reviews, for the knowledge
    views that follow)."""
    api, token, year = ctx.services.scheduling, ctx.tokens.lead(pid), ctx.county.academic_year
    cycles = await api.all_pages(
        "/v1/cycles", token=token, params={"partnership": pid, "academic_year": year}
    )
    if not cycles:
        return [f"  {name} has no cycle for {year}"], {}
    cycle_id = cycles[0]["id"]
    planned, schools, reviews, calendar, meetings = await asyncio.gather(
        api.all_pages("/v1/planned-reviews", token=token, params={"cycle": cycle_id}),
        api.all_pages("/v1/schools", token=token, params={"partnership": pid}),
        ctx.services.reviews.all_pages(
            "/v1/reviews", token=token, params={"partnership": pid, "academic_year": year}
        ),
        api.get(f"/v1/calendars/las/{ctx.county.la_code}/{year}", token=token),
        api.all_pages(f"/v1/cycles/{cycle_id}/meetings", token=token),
    )
    names = {s["urn"]: s["name"] for s in schools}
    records = {r["id"]: r for r in reviews}
    terms = calendar["terms"] if calendar else []
    lines = [f"What the Partnership Lead of {name} sees (the lead's own token):"]

    rows: list[list[Any]] = []
    last_term = ""
    for review in sorted(planned, key=lambda r: (r["days"][0], r["urn"])):
        term = labels.half_term_of(review["days"][0], terms)
        record = records.get(review["id"])
        team = review["team"]
        rows.append(
            [
                term if term != last_term else "",
                labels.days([str(d) for d in review["days"]]),
                names.get(review["urn"], str(review["urn"])),
                labels.short_name(team[0]["name"]) if team else "?",
                ", ".join(labels.short_name(m["name"]) for m in team[1:]),
                labels.short_name((review["improvement_champion"] or {}).get("name")),
                labels.stage(record["state"]) if record else "(not in reviews yet)",
            ]
        )
        last_term = term
    lines += table(
        f"The year's calendar: {len(planned)} reviews in {year}, by half-term",
        ["half-term", "day", "school", "lead reviewer", "reviewers", "IC", "stage"],
        rows,
        limit=32,
    )
    lines += table(
        f"Meetings: {len(meetings)}",
        ["day", "time", "meeting"],
        [
            [*labels.uk_time(m["starts_at"]), m["title"].removeprefix(f"{name}: ")]
            for m in sorted(meetings, key=lambda m: m["starts_at"])
            if m["status"] != "cancelled"
        ],
    )
    lines.append(f"  The partnership's calendar feed: {await _feed_url(ctx, report, pid, token)}")
    late = await ctx.services.reviews.all_pages(
        "/v1/reviews", token=token, params={"partnership": pid, "overdue": "true"}
    )
    lines += table(
        f"Overdue milestones (GET /v1/reviews?overdue=true): {len(late)} reviews",
        ["school", "review day", "stage", "late since", "overdue"],
        [
            [
                names.get(r["urn"], str(r["urn"])),
                labels.days([str(d) for d in r["days"]]),
                labels.stage(r["state"]),
                labels.day(r["milestones"][r["overdue_milestones"][0]]),
                labels.milestones(r["overdue_milestones"]),
            ]
            for r in sorted(late, key=lambda r: (r["days"][0], r["urn"]))
        ],
        limit=60,
    )
    return lines, {"reviews": reviews, "names": names}
