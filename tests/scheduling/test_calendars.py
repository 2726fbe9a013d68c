"""Calendars: LA term dates, school overrides, INSET days, blackouts by phase, the effective
calendar, and school-day arithmetic across half-term holidays and INSET days."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from scheduling.config import SchedulingSettings
from scheduling.directory.calendar import service as calendars
from scheduling.directory.calendar.days import (
    EffectiveCalendar,
    HalfTerm,
    OutsideCalendarError,
    SchoolDays,
    Term,
)
from tests.support import TokenFactory, assert_problem, bearer

TERMS: list[dict[str, Any]] = [
    {"half_term": "autumn1", "starts_on": "2026-09-03", "ends_on": "2026-10-23"},
    {"half_term": "autumn2", "starts_on": "2026-11-02", "ends_on": "2026-12-18"},
    {"half_term": "spring1", "starts_on": "2027-01-05", "ends_on": "2027-02-12"},
    {"half_term": "spring2", "starts_on": "2027-02-22", "ends_on": "2027-03-26"},
    {"half_term": "summer1", "starts_on": "2027-04-12", "ends_on": "2027-05-28"},
    {"half_term": "summer2", "starts_on": "2027-06-07", "ends_on": "2027-07-21"},
]
KS2 = {"starts_on": "2027-05-10", "ends_on": "2027-05-13", "phases": ["primary"], "reason": "KS2"}
LA_CALENDAR = {"terms": TERMS, "inset_days": ["2026-11-02"], "blackouts": [KS2]}
LA_PATH = "/v1/calendars/las/881/2026-27"


def _calendar(inset: set[date] | None = None) -> EffectiveCalendar:
    terms = tuple(
        Term(
            HalfTerm(t["half_term"]),
            date.fromisoformat(t["starts_on"]),
            date.fromisoformat(t["ends_on"]),
        )
        for t in TERMS
    )
    return EffectiveCalendar("2026-27", terms, frozenset(inset or set()))


def test_school_days_skip_the_half_term_holiday_and_inset_days() -> None:
    days = SchoolDays([_calendar({date(2026, 11, 2)})])
    # Friday 23 October is the last day of autumn 1; half-term week follows; Monday
    # 2 November is an INSET day, so Tuesday 3 November is the next school day.
    assert days.add(date(2026, 10, 23), 1) == date(2026, 11, 3)
    assert days.add(date(2026, 11, 3), -1) == date(2026, 10, 23)
    assert days.count(date(2026, 10, 19), date(2026, 11, 6)) == 5 + 4
    # A weekend or holiday start counts from the next school day.
    assert days.add(date(2026, 10, 24), 1) == date(2026, 11, 3)
    assert days.add(date(2026, 10, 28), -1) == date(2026, 10, 23)
    # 20 school days before a review on 24 November 2026 (the self-review due date).
    assert days.add(date(2026, 11, 24), -20) == date(2026, 10, 19)
    assert days.count(date(2026, 10, 19), date(2026, 11, 23)) == 20
    assert days.add(date(2026, 11, 24), 0) == date(2026, 11, 24)
    assert days.count(date(2026, 11, 6), date(2026, 11, 5)) == 0


def test_school_days_without_inset() -> None:
    days = SchoolDays([_calendar()])
    assert days.add(date(2026, 10, 23), 1) == date(2026, 11, 2)
    # Christmas: the last day of autumn 2 to the first of spring 1.
    assert days.add(date(2026, 12, 18), 1) == date(2027, 1, 5)
    assert days.count(date(2026, 9, 1), date(2027, 8, 31)) == sum(
        1 for d in _all_days() if d.weekday() < 5 and _calendar().is_school_day(d)
    )


def test_running_off_the_calendar_is_an_error() -> None:
    days = SchoolDays([_calendar()])
    with pytest.raises(OutsideCalendarError):
        days.add(date(2027, 7, 20), 5)
    with pytest.raises(OutsideCalendarError):
        days.add(date(2026, 9, 4), -5)


def _all_days() -> list[date]:
    return [
        date.fromordinal(n)
        for n in range(date(2026, 9, 1).toordinal(), date(2027, 9, 1).toordinal())
    ]


@pytest.fixture
async def council(client: httpx.AsyncClient, issue_token: TokenFactory) -> dict[str, str]:
    """LA 881 with a primary (115000, trust 5001) and a secondary academy (115001, trust 5002)."""
    headers = bearer(issue_token("directory:read", "directory:write", la=["881"]))
    for urn, phase, trust in ((115000, "primary", "5001"), (115001, "secondary", "5002")):
        school = {
            "name": f"School {urn}",
            "phase": phase,
            "la_code": "881",
            "status": "open",
            "trust_uid": trust,
        }
        assert (
            await client.put(f"/v1/schools/{urn}", json=school, headers=headers)
        ).status_code == 201
    return headers


async def test_la_calendar_create_read_replace(
    client: httpx.AsyncClient, council: dict[str, str], issue_token: TokenFactory
) -> None:
    created = await client.put(LA_PATH, json=LA_CALENDAR, headers=council)
    assert created.status_code == 201, created.text
    assert created.headers["etag"] == '"1"'
    assert created.json()["terms"] == TERMS
    got = await client.get(LA_PATH, headers=council)
    assert got.status_code == 200
    assert got.json()["blackouts"] == [KS2]

    changed = {**LA_CALENDAR, "inset_days": ["2026-09-03", "2026-11-02"]}
    assert_problem(await client.put(LA_PATH, json=changed, headers=council), 428)
    stale = await client.put(LA_PATH, json=changed, headers={**council, "If-Match": '"7"'})
    assert_problem(stale, 412)
    replaced = await client.put(LA_PATH, json=changed, headers={**council, "If-Match": '"1"'})
    assert replaced.status_code == 200
    assert replaced.headers["etag"] == '"2"'

    # A school of the LA reads its LA's dates but cannot set them; another LA sees nothing.
    school = bearer(issue_token("directory:read", "directory:write", schools=["115000"]))
    assert (await client.get(LA_PATH, headers=school)).status_code == 200
    assert_problem(
        await client.put(LA_PATH, json=changed, headers={**school, "If-Match": '"2"'}), 403
    )
    other = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    assert_problem(await client.get(LA_PATH, headers=other), 404)
    assert_problem(await client.get("/v1/calendars/las/881/2027-28", headers=council), 404)


@pytest.mark.parametrize(
    "change",
    [
        {"terms": [{**TERMS[0], "ends_on": "2026-09-01"}, *TERMS[1:]]},  # reversed
        {"terms": [{**TERMS[0], "half_term": "autumn3"}, *TERMS[1:]]},  # unknown half-term
        {"terms": TERMS[:5]},  # one missing
        {"terms": [TERMS[1], TERMS[0], *TERMS[2:]]},  # out of order
        {"terms": [TERMS[0], {**TERMS[1], "starts_on": "2026-10-20"}, *TERMS[2:]]},  # overlap
        {"terms": [{**TERMS[0], "starts_on": "2026-08-20"}, *TERMS[1:]]},  # outside the year
        {"inset_days": ["2027-09-01"]},  # outside the year
        {"blackouts": [{**KS2, "ends_on": "2027-05-01"}]},  # reversed
        {"blackouts": [{**KS2, "phases": ["kindergarten"]}]},  # unknown phase
        {"holidays": []},  # unknown field
    ],
)
async def test_bad_calendars_are_refused(
    client: httpx.AsyncClient, council: dict[str, str], change: dict[str, Any]
) -> None:
    response = await client.put(LA_PATH, json={**LA_CALENDAR, **change}, headers=council)
    assert_problem(response, 422)
    assert_problem(await client.get(LA_PATH, headers=council), 404)


async def test_bad_academic_year_in_the_path(
    client: httpx.AsyncClient, council: dict[str, str]
) -> None:
    for year in ("2026-28", "2026", "26-27"):
        response = await client.put(
            f"/v1/calendars/las/881/{year}", json=LA_CALENDAR, headers=council
        )
        assert_problem(response, 422)


async def test_effective_calendar_with_a_school_override(
    client: httpx.AsyncClient, council: dict[str, str], issue_token: TokenFactory
) -> None:
    assert (await client.put(LA_PATH, json=LA_CALENDAR, headers=council)).status_code == 201

    primary = await client.get("/v1/calendars/schools/115000/2026-27", headers=council)
    assert primary.status_code == 200, primary.text
    body = primary.json()
    assert body["terms_source"] == "la"
    assert body["terms"] == TERMS
    assert body["inset_days"] == [{"day": "2026-11-02", "source": "la"}]
    assert [b["reason"] for b in body["blackouts"]] == ["KS2"]
    la_days = body["school_days"]
    assert la_days == SchoolDays([_calendar({date(2026, 11, 2)})]).count(
        date(2026, 9, 1), date(2027, 8, 31)
    )

    # The secondary academy sets its own terms (a week earlier autumn 1 end) and INSET days.
    own_terms = [{**TERMS[0], "ends_on": "2026-10-16"}, *TERMS[1:]]
    own = {"terms": own_terms, "inset_days": ["2026-09-03", "2027-01-05"], "blackouts": []}
    academy = bearer(issue_token("directory:read", "directory:write", trusts=["5002"]))
    path = "/v1/calendars/schools/115001/2026-27/override"
    assert_problem(await client.put(path, json=own, headers=council), 403)  # not the LA's
    created = await client.put(path, json=own, headers=academy)
    assert created.status_code == 201, created.text
    assert (await client.get(path, headers=academy)).json()["inset_days"] == [
        "2026-09-03",
        "2027-01-05",
    ]
    secondary = (await client.get("/v1/calendars/schools/115001/2026-27", headers=academy)).json()
    assert secondary["terms_source"] == "school"
    assert secondary["terms"][0]["ends_on"] == "2026-10-16"
    # Its own INSET days only (the LA's apply with the LA's terms); no KS2 week for it.
    assert secondary["inset_days"] == [
        {"day": "2026-09-03", "source": "school"},
        {"day": "2027-01-05", "source": "school"},
    ]
    assert secondary["blackouts"] == []
    assert secondary["school_days"] == la_days + 1 - 5 - 2  # LA INSET back; one week; two INSET

    # A school adds an INSET day without changing its terms: LA terms, both INSET sources.
    school = bearer(issue_token("directory:read", "directory:write", schools=["115000"]))
    extra = {"terms": None, "inset_days": ["2027-02-12"]}
    added = await client.put(
        "/v1/calendars/schools/115000/2026-27/override", json=extra, headers=school
    )
    assert added.status_code == 201, added.text
    again = await client.put(
        "/v1/calendars/schools/115000/2026-27/override", json=extra, headers=school
    )
    assert_problem(again, 428)
    effective = (await client.get("/v1/calendars/schools/115000/2026-27", headers=school)).json()
    assert effective["terms_source"] == "la"
    assert effective["inset_days"] == [
        {"day": "2026-11-02", "source": "la"},
        {"day": "2027-02-12", "source": "school"},
    ]
    assert effective["school_days"] == la_days - 1

    stranger = bearer(issue_token("directory:read", "directory:write", la=["882"]))
    assert_problem(await client.get("/v1/calendars/schools/115000/2026-27", headers=stranger), 404)
    assert_problem(await client.get("/v1/calendars/schools/115000/2027-28", headers=council), 404)


async def test_school_day_arithmetic_from_the_database(
    client: httpx.AsyncClient, council: dict[str, str], scheduling_settings: SchedulingSettings
) -> None:
    assert (await client.put(LA_PATH, json=LA_CALENDAR, headers=council)).status_code == 201
    engine = create_async_engine(scheduling_settings.database_url)
    try:
        async with async_sessionmaker(engine)() as session:
            due = await calendars.add_school_days(session, 115000, date(2026, 10, 23), 1)
            assert due == date(2026, 11, 3)
            count = await calendars.school_days(
                session, 115000, date(2026, 10, 19), date(2026, 11, 6)
            )
            assert count == 9
            with pytest.raises(OutsideCalendarError):
                await calendars.add_school_days(session, 115000, date(2027, 7, 1), 40)
    finally:
        await engine.dispose()
