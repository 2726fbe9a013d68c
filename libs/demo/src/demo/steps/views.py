"""What a Partnership Lead, a trust and a county officer see once the year is under way, each
with its own token and through the API only (see :mod:`demo.views`).

The viewers are chosen from the county: the first partnership whose agreement names its
schools within it (so its lead reads its reviews by name), the largest multi-academy trust
that is not a partnership itself (its academies sit in several), and the council.
"""

from __future__ import annotations

from datetime import date

from demo.context import DemoContext
from demo.county.model import Partnership, Trust
from demo.report import StepReport
from demo.views.county import county_view
from demo.views.lead import lead_view
from demo.views.trust import trust_view


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


class Views:
    name = "views"
    title = "what a Partnership Lead, a trust and a county officer see"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        today = date.today()
        partnership = shown_partnership(ctx)
        pid = await ctx.partnership_id(partnership.key)
        lines, _ = await lead_view(ctx, report, pid, partnership.name)
        trust = shown_trust(ctx)
        if trust is not None:
            lines += ["", *await trust_view(ctx, trust.uid, trust.name, today)]
        lines += ["", *await county_view(ctx, today)]
        for line in lines:
            ctx.say(line)
