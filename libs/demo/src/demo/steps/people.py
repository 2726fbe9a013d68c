"""People and their roles and expertise: each school registers its own staff; the county council
registers the partnership leads (a head with a role at the partnership as well, which only the
LA or a lead may give). A person is found by their work email (unique in the directory);
someone new is registered with an ``Idempotency-Key`` derived from the seed and the email, and
someone whose name or expertise differ, or who lacks a role, is changed with ``If-Match``
(roles they hold beyond the demo's are kept)."""

from __future__ import annotations

from typing import Any

from demo.context import DemoContext
from demo.county.model import Person
from demo.report import Outcome, StepReport
from demo.steps.partnerships import idempotency_key


def actor_token(ctx: DemoContext, person: Person) -> str:
    """Who manages this person: the county council for partnership leads, else their school."""
    if person.has_partnership_role:
        return ctx.tokens.county()
    return ctx.tokens.school(person.school)


async def roles_body(ctx: DemoContext, person: Person) -> list[dict[str, Any]]:
    roles = []
    for role in person.roles:
        body: dict[str, Any] = {"role": role.role}
        if role.urn is not None:
            body["urn"] = role.urn
        if role.partnership is not None:
            body["partnership_id"] = await ctx.partnership_id(role.partnership)
        if role.academic_year is not None:
            body["academic_year"] = role.academic_year
        roles.append(body)
    return roles


def _role_key(role: dict[str, Any]) -> tuple[Any, ...]:
    return role["role"], role.get("urn"), role.get("partnership_id"), role.get("academic_year")


def _role_set(roles: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {_role_key(r) for r in roles}


class People:
    name = "people"
    title = "people, roles and expertise"

    async def run(self, ctx: DemoContext, report: StepReport) -> None:
        held = await ctx.people_by_email()
        await ctx.each(
            ctx.county.people, lambda p: self._person(ctx, report, p, held), label="people"
        )
        ctx.forget("people")

    async def _person(
        self, ctx: DemoContext, report: StepReport, person: Person, held: dict[str, Any]
    ) -> None:
        api, token = ctx.services.scheduling, actor_token(ctx, person)
        roles = await roles_body(ctx, person)
        current = held.get(person.email)
        if current is None:
            body = {
                "name": person.name,
                "email": person.email,
                "roles": roles,
                "expertise": list(person.expertise),
            }
            response = await api.request(
                "POST", "/v1/people", token=token, json=body, ok=(200, 201),
                headers={"Idempotency-Key": idempotency_key(ctx, "person", person.email)},
            )  # fmt: skip
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            report.count("people", Outcome.UNCHANGED if replayed else Outcome.CREATED)
            return
        path, etag = f"/v1/people/{current['id']}", f'"{current["version"]}"'
        changed = False
        patch: dict[str, Any] = {}
        if current["name"] != person.name:
            patch["name"] = person.name
        if sorted(current["expertise"]) != sorted(person.expertise):
            patch["expertise"] = list(person.expertise)
        if patch:
            response = await api.request(
                "PATCH", path, token=token, json=patch, headers={"If-Match": etag}
            )
            etag, changed = response.headers["ETag"], True
        missing = [r for r in roles if _role_key(r) not in _role_set(current["roles"])]
        if missing:
            # Add what is missing and keep every role they hold (another year's appointment,
            # a role someone else gave them): PUT replaces the whole list.
            kept = [
                {k: v for k, v in r.items() if v is not None and k != "id"}
                for r in current["roles"]
            ]
            await api.request(
                "PUT", f"{path}/roles", token=token, json={"roles": kept + missing},
                headers={"If-Match": etag},
            )  # fmt: skip
            changed = True
        report.count("people", Outcome.UPDATED if changed else Outcome.UNCHANGED)
