"""Reuse a caller's disclosure decisions until the rollups of that year change.

``decide`` reads a caller's whole universe (every scope it may ask about) and runs the
suppression over it; the result is a pure function of the rollups, the agreements and the
caller's claims. Every transaction that changes any of those bumps the year's generation
(``rollup_generations``, in the same transaction), so a result keyed by the generation read in
the same consistent read is exactly as fresh as a new computation. Past years rarely change:
their decisions are computed once. Kept per database engine (weakly) and bounded (LRU).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.disclosure.audience import Audience
from knowledge.disclosure.universe import Decided, decide_years
from knowledge.rollup.repository import RollupRepository

MAX_ENTRIES = 512

_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Decided]] = (
    weakref.WeakKeyDictionary()
)


async def decided(session: AsyncSession, audience: Audience, family: str, year: str) -> Decided:
    """``decide``, or its result from an earlier call at the same generation. The caller has
    begun a consistent read (``insight.repository.consistent_read``)."""
    return (await decided_years(session, audience, family, [year]))[year]


async def decided_years(
    session: AsyncSession, audience: Audience, family: str, years: Sequence[str]
) -> dict[str, Decided]:
    """``decided`` for several years (a trend): the generations in one read, and the years not
    cached (after an ingest, normally the current one only) decided together."""
    generations = await RollupRepository(session).generations(years)
    cache = _caches.setdefault(session.get_bind(), OrderedDict())
    keys = {year: (audience.key, family, year, generations.get(year, 0)) for year in years}
    found: dict[str, Decided] = {}
    for year, key in keys.items():
        hit = cache.get(key)
        if hit is not None:
            cache.move_to_end(key)
            found[year] = hit
    missing = [year for year in years if year not in found]
    if missing:
        fresh = await decide_years(session, audience, family, missing)
        for year, result in fresh.items():
            cache[keys[year]] = result
        found |= fresh
        while len(cache) > MAX_ENTRIES:
            cache.popitem(last=False)
    return {year: found[year] for year in years}
