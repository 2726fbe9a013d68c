"""What a multi-academy trust sees, with the trust's own token (``trusts``: its Group UID)
and through the API only: its academies' reviews this year (the schedule names them to it),
where each is (from the review events a trust receives), and what is overdue. Like a council,
it reads no review record and no finding: agreements give a trust aggregates only."""

from __future__ import annotations

import asyncio
from datetime import date

from demo.context import DemoContext
from demo.views import labels
from demo.views.lifecycle import overdue, read_feed, stages
from demo.views.table import table


async def trust_view(ctx: DemoContext, uid: str, name: str, today: date) -> list[str]:
    token, year = ctx.tokens.trust(uid), ctx.county.academic_year
    api = ctx.services.scheduling
    schools, partnerships, planned, events = await asyncio.gather(
        api.all_pages("/v1/schools", token=token, params={"trust": uid}),
        api.all_pages("/v1/partnerships", token=token),
        api.all_pages("/v1/planned-reviews", token=token, params={"status": "planned"}),
        read_feed(ctx.services.reviews, token),
    )
    names = {s["urn"]: s["name"] for s in schools}
    partnership_names = {p["id"]: p["name"] for p in partnerships}
    states = stages(events)
    mine = sorted(
        (r for r in planned if r["academic_year"] == year and r["urn"] in names),
        key=lambda r: (r["days"][0], r["urn"]),
    )
    rows = []
    for review in mine:
        state = states.get(review["id"], "planned")
        late = overdue(review["milestones"], state, today)
        since = f"{len(late)} since {labels.day(review['milestones'][late[0]])}" if late else ""
        rows.append(
            [
                labels.days([str(d) for d in review["days"]]),
                names[review["urn"]],
                partnership_names.get(review["partnership_id"], "?"),
                labels.stage(state),
                since,
            ]
        )
    lines = [f"What {name} sees (the trust's own token):"]
    lines += table(
        f"Its {len(names)} academies' reviews in {year} (stages from the review events it "
        "receives)",
        ["day", "academy", "partnership", "stage", "milestones overdue"],
        rows,
        limit=34,
    )
    return lines
