"""The demo's schedule step on a county where one partnership cannot be scheduled (seed 7: a
school with no eligible lead reviewer): the LA's one job schedules the other partnership, which
is published, and names the one left out with its explanations; no cycle is solved on its
own."""

from __future__ import annotations

from pathlib import Path

import httpx

from common.testing.nats import NatsServer
from common.testing.plugin import DatabaseFactory
from demo.runner import DemoConfig, run_demo
from tests.demo.small import SEED, SMALL
from tests.live_services import live_services
from tests.support import TokenFactory, bearer

STEPS = frozenset(
    {"preflight", "directory", "partnerships", "calendars", "people", "person-details", "cycles",
     "schedule"}
)  # fmt: skip


async def test_one_unschedulable_partnership_leaves_the_other_scheduled(
    database_factory: DatabaseFactory,
    nats_server: NatsServer,
    dev_key_path: Path,
    issue_token: TokenFactory,
    tmp_path: Path,
) -> None:
    async with live_services(database_factory, nats_server.url, dev_key_path, tmp_path) as urls:
        config = DemoConfig(seed=SEED, size=SMALL, urls=urls, key_path=dev_key_path, only=STEPS)
        lines: list[str] = []
        await run_demo(config, say=lines.append)
        printed = "\n".join(lines)
        assert "schedule job succeeded (partial)" in printed, printed
        assert "[lead] no eligible lead reviewer for URN" in printed, printed
        assert "no schedule this year for 1 partnership(s)" in printed, printed
        assert "solved on its own" not in printed, printed

        county = issue_token("directory:read", "schedule:read", la=["881"])
        async with httpx.AsyncClient(base_url=urls["scheduling"]) as api:
            response = await api.get(
                "/v1/planned-reviews", params={"limit": "200"}, headers=bearer(county)
            )
            assert response.status_code == 200, response.text
            planned = response.json()["data"]
        assert len(planned) == 5  # the other partnership's five schools
        assert len({r["cycle_id"] for r in planned}) == 1
