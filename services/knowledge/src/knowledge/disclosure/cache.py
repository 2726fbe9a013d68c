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
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.disclosure.audience import Audience
from knowledge.disclosure.universe import Decided, decide
from knowledge.rollup.repository import RollupRepository

MAX_ENTRIES = 512

_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Decided]] = (
    weakref.WeakKeyDictionary()
)


async def decided(session: AsyncSession, audience: Audience, family: str, year: str) -> Decided:
    """``decide``, or its result from an earlier call at the same generation. The caller has
    begun a consistent read (``insight.repository.consistent_read``)."""
    generation = await RollupRepository(session).generation(year)
    cache = _caches.setdefault(session.get_bind(), OrderedDict())
    key = (audience.key, family, year, generation)
    found = cache.get(key)
    if found is not None:
        cache.move_to_end(key)
        return found
    result = await decide(session, audience, family, year)
    cache[key] = result
    while len(cache) > MAX_ENTRIES:
        cache.popitem(last=False)
    return result
