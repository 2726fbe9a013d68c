"""A small client for the services' REST API, as an integrator writes one with httpx: bearer
tokens, RFC 9457 problems turned into :class:`ApiError`, lists read page by page, and retries
that are safe because every write the demo sends is safe to repeat (a PUT, a POST with an
``Idempotency-Key``, or a change with ``If-Match`` that a repeat answers with 412).

- 429: wait ``Retry-After`` and try again (the services limit writes per client per minute);
- 502, 503, 504 and connection errors: back off (0.5 s doubling, up to six tries).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

RETRYABLE = frozenset({502, 503, 504})
MAX_TRIES = 6
MAX_RATE_LIMIT_WAITS = 30
PAGE_SIZE = 200


class ApiError(Exception):
    """An answer the caller did not expect; ``problem`` is the RFC 9457 body when there is one."""

    def __init__(self, method: str, url: str, status: int, problem: dict[str, Any]) -> None:
        self.method, self.url, self.status, self.problem = method, url, status, problem
        detail = problem.get("detail") or problem.get("title") or ""
        errors = problem.get("errors")
        super().__init__(f"{method} {url}: {status} {detail}" + (f" {errors}" if errors else ""))

    @property
    def problem_type(self) -> str:
        return str(self.problem.get("type", ""))

    @property
    def slug(self) -> str:
        """The problem type's last part (``schedule-job-running``), what the demo reacts to."""
        return self.problem_type.rsplit("/", 1)[-1]


# Ids and URNs in a path, so that requests are timed by route: /v1/reviews/{id}/focus.
_PATH_IDS = re.compile(
    r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)"
)


def route_of(method: str, path: str) -> str:
    return f"{method} {_PATH_IDS.sub('/{id}', path.split('?', 1)[0])}"


@dataclass
class RouteTime:
    requests: int = 0
    seconds: float = 0.0  # answered, summed (requests overlap: more than the wall clock)


@dataclass
class Traffic:
    """What the demo asked of the services, for the summary."""

    reads: int = 0
    writes: int = 0
    waits: int = 0  # 429s and retried failures
    by_status: dict[int, int] = field(default_factory=dict)
    by_route: dict[str, RouteTime] = field(default_factory=dict)

    def slowest(self, n: int = 8) -> list[tuple[str, RouteTime]]:
        """The routes that took the most time in all."""
        return sorted(self.by_route.items(), key=lambda item: -item[1].seconds)[:n]


class ServiceClient:
    """One service's API. ``limit`` bounds the requests in flight across all services."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        limit: asyncio.Semaphore,
        traffic: Traffic,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._limit = limit
        self._traffic = traffic
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=httpx.Timeout(60.0, connect=10.0),
            transport=transport,
            headers={"User-Agent": "cf-demo/0.1"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None,
        ok: tuple[int, ...] = (200,),
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        query: bool = False,
    ) -> httpx.Response:
        """Send, retrying what is safe to retry; raise :class:`ApiError` unless the status is
        one of ``ok``. ``query``: a POST that changes nothing (a proposal computed from a
        body), counted as a read."""
        all_headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        tries = waits = 0
        while True:
            try:
                async with self._limit:
                    began = time.perf_counter()
                    response = await self._http.request(
                        method, path, json=json, params=params, headers=all_headers, files=files
                    )
                    self._time(method, path, time.perf_counter() - began)
            except httpx.TransportError:
                tries += 1
                if tries >= MAX_TRIES:
                    raise
                self._traffic.waits += 1
                await asyncio.sleep(0.5 * 2 ** (tries - 1))
                continue
            if response.status_code == 429 and waits < MAX_RATE_LIMIT_WAITS:
                waits += 1
                self._traffic.waits += 1
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code in RETRYABLE and tries + 1 < MAX_TRIES:
                tries += 1
                self._traffic.waits += 1
                await asyncio.sleep(0.5 * 2 ** (tries - 1))
                continue
            break
        self._count("GET" if query else method, response.status_code)
        if response.status_code not in ok:
            raise ApiError(
                method, f"{self.base_url}{path}", response.status_code, _problem(response)
            )
        return response

    def _time(self, method: str, path: str, seconds: float) -> None:
        timed = self._traffic.by_route.setdefault(route_of(method, path), RouteTime())
        timed.requests += 1
        timed.seconds += seconds

    def _count(self, method: str, status: int) -> None:
        if method == "GET":
            self._traffic.reads += 1
        else:
            self._traffic.writes += 1
        self._traffic.by_status[status] = self._traffic.by_status.get(status, 0) + 1

    async def get(
        self, path: str, *, token: str, params: Mapping[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """The resource, or None when it is absent (404)."""
        response = await self.request("GET", path, token=token, params=params, ok=(200, 404))
        if response.status_code == 404:
            return None
        body: dict[str, Any] = response.json()
        return body

    async def get_with_etag(self, path: str, *, token: str) -> tuple[dict[str, Any], str] | None:
        response = await self.request("GET", path, token=token, ok=(200, 404))
        if response.status_code == 404:
            return None
        return response.json(), response.headers["ETag"]

    async def all_pages(
        self, path: str, *, token: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """Every item of a list, following ``next_cursor``."""
        items: list[dict[str, Any]] = []
        query: dict[str, Any] = {**(params or {}), "limit": PAGE_SIZE}
        while True:
            response = await self.request("GET", path, token=token, params=query)
            page = response.json()
            items += page["data"]
            if not page.get("next_cursor"):
                return items
            query["cursor"] = page["next_cursor"]


def _problem(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:300]}
    return body if isinstance(body, dict) else {"detail": str(body)[:300]}


@dataclass
class Services:
    """The three services' clients, sharing one limit on requests in flight."""

    scheduling: ServiceClient
    reviews: ServiceClient
    knowledge: ServiceClient
    traffic: Traffic

    @classmethod
    def connect(
        cls,
        urls: Mapping[str, str],
        *,
        concurrency: int = 3,  # the services admit 3 requests at once (MAX_REQUESTS_IN_FLIGHT)
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    ) -> Services:
        limit = asyncio.Semaphore(concurrency)
        traffic = Traffic()
        clients = {
            name: ServiceClient(
                name,
                urls[name],
                limit=limit,
                traffic=traffic,
                transport=(transports or {}).get(name),
            )
            for name in ("scheduling", "reviews", "knowledge")
        }
        return cls(traffic=traffic, **clients)

    async def aclose(self) -> None:
        for client in (self.scheduling, self.reviews, self.knowledge):
            await client.aclose()
