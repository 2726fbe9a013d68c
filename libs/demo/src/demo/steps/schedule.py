"""The year's schedule: the county council asks for the whole LA's year in one schedule job
(``POST /v1/schedule-jobs``: every unpublished cycle solved together, reviewers shared where
the policies allow), polls it to the end, and publishes each cycle's draft
(``POST /v1/cycles/{id}/schedule/publish``); each lead then has the policy's meetings
generated for its cycle. A partnership whose data rule out a schedule does not hold the others
back: the job still succeeds, with drafts for the others, and lists that partnership as
unscheduled with its explanations, which are printed. Only when the job fails outright (no
cycle could be scheduled) is each cycle solved on its own
(``POST /v1/cycles/{id}/schedule-jobs``), so that any partnership that can be scheduled is.

Read first: a cycle whose schedule is published is never solved again; when every unpublished
cycle has a draft already (a run stopped between solving and publishing), the drafts are
published as they are. A draft that no longer fits (409, it breaks hard rules with what was
published since) is solved again, once. Explanations of a job that found no schedule for a
school are printed as the service words them.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from typing import Any

from demo.api.client import ApiError
from demo.context import DemoContext
from demo.report import Outcome, StepReport
from demo.steps.partnerships import idempotency_key

POLL_SECONDS = 1.0
JOB_TIMEOUT_SECONDS = 900.0  # the full county takes about half a minute on 2 cores
BUSY_RETRY_SECONDS = 3.0  # another job (an interrupted run's) is still solving these cycles
EXPLANATION_CHARS = 300  # a conflict core can list every limit of every person: cut it short


async def year_cycles(ctx: DemoContext) -> dict[str, dict[str, Any]]:
    """The county's cycles of the year, by id, as the council sees them."""
    rows = await ctx.services.scheduling.all_pages(
        "/v1/cycles", token=ctx.tokens.county(), params={"academic_year": ctx.county.academic_year}
    )
    ids = set((await ctx.partnership_ids()).values())
    return {row["id"]: row for row in rows if row["partnership_id"] in ids}


class Schedule:
    name = "schedule"
    title = "the year's schedule: one job for the whole LA, then each cycle published"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        cycles = await year_cycles(ctx)
        if not cycles:
            report.note("no cycles yet: run the cycles step first")
            return
        schedules = await self._schedules(ctx, cycles)
        if await self._solve_if_needed(ctx, report, schedules):
            schedules = await self._schedules(ctx, cycles)
        stale = await self._publish(ctx, report, schedules)
        if stale:
            report.note(f"{len(stale)} draft(s) no longer fit what was published: solving again")
            await self._solve(ctx, report, stale)
            schedules = await self._schedules(ctx, cycles)
            if still := await self._publish(ctx, report, schedules):
                report.note(f"{len(still)} draft(s) still clash: left unpublished")
        if missing := [cid for cid, held in schedules.items() if held is None]:
            names = {pid: name for name, pid in (await ctx.partnership_ids()).items()}
            left = ", ".join(sorted(names.get(cycles[c]["partnership_id"], c) for c in missing))
            report.note(f"no schedule this year for {len(missing)} partnership(s): {left}")
        await ctx.each(cycles.values(), lambda c: self._meetings(ctx, report, c))

    async def _schedules(
        self, ctx: DemoContext, cycles: dict[str, dict[str, Any]]
    ) -> dict[str, tuple[dict[str, Any], str] | None]:
        """Each cycle's schedule (draft or published) with its ETag; None before a job."""
        api, token = ctx.services.scheduling, ctx.tokens.county()
        found = await ctx.each(
            cycles, lambda cid: api.get_with_etag(f"/v1/cycles/{cid}/schedule", token=token)
        )
        return dict(zip(cycles, found, strict=True))

    async def _solve_if_needed(
        self,
        ctx: DemoContext,
        report: StepReport,
        schedules: dict[str, tuple[dict[str, Any], str] | None],
    ) -> bool:
        unsolved = [cid for cid, held in schedules.items() if held is None]
        if not unsolved:
            return False
        unpublished = [
            cid for cid, held in schedules.items() if held is None or held[0]["status"] == "draft"
        ]
        await self._solve(ctx, report, unpublished)
        return True

    async def _solve(self, ctx: DemoContext, report: StepReport, cycle_ids: list[str]) -> None:
        """One LA job over every unpublished cycle (the service chooses them; ``cycle_ids`` is
        what we expect it to solve, and names the request). A partial success (some
        partnerships unscheduled, explained) is the answer; only a job that failed outright is
        followed by solving each partnership on its own."""
        year = ctx.county.academic_year
        body = {"la_code": ctx.county.la_code, "academic_year": year, "seed": ctx.county.seed}
        digest = hashlib.sha256(",".join(sorted(cycle_ids)).encode()).hexdigest()[:16]
        key = idempotency_key(ctx, "schedule-job", f"{year}:{digest}")
        job = await self._job(ctx, "/v1/schedule-jobs", body, key)
        names = {pid: name for name, pid in (await ctx.partnership_ids()).items()}
        self._describe(report, f"LA {ctx.county.la_code}'s", job, names)
        if job["status"] == "succeeded":  # a partial one too: its unscheduled ones are named
            return
        if not job["explanations"]:
            raise ApiError(
                "GET", f"/v1/schedule-jobs/{job['id']}", 409,
                {"detail": f"the schedule job {job['status']}: {job['reason']}"},
            )  # fmt: skip
        report.note("so each partnership is solved on its own:")
        cycles = await year_cycles(ctx)

        async def alone(cycle_id: str) -> None:
            path = f"/v1/cycles/{cycle_id}/schedule-jobs"
            key = idempotency_key(ctx, "cycle-schedule-job", f"{cycle_id}:{digest}")
            job = await self._job(ctx, path, {"seed": ctx.county.seed}, key)
            self._describe(report, names.get(cycles[cycle_id]["partnership_id"], cycle_id), job)

        await ctx.each(cycle_ids, alone)

    async def _job(
        self, ctx: DemoContext, path: str, body: dict[str, Any], key: str
    ) -> dict[str, Any]:
        """Start a schedule job and poll it to the end. A replayed job that had failed (an
        earlier run's) is not taken as the answer: the data may have changed since, so it is
        started again, under a key derived from the failed job."""
        api, token = ctx.services.scheduling, ctx.tokens.county()
        while True:
            try:
                response = await api.request(
                    "POST", path, token=token, json=body, ok=(202,),
                    headers={"Idempotency-Key": key},
                )  # fmt: skip
            except ApiError as exc:
                if exc.slug != "schedule-job-running":
                    raise
                ctx.say(f"    waiting: {exc.problem.get('detail')}")
                await asyncio.sleep(BUSY_RETRY_SECONDS)
                continue
            job = await self._finished(ctx, response.headers["Location"])
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            if not (replayed and job["status"] != "succeeded"):
                return job
            key = f"{key}:after:{job['id']}"

    async def _finished(self, ctx: DemoContext, location: str) -> dict[str, Any]:
        api, token = ctx.services.scheduling, ctx.tokens.county()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + JOB_TIMEOUT_SECONDS
        shown = -1
        while True:
            job = await api.get(location, token=token)
            assert job is not None, location
            if job["status"] not in ("queued", "running"):
                return job
            if job["progress"] // 25 > shown // 25 and job["progress"] > 0:
                ctx.say(f"    ... solving: {job['progress']}%")
                shown = job["progress"]
            if loop.time() > deadline:
                raise ApiError("GET", location, 504, {"detail": "the schedule job did not finish"})
            await asyncio.sleep(POLL_SECONDS)

    def _describe(
        self,
        report: StepReport,
        whose: str,
        job: dict[str, Any],
        names: dict[str, str] | None = None,
    ) -> None:
        """The job's outcome; for a partial one, each unscheduled partnership with its own
        explanations (the job's list holds them all: printed only when it failed)."""
        placed = sum(c["reviews"] for c in job["cycles"])
        report.count("schedule jobs", Outcome.CREATED)
        partial = " (partial)" if job.get("partial") else ""
        report.note(
            f"{whose} schedule job {job['status']}{partial} ({job['solver_status']}, objective "
            f"{job['objective']}) in {_duration(job)}: {placed:,} reviews in "
            f"{sum(1 for c in job['cycles'] if c['reviews'])} drafts"
        )
        for cycle in job["cycles"]:
            if cycle.get("unscheduled"):
                name = (names or {}).get(cycle["partnership_id"], f"cycle {cycle['cycle_id']}")
                report.note(f"  no schedule for {name} ({len(cycle['explanations'])}):")
                _explain(report, cycle["explanations"])
            elif cycle.get("skipped"):
                report.note(f"  cycle {cycle['cycle_id']}: skipped: {cycle['skipped']}")
        if job["explanations"] and job["status"] != "succeeded":
            report.note(f"  why there is no schedule ({len(job['explanations'])}):")
            _explain(report, job["explanations"])

    async def _publish(
        self,
        ctx: DemoContext,
        report: StepReport,
        schedules: dict[str, tuple[dict[str, Any], str] | None],
    ) -> list[str]:
        """Publish each draft; the ids of drafts refused because they clash now."""
        api, token = ctx.services.scheduling, ctx.tokens.county()

        async def publish(item: tuple[str, tuple[dict[str, Any], str] | None]) -> str | None:
            cycle_id, held = item
            if held is None:
                return None  # the job skipped it (explained above)
            schedule, etag = held
            if schedule["status"] == "published":
                report.count("published schedules", Outcome.UNCHANGED)
                report.count("planned reviews", Outcome.UNCHANGED, len(schedule["reviews"]))
                return None
            try:
                response = await api.request(
                    "POST", f"/v1/cycles/{cycle_id}/schedule/publish", token=token,
                    ok=(200, 201), headers={"If-Match": etag},
                )  # fmt: skip
            except ApiError as exc:
                if exc.status == 409 and "violations" in exc.problem:
                    return cycle_id
                raise
            made = response.status_code == 201
            reviews = len(response.json()["reviews"])
            report.count("published schedules", Outcome.CREATED if made else Outcome.UNCHANGED)
            report.count("planned reviews", Outcome.CREATED if made else Outcome.UNCHANGED, reviews)
            return None

        # One at a time: each publish is checked against what the LA has published so far and
        # holds the database's write lock while it writes its year, so concurrent publishes
        # only queue (and, on SQLite, time out into 503s and retries).
        refused = [await publish(item) for item in schedules.items()]
        return [cycle_id for cycle_id in refused if cycle_id is not None]

    async def _meetings(self, ctx: DemoContext, report: StepReport, cycle: dict[str, Any]) -> None:
        """The policy's meetings (headteachers' meetings, training, the June evaluation),
        generated by the lead once: a cycle with generated meetings is left as it is."""
        api, token = ctx.services.scheduling, ctx.tokens.lead(cycle["partnership_id"])
        path = f"/v1/cycles/{cycle['id']}/meetings"
        held = await api.all_pages(path, token=token)
        generated = [m for m in held if m["generated_key"]]
        if generated:
            report.count("meetings", Outcome.UNCHANGED, len(generated))
            return
        response = await api.request("POST", f"{path}/generation", token=token)
        report.count("meetings", Outcome.CREATED, len(response.json()["created"]))


def _explain(report: StepReport, explanations: list[dict[str, Any]]) -> None:
    for explanation in explanations:
        message = explanation["message"]
        if len(message) > EXPLANATION_CHARS:
            message = message[: EXPLANATION_CHARS - 1] + "…"
        report.note(f"  - [{explanation['rule']}] {message}")


def _duration(job: dict[str, Any]) -> str:
    if not job.get("started_at") or not job.get("finished_at"):
        return "?"
    started = datetime.fromisoformat(job["started_at"])
    finished = datetime.fromisoformat(job["finished_at"])
    return f"{(finished - started).total_seconds():.1f} s"
