"""The requests about one review: reading it, moving it with its ``If-Match``, writing its
records, and counting what was made and what was found.

Reading first is what makes a run safe to repeat, but a stage's records can only be written
while the review is in that stage (the reviews service refuses them otherwise). So when this
run has just moved the review into its stage, there is nothing of that stage to read yet:
``existing`` answers without a request then, which saves about a fifth of a first run's
requests.
"""

from __future__ import annotations

from typing import Any

import httpx

from demo.api.client import ApiError, ServiceClient
from demo.report import Outcome, StepReport


class ReviewSession:
    def __init__(self, api: ServiceClient, report: StepReport, review_id: str, reader: str) -> None:
        self.api, self.report = api, report
        self.path = f"/v1/reviews/{review_id}"
        self.reader = reader  # a token that reads the review (its lead reviewer's)
        self.review: dict[str, Any] = {}
        self.etag = ""
        self.wrote = False
        self.fresh = False  # this run moved the review into its current state

    @property
    def state(self) -> str:
        return str(self.review["state"])

    def hold(self, review: dict[str, Any]) -> None:
        """The review as just listed (its ETag is its version)."""
        self.review, self.etag = review, f'"{review["version"]}"'

    async def read(self) -> None:
        found = await self.api.get_with_etag(self.path, token=self.reader)
        if found is None:
            raise LookupError(f"{self.path} is not in the reviews service yet")
        self.review, self.etag = found

    async def move(self, to: str, token: str) -> None:
        """A transition with the review's ETag; a 412 means it changed meanwhile (a retry of
        ours that landed): read it and try once more unless it is there already."""
        for attempt in (1, 2):
            try:
                response = await self.write("POST", "/transitions", token, {"to": to}, self.etag)
            except ApiError as exc:
                if exc.status != 412 or attempt == 2:
                    raise
                await self.read()
                if self.state == to:
                    break
                continue
            self.review, self.etag = response.json(), response.headers["ETag"]
            self.made("transitions")
            break
        self.fresh = True

    async def moved_by(self, method: str, path: str, token: str, body: Any) -> httpx.Response:
        """A move made by its own route (publishing the report, agreeing the plan)."""
        response = await self.write(method, path, token, body, self.etag)
        await self.read()
        self.fresh = True
        return response

    async def write(
        self,
        method: str,
        path: str,
        token: str,
        body: Any,
        etag: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = {**({"If-Match": etag} if etag else {}), **(headers or {})}
        response = await self.api.request(
            method, f"{self.path}{path}", token=token, json=body, headers=sent, ok=(200, 201)
        )
        self.wrote = True
        return response

    async def existing(self, path: str, token: str) -> tuple[dict[str, Any], str] | None:
        """A record of this stage with its ETag; None when absent."""
        if self.fresh:
            return None
        return await self.api.get_with_etag(f"{self.path}{path}", token=token)

    async def existing_list(self, path: str, token: str) -> list[dict[str, Any]]:
        if self.fresh:
            return []
        return await self.api.all_pages(f"{self.path}{path}", token=token)

    async def listed(self, path: str, token: str) -> list[dict[str, Any]]:
        """A list whatever the state (records of earlier stages)."""
        return await self.api.all_pages(f"{self.path}{path}", token=token)

    def made(self, kind: str, n: int = 1) -> None:
        self.report.count(kind, Outcome.CREATED, n)

    def found(self, kind: str, n: int = 1) -> None:
        self.report.count(kind, Outcome.UNCHANGED, n)
