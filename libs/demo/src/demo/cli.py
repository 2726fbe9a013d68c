"""``cf-demo`` (``make demo``; ``cf demo`` once cf finds it): load the demo county into the
running system.

    cf-demo                      # the full county: 36 partnerships, about 400 schools
    cf-demo --partnerships 2 --min-schools 5 --max-schools 5 --schools 0
    cf-demo --steps preflight,directory
    cf-demo --year 2027           # plan 2027-28 instead of 2026-27

Service base URLs come from SCHEDULING_URL, REVIEWS_URL and KNOWLEDGE_URL (default the
:8001-:8003 of ``make run``); tokens are signed with the development key (AUTH_DEV_KEY_PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

import httpx

from demo.api.client import ApiError
from demo.county.calendar import DEFAULT_YEAR, academic_year
from demo.county.generate import FULL, CountySize
from demo.runner import DEFAULT_URLS, DemoConfig, run_demo
from demo.steps import STEPS
from demo.steps.preflight import DemoAborted


def build_parser(prog: str = "cf-demo") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description="Load a synthetic county (Essex-shaped) into Critical Friend."
    )
    parser.add_argument("--seed", type=int, default=0, help="same seed, same county (default 0)")
    parser.add_argument("--partnerships", type=int, default=FULL.partnerships, help="1 to 36")
    parser.add_argument("--min-schools", type=int, default=FULL.min_schools)
    parser.add_argument("--max-schools", type=int, default=FULL.max_schools)
    parser.add_argument(
        "--schools", type=int, default=FULL.target_schools,
        help="schools in all (the partnership sizes are adjusted to it); 0: as drawn",
    )  # fmt: skip
    parser.add_argument(
        "--year", type=int, default=DEFAULT_YEAR,
        help=f"the academic year planned, by its first year (default {DEFAULT_YEAR}: "
        f"{academic_year(DEFAULT_YEAR)}); Essex's pattern of term dates",
    )  # fmt: skip
    parser.add_argument(
        "--sample", type=int, default=None,
        help="walk this many reviews through their stages (default: every one, as far as "
        "its dates allow)",
    )  # fmt: skip
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument(
        "--timings", action="store_true", help="print the routes that took the most time"
    )
    parser.add_argument(
        "--steps", default="", help=f"comma-separated, of: {', '.join(s.name for s in STEPS)}"
    )
    return parser


def config_from(args: argparse.Namespace) -> DemoConfig:
    urls = {name: os.environ.get(f"{name.upper()}_URL", url) for name, url in DEFAULT_URLS.items()}
    size = CountySize(
        partnerships=args.partnerships,
        min_schools=args.min_schools,
        max_schools=args.max_schools,
        target_schools=args.schools or None,
    )
    only = frozenset(s.strip() for s in args.steps.split(",") if s.strip())
    unknown = only - {s.name for s in STEPS}
    if unknown:
        raise ValueError(f"unknown step(s): {', '.join(sorted(unknown))}")
    if args.sample is not None and not 0 <= args.sample <= 100_000:
        raise ValueError("--sample is a number of reviews, 0 or more")
    if not 2000 <= args.year <= 2098:
        raise ValueError("--year is the academic year's first year, 2000 to 2098")
    return DemoConfig(
        seed=args.seed,
        size=size,
        first_year=args.year,
        urls=urls,
        concurrency=args.concurrency,
        only=only,
        timings=args.timings,
        sample=args.sample,
    )


def main(argv: Sequence[str] | None = None, *, prog: str = "cf-demo") -> int:
    """The console script; also the ``cf.commands`` entry point ``demo``, which ``cf`` calls
    with the arguments after ``demo`` and ``prog="cf demo"``."""
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    try:
        config = config_from(args)
    except ValueError as exc:
        parser.error(str(exc))
    try:
        asyncio.run(run_demo(config))
    except (DemoAborted, ApiError, httpx.HTTPError, LookupError) as exc:
        print(f"cf-demo: stopped: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cf-demo: interrupted; run it again to carry on (it is safe to)", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
