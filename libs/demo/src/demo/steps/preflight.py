"""The three services answer ``/readyz`` and accept the demo's tokens: fail early and say why,
rather than half-way through the county."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from demo.api.client import ApiError, ServiceClient
from demo.context import DemoContext
from demo.report import StepReport

READY_WITHIN_SECONDS = 30.0


class DemoAborted(Exception):  # noqa: N818 - the reason the demo stops, shown as it is
    pass


async def _ready(client: ServiceClient, say: Callable[[str], None]) -> None:
    deadline = asyncio.get_running_loop().time() + READY_WITHIN_SECONDS
    last = "no answer"
    waited = False
    while asyncio.get_running_loop().time() < deadline:
        if last != "no answer" and not waited:
            say(f"    waiting for {client.name} at {client.base_url} (is `make run` going?)")
            waited = True
        try:
            response = await client.request("GET", "/readyz", token=None, ok=(200, 503))
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}: is it running? (make run)"
        else:
            if response.status_code == 200:
                return
            last = response.text[:200]
        await asyncio.sleep(0.5)
    raise DemoAborted(f"{client.name} at {client.base_url} is not ready: {last}")


class Preflight:
    name = "preflight"
    title = "services ready"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        services = (ctx.services.scheduling, ctx.services.reviews, ctx.services.knowledge)
        await asyncio.gather(*(_ready(s, ctx.say) for s in services))
        try:
            await ctx.services.scheduling.request(
                "GET", "/v1/partnerships", token=ctx.tokens.county(), params={"limit": 1}
            )
        except ApiError as exc:
            if exc.status == 401:
                raise DemoAborted(
                    "scheduling refuses the demo's tokens: the demo signs them with the "
                    "development key (AUTH_DEV_KEY_PATH, default .data/dev-signing-key.pem); "
                    "run it from the folder `make run` runs in, or set AUTH_DEV_KEY_PATH"
                ) from exc
            raise
        report.note(", ".join(f"{s.name} {s.base_url}" for s in services))
