"""Each partnership's cycle for the year, with the part of the policy it changes, created by
its lead; then each member school's request (focus, preferred half-terms, mode, days), made by
the school itself (``PUT`` by URN). A cycle that exists answers 409 on create: that is the one
we want, found."""

from __future__ import annotations

from typing import Any

from demo.api.client import ApiError
from demo.context import DemoContext
from demo.county.model import Partnership, Request
from demo.report import Outcome, StepReport
from demo.steps.partnerships import idempotency_key


def _contains(held: dict[str, Any], wanted: dict[str, Any]) -> bool:
    """Every value of ``wanted`` (nested) is in ``held``; the rest are the service's defaults."""
    for key, value in wanted.items():
        if isinstance(value, dict):
            if not isinstance(held.get(key), dict) or not _contains(held[key], value):
                return False
        elif held.get(key) != value:
            return False
    return True


def request_body(request: Request) -> dict[str, Any]:
    return {
        "focus": list(request.focus),
        "preferred_half_terms": list(request.preferred_half_terms),
        "mode": request.mode,
        "days": request.days,
    }


class Cycles:
    name = "cycles"
    title = "the year's cycles, their policies and each school's request"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        cycles = await ctx.each(ctx.county.partnerships, lambda p: self._cycle(ctx, report, p))
        requests = {r.urn: r for r in ctx.county.requests}
        await ctx.each(
            zip(ctx.county.partnerships, cycles, strict=True),
            lambda pair: self._requests(ctx, report, pair[0], pair[1], requests),
        )

    async def _find(self, ctx: DemoContext, pid: str) -> dict[str, Any] | None:
        rows = await ctx.services.scheduling.all_pages(
            "/v1/cycles",
            token=ctx.tokens.lead(pid),
            params={"partnership": pid, "academic_year": ctx.county.academic_year},
        )
        return rows[0] if rows else None

    async def _cycle(self, ctx: DemoContext, report: StepReport, wanted: Partnership) -> str:
        api = ctx.services.scheduling
        pid = await ctx.partnership_id(wanted.key)
        token = ctx.tokens.lead(pid)
        held = await self._find(ctx, pid)
        if held is None:
            body = {
                "partnership_id": pid,
                "academic_year": ctx.county.academic_year,
                "policy": wanted.policy,
            }
            key = idempotency_key(ctx, "cycle", f"{wanted.key}:{ctx.county.academic_year}")
            try:
                response = await api.request(
                    "POST", "/v1/cycles", token=token, json=body, ok=(200, 201),
                    headers={"Idempotency-Key": key},
                )  # fmt: skip
            except ApiError as exc:
                if exc.status != 409:
                    raise
                held = await self._find(ctx, pid)  # made meanwhile: found
                assert held is not None
            else:
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                report.count("cycles", Outcome.UNCHANGED if replayed else Outcome.CREATED)
                cycle_id: str = response.json()["id"]
                return cycle_id
        if _contains(held["policy"], wanted.policy):
            report.count("cycles", Outcome.UNCHANGED)
        else:
            await api.request(
                "PATCH", f"/v1/cycles/{held['id']}", token=token,
                json={"policy": wanted.policy}, headers={"If-Match": f'"{held["version"]}"'},
            )  # fmt: skip
            report.count("cycles", Outcome.UPDATED)
        found_id: str = held["id"]
        return found_id

    async def _requests(
        self,
        ctx: DemoContext,
        report: StepReport,
        wanted: Partnership,
        cycle_id: str,
        requests: dict[int, Request],
    ) -> None:
        api = ctx.services.scheduling
        pid = await ctx.partnership_id(wanted.key)
        rows = await api.all_pages(f"/v1/cycles/{cycle_id}/requests", token=ctx.tokens.lead(pid))
        held = {row["urn"]: row for row in rows}
        for urn in wanted.urns:
            body = request_body(requests[urn])
            current = held.get(urn)
            path = f"/v1/cycles/{cycle_id}/requests/{urn}"
            token = ctx.tokens.school(urn)
            if current is None:
                await api.request("PUT", path, token=token, json=body, ok=(201,))
                report.count("school requests", Outcome.CREATED)
            elif _contains(current, body):
                report.count("school requests", Outcome.UNCHANGED)
            else:
                etag = f'"{current["version"]}"'
                await api.request("PUT", path, token=token, json=body, headers={"If-Match": etag})
                report.count("school requests", Outcome.UPDATED)
