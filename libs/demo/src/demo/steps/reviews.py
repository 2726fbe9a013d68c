"""The year's reviews, each walked as far as its dates allow (``--sample n``: only ``n`` of
them), through every stage (see :mod:`demo.walk`).

First it waits until the reviews service holds every published review (it creates them from
``scheduling.review.planned``; each partnership lead polls ``GET /v1/reviews``), then walks
the sample concurrently, each review by the people of its own team, and says how far each
got. Safe to run twice: every review is read first and continued from where it is.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from demo.context import DemoContext
from demo.county.model import School
from demo.report import Outcome, StepReport
from demo.steps.schedule import year_cycles
from demo.walk.content import ReviewContent, review_content
from demo.walk.plan import MAIN_LINE, Walk, choose_sample, plan_walks
from demo.walk.walker import Cast, ReviewWalker, Setting

ARRIVAL_TIMEOUT_SECONDS = 180.0


async def planned_reviews(ctx: DemoContext) -> list[dict[str, Any]]:
    """The county's published reviews of the year, as the council reads them."""
    cycles = await year_cycles(ctx)
    rows = await ctx.services.scheduling.all_pages(
        "/v1/planned-reviews", token=ctx.tokens.county(), params={"status": "planned"}
    )
    return [row for row in rows if row["cycle_id"] in cycles]


def needs_elsewhere(planned: list[dict[str, Any]], seed: int) -> dict[str, frozenset[str]]:
    """Per review: the themes the other schools of its partnership need to develop (from the
    whole published schedule, so a review's content does not depend on the sample)."""
    needs: dict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for review in planned:
        plain = Walk(review, 0, "planned", False, False, False, False)
        own = {f.theme for f in review_content(plain, seed, 1).developments()}
        needs[review["partnership_id"]].append((review["id"], own))
    wanted: dict[str, frozenset[str]] = {}
    for members in needs.values():
        for review_id, own in members:
            others = set().union(*(themes for other, themes in members if other != review_id))
            wanted[review_id] = frozenset(others - own)
    return wanted


class Reviews:
    name = "reviews"
    title = "the year's reviews through their stages, each step by the person whose part it is"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        planned = await planned_reviews(ctx)
        if not planned:
            report.note("no published reviews yet: run the schedule step first")
            return
        held = await self._arrived(ctx, report, planned)
        today = date.today()
        walks = plan_walks(choose_sample(planned, ctx.sample), today, ctx.county.seed)
        heads, focus_map, library = await asyncio.gather(
            self._heads(ctx), self._focus_map(ctx), self._library(ctx)
        )
        wanted = needs_elsewhere(planned, ctx.county.seed)
        contents = {
            w.review_id: review_content(
                w, ctx.county.seed, len(w.review["team"]), wanted[w.review_id]
            )
            for w in walks
        }
        members: dict[str, set[int]] = defaultdict(set)
        for review in planned:
            members[review["partnership_id"]].add(review["urn"])
        year = ctx.county.academic_year
        data_year = f"{int(year[:4]) - 1}-{year[2:4]}"

        async def walk_one(walk: Walk) -> str:
            review = walk.review
            content = contents[walk.review_id]
            focus_codes = sorted(
                {focus_map.get(c, c) for c in review["focus"]} & set(focus_map.values())
            )
            setting = Setting(
                seed=ctx.county.seed,
                today=today,
                data_year=data_year,
                school=ctx.county.school(review["urn"]),
                focus_codes=focus_codes or [content.focus_areas[0].themes[0]],
                library=library,
                partner=self._partner(ctx, walk, content, walks, contents, members),
            )
            walker = ReviewWalker(
                ctx.services.reviews, report, walk, content, self._cast(ctx, review, heads), setting
            )
            state = await walker.run(held.get(walk.review_id))
            report.count("reviews walked", Outcome.UPDATED if walker.wrote else Outcome.UNCHANGED)
            return state

        reached = await ctx.each(walks, walk_one, label="reviews")
        self._describe(report, walks, reached)

    async def _arrived(
        self, ctx: DemoContext, report: StepReport, planned: list[dict[str, Any]]
    ) -> dict[str, dict[str, Any]]:
        """Wait until the reviews service holds every published review; them, by id."""
        wanted: dict[str, set[str]] = defaultdict(set)
        for review in planned:
            wanted[review["partnership_id"]].add(review["id"])
        year = ctx.county.academic_year
        loop = asyncio.get_running_loop()
        began = loop.time()

        held: dict[str, dict[str, Any]] = {}

        async def missing(pid: str) -> int:
            rows = await ctx.services.reviews.all_pages(
                "/v1/reviews", token=ctx.tokens.lead(pid),
                params={"partnership": pid, "academic_year": year},
            )  # fmt: skip
            held.update((row["id"], row) for row in rows)
            return len(wanted[pid] - {row["id"] for row in rows})

        while True:
            left = sum(await ctx.each(list(wanted), missing))
            if left == 0:
                break
            if loop.time() - began > ARRIVAL_TIMEOUT_SECONDS:
                raise LookupError(f"{left} published reviews have not reached the reviews service")
            ctx.say(f"    ... waiting for the reviews service: {left:,} reviews to come")
            await asyncio.sleep(1.0)
        report.note(f"the reviews service holds all {len(planned):,} published reviews")
        return held

    async def _heads(self, ctx: DemoContext) -> dict[int, tuple[str, str]]:
        """Each school's headteacher: URN -> (person id, name)."""
        people = await ctx.people_by_email()
        heads: dict[int, tuple[str, str]] = {}
        for person in people.values():
            for role in person["roles"]:
                if role["role"] == "headteacher" and role.get("urn") is not None:
                    heads[role["urn"]] = (person["id"], person["name"])
        return heads

    async def _focus_map(self, ctx: DemoContext) -> dict[str, str]:
        """Expertise code -> theme code, the knowledge taxonomy's mapping."""
        found = await ctx.services.knowledge.get(
            "/v1/themes/expertise-map", token=ctx.tokens.county()
        )
        assert found is not None
        return {row["expertise_code"]: row["theme_code"] for row in found["data"]}

    async def _library(self, ctx: DemoContext) -> list[dict[str, Any]]:
        return await ctx.services.knowledge.all_pages(
            "/v1/evidence-library", token=ctx.tokens.county()
        )

    def _cast(
        self, ctx: DemoContext, review: dict[str, Any], heads: dict[int, tuple[str, str]]
    ) -> Cast:
        tokens, urn = ctx.tokens, review["urn"]
        head = heads.get(urn)
        school = tokens.person(head[0], school=urn) if head else tokens.school(urn)
        team = [tokens.person(m["person_id"]) for m in review["team"]]
        ic = tokens.person(review["improvement_champion"]["person_id"])
        return Cast(
            school=school, head_name=head[1] if head else "The headteacher", team=team, ic=ic
        )

    def _partner(
        self,
        ctx: DemoContext,
        walk: Walk,
        content: ReviewContent,
        walks: list[Walk],
        contents: dict[str, ReviewContent],
        members: dict[str, set[int]],
    ) -> tuple[int, str] | None:
        """A partner school for support: one of the partnership's sampled schools strong
        where this one is not, else another member school."""
        review = walk.review
        needs = {f.theme for f in content.developments()}
        strong = [
            w.review["urn"]
            for w in walks
            if w.review["partnership_id"] == review["partnership_id"]
            and w.review["urn"] != review["urn"]
            and needs & contents[w.review_id].themes_offered
        ]
        others = sorted(members[review["partnership_id"]] - {review["urn"]})
        if not strong and not others:
            return None
        rng = random.Random(f"{ctx.county.seed}:partner:{review['urn']}")  # noqa: S311 - synthetic
        urn = strong[0] if strong else rng.choice(others)
        school: School = ctx.county.school(urn)
        return urn, school.name

    def _describe(self, report: StepReport, walks: list[Walk], reached: list[str]) -> None:
        states = Counter(reached)
        line = ", ".join(f"{states[s]} {s.replace('_', ' ')}" for s in MAIN_LINE if states[s])
        report.note(f"{len(walks)} reviews walked, now: {line}")
        stalled = Counter(w.target.replace("_", " ") for w in walks if w.stalled)
        if stalled:
            where = ", ".join(f"{n} at {stage}" for stage, n in stalled.items())
            report.note(f"left part-way on purpose (their milestones go overdue): {where}")
