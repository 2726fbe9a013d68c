"""The improvement workshop the Improvement Champion leads, its action plan and the 90-day
review: who came, the GROW notes, an action for each area for development (its kind, owner,
success criteria, research from the knowledge library) and a visit to a partner school that
is strong where this school is not; then each action rated with its evidence of impact."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from demo.county.names import person_name
from demo.walk.content import ReviewContent
from demo.walk.themes import words

# The library's guide to implementation: the source for an action no guidance covers.
IMPLEMENTATION = "leadership.implementation"
RATINGS = ("on_track", "done", "at_risk", "off_track")
RATING_WEIGHTS = (45, 20, 25, 10)
IMPACT = {
    "done": "In place since the workshop; the success criteria were met at the last check.",
    "on_track": "Started as planned; the first checks show movement towards the criteria.",
    "at_risk": "Started late after staff absence; the owner has a catch-up plan for this term.",
    "off_track": "Not started yet: the training it depends on moved to next term.",
}


def sources_for(theme: str, library: list[dict[str, Any]], n: int = 2) -> list[str]:
    """Library sources on the theme: exact first, then broader or more specific ones; else the
    library's guide to implementing change."""

    def closeness(source: dict[str, Any]) -> int:
        codes = source["theme_codes"]
        if theme in codes:
            return 0
        if any(theme.startswith(f"{c}.") or c.startswith(f"{theme}.") for c in codes):
            return 1
        return 2

    ranked = sorted(
        (s for s in library if closeness(s) < 2), key=lambda s: (closeness(s), s["title"])
    )
    if not ranked and theme != IMPLEMENTATION:
        return sources_for(IMPLEMENTATION, library, 1)  # how to put any plan into practice
    return [str(s["id"]) for s in ranked[:n]]


def actions(
    content: ReviewContent,
    finding_ids: list[str],
    library: list[dict[str, Any]],
    partner: tuple[int, str] | None,
    due: date,
) -> list[dict[str, Any]]:
    """An action per area for development, and a partner-school visit for the first."""
    planned: list[dict[str, Any]] = []
    for finding, finding_id in zip(content.findings, finding_ids, strict=True):
        if finding.kind != "area_for_development":
            continue
        theme = words(finding.theme)
        planned.append(
            {
                "what": theme.action,
                "kind": theme.action_kind,
                "owner_role": theme.owner_role,
                "due_date": (due - timedelta(days=7)).isoformat(),
                "success_criteria": theme.success,
                "finding_ids": [finding_id],
                "research_source_ids": sources_for(finding.theme, library),
            }
        )
        if partner is not None and len(planned) == 1:
            urn, name = partner
            planned.append(
                {
                    "what": f"Visit {name} with the subject lead to see its practice",
                    "kind": "school_to_school_support",
                    "owner_role": "Deputy headteacher",
                    "due_date": (due - timedelta(days=30)).isoformat(),
                    "success_criteria": "Two practices seen at the partner school tried here",
                    "finding_ids": [finding_id],
                    "research_source_ids": [],
                    "support_urn": urn,
                }
            )
    return planned


def workshop(
    rng: random.Random, content: ReviewContent, head: str, held_on: date, due: date
) -> dict[str, Any]:
    developments = content.developments()
    first = words(developments[0].theme) if developments else None
    roles = sorted({words(f.theme).owner_role for f in developments} - {"Headteacher"})
    attendance = [{"name": head, "role": "Headteacher"}]
    for role in roles[:3] or ["Deputy headteacher"]:
        first_name, surname = person_name(rng)
        attendance.append({"name": f"{first_name} {surname}", "role": role})
    return {
        "held_on": held_on.isoformat(),
        "attendance": attendance,
        "grow": {
            "goal": first.success if first else "Keep the strengths the review found",
            "reality": " ".join(f.text for f in developments) or "No area for development.",
            "options": "; ".join(words(f.theme).action for f in developments) or "Share practice",
            "will": f"Start after the workshop; the IC returns by {due.isoformat()}.",
        },
    }


def ratings(rng: random.Random, plan: dict[str, Any]) -> list[dict[str, str]]:
    rated = []
    for action in plan["actions"]:
        rating = rng.choices(RATINGS, weights=RATING_WEIGHTS)[0]
        rated.append(
            {"action_id": action["id"], "rating": rating, "evidence_of_impact": IMPACT[rating]}
        )
    return rated
