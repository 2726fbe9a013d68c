"""What the county council now sees, read back through the API (not from the demo's own
model): schools by phase, trusts, partnerships by kind and quadrant, people by role, cycles."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from demo.context import DemoContext
from demo.report import StepReport

ROLE_LABELS = {
    "headteacher": "headteachers",
    "deputy": "deputies",
    "senior_leader": "senior leaders",
    "partnership_lead": "partnership leads",
    "lead_reviewer": "lead reviewers",
    "reviewer": "reviewers",
    "improvement_champion": "Improvement Champions",
    "assistant_ic": "assistant ICs",
}
PHASE_LABELS = {"primary": "primary", "secondary": "secondary", "special": "special",
                "all_through": "all-through"}  # fmt: skip


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _counted(counter: Counter[str], labels: dict[str, str]) -> str:
    return ", ".join(f"{counter[k]:,} {label}" for k, label in labels.items() if counter[k])


class CountySummary:
    name = "summary"
    title = "read back: what the county council sees"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        county, api, token = ctx.county, ctx.services.scheduling, ctx.tokens.county()
        schools, trusts, people, cycles = await asyncio.gather(
            api.all_pages("/v1/schools", token=token, params={"la": county.la_code}),
            api.all_pages("/v1/trusts", token=token),
            api.all_pages("/v1/people", token=token),
            api.all_pages(
                "/v1/cycles", token=token, params={"academic_year": county.academic_year}
            ),
        )
        ids = await ctx.partnership_ids(refresh=True)
        ours = [p for p in county.partnerships if p.name in ids]
        open_schools = [s for s in schools if s["status"] == "open"]
        phases = Counter(s["phase"] for s in open_schools)
        say = ctx.say
        say(f"  {county.la_name} (LA {county.la_code}), {county.academic_year}:")
        say(
            f"    {len(open_schools):,} open schools ({_counted(phases, PHASE_LABELS)}), "
            f"{len(schools) - len(open_schools)} closed predecessors of academies"
        )
        kinds = Counter(t["group_type"] for t in trusts)
        say("    " + ", ".join(_plural(n, kind.lower()) for kind, n in sorted(kinds.items())))
        by_kind = Counter(p.kind.replace("_", " ") for p in ours)
        kinds_text = ", ".join(f"{n} {k}" for k, n in by_kind.most_common())
        say(
            f"    {len(ids)} partnerships ({kinds_text}), "
            f"{len(cycles)} with a cycle for {county.academic_year}"
        )
        roles = _counted(self._roles(people, county.academic_year), ROLE_LABELS)
        say(f"    {len(people):,} people: {roles}")
        say("    by quadrant:")
        for quadrant in county.quadrants:
            mine = [p for p in ours if p.quadrant == quadrant]
            if not mine:
                continue
            urns = {u for p in mine for u in p.urns}
            staff = sum(1 for p in county.people if p.school in urns)
            say(
                f"      {quadrant:<11} {len(mine):>3} partnerships {len(urns):>4} schools "
                f"{staff:>5} people"
            )

    @staticmethod
    def _roles(people: list[dict[str, Any]], year: str) -> Counter[str]:
        """People per role (a person counts once per role); ICs of this year only."""
        found: Counter[str] = Counter()
        for person in people:
            roles = {r["role"] for r in person["roles"] if r["academic_year"] in (None, year)}
            found.update(roles)
        return found
