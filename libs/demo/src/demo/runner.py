"""Run the demo's steps against the services and print what happened."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from demo.api.client import Services, Traffic
from demo.api.tokens import Tokens
from demo.context import DemoContext
from demo.county.calendar import DEFAULT_YEAR
from demo.county.generate import FULL, CountySize, generate_county
from demo.report import StepReport, total
from demo.steps import STEPS, Step

DEFAULT_URLS = {
    "scheduling": "http://127.0.0.1:8001",
    "reviews": "http://127.0.0.1:8002",
    "knowledge": "http://127.0.0.1:8003",
}


@dataclass(frozen=True)
class DemoConfig:
    seed: int = 0
    size: CountySize = FULL
    first_year: int = DEFAULT_YEAR  # the academic year planned: 2026 is 2026-27
    urls: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    concurrency: int = 8
    key_path: Path | None = None  # default: AUTH_DEV_KEY_PATH, as the services read it
    only: frozenset[str] = frozenset()  # step names; empty: every step
    timings: bool = False  # print the routes that took the most time
    sample: int | None = None  # reviews walked through their stages; None: all of them


@dataclass
class DemoResult:
    reports: list[StepReport]
    traffic: Traffic
    seconds: float

    @property
    def changed(self) -> int:
        return total(self.reports).changed


async def run_demo(
    config: DemoConfig,
    *,
    say: Callable[[str], None] = print,
    steps: Sequence[Step] = STEPS,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
) -> DemoResult:
    started = time.perf_counter()
    county = generate_county(config.seed, config.size, config.first_year)
    tokens = Tokens.from_environment(county.la_code, config.key_path)
    services = Services.connect(config.urls, concurrency=config.concurrency, transports=transports)
    chosen = [s for s in steps if not config.only or s.name in config.only]
    say(
        f"Critical Friend demo county, seed {county.seed}: {county.la_name} (LA {county.la_code}), "
        f"{county.academic_year}: {len(county.partnerships)} partnerships, "
        f"{len(county.schools):,} schools, {len(county.trusts)} trusts, "
        f"{len(county.people):,} people"
    )
    reports = []
    try:
        ctx = DemoContext(
            county=county, services=services, tokens=tokens, say=say, sample=config.sample
        )
        for number, step in enumerate(chosen, start=1):
            say(f"[{number}/{len(chosen)}] {step.title}")
            report = StepReport(step.name)
            began = time.perf_counter()
            try:
                await step.run(ctx, report)
            finally:  # what a failing step did and found (a job's explanations) is shown too
                report.seconds = time.perf_counter() - began
                for line in report.lines():
                    say(line)
                say(f"    ({report.seconds:.1f} s)")
            reports.append(report)
    finally:
        await services.aclose()
    result = DemoResult(reports, services.traffic, time.perf_counter() - started)
    if config.timings:
        for line in timing_lines(result.traffic):
            say(line)
    say(closing_line(result))
    return result


def timing_lines(traffic: Traffic) -> list[str]:
    """Where the time went: the routes that took longest in all (requests overlap)."""
    lines = ["Time by route (summed over requests in flight together):"]
    for route, timed in traffic.slowest(10):
        mean_ms = 1000 * timed.seconds / timed.requests
        lines.append(
            f"  {route:<58} {timed.requests:>6,} x {mean_ms:>7.1f} ms = {timed.seconds:>6.1f} s"
        )
    return lines


def closing_line(result: DemoResult) -> str:
    done = total(result.reports)
    traffic = result.traffic
    requests = f"{traffic.reads + traffic.writes:,} requests ({traffic.writes:,} writes)"
    waited = f", {traffic.waits} retried" if traffic.waits else ""
    timing = f"{requests}{waited} in {result.seconds:.1f} s"
    if done.changed == 0:
        return f"Nothing changed: all {done.unchanged:,} things were already in place. {timing}."
    return (
        f"This run: {done.created:,} created, {done.updated:,} updated, "
        f"{done.unchanged:,} already there. {timing}."
    )
