"""The people of a school: a headteacher, deputies and senior leaders, with review roles in the
proportions the schedule solver is tuned for (about 70% of heads trained lead reviewers; about
half the senior leaders Improvement Champions for the year, the others reviewers and assistant
ICs), expertise from the controlled vocabulary, training records, some dates they cannot do and
some declared conflicts of interest."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from demo.county.model import Conflict, Person, Role, School, Training, Unavailable
from demo.county.names import person_name, slug

EXPERTISE_BY_PHASE: dict[str, tuple[str, ...]] = {
    "primary": (
        "reading", "writing", "maths", "early_years", "send", "behaviour", "attendance",
        "curriculum", "disadvantaged", "support_staff", "wellbeing", "assessment", "eal",
        "safeguarding", "personal_development", "science", "digital",
    ),
    "secondary": (
        "maths", "science", "curriculum", "behaviour", "attendance", "disadvantaged", "send",
        "sixth_form", "assessment", "wellbeing", "digital", "safeguarding", "reading",
        "personal_development", "governance", "eal",
    ),
    "special": (
        "send", "behaviour", "wellbeing", "personal_development", "safeguarding",
        "support_staff", "curriculum", "attendance", "early_years", "assessment",
    ),
}  # fmt: skip
EXPERTISE_BY_PHASE["all_through"] = EXPERTISE_BY_PHASE["secondary"]

UNAVAILABLE_REASONS = (
    ("Year 6 residential trip", 3),
    ("Jury service", 10),
    ("Planned operation and recovery", 15),
    ("Ofsted inspector training", 2),
    ("Exam moderation", 2),
    ("Family wedding abroad", 4),
)


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _weekday_in_year(rng: random.Random, first: int) -> date:
    day = _day_between(rng, date(first, 9, 14), date(first + 1, 7, 9))
    return day - timedelta(days=max(0, day.weekday() - 4))


def _training(rng: random.Random, roles: set[str], first: int) -> tuple[Training, ...]:
    """Dates relative to the academic year starting in September of ``first``: everyone
    trained before it starts; lead-reviewer training lasts four years."""
    records = []
    if roles & {"reviewer", "lead_reviewer"}:
        records.append(
            Training("reviewer", _day_between(rng, date(first - 4, 9, 5), date(first, 7, 17)))
        )
    if "lead_reviewer" in roles:
        if rng.random() < 0.1:  # lapsed and refreshed: two records
            records.append(
                Training("lead_reviewer", date(first - 6, 11, 12), date(first - 2, 11, 12))
            )
        done = _day_between(rng, date(first - 2, 1, 8), date(first, 7, 10))
        records.append(Training("lead_reviewer", done, done + timedelta(days=4 * 365 + 1)))
    if "improvement_champion" in roles:
        records.append(
            Training(
                "improvement_champion", _day_between(rng, date(first - 1, 6, 2), date(first, 7, 10))
            )
        )
    return tuple(sorted(records, key=lambda t: t.completed_on))


def _unavailable(rng: random.Random, first: int) -> tuple[Unavailable, ...]:
    if rng.random() >= 0.12:
        return ()
    reason, length = rng.choice(UNAVAILABLE_REASONS)
    start = _weekday_in_year(rng, first)
    return (Unavailable(start, start + timedelta(days=length - 1), reason),)


def _conflicts(
    rng: random.Random, school: School, neighbours: Sequence[School], senior: bool, first: int
) -> tuple[Conflict, ...]:
    if not neighbours:
        return ()
    roll = rng.random()
    nearest = neighbours[0]
    if senior and roll < 0.08:
        note = f"Governor at {nearest.name}"
        return (Conflict("governor_or_trustee", nearest.urn, "hard", note),)
    if roll < 0.11:
        other = rng.choice(neighbours[:3])
        note = f"Partner teaches at {other.name}"
        waiver = (
            "Partner teaches in the early years only; the review is of KS2"
            if rng.random() < 0.5
            else None
        )
        return (Conflict("relative_on_staff", other.urn, "soft", note, waiver),)
    if roll < 0.13:
        other = rng.choice(neighbours[:3])
        note = f"Worked at {other.name} until July {first - 2}"
        return (Conflict("recent_employment", other.urn, "soft", note, "Left over two years ago"),)
    return ()


def _posts(rng: random.Random, school: School) -> list[str]:
    if school.phase in ("secondary", "all_through"):
        return [
            "headteacher",
            "deputy",
            "deputy",
            "senior_leader",
            "senior_leader",
            "senior_leader",
        ]
    if school.phase == "special":
        return ["headteacher", "deputy", "senior_leader"]
    posts = ["headteacher"]
    if rng.random() < 0.9:
        posts.append("deputy")
    posts.append("senior_leader")
    if rng.random() < 0.4:
        posts.append("senior_leader")
    return posts


def _review_roles(rng: random.Random, post: str) -> set[str]:
    if post == "headteacher":
        return {"lead_reviewer", "reviewer"} if rng.random() < 0.7 else {"reviewer"}
    if post == "deputy":
        roll = rng.random()
        return (
            {"lead_reviewer", "reviewer"} if roll < 0.15 else {"reviewer"} if roll < 0.9 else set()
        )
    return {"improvement_champion"} if rng.random() < 0.5 else {"reviewer", "assistant_ic"}


ROLE_ORDER = ("headteacher", "deputy", "senior_leader", "lead_reviewer", "reviewer",
              "improvement_champion", "assistant_ic")  # fmt: skip


def school_staff(
    rng: random.Random,
    school: School,
    domain: str,
    neighbours: Sequence[School],
    academic_year: str,
    taken_emails: set[str],
) -> list[Person]:
    """The school's people; ``neighbours`` are its partnership's other schools, nearest first."""
    year_start = int(academic_year[:4])
    people = []
    pool = EXPERTISE_BY_PHASE[school.phase]
    for post in _posts(rng, school):
        first, last = person_name(rng)
        email = f"{slug(first)}.{slug(last)}@{domain}"
        n = 2
        while email in taken_emails:
            email = f"{slug(first)}.{slug(last)}{n}@{domain}"
            n += 1
        taken_emails.add(email)
        kinds = {post} | _review_roles(rng, post)
        roles = tuple(
            Role(
                kind,
                urn=school.urn,
                academic_year=academic_year
                if kind in ("improvement_champion", "assistant_ic")
                else None,
            )
            for kind in ROLE_ORDER
            if kind in kinds
        )
        expertise = set(rng.sample(pool, rng.choice((2, 3))))
        if post == "headteacher":
            expertise.add("leadership")
        people.append(
            Person(
                email=email,
                name=f"{first} {last}",
                school=school.urn,
                roles=roles,
                expertise=tuple(sorted(expertise)),
                training=_training(rng, kinds, year_start),
                unavailable=_unavailable(rng, year_start),
                conflicts=_conflicts(rng, school, neighbours, post != "senior_leader", year_start),
            )
        )
    return people
