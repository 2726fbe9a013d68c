"""The synthetic county itself (no services): deterministic, Essex-shaped, plausible, and its
GIAS extracts read cleanly by the scheduling service's own GIAS parser."""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest

from demo.county.generate import CountySize, generate_county
from demo.county.model import County
from demo.county.places import EASTING_RANGE, NORTHING_RANGE
from demo.gias.extracts import county_extracts
from scheduling.directory.gias import parsing

POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


@pytest.fixture(scope="module")
def county() -> County:
    return generate_county(0)


def test_the_same_seed_gives_the_same_county_and_another_seed_another() -> None:
    small = CountySize(partnerships=3, min_schools=5, max_schools=8, target_schools=None)
    assert generate_county(4, small) == generate_county(4, small)
    other = generate_county(5, small)
    assert [s.name for s in other.schools] != [s.name for s in generate_county(4, small).schools]
    assert not {s.urn for s in other.schools} & {s.urn for s in generate_county(4, small).schools}


def test_the_full_county_has_essex_shape(county: County) -> None:
    assert len(county.partnerships) == 36
    assert len(county.schools) == 400
    assert all(6 <= len(p.urns) <= 15 for p in county.partnerships)
    assert Counter(p.quadrant for p in county.partnerships) == dict.fromkeys(county.quadrants, 9)
    phases = Counter(s.phase for s in county.schools)
    assert phases["primary"] > 300
    assert phases["secondary"]
    assert phases["special"]
    assert phases["all_through"]
    assert sorted(u for p in county.partnerships for u in p.urns) == sorted(
        s.urn for s in county.schools
    )


def test_trusts_sit_in_one_or_several_partnerships(county: County) -> None:
    mats = [t for t in county.trusts if t.group_type == "Multi-academy trust"]
    assert 4 <= len(mats) <= 8
    spans = [len({county.school(u).partnership for u in t.urns}) for t in mats]
    assert 1 in spans
    assert max(spans) > 1
    trust_partnership = next(p for p in county.partnerships if p.kind == "trust")
    assert {county.school(u).trust_uid for u in trust_partnership.urns} == {mats[0].uid}
    for school in county.schools:
        assert school.is_academy == (school.trust_uid is not None)


def test_names_places_and_emails_are_plausible_and_unique(county: County) -> None:
    names = [s.name for s in county.schools]
    assert len(set(names)) == len(names)
    assert any("Church of England Primary School" in n for n in names)
    assert any("Catholic" in n for n in names)
    assert any(n.endswith("Infant School") for n in names)
    for school in county.schools:
        assert EASTING_RANGE[0] <= school.easting <= EASTING_RANGE[1]
        assert NORTHING_RANGE[0] <= school.northing <= NORTHING_RANGE[1]
        assert POSTCODE.match(school.postcode), school.postcode
    emails = [p.email for p in county.people]
    assert len(set(emails)) == len(emails)
    assert all(e.endswith(".essex.example") for e in emails)


def test_every_school_has_a_head_and_every_partnership_a_lead_from_its_schools(
    county: County,
) -> None:
    heads = Counter(p.school for p in county.people for r in p.roles if r.role == "headteacher")
    assert set(heads.values()) == {1}
    assert set(heads) == {s.urn for s in county.schools}
    for partnership in county.partnerships:
        leads = [p for p in county.people for r in p.roles if r.partnership == partnership.key]
        assert len(leads) == 1
        assert leads[0].school in partnership.urns
        assert leads[0].email == partnership.lead_email
        staff = [p for p in county.people if p.school in partnership.urns]
        roles = Counter(r.role for p in staff for r in p.roles)
        assert roles["lead_reviewer"] >= 2, partnership.name
        assert roles["improvement_champion"] >= 1, partnership.name


def test_lead_reviewers_hold_training_valid_for_the_whole_year(county: County) -> None:
    first, last = county.calendar.terms[0].starts_on, county.calendar.terms[-1].ends_on
    for person in county.people:
        if any(r.role == "lead_reviewer" for r in person.roles):
            assert any(
                t.kind == "lead_reviewer"
                and t.completed_on <= first
                and (t.expires_on is None or t.expires_on >= last)
                for t in person.training
            ), person.email


def test_the_gias_extracts_parse_cleanly_with_the_services_parser(county: County) -> None:
    extracts = county_extracts(county)
    establishments = list(
        parsing.read_rows(io.BytesIO(extracts.establishments), parsing.ESTABLISHMENTS)
    )
    parsed = [parsing.parse_establishment(r, parsing.parse_la(r)) for r in establishments]
    assert len(parsed) == len(county.schools) + len(county.predecessors)
    assert {p["la_code"] for p in parsed} == {"881"}
    assert sum(p["status"] == "closed" for p in parsed) == len(county.predecessors)
    groups = list(parsing.read_rows(io.BytesIO(extracts.groups), parsing.GROUPS))
    assert all(parsing.parse_group(r) is not None for r in groups)
    links = [
        parsing.parse_link(r) for r in parsing.read_rows(io.BytesIO(extracts.links), parsing.LINKS)
    ]
    assert len(links) == 2 * len(county.predecessors)
    assert extracts.establishments.decode("cp1252").startswith('"URN","LA (code)"')
