"""What every step gets: the county it should load, the services, the actors' tokens, a way to
print progress, and lookups of what the services already hold (read once, then kept)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from demo.api.client import Services
from demo.api.tokens import Tokens
from demo.county.model import County

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class DemoContext:
    county: County
    services: Services
    tokens: Tokens
    say: Callable[[str], None] = print
    sample: int | None = None  # reviews walked through their stages; None: all of them
    _cache: dict[str, Any] = field(default_factory=dict)

    async def each(
        self, items: Iterable[T], work: Callable[[T], Awaitable[R]], *, label: str = ""
    ) -> list[R]:
        """``work`` on every item, concurrently (the clients bound what is in flight), printing
        progress at each quarter when there are many."""
        todo = list(items)
        done = 0
        marks = {len(todo) * q // 4 for q in (1, 2, 3)} if len(todo) >= 100 and label else set()

        async def one(item: T) -> R:
            nonlocal done
            result = await work(item)
            done += 1
            if done in marks:
                self.say(f"    ... {label}: {done:,} of {len(todo):,}")
            return result

        return list(await asyncio.gather(*(one(item) for item in todo)))

    # Lookups of what the services hold, shared by the steps (each step may run on its own).

    async def partnership_ids(self, *, refresh: bool = False) -> dict[str, str]:
        """Partnership name -> id, for the county's LA."""
        if refresh or "partnerships" not in self._cache:
            rows = await self.services.scheduling.all_pages(
                "/v1/partnerships", token=self.tokens.county(), params={"la": self.county.la_code}
            )
            self._cache["partnerships"] = {row["name"]: row["id"] for row in rows}
        ids: dict[str, str] = self._cache["partnerships"]
        return ids

    async def partnership_id(self, key: str) -> str:
        name = self.county.partnership(key).name
        ids = await self.partnership_ids()
        if name not in ids:
            ids = await self.partnership_ids(refresh=True)
        if name not in ids:
            raise LookupError(f"no partnership {name!r} yet: run the partnerships step first")
        return ids[name]

    async def people_by_email(self, *, refresh: bool = False) -> dict[str, dict[str, Any]]:
        """Everyone the county council sees (people with roles at its schools and
        partnerships), by email."""
        if refresh or "people" not in self._cache:
            rows = await self.services.scheduling.all_pages(
                "/v1/people", token=self.tokens.county()
            )
            self._cache["people"] = {row["email"]: row for row in rows}
        people: dict[str, dict[str, Any]] = self._cache["people"]
        return people

    def forget(self, *names: str) -> None:
        for name in names:
            self._cache.pop(name, None)
