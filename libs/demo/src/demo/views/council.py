"""The council's own summary of its year, as two services answer it: the directory's coverage
(scheduling: schools in no partnership, partnerships with no lead or no cycle) and each
partnership's progress (reviews: planned, held, reported, 90-day done, overdue). Counts only:
neither names a school. A service without these routes (404) is said so and skipped."""

from __future__ import annotations

import asyncio
from typing import Any

from demo.context import DemoContext
from demo.views.table import table

TOP_PARTNERSHIPS = 8
COUNTS = ("planned", "held", "reported", "progress_reviewed", "overdue", "cancelled")
HEADINGS = ("planned", "held", "reported", "90-day done", "overdue", "cancelled")


def _names(gaps: list[dict[str, Any]]) -> str:
    shown = ", ".join(g["name"] for g in gaps[:3])
    return shown + (f" and {len(gaps) - 3} more" if len(gaps) > 3 else "")


def coverage_lines(coverage: dict[str, Any], la: str) -> list[str]:
    schools, year = coverage["schools"], coverage["academic_year"]
    phases = ", ".join(f"{n} {p}" for p, n in schools["in_no_partnership_by_phase"].items())
    rows: list[list[str | int]] = [
        ["open schools", schools["open"], ""],
        ["in a partnership", schools["in_partnership"], ""],
        ["in no partnership", schools["in_no_partnership"], phases],
        ["partnerships", coverage["partnerships"], ""],
        ["with no lead", len(coverage["without_lead"]), _names(coverage["without_lead"])],
        [
            f"with no {year} cycle",
            len(coverage["without_cycle"]),
            _names(coverage["without_cycle"]),
        ],
    ]
    heading = f"Coverage (GET /v1/local-authorities/{la}/coverage; schools counted, not named)"
    return table(heading, ["", "count", "which"], rows)


def progress_lines(progress: dict[str, Any], la: str) -> list[str]:
    parts = progress["partnerships"]
    worst = sorted(
        parts, key=lambda p: (-p["overdue"], p["reported"] - p["planned"], p["name"] or "")
    )
    rows = [["all partnerships", *(progress["total"][c] for c in COUNTS)]]
    rows += [
        [p["name"] or p["partnership_id"], *(p[c] for c in COUNTS)]
        for p in worst[:TOP_PARTNERSHIPS]
    ]
    heading = (
        f"The year's progress (GET /v1/review-progress/{la}): in all, and the "
        f"{min(TOP_PARTNERSHIPS, len(parts))} partnerships with the most overdue"
    )
    return table(heading, ["partnership", *HEADINGS], rows)


async def council_view(ctx: DemoContext) -> list[str]:
    la, year, token = ctx.county.la_code, ctx.county.academic_year, ctx.tokens.county()
    params = {"academic_year": year}
    coverage, progress = await asyncio.gather(
        ctx.services.scheduling.get(
            f"/v1/local-authorities/{la}/coverage", token=token, params=params
        ),
        ctx.services.reviews.get(f"/v1/review-progress/{la}", token=token, params=params),
    )
    lines: list[str] = []
    if coverage is None:
        lines.append("  (this scheduling service has no coverage route)")
    else:
        lines += coverage_lines(coverage, la)
    if progress is None:
        lines.append("  (this reviews service has no progress route)")
    else:
        lines += progress_lines(progress, la)
    return lines
