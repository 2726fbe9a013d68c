"""What a county officer sees, with the council's own token (``la``: its code) and through
the API only. The schedule names every review; the data-sharing agreements let the council
read no review record (``GET /v1/reviews`` answers none), so where each review is comes from
the review events a council receives (``GET /v1/events``: the lifecycle, never the content),
and what the reviews found only as the knowledge service's aggregates."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date
from typing import Any

from demo.context import DemoContext
from demo.views import labels
from demo.views.council import council_view
from demo.views.lifecycle import MILESTONE_LABELS, overdue, read_feed, stages
from demo.views.table import table
from demo.walk.plan import MAIN_LINE, stage_index

TOP_PARTNERSHIPS = 8


async def county_view(ctx: DemoContext, today: date) -> list[str]:
    county, token, year = ctx.county, ctx.tokens.county(), ctx.county.academic_year
    api = ctx.services.scheduling
    planned, partnerships, calendar, events, records = await asyncio.gather(
        api.all_pages("/v1/planned-reviews", token=token, params={"status": "planned"}),
        api.all_pages("/v1/partnerships", token=token, params={"la": county.la_code}),
        api.get(f"/v1/calendars/las/{county.la_code}/{year}", token=token),
        read_feed(ctx.services.reviews, token),
        ctx.services.reviews.all_pages("/v1/reviews", token=token, params={"academic_year": year}),
    )
    names = {p["id"]: p["name"] for p in partnerships}
    planned = [r for r in planned if r["partnership_id"] in names and r["academic_year"] == year]
    states = stages(events)
    terms = calendar["terms"] if calendar else []
    lines = [f"What a county officer of {county.la_name} sees (the council's own token):"]
    lines += await council_view(ctx)

    by_term: dict[str, list[dict[str, Any]]] = {}
    for review in sorted(planned, key=lambda r: r["days"][0]):
        by_term.setdefault(labels.half_term_of(review["days"][0], terms), []).append(review)

    def state(review: dict[str, Any]) -> str:
        return states.get(review["id"], "planned")

    def late(review: dict[str, Any]) -> list[str]:
        return overdue(review["milestones"], state(review), today)

    published = stage_index("report_published")
    lines += table(
        f"The county's year: {len(planned):,} reviews in {len(names)} partnerships, by half-term",
        ["half-term", "reviews", "held so far", "reports published", "closed", "overdue"],
        [
            [
                term,
                len(rows),
                sum(1 for r in rows if r["days"][-1] < today.isoformat()),
                sum(1 for r in rows if stage_index(state(r)) >= published),
                sum(1 for r in rows if state(r) == "closed"),
                sum(1 for r in rows if late(r)),
            ]
            for term, rows in by_term.items()
        ],
    )
    at = Counter(state(r) for r in planned)
    lines += table(
        f"Where the reviews are (from {len(events):,} review events, GET /v1/events)",
        ["stage", "reviews"],
        [[labels.stage(s), at[s]] for s in (*MAIN_LINE, "postponed", "cancelled") if at[s]],
    )
    by_partnership: dict[str, Counter[str]] = {}
    for review in planned:
        for milestone in late(review):
            by_partnership.setdefault(review["partnership_id"], Counter())[milestone] += 1
    worst = sorted(
        by_partnership.items(), key=lambda item: (-sum(item[1].values()), names[item[0]])
    )
    columns = list(MILESTONE_LABELS)
    late_reviews = sum(1 for r in planned if late(r))
    lines += table(
        f"Overdue milestones: {late_reviews:,} reviews in {len(by_partnership)} partnerships; "
        f"the {min(TOP_PARTNERSHIPS, len(worst))} with the most",
        ["partnership", *(MILESTONE_LABELS[c] for c in columns)],
        [[names[pid], *(counts[c] for c in columns)] for pid, counts in worst[:TOP_PARTNERSHIPS]],
    )
    lines.append(
        f"  Review records the council may read (GET /v1/reviews): {len(records)} "
        "(no agreement names schools to the council; it sees stages, not findings)"
    )
    return lines
