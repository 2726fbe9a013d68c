"""Each person's training records, the dates they cannot do and their declared conflicts of
interest (a governor of a neighbouring school; a partner on another school's staff, waived).

Records are compared by what they say (kind and dates; kind, school and severity), and only
the missing ones are added, one after another with the person's latest ETag. A 412 means the
person changed meanwhile (or a retry of ours landed): read them again and carry on.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from demo.api.client import ApiError
from demo.context import DemoContext
from demo.county.model import Person
from demo.report import Outcome, StepReport
from demo.steps.people import actor_token

MAX_REREADS = 3


def _training_key(row: dict[str, Any]) -> tuple[str, str, str | None]:
    return row["kind"], row["completed_on"], row["expires_on"]


def _missing(
    person: Person, held: dict[str, Any], conflicts: list[dict[str, Any]]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(kind of record, path under the person, body) for what the person lacks, in order."""
    todo: list[tuple[str, str, dict[str, Any]]] = []
    training = {_training_key(t) for t in held["training"]}
    for t in person.training:
        body: dict[str, Any] = {
            "kind": t.kind,
            "completed_on": t.completed_on.isoformat(),
            "expires_on": t.expires_on.isoformat() if t.expires_on else None,
        }
        if _training_key(body) not in training:
            todo.append(("training records", "training", body))
    dates = {(u["starts_on"], u["ends_on"]) for u in held["unavailability"]}
    for u in person.unavailable:
        body = {
            "starts_on": u.starts_on.isoformat(),
            "ends_on": u.ends_on.isoformat(),
            "reason": u.reason,
        }
        if (body["starts_on"], body["ends_on"]) not in dates:
            todo.append(("unavailable dates", "unavailability", body))
    declared = {
        (c["kind"], c["urn"], c["severity"]) for c in conflicts if c["source"] == "declared"
    }
    for c in person.conflicts:
        if (c.kind, c.urn, c.severity) not in declared:
            body = {
                "kind": c.kind,
                "urn": c.urn,
                "severity": c.severity,
                "note": c.note,
            }
            todo.append(("declared conflicts", "conflicts", body))
    return todo


def _unwaived(person: Person, conflicts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(conflict id, reason) of soft conflicts that should be waived and are not yet."""
    out = []
    for c in person.conflicts:
        if c.waiver is None:
            continue
        for held in conflicts:
            same = (held["kind"], held["urn"], held["severity"]) == (c.kind, c.urn, c.severity)
            if held["source"] == "declared" and same and held["waiver"] is None:
                out.append((held["id"], c.waiver))
    return out


class PersonDetails:
    name = "person-details"
    title = "training, unavailable dates and conflicts of interest"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        held = await ctx.people_by_email()
        wanted = [p for p in ctx.county.people if p.training or p.unavailable or p.conflicts]
        missing = [p for p in wanted if p.email not in held]
        if missing:
            report.note(f"{len(missing)} people are not registered yet (the people step)")
        present = [p for p in wanted if p.email in held]
        await ctx.each(
            present, lambda p: self._details(ctx, report, p, held[p.email]), label="people"
        )

    async def _details(
        self, ctx: DemoContext, report: StepReport, person: Person, held: dict[str, Any]
    ) -> None:
        made: Counter[str] = Counter()  # across attempts: what this run added
        for attempt in range(MAX_REREADS):
            try:
                await self._apply(ctx, person, held, made)
                break
            except ApiError as exc:
                if exc.status != 412 or attempt + 1 == MAX_REREADS:
                    raise
            reread = await ctx.services.scheduling.get(
                f"/v1/people/{held['id']}", token=actor_token(ctx, person)
            )
            assert reread is not None
            held = reread
        wanted = {
            "training records": len(person.training),
            "unavailable dates": len(person.unavailable),
            "declared conflicts": len(person.conflicts),
            "waivers": sum(1 for c in person.conflicts if c.waiver),
        }
        for kind, n in wanted.items():
            if made[kind]:
                report.count(kind, Outcome.CREATED, made[kind])
            if n - made[kind] > 0:
                report.count(kind, Outcome.UNCHANGED, n - made[kind])

    async def _apply(
        self, ctx: DemoContext, person: Person, held: dict[str, Any], made: Counter[str]
    ) -> None:
        api, token = ctx.services.scheduling, actor_token(ctx, person)
        path = f"/v1/people/{held['id']}"
        conflicts: list[dict[str, Any]] = []
        if person.conflicts:
            answer = await api.get(f"{path}/conflicts", token=token)
            assert answer is not None
            conflicts = answer["data"]
        todo = _missing(person, held, conflicts)
        etag = f'"{held["version"]}"'
        for kind, collection, body in todo:
            response = await api.request(
                "POST", f"{path}/{collection}", token=token, json=body, headers={"If-Match": etag}
            )
            etag = response.headers["ETag"]
            made[kind] += 1
        if todo and person.conflicts:
            answer = await api.get(f"{path}/conflicts", token=token)
            assert answer is not None
            conflicts = answer["data"]
        for conflict_id, reason in _unwaived(person, conflicts):
            response = await api.request(
                "PUT", f"{path}/conflicts/{conflict_id}/waiver", token=token,
                json={"reason": reason}, headers={"If-Match": etag},
            )  # fmt: skip
            etag = response.headers["ETag"]
            made["waivers"] += 1
