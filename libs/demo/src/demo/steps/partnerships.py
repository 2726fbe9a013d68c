"""Partnerships, their member schools and their data-sharing agreements.

The county council creates each partnership (found by name if it exists; created with an
``Idempotency-Key`` otherwise); its lead then adds the schools it lacks and sets the agreement
when it differs from the one wanted (``If-Match``).
"""

from __future__ import annotations

from demo.context import DemoContext
from demo.county.model import Partnership
from demo.report import Outcome, StepReport


def idempotency_key(ctx: DemoContext, kind: str, natural_key: str) -> str:
    """Derived from the seed and the thing's own key: a retried run sends the same one."""
    return f"cf-demo:{ctx.county.seed}:{kind}:{natural_key}"


class Partnerships:
    name = "partnerships"
    title = "partnerships, members and data-sharing agreements"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        held = await ctx.partnership_ids()
        await ctx.each(ctx.county.partnerships, lambda p: self._partnership(ctx, report, p, held))
        ctx.forget("partnerships")
        await ctx.each(ctx.county.partnerships, lambda p: self._members(ctx, report, p))
        await ctx.each(ctx.county.partnerships, lambda p: self._agreement(ctx, report, p))

    async def _partnership(
        self, ctx: DemoContext, report: StepReport, wanted: Partnership, held: dict[str, str]
    ) -> None:
        api, token = ctx.services.scheduling, ctx.tokens.county()
        if wanted.name not in held:
            body = {"name": wanted.name, "kind": wanted.kind, "la_code": ctx.county.la_code}
            key = idempotency_key(ctx, "partnership", wanted.key)
            response = await api.request(
                "POST", "/v1/partnerships", token=token, json=body, ok=(200, 201),
                headers={"Idempotency-Key": key},
            )  # fmt: skip
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            report.count("partnerships", Outcome.UNCHANGED if replayed else Outcome.CREATED)
            return
        path = f"/v1/partnerships/{held[wanted.name]}"
        found = await api.get_with_etag(path, token=token)
        assert found is not None, path
        current, etag = found
        if current["kind"] == wanted.kind:
            report.count("partnerships", Outcome.UNCHANGED)
            return
        await api.request(
            "PATCH", path, token=token, json={"kind": wanted.kind}, headers={"If-Match": etag}
        )
        report.count("partnerships", Outcome.UPDATED)

    async def _members(self, ctx: DemoContext, report: StepReport, wanted: Partnership) -> None:
        api = ctx.services.scheduling
        pid = await ctx.partnership_id(wanted.key)
        token = ctx.tokens.lead(pid)
        rows = await api.all_pages(f"/v1/partnerships/{pid}/members", token=token)
        members = {row["urn"] for row in rows}
        for urn in wanted.urns:
            if urn in members:
                report.count("member schools", Outcome.UNCHANGED)
                continue
            response = await api.request(
                "PUT", f"/v1/partnerships/{pid}/members/{urn}", token=token, ok=(200, 201)
            )
            joined = response.status_code == 201
            report.count("member schools", Outcome.CREATED if joined else Outcome.UNCHANGED)

    async def _agreement(self, ctx: DemoContext, report: StepReport, wanted: Partnership) -> None:
        api = ctx.services.scheduling
        pid = await ctx.partnership_id(wanted.key)
        token = ctx.tokens.lead(pid)
        path = f"/v1/partnerships/{pid}/agreement"
        found = await api.get_with_etag(path, token=token)
        assert found is not None, path
        current, etag = found
        body = wanted.agreement.body()
        if all(current[k] == v for k, v in body.items()):
            report.count("agreements", Outcome.UNCHANGED)
            return
        # 202: a wider version is proposed, in force for each school once its head consents
        # (docs/api/scheduling.md); a narrower one answers 200, in force at once.
        await api.request(
            "PUT", path, token=token, json=body, headers={"If-Match": etag}, ok=(200, 202)
        )
        report.count("agreements", Outcome.UPDATED)
