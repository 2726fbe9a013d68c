"""Reuse a caller's disclosure decisions until the rollups of that year change.

``decide_years`` reads a caller's whole universe (every scope it may ask about) and runs the
suppression over it; the result is a pure function of the rollups, the agreements and the
caller's claims. Every transaction that changes any of those bumps the year's generation
(``rollup_generations``, in the same transaction), so a result keyed by the generation read in
the same consistent read is exactly as fresh as a new computation. Past years rarely change:
their decisions are computed once. Kept per database engine (weakly) and bounded (LRU).
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge.answers.disclosure import packed
from knowledge.answers.disclosure.audience import Audience
from knowledge.answers.disclosure.packed import ScopeCells
from knowledge.answers.disclosure.universe import Decided, decide_years
from knowledge.cells import Scope
from knowledge.intake.rollup.repository import RollupRepository

MAX_ENTRIES = 512
T = TypeVar("T")

_caches: weakref.WeakKeyDictionary[Any, OrderedDict[tuple[Any, ...], Any]] = (
    weakref.WeakKeyDictionary()
)


class Answer(NamedTuple):
    """One year of an answer: the caller's decision, and the rows of the scopes asked about."""

    decided: Decided
    figures: list[ScopeCells]
    generation: int


Cache = OrderedDict[tuple[Any, ...], Any]


def _cache_of(session: AsyncSession) -> Cache:
    return _caches.setdefault(session.get_bind(), OrderedDict())


def _hit(cache: Cache, key: tuple[Any, ...]) -> Any:
    found = cache.get(key)
    if found is not None:
        cache.move_to_end(key)
    return found


def _trim(cache: Cache) -> None:
    while len(cache) > MAX_ENTRIES:
        cache.popitem(last=False)


async def answers(
    session: AsyncSession,
    audience: Audience,
    family: str,
    years: Sequence[str],
    scopes: Sequence[Scope],
) -> dict[str, Answer]:
    """Per year, the caller's decision and the figures of ``scopes``, each from an earlier call
    at the same generation when there was one. The generations are read once; the years not
    cached (after an ingest, normally the current one only) are decided together and their
    figures read together. Figures are the data, the same for every caller: shared. The
    caller has begun a consistent read (``insight.repository.consistent_read``)."""
    generations = await RollupRepository(session).generations(years)
    cache = _cache_of(session)
    scope_key = tuple((s.kind, s.id) for s in scopes)
    decision_keys = {y: ("decided", audience.key, family, y, generations.get(y, 0)) for y in years}
    figure_keys = {y: ("figures", scope_key, family, y, generations.get(y, 0)) for y in years}
    decisions = {y: _hit(cache, key) for y, key in decision_keys.items()}
    figures = {y: _hit(cache, key) for y, key in figure_keys.items()}
    if undecided := [y for y in years if decisions[y] is None]:
        for year, result in (await decide_years(session, audience, family, undecided)).items():
            decisions[year] = cache[decision_keys[year]] = result
    if unread := [y for y in years if figures[y] is None]:
        for year, rows in (await packed.read(session, scopes, family, unread)).items():
            figures[year] = cache[figure_keys[year]] = rows
    _trim(cache)
    return {y: Answer(decisions[y], figures[y], generations.get(y, 0)) for y in years}


def kept(session: AsyncSession, key: tuple[Any, ...], build: Callable[[], T]) -> T:
    """A value built from answers only, kept beside them: its key names what they were keyed
    by (the caller, the scopes, the year and its generation), so it is as fresh as they are."""
    cache = _cache_of(session)
    found = _hit(cache, key)
    if found is None:
        found = cache[key] = build()
        _trim(cache)
    return cast(T, found)
