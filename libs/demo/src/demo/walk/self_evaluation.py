"""A school's self-evaluation: last year's results as aggregates by pupil group (what the
reviews service checks: counts that add up to each cohort and agree with the percentages,
the groups of a partition adding up to ``all``, scores on each assessment's scale), and its
own view of its strengths and weaknesses."""

from __future__ import annotations

import random
from typing import Any

from demo.county.model import School
from demo.walk.areas import area
from demo.walk.themes import words


def _outcomes(rng: random.Random, cohort: int, expected: float, higher: float) -> dict[str, int]:
    reached = min(cohort, round(cohort * min(0.98, max(0.05, rng.gauss(expected, 0.08)))))
    above = (
        0
        if higher == 0
        else min(reached, round(cohort * min(0.6, max(0.0, rng.gauss(higher, 0.05)))))
    )
    return {"below_expected": cohort - reached, "expected": reached - above, "higher": above}


def _group(name: str, cohort: int, counts: dict[str, int], score: float | None) -> dict[str, Any]:
    reached = counts["expected"] + counts["higher"]
    row: dict[str, Any] = {
        "group": name,
        "cohort": cohort,
        "counts": counts,
        "expected_pct": round(100 * reached / cohort, 1),
        "higher_pct": round(100 * counts["higher"] / cohort, 1),
    }
    if score is not None:
        row["average_score"] = score
    return row


def _result(
    rng: random.Random,
    assessment: str,
    subject: str,
    cohort: int,
    *,
    expected: float,
    higher: float,
    scale: tuple[float, float] | None = None,
    year_group: int | None = None,
) -> dict[str, Any]:
    """One result set by group: all, disadvantaged and not (the gap a review looks at)."""
    disadvantaged = max(2, round(cohort * rng.uniform(0.15, 0.35)))
    others = cohort - disadvantaged
    gap = rng.uniform(0.08, 0.22)
    parts = {
        "disadvantaged": (disadvantaged, _outcomes(rng, disadvantaged, expected - gap, higher / 2)),
        "not_disadvantaged": (others, _outcomes(rng, others, expected + gap / 3, higher)),
    }
    whole = {
        k: sum(p[1][k] for p in parts.values()) for k in ("below_expected", "expected", "higher")
    }

    def score(share: float) -> float | None:
        if scale is None:
            return None
        low, high = scale
        return round(low + (high - low) * min(0.9, max(0.1, share)), 1)

    scores = {"disadvantaged": score(expected - gap), "not_disadvantaged": score(expected)}
    mean = None
    if scale is not None:
        mean = round(sum((scores[n] or 0) * parts[n][0] for n in parts) / cohort, 1)
    groups = [_group("all", cohort, whole, mean)]
    groups += [_group(name, size, counts, scores[name]) for name, (size, counts) in parts.items()]
    row: dict[str, Any] = {"assessment": assessment, "subject": subject, "groups": groups}
    if year_group is not None:
        row["year_group"] = year_group
    return row


def data_summary(rng: random.Random, school: School, data_year: str) -> dict[str, Any]:
    """Last year's results as the school would summarise them, by phase and age range."""
    years = max(1, school.high_age - max(school.low_age, 4))
    cohort = max(6, min(240, school.pupils // years))
    results: list[dict[str, Any]] = []
    if school.phase in ("secondary", "all_through"):
        results += [
            _result(rng, "ks4", "english_and_maths", cohort, expected=0.68, higher=0.45),
            _result(rng, "ks4", "attainment_8", cohort, expected=0.55, higher=0.3, scale=(0, 90)),
        ]
    elif school.phase == "special":
        results += [
            _result(
                rng, "in_school", subject, max(6, cohort), expected=0.45, higher=0.1, year_group=6
            )
            for subject in ("reading", "maths")
        ]
    else:
        if school.low_age < 7:
            results.append(_result(rng, "phonics_check", "phonics", cohort, expected=0.8, higher=0))
        if school.high_age >= 11:
            results += [
                _result(rng, "ks2", "reading", cohort, expected=0.74, higher=0.28, scale=(80, 120)),
                _result(rng, "ks2", "writing", cohort, expected=0.69, higher=0.13),
                _result(rng, "ks2", "maths", cohort, expected=0.72, higher=0.24, scale=(80, 120)),
            ]
    return {"data_year": data_year, "results": results}


def self_evaluation(
    rng: random.Random, school: School, focus_areas: list[str], data_year: str
) -> dict[str, Any]:
    """The whole SEF, shared with the team: results, and the school's own view (its weakness
    is its focus area's first theme; its strength a theme from another area)."""
    focus = area(focus_areas[0] if focus_areas else "curriculum")
    weak = focus.themes[0]
    strong_area = area(rng.choice(("reading", "behaviour", "curriculum")))
    strong = next((t for t in strong_area.themes if t not in focus.themes), strong_area.themes[0])
    return {
        "data_summary": data_summary(rng, school, data_year),
        "strengths": [{"text": words(strong).strength, "theme_codes": [strong]}],
        "weaknesses": [{"text": words(weak).development, "theme_codes": [weak]}],
        "share": True,
    }
