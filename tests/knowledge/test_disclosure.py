"""Disclosure control, proved on random counties (hypothesis): every figure of every answer every
caller can get (schools, partnership leads, trusts, councils, a council that also leads a
partnership, the national admin) is checked against what the generated data says it is about:

- (a) no shown aggregate is about 1..threshold-1 schools the caller does not already see by name;
- (b) no hidden figure can be worked out from a shown total and its shown parts (an LA and its
  partnerships; a theme and its sub-themes, an action kind and its ratings, where the data makes
  them add up);
- (c) no difference of two shown figures, one inside the other (a wider scope, a broader theme),
  is about 1..threshold-1 schools;

and every shown figure is the true count, named views only where the agreement names schools,
and a scope the caller may not see is a 404. The events go through the handlers' own service
functions into a real database (SQLite; PostgreSQL in the scenario tests), and the figures
come out of the same service functions as the routes.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete

from common.auth import Principal
from common.db import Database, create_database
from common.db.migrations import upgrade
from common.http.problems import ProblemError
from contracts import directory
from knowledge.config import KnowledgeSettings
from knowledge.directory import service as directory_service
from knowledge.insight import service as insight_service
from knowledge.measure import service as measure_service
from knowledge.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    EmergingTheme,
    IngestedReview,
    InsightCell,
    OutboxMessage,
    RollupGeneration,
)
from knowledge.review import service as review_service
from tests.knowledge import county as gen
from tests.support import alembic_ini

SETTINGS = KnowledgeSettings(database_url="sqlite://")
NAMED, AGGREGATED = "named", "aggregated"
SAFE_ZERO = 0


@pytest.fixture(scope="module")
def database_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('disclosure') / 'knowledge.db'}"
    upgrade(alembic_ini("knowledge"), url)
    return url


async def _reset(database: Database) -> None:
    async with database.session() as session:
        for model in (
            InsightCell,
            RollupGeneration,
            EmergingTheme,
            IngestedReview,
            DirectoryMembership,
            DirectoryAgreement,
            DirectoryPartnership,
            DirectorySchool,
            OutboxMessage,
        ):
            await session.execute(delete(model))
        await session.commit()


async def _ingest(database: Database, county: gen.County) -> None:
    async def step(coroutine: Any) -> None:
        await coroutine
        await session.commit()

    async with database.session() as session:
        for index, p in enumerate(county.partnerships):
            payload = directory.PartnershipPayload(
                id=p.id,
                name=f"P{index}",
                kind="la_cluster",
                la_code=p.la,
                version=1,
                updated_at=gen.NOW,
            )
            await step(directory_service.apply_partnership(session, payload))
            await step(
                directory_service.apply_agreement(session, p.agreement.payload(p.id, p.la, 1))
            )
        for school in county.schools:
            payload = directory.SchoolPayload.model_validate(
                {
                    "urn": school.urn, "name": f"School {school.urn}", "phase": "primary",
                    "la_code": "881", "establishment_number": None, "trust_uid": school.trust,
                    "postcode": None, "easting": None, "northing": None, "status": "open",
                    "version": 1, "updated_at": gen.NOW,
                }
            )  # fmt: skip
            await step(directory_service.apply_school(session, payload))
            for index in school.partnerships:
                p = county.partnerships[index]
                membership = directory.MembershipPayload(
                    partnership_id=p.id, urn=school.urn, la_code=p.la, occurred_at=gen.NOW
                )
                await step(directory_service.apply_membership(session, membership, joined=True))
        for review in county.reviews:
            await step(
                review_service.apply_report(session, gen.report_payload(county, review), SETTINGS)
            )
            progress = gen.progress_payload(county, review)
            if progress is not None:
                await step(review_service.apply_progress(session, progress))
        for p in county.partnerships:
            if p.later is not None:
                await step(
                    directory_service.apply_agreement(session, p.later.payload(p.id, p.la, 2))
                )


@dataclass(frozen=True)
class Caller:
    name: str
    principal: Principal
    own: frozenset[int] = frozenset()
    leads: frozenset[int] = frozenset()  # partnership indexes
    trusts: frozenset[str] = frozenset()
    las: frozenset[str] = frozenset()
    national: bool = False


def _callers(county: gen.County) -> list[Caller]:
    callers = [
        Caller(
            f"lead {i}",
            Principal("t", frozenset({"knowledge:read"}), partnerships=(str(p.id),)),
            leads=frozenset({i}),
        )
        for i, p in enumerate(county.partnerships)
    ]
    for la in gen.LAS:
        callers.append(
            Caller(
                f"council {la}",
                Principal("t", frozenset({"knowledge:read"}), la=(la,)),
                las=frozenset({la}),
            )
        )
    for trust in gen.TRUSTS:
        callers.append(
            Caller(
                f"trust {trust}",
                Principal("t", frozenset({"knowledge:read"}), trusts=(trust,)),
                trusts=frozenset({trust}),
            )
        )
    callers.append(
        Caller(
            "admin", Principal("t", frozenset({"knowledge:read", "knowledge:admin"})), national=True
        )
    )
    first = county.partnerships[0]
    callers.append(
        Caller(
            "council leading a partnership",
            Principal(
                "t", frozenset({"knowledge:read"}), la=(first.la,), partnerships=(str(first.id),)
            ),
            leads=frozenset({0}),
            las=frozenset({first.la}),
        )
    )
    for school in county.schools[:5]:
        callers.append(
            Caller(
                f"school {school.urn}",
                Principal("t", frozenset({"knowledge:read"}), schools=(str(school.urn),)),
                own=frozenset({school.urn}),
            )
        )
    return callers  # fmt: skip


@dataclass
class Expected:
    """What the generated data says a caller may see."""

    named_partnerships: set[int]
    aggregated_partnerships: set[int]
    named_reviews: set[uuid.UUID]

    def view(self, county: gen.County, caller: Caller, scope: tuple[str, str]) -> str | None:
        kind, scope_id = scope
        if kind == "school":
            urn = int(scope_id)
            if urn in caller.own:
                return NAMED
            members = gen.members(county)
            in_named = any(urn in members[i] for i in self.named_partnerships) or any(
                r.urn == urn and r.partnership in self.named_partnerships for r in county.reviews
            )
            return NAMED if in_named else None
        if kind == "partnership":
            index = next(i for i, p in enumerate(county.partnerships) if str(p.id) == scope_id)
            if index in self.named_partnerships:
                return NAMED
            return AGGREGATED if index in self.aggregated_partnerships else None
        if kind == "trust":
            known = any(s.trust == scope_id for s in county.schools)
            return AGGREGATED if scope_id in caller.trusts and known else None
        if kind == "la":
            return AGGREGATED if scope_id in caller.las else None
        return AGGREGATED if caller.national else None

    def reviews_for(
        self,
        county: gen.County,
        caller: Caller,
        scope: tuple[str, str],
        year: str,
        cell: gen.CellKey,
    ) -> list[gen.GeneratedReview]:
        found = gen.reviews_of(county, scope, year, cell)
        if scope[0] == "school" and int(scope[1]) not in caller.own:
            found = [r for r in found if r.partnership in self.named_partnerships]
        return found

    def unnamed(self, reviews: list[gen.GeneratedReview]) -> set[int]:
        return {r.urn for r in reviews if r.review_id not in self.named_reviews}


def _expected(county: gen.County, caller: Caller) -> Expected:
    members = gen.members(county)
    related = set(caller.leads) | {i for i, m in members.items() if m & caller.own}
    named = {i for i in related if county.agreement(i).partnership == "named"}
    aggregated = {i for i in related if county.agreement(i).partnership == "aggregated"}
    for i, p in enumerate(county.partnerships):
        if p.la in caller.las and county.agreement(i).la != "none" and i not in named:
            aggregated.add(i)
    named_reviews = {
        r.review_id for r in county.reviews if r.urn in caller.own or r.partnership in named
    }
    return Expected(named, aggregated, named_reviews)


@dataclass(frozen=True)
class Shown:
    scope: tuple[str, str]
    year: str
    family: str
    key: str
    kind: str
    value: int | None  # None: suppressed
    view: str


def _cells_of(answer: Any, kind: str) -> Iterator[tuple[str, str, str, str, int | None]]:
    """(year, family, key, kind, value) of every figure of an answer."""
    if kind == "trends":
        for year in answer.years:
            yield year.academic_year, "finding", "*", "*", year.reviewed_schools.value
            for row in year.themes:
                yield year.academic_year, "finding", row.code, row.kind, row.schools
    elif kind == "outcomes":
        family = "outcome_kind" if answer.by == "kind" else "outcome_theme"
        yield answer.academic_year, family, "*", "*", answer.progress_reviewed_schools.value
        for row in answer.data:
            yield answer.academic_year, family, row.key, "*", row.rated.value
            for rating, count in row.ratings.items():
                yield answer.academic_year, family, row.key, rating, count.value
    else:
        for row in answer.data:
            if (row.scope.kind, row.scope.id) != (answer.scope.kind, answer.scope.id):
                continue  # the council's partnership rows are checked via their own scope
            yield row.academic_year, "process", "report", "*", row.reports.value
            yield row.academic_year, "process", "progress", "*", row.progress_reviews.value


async def _ask(
    database: Database, caller: Caller, scope: tuple[str, str]
) -> list[tuple[str, Any]] | None:
    kind, scope_id = scope
    scope_arg = None if kind == "all" else scope_id
    answers: list[tuple[str, Any]] = []
    async with database.session() as session:
        try:
            answers.append(
                (
                    "trends",
                    await insight_service.trends(
                        session,
                        caller.principal,
                        scope=kind,
                        scope_id=scope_arg,
                        theme=None,
                        kind=None,
                        first=gen.YEARS[0],
                        last=gen.YEARS[-1],
                    ),
                )
            )
        except ProblemError as error:
            if error.status != 404:
                raise
            return None
    for year in gen.YEARS:
        for by in ("kind", "theme"):
            async with database.session() as session:
                answers.append(
                    (
                        "outcomes",
                        await insight_service.outcomes(
                            session,
                            caller.principal,
                            scope=kind,
                            scope_id=scope_arg,
                            year=year,
                            by=by,
                        ),
                    )
                )
    async with database.session() as session:
        answers.append(
            (
                "process",
                await measure_service.process_measures(
                    session, caller.principal, scope=kind, scope_id=scope_arg, year=None
                ),
            )
        )
    return answers  # fmt: skip


def _scopes(county: gen.County, caller: Caller) -> list[tuple[str, str]]:
    scopes = [("partnership", str(p.id)) for p in county.partnerships]
    scopes += [("trust", t) for t in gen.TRUSTS] + [("la", la) for la in gen.LAS] + [("all", "*")]
    members = gen.members(county)
    related = set(caller.own) | {u for i in caller.leads for u in members[i]}
    scopes += [("school", str(u)) for u in sorted(related)[:6]]
    return scopes


def _safe(count: int, threshold: int) -> bool:
    return count == SAFE_ZERO or count >= threshold


def _within(outer: Shown, inner: Shown) -> bool:
    """Is ``inner``'s (key, kind) the same as or inside ``outer``'s, in one family?"""
    if outer.family != inner.family:
        return False
    if (outer.key, outer.kind) == ("*", "*"):
        return True
    if not (inner.key == outer.key or inner.key.startswith(outer.key + ".")):
        return False
    return outer.kind == inner.kind or (outer.kind == "*" and outer.family.startswith("outcome"))


def _check_caller(
    county: gen.County, caller: Caller, shown: list[Shown], expected: Expected
) -> None:
    def reviews(cell: Shown) -> list[gen.GeneratedReview]:
        return expected.reviews_for(
            county, caller, cell.scope, cell.year, (cell.family, cell.key, cell.kind)
        )

    aggregate = [c for c in shown if c.view == AGGREGATED]
    for cell in shown:
        truth = reviews(cell)
        if cell.value is not None:
            assert cell.value == len({r.urn for r in truth}), (caller.name, cell)
        elif cell.view == NAMED:
            raise AssertionError(f"{caller.name}: a named figure was suppressed: {cell}")
    for cell in aggregate:  # (a)
        if cell.value is not None:
            k = gen.threshold(county, cell.scope, cell.year)
            about = expected.unnamed(reviews(cell))
            assert _safe(len(about), k), (caller.name, "(a)", cell, len(about), k)
    by_year: dict[tuple[str, str], list[Shown]] = {}
    for cell in shown:
        if cell.value is not None:
            by_year.setdefault((cell.year, cell.family), []).append(cell)
    for cells in by_year.values():  # (c)
        sets = {c: {r.review_id for r in reviews(c)} for c in cells}
        for outer in cells:
            if outer.view != AGGREGATED:
                continue
            for inner in cells:
                if inner is outer or not _within(outer, inner) or not sets[inner] <= sets[outer]:
                    continue
                apart = [r for r in reviews(outer) if r.review_id not in sets[inner]]
                k = gen.span_threshold(county, apart)
                difference = expected.unnamed(reviews(outer)) - expected.unnamed(reviews(inner))
                assert _safe(len(difference), k), (
                    caller.name,
                    "(c)",
                    outer,
                    inner,
                    len(difference),
                    k,
                )
    _check_totals(county, caller, shown, expected, reviews)


def _groups(
    county: gen.County, shown: list[Shown], expected: Expected
) -> list[tuple[Shown, list[Shown]]]:
    """Shown aggregate totals and their parts: a theme's sub-themes, an action kind's (or a
    theme's) ratings, and an LA's partnerships (as the council is shown them)."""
    index = {(c.scope, c.year, c.family, c.key, c.kind): c for c in shown}
    groups = []
    for total in shown:
        if total.view != AGGREGATED:
            continue
        same = [
            c
            for c in shown
            if (c.scope, c.year, c.family) == (total.scope, total.year, total.family)
        ]
        children = [
            c
            for c in same
            if c.kind == total.kind and "." in c.key and c.key.rsplit(".", 1)[0] == total.key
        ]
        ratings = [
            c
            for c in same
            if total.kind == "*" and total.key != "*" and c.key == total.key and c.kind != "*"
        ]
        for parts in (children, ratings):
            if parts:
                groups.append((total, parts))
        if total.scope[0] == "la":
            scopes = [
                ("partnership", str(p.id))
                for i, p in enumerate(county.partnerships)
                if p.la == total.scope[1] and i in expected.aggregated_partnerships
            ]
            keys = [(s, total.year, total.family, total.key, total.kind) for s in scopes]
            parts = [index[k] for k in keys if k in index]
            if parts:
                groups.append((total, parts))
    return groups  # fmt: skip


def _check_totals(
    county: gen.County, caller: Caller, shown: list[Shown], expected: Expected, reviews: Any
) -> None:
    """(b): subtract the shown parts from a shown total, where the data makes the parts add up
    to it; what is left must not pin down a hidden part, nor be about 1..k-1 schools."""
    for total, parts in _groups(county, shown, expected):
        sets = [{r.urn for r in reviews(p)} for p in parts]
        whole = {r.urn for r in reviews(total)}
        if set().union(*sets) != whole or sum(len(s) for s in sets) != len(whole):
            continue  # the parts do not add up to the total: subtracting gives bounds only
        hidden = [p for p in parts if p.value is None]
        if total.value is None:
            assert hidden or not whole, (caller.name, "(b) a hidden total is its parts' sum", total)
            continue
        if not hidden:
            continue
        left = total.value - sum(p.value for p in parts if p.value is not None)
        assert len(hidden) >= 2, (caller.name, "(b) total minus the others", total, hidden)
        assert left > len(hidden), (caller.name, "(b) every hidden part must be 1", total, hidden)
        about = set().union(*(expected.unnamed(reviews(p)) for p in hidden))
        k = gen.span_threshold(county, [r for p in hidden for r in reviews(p)])
        assert _safe(len(about), k), (caller.name, "(b) the hidden parts", total, len(about), k)


async def _run(url: str, county: gen.County) -> None:
    database = create_database(url)
    try:
        await _reset(database)
        await _ingest(database, county)
        for caller in _callers(county):
            expected = _expected(county, caller)
            shown: list[Shown] = []
            for scope in _scopes(county, caller):
                answers = await _ask(database, caller, scope)
                view = expected.view(county, caller, scope)
                assert (answers is None) == (view is None), (caller.name, scope, view)
                for kind, answer in answers or []:
                    assert answer.view == view, (caller.name, scope)
                    for year, family, key, cell_kind, value in _cells_of(answer, kind):
                        shown.append(Shown(scope, year, family, key, cell_kind, value, view))
                    if view == AGGREGATED and kind == "trends":
                        assert all(row.urns is None for y in answer.years for row in y.themes)
            _check_caller(county, caller, shown, expected)
    finally:
        await database.dispose()


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(county=gen.counties())
def test_no_caller_can_single_out_a_school(database_file: str, county: gen.County) -> None:
    asyncio.run(_run(database_file, county))
