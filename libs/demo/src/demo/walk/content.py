"""What one review records, worked out before any request from the seed and the review's own
plan: the focus and its enquiry questions, the evidence each team member gathers (with
client-generated ids derived from the seed and the review id, so a resent batch records
nothing twice), the findings on that evidence, and the action plan's actions.

The same seed and plan always give the same words, ids and links, which is what lets a second
run recognise everything it finds as already there.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from demo.walk.areas import Area, area
from demo.walk.plan import Walk
from demo.walk.themes import words

# Evidence item ids: uuid5 of the seed, the review and the item's place in the plan.
EVIDENCE_NAMESPACE = uuid.UUID("5e1f2d6c-3b0a-4c55-9d1e-7a0c2f4b8e91")
COUNTS = ((5, 8), (6, 8), (7, 9), (8, 10), (9, 12), (10, 12), (4, 6), (11, 14))


@dataclass(frozen=True)
class Item:
    id: str
    author: int  # index into the team: 0 is the lead reviewer
    question: int  # index into the focus's questions
    kind: str
    note: str


@dataclass(frozen=True)
class Finding:
    kind: str  # strength or area_for_development
    text: str
    theme: str
    items: tuple[int, ...]  # indices into the evidence
    question: int
    author: int


@dataclass
class ReviewContent:
    focus_text: str
    questions: list[str]
    evidence: list[Item]
    findings: list[Finding]
    focus_areas: list[Area]
    themes_offered: set[str] = field(default_factory=set)  # strengths, for partner schools

    def developments(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "area_for_development"]

    def strengths(self) -> list[Finding]:
        return [f for f in self.findings if f.kind == "strength"]


def review_rng(seed: int, review: dict[str, Any], what: str) -> random.Random:
    """Seeded by the school and year, so the same county says the same things on any system."""
    # Deterministic on purpose (synthetic content), not for security.
    return random.Random(f"{seed}:{review['academic_year']}:{review['urn']}:{what}")  # noqa: S311


def _questions(areas: list[Area]) -> list[tuple[Area, str]]:
    """One question from each focus area, then more from the first: two or three in all."""
    chosen = [(a, a.questions[0]) for a in areas[:3]]
    extra = iter(areas[0].questions[1:])
    while len(chosen) < 2 or (len(chosen) < 3 and len(areas[0].questions) > len(chosen)):
        question = next(extra, None)
        if question is None:
            break
        chosen.append((areas[0], question))
    return chosen


def _note(rng: random.Random, template: str) -> str:
    n, m = rng.choice(COUNTS)
    return template.format(n=n, m=m)


def review_content(
    walk: Walk, seed: int, team_size: int, wanted: frozenset[str] = frozenset()
) -> ReviewContent:
    """``wanted``: themes that other schools of the partnership need to develop; a strength
    found on this review is one of them where its area has one, so that brokering finds the
    partnership's schools able to support each other, as in a real partnership."""
    review = walk.review
    rng = review_rng(seed, review, "content")
    areas = [area(code) for code in review["focus"]] or [area("curriculum")]
    asked = _questions(areas)
    evidence: list[Item] = []
    findings: list[Finding] = []
    used_themes: set[str] = set()
    for q, (where, _text) in enumerate(asked):
        seen = rng.sample(list(where.seen), 3)
        first = len(evidence)
        for kind, template in seen:
            n = len(evidence)
            item_id = uuid.uuid5(EVIDENCE_NAMESPACE, f"{seed}:{walk.review_id}:{n}")
            evidence.append(Item(str(item_id), n % team_size, q, kind, _note(rng, template)))
        # The focus is what the school must develop; the second question's finding is a
        # strength, the third goes either way.
        if q == 0:
            kind = "area_for_development"
        elif q == 1:
            kind = "strength"
        else:
            kind = rng.choice(("strength", "area_for_development"))
        free = [t for t in where.themes if t not in used_themes] or [where.themes[0]]
        helpful = [t for t in free if t in wanted] if kind == "strength" else []
        theme = (helpful or free)[0]
        used_themes.add(theme)
        items = tuple(range(first, first + 3))
        if walk.untriangulated and q == len(asked) - 1:
            items = (first,)  # one kind of evidence only: published with an override
        text = words(theme).strength if kind == "strength" else words(theme).development
        findings.append(Finding(kind, text, theme, items, q, q % team_size))
    focus_text = areas[0].focus
    if len(areas) > 1:
        others = " and ".join(a.focus[0].lower() + a.focus[1:] for a in areas[1:3])
        focus_text = f"{focus_text}; with {others}"
    return ReviewContent(
        focus_text=focus_text,
        questions=[text for _, text in asked],
        evidence=evidence,
        findings=findings,
        focus_areas=areas,
        themes_offered={f.theme for f in findings if f.kind == "strength"},
    )


def report_summary(content: ReviewContent, school_name: str, days: list[str]) -> str:
    strengths = " ".join(f.text for f in content.strengths())
    developments = " ".join(f.text for f in content.developments())
    when = " and ".join(days)
    focus = content.focus_text[0].lower() + content.focus_text[1:]
    parts = [f"{school_name} was reviewed on {when}, with a focus on {focus}."]
    if strengths:
        parts.append(f"Strengths: {strengths}")
    if developments:
        parts.append(f"To develop: {developments}")
    return "\n\n".join(parts)


ACKNOWLEDGEMENTS = (
    "Checked with the deputy head; accurate.",
    "Read with the senior team; a fair picture of where we are.",
    "Accurate. Thank you to the team for a thorough day.",
    "Checked against our own monitoring; we agree with the findings.",
)


def override_reason(content: ReviewContent) -> str:
    lone = next(f for f in content.findings if len(f.items) == 1)
    kind = content.evidence[lone.items[0]].kind.replace("_", " ")
    return (
        f"Only {kind} could be gathered on this question during the day; the finding is "
        "published as the team saw it and will be checked at the 90-day review."
    )


def challenge_note(content: ReviewContent) -> str:
    first = content.focus_areas[0]
    return (
        f"The self-evaluation already names {first.focus[0].lower()}{first.focus[1:]} as a "
        "weakness: could the enquiry questions ask why earlier actions have not yet worked, "
        "rather than confirm what the school knows?"
    )
