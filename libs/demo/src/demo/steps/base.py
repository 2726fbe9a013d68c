"""A step of the demo: one part of the county, loaded idempotently. A step reads what the
services hold, changes only the difference, and reports each thing as created, updated or
already there; run twice, the second run reports nothing created or updated."""

from __future__ import annotations

from typing import Protocol

from demo.context import DemoContext
from demo.report import StepReport


class Step(Protocol):
    name: str  # short, for --steps
    title: str  # what it does, for the progress lines

    async def run(self, ctx: DemoContext, report: StepReport) -> None: ...
