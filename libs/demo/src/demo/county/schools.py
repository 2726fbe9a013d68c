"""One school from draft to directory entry: its phase mix in the partnership, its GIAS type
(maintained, voluntary, foundation, academy), name, ages, size, address and establishment
number, and the closed maintained school an academy converted from."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from demo.county import names
from demo.county.model import ClosedPredecessor, School
from demo.county.places import PLACES, Area

GIAS_PHASE = {
    "primary": "Primary",
    "secondary": "Secondary",
    "special": "Not applicable",  # GIAS gives special schools no phase; their type says it
    "all_through": "All-through",
}
# First establishment number of each range (LA 881's numbering: 2xxx primary, 3xxx voluntary
# primary, 4xxx secondary, 7xxx special); academies get new numbers from their own block.
NUMBER_RANGES = {
    ("primary", "maintained"): 2000,
    ("primary", "academy"): 2600,
    ("primary", "voluntary"): 3000,
    ("secondary", "maintained"): 4000,
    ("secondary", "academy"): 4200,
    ("secondary", "voluntary"): 4600,
    ("all_through", "academy"): 4800,
    ("all_through", "maintained"): 4900,
    ("special", "maintained"): 7000,
    ("special", "academy"): 7050,
}


@dataclass
class SchoolDraft:
    """A school while the county is generated: where it is, then which trust takes it."""

    urn: int
    partnership: str
    area: Area
    phase: str
    locality: str
    easting: int
    northing: int
    religion: str | None
    trust_uid: str | None = None
    single_academy_trust: bool = False


def draft_phases(rng: random.Random, area: Area, count: int) -> list[str]:
    """Mostly primaries; a secondary in most partnerships of nine or more, a second in big
    ones; a special school in some; an all-through academy now and then."""
    phases = []
    if count >= 8 or rng.random() < 0.4:
        phases.append("secondary")
    if count >= 12 and rng.random() < 0.6:
        phases.append("secondary")
    if area.kind != "trust" and count >= 6 and rng.random() < 0.45:
        phases.append("special")
    if area.kind != "trust" and count >= 10 and rng.random() < 0.12:
        phases.append("all_through")
    phases = phases[: max(0, count - 1)]  # at least one primary
    phases += ["primary"] * (count - len(phases))
    rng.shuffle(phases)
    return phases


# Establishment numbers handed out so far in one county, per (phase, family).
Numbering = Counter[tuple[str, str]]


def _gias_type(rng: random.Random, draft: SchoolDraft) -> tuple[str, str]:
    """(TypeOfEstablishment name, numbering family)."""
    if draft.trust_uid is not None:
        if draft.phase == "special":
            return "Academy special converter", "academy"
        return ("Academy converter" if rng.random() < 0.75 else "Academy sponsor led"), "academy"
    if draft.phase == "special":
        return (
            "Community special school" if rng.random() < 0.8 else "Foundation special school"
        ), ("maintained")
    if draft.religion == "Roman Catholic":
        return "Voluntary aided school", "voluntary"
    if draft.religion == "Church of England":
        kind = "Voluntary controlled school" if rng.random() < 0.5 else "Voluntary aided school"
        return kind, "voluntary"
    return ("Community school" if rng.random() < 0.85 else "Foundation school"), "maintained"


def _name(rng: random.Random, draft: SchoolDraft, academy: bool) -> str:
    if draft.phase == "primary":
        return names.primary_name(rng, draft.locality, draft.religion, academy)
    if draft.phase == "secondary":
        return names.secondary_name(rng, draft.locality, draft.religion, academy)
    if draft.phase == "special":
        return names.special_name(rng, draft.locality)
    return names.all_through_name(rng, draft.locality)


def _ages(rng: random.Random, phase: str, name: str) -> tuple[int, int, int]:
    """(low age, high age, pupils)."""
    if phase == "primary":
        if "Infant" in name:
            return 4, 7, rng.randint(9, 27) * 10
        if "Junior" in name:
            return 7, 11, rng.randint(12, 36) * 10
        return 4, 11, rng.randint(6, 63) * 10
    if phase == "secondary":
        return 11, rng.choice((16, 18, 18)), rng.randint(60, 180) * 10
    if phase == "special":
        return rng.choice((3, 5, 11)), rng.choice((16, 19)), rng.randint(6, 25) * 10
    return 4, 18, rng.randint(120, 200) * 10


def _number(numbering: Numbering, phase: str, kind: str) -> str:
    start = NUMBER_RANGES.get((phase, kind)) or NUMBER_RANGES[(phase, "maintained")]
    numbering[(phase, kind)] += 1
    return f"{start + numbering[(phase, kind)]:04d}"


def _postcode(rng: random.Random, area: Area) -> str:
    district = rng.choice(PLACES[area.town].postcodes)
    inward = "ABDEFGHJLNPQRSTUWXYZ"
    return f"{district} {rng.randint(1, 9)}{rng.choice(inward)}{rng.choice(inward)}"


def finish_school(
    rng: random.Random,
    draft: SchoolDraft,
    taken: set[str],
    streets: Sequence[str],
    numbering: Numbering,
) -> School:
    gias_type, family = _gias_type(rng, draft)
    academy = family == "academy"
    name = names.unique(_name(rng, draft, academy), draft.locality, taken)
    low, high, pupils = _ages(rng, draft.phase, name)
    opened = date(rng.randint(1952, 2005), 9, 1)
    converts = academy and gias_type != "Academy sponsor led" and rng.random() < 0.6
    if academy:
        opened = date(rng.randint(2011, 2023), rng.choice((1, 4, 9)), 1)
    return School(
        urn=draft.urn,
        name=name,
        phase=draft.phase,
        gias_phase=GIAS_PHASE[draft.phase],
        gias_type=gias_type,
        establishment_number=_number(numbering, draft.phase, family),
        partnership=draft.partnership,
        quadrant=draft.area.quadrant,
        town=draft.area.town,
        street=rng.choice(streets),
        postcode=_postcode(rng, draft.area),
        easting=draft.easting,
        northing=draft.northing,
        low_age=low,
        high_age=high,
        pupils=pupils,
        religious_character=draft.religion,
        trust_uid=draft.trust_uid,
        single_academy_trust=draft.single_academy_trust,
        opened_on=opened,
        predecessor_urn=0 if converts else None,  # numbered once every school is known
    )


def predecessor_of(school: School, urn: int, numbering: Numbering) -> ClosedPredecessor:
    """The maintained school ``school`` converted from (closed the day before it opened)."""
    name = school.name.replace(" Primary Academy", " Primary School").replace(" Academy", " School")
    if school.religious_character is not None:
        gias_type = "Voluntary aided school"
    elif school.phase == "special":
        gias_type = "Community special school"
    else:
        gias_type = "Community school"
    family = "voluntary" if school.religious_character else "maintained"
    number = _number(numbering, school.phase, family)
    return ClosedPredecessor(
        urn=urn,
        name=name,
        gias_type=gias_type,
        establishment_number=number,
        closed_on=school.opened_on - timedelta(days=1),
        successor_urn=school.urn,
    )
