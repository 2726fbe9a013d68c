"""What a Partnership Lead, a trust and a county officer see once the year is under way, each
with its own token and through the API only (see :mod:`demo.views`).

The viewers are chosen from the county: the first partnership whose agreement names its
schools within it (so its lead reads its reviews by name), the largest multi-academy trust
that is not a partnership itself (its academies sit in several), and the council. The
knowledge service's figures are shown once it has counted the lead's partnership's reports
(it learns of them from the review events, a moment after they are published).
"""

from __future__ import annotations

import asyncio
from datetime import date

from demo.context import DemoContext
from demo.county.model import Partnership, Trust
from demo.report import StepReport
from demo.views import insights
from demo.views.county import county_view
from demo.views.lead import lead_view
from demo.views.trust import trust_view
from demo.walk.plan import stage_index

INGEST_TIMEOUT_SECONDS = 90.0


def shown_partnership(ctx: DemoContext) -> Partnership:
    named = [p for p in ctx.county.partnerships if p.agreement.partnership_visibility == "named"]
    return (named or list(ctx.county.partnerships))[0]


def shown_trust(ctx: DemoContext) -> Trust | None:
    partnership_names = {p.name for p in ctx.county.partnerships}
    trusts = [
        t
        for t in ctx.county.trusts
        if t.group_type.startswith("Multi") and t.name not in partnership_names
    ]
    return max(trusts, key=lambda t: (len(t.urns), t.uid), default=None)


async def counted(ctx: DemoContext, pid: str, published: int) -> None:
    """Wait until the knowledge service counts the partnership's published reports."""
    knowledge, token = ctx.services.knowledge, ctx.tokens.lead(pid)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + INGEST_TIMEOUT_SECONDS
    year = ctx.county.academic_year
    while True:
        seen = await insights.reviewed_schools(knowledge, token, "partnership", pid, year)
        if seen == published:
            return
        if loop.time() > deadline:
            ctx.say(f"    knowledge counts {seen} of the {published} reports: showing it as it is")
            return
        ctx.say(f"    ... waiting for knowledge to count the reports: {seen or 0} of {published}")
        await asyncio.sleep(1.0)


class Views:
    name = "views"
    title = "what a Partnership Lead, a trust and a county officer see"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        today, year = date.today(), ctx.county.academic_year
        knowledge = ctx.services.knowledge
        partnership = shown_partnership(ctx)
        pid = await ctx.partnership_id(partnership.key)
        lines, seen = await lead_view(ctx, report, pid, partnership.name)
        with_insights = await insights.available(knowledge)
        themes: dict[str, str] = {}
        if with_insights and seen:
            published = stage_index("report_published")
            reports = sum(
                1 for r in seen.get("reviews", []) if stage_index(r["state"]) >= published
            )
            await counted(ctx, pid, reports)
            themes = await insights.theme_labels(knowledge, ctx.tokens.county())
            lead = ctx.tokens.lead(pid)
            lines += await insights.themes(knowledge, lead, "partnership", pid, year, themes)
            lines += await insights.pairings(knowledge, lead, pid, year, seen["names"], themes)
            lines += await insights.process(knowledge, lead, "partnership", pid, year)
        else:
            lines.append("  (this knowledge service has no insights routes: no themes, pairings "
                         "or measures to show)")  # fmt: skip
        trust = shown_trust(ctx)
        if trust is not None:
            lines += ["", *await trust_view(ctx, trust.uid, trust.name, today)]
            if with_insights:
                token = ctx.tokens.trust(trust.uid)
                lines += await insights.themes(knowledge, token, "trust", trust.uid, year, themes)
        lines += ["", *await county_view(ctx, today)]
        if with_insights:
            token, la = ctx.tokens.county(), ctx.county.la_code
            lines += await insights.themes(knowledge, token, "la", la, year, themes)
            lines += await insights.outcomes(knowledge, token, "la", la, year)
            lines += await insights.process(knowledge, token, "la", la, year, parts=3)
        for line in lines:
            ctx.say(line)
