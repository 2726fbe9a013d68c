"""How each partnership runs its year: its data-sharing agreement, its cycle policy (the part it
changes from the defaults), and each member school's request (focus, preferred half-terms,
mode, one or two days)."""

from __future__ import annotations

import random
from typing import Any

from demo.county.model import Agreement, Request, School

# Most partnerships keep the default (named within, aggregated for trust and LA); a few are
# stricter, as the data-sharing agreements of real partnerships are.
STRICTER_AGREEMENTS = (
    Agreement("named", "aggregated", "none", 5),  # the council sees nothing
    Agreement("aggregated", "none", "aggregated", 7),  # even within, only aggregates
    Agreement("named", "none", "none", 5),  # nothing leaves the partnership
)

FOCUS_BY_PHASE: dict[str, tuple[str, ...]] = {
    "primary": ("reading", "writing", "maths", "send", "disadvantaged", "attendance",
                "early_years", "curriculum", "behaviour", "wellbeing", "eal"),
    "secondary": ("curriculum", "disadvantaged", "attendance", "behaviour", "send", "maths",
                  "reading", "sixth_form", "assessment", "personal_development"),
    "special": ("send", "behaviour", "wellbeing", "personal_development", "curriculum",
                "attendance"),
}  # fmt: skip
FOCUS_BY_PHASE["all_through"] = FOCUS_BY_PHASE["secondary"]
# Autumn 1 is too early for a 20-school-day self-review; summer 2 is the June evaluation.
PREFERABLE_HALF_TERMS = ("autumn2", "spring1", "spring2", "summer1")


def agreement(rng: random.Random, kind: str) -> Agreement:
    if kind != "trust" and rng.random() < 0.2:
        return rng.choice(STRICTER_AGREEMENTS)
    return Agreement()


def policy(rng: random.Random, size: int) -> dict[str, Any]:
    """The policy fields this partnership sets; the rest keep the service's defaults."""
    chosen: dict[str, Any] = {}
    if size <= 7:
        chosen["team"] = {"reviewers": 1}
    roll = rng.random()
    if roll < 0.2:
        chosen["modes"] = ["in_person", "blended"]
    elif roll < 0.3:
        chosen["max_distance_km"] = 20.0
    if rng.random() < 0.15:
        chosen["limits"] = {"max_reviews_per_week": 2}
    return chosen


def request(rng: random.Random, school: School, modes: list[str]) -> Request:
    pool = FOCUS_BY_PHASE[school.phase]
    preferred = rng.sample(PREFERABLE_HALF_TERMS, rng.choice((0, 1, 1, 2)))
    mode = rng.choices(("in_person", "blended", "virtual"), weights=(75, 15, 10))[0]
    if mode not in modes:
        mode = "in_person"
    two_days = school.phase in ("secondary", "all_through") and rng.random() < 0.3
    return Request(
        urn=school.urn,
        focus=tuple(rng.sample(pool, rng.choice((1, 2, 2, 3)))),
        preferred_half_terms=tuple(sorted(preferred, key=PREFERABLE_HALF_TERMS.index)),
        mode=mode,
        days=2 if two_days else 1,
    )


def policy_modes(chosen: dict[str, Any]) -> list[str]:
    modes: list[str] = chosen.get("modes", ["in_person", "virtual", "blended"])
    return modes
