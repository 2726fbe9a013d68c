"""Disclosure control, proved on random counties (hypothesis): every figure of every answer every
caller can get (schools, partnership leads, trusts, councils, a council that also leads a
partnership, the national admin) is checked against what the generated data says it is about:

- (a) no shown aggregate is about 1..threshold-1 schools the caller does not already see by name;
- (b) no hidden figure can be worked out from a shown total and its shown parts (an LA and its
  partnerships; a theme and its sub-themes, an action kind and its ratings, where the data makes
  them add up);
- (c) no difference of two shown figures, one inside the other (a wider scope, a broader theme),
  is about 1..threshold-1 schools;

and every shown figure is the true count, named views only where the agreement names schools
(the terms in force for every member: a version binds each school only as far as its own terms,
which differ school by school),
and a scope the caller may not see is a 404. The events go through the handlers' own service
functions into a real database (SQLite; PostgreSQL in the scenario tests), and the figures
come out of the same service functions as the routes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from sqlalchemy import delete

from common.db import Database, create_database
from common.db.migrations import upgrade
from common.http.problems import ProblemError
from contracts import directory
from knowledge.answers.insight import service as insight_service
from knowledge.answers.measure import service as measure_service
from knowledge.config import KnowledgeSettings
from knowledge.intake.review import service as review_service
from knowledge.intake.review.visibility import directory as directory_model
from knowledge.models import (
    DirectoryAgreement,
    DirectoryMembership,
    DirectoryPartnership,
    DirectorySchool,
    DirectorySchoolAgreement,
    EmergingTheme,
    IngestedReview,
    InsightCell,
    OutboxMessage,
    RollupGeneration,
)
from tests.knowledge import county as gen
from tests.knowledge import oracle
from tests.knowledge.oracle import AGGREGATED, Caller, Shown
from tests.support import alembic_ini

SETTINGS = KnowledgeSettings(database_url="sqlite://")


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
            DirectorySchoolAgreement,
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
            await step(directory_model.apply_partnership(session, payload))
            await step(directory_model.apply_agreement(session, p.agreement.payload(p.id, p.la, 1)))
        for school in county.schools:
            payload = directory.SchoolPayload.model_validate(
                {
                    "urn": school.urn, "name": f"School {school.urn}", "phase": "primary",
                    "la_code": "881", "establishment_number": None, "trust_uid": school.trust,
                    "postcode": None, "easting": None, "northing": None, "status": "open",
                    "version": 1, "updated_at": gen.NOW,
                }
            )  # fmt: skip
            await step(directory_model.apply_school(session, payload))
            for index in school.partnerships:
                p = county.partnerships[index]
                membership = directory.MembershipPayload(
                    partnership_id=p.id, urn=school.urn, la_code=p.la, occurred_at=gen.NOW
                )
                await step(directory_model.apply_membership(session, membership, joined=True))
        for review in county.reviews:
            await step(
                review_service.apply_report(session, gen.report_payload(county, review), SETTINGS)
            )
            progress = gen.progress_payload(county, review)
            if progress is not None:
                await step(review_service.apply_progress(session, progress))
        for (index, urn), own in sorted(county.own_terms.items()):
            p = county.partnerships[index]
            payload = own.school_payload(p.id, urn, p.la, 1)
            await step(directory_model.apply_school_agreement(session, payload))
        for p in county.partnerships:
            if p.later is not None:
                await step(directory_model.apply_agreement(session, p.later.payload(p.id, p.la, 2)))


Figure = tuple[str, str, str, str, int | None, str | None]


def _cells_of(answer: Any, kind: str) -> Iterator[Figure]:
    """(year, family, key, kind, value, why suppressed) of every figure of an answer."""
    if kind == "trends":
        for year in answer.years:
            whole = year.reviewed_schools
            yield year.academic_year, "finding", "*", "*", whole.value, whole.suppressed_reason
            for row in year.themes:
                yield (
                    year.academic_year, "finding", row.code, row.kind, row.schools,
                    row.suppressed_reason,
                )  # fmt: skip
    elif kind == "outcomes":
        family = "outcome_kind" if answer.by == "kind" else "outcome_theme"
        whole = answer.progress_reviewed_schools
        yield answer.academic_year, family, "*", "*", whole.value, whole.suppressed_reason
        for row in answer.data:
            rated = row.rated
            yield answer.academic_year, family, row.key, "*", rated.value, rated.suppressed_reason
            for rating, count in row.ratings.items():
                yield (
                    answer.academic_year, family, row.key, rating, count.value,
                    count.suppressed_reason,
                )  # fmt: skip
    else:
        for row in answer.data:
            if (row.scope.kind, row.scope.id) != (answer.scope.kind, answer.scope.id):
                continue  # the council's partnership rows are checked via their own scope
            for key, count in (("report", row.reports), ("progress", row.progress_reviews)):
                yield (
                    row.academic_year, "process", key, "*", count.value, count.suppressed_reason,
                )  # fmt: skip


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


async def _run(url: str, county: gen.County) -> None:
    database = create_database(url)
    try:
        await _reset(database)
        await _ingest(database, county)
        for caller in oracle.callers(county):
            expected = oracle.expected_for(county, caller)
            shown: list[Shown] = []
            for scope in _scopes(county, caller):
                answers = await _ask(database, caller, scope)
                view = expected.view(county, caller, scope)
                assert (answers is None) == (view is None), (caller.name, scope, view)
                for kind, answer in answers or []:
                    assert answer.view == view, (caller.name, scope)
                    for year, family, key, cell_kind, value, why in _cells_of(answer, kind):
                        shown.append(Shown(scope, year, family, key, cell_kind, value, view, why))
                    if view == AGGREGATED and kind == "trends":
                        assert all(row.urns is None for y in answer.years for row in y.themes)
            oracle.check_caller(county, caller, shown, expected)
    finally:
        await database.dispose()


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(county=gen.counties())
def test_no_caller_can_single_out_a_school(database_file: str, county: gen.County) -> None:
    asyncio.run(_run(database_file, county))
