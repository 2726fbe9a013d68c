"""Words a headteacher reads: British dates ("7 December 2026"), counts with the right plural,
lists joined with "and", and the labels of the fixed vocabularies.

Month names are spelled here rather than taken from ``strftime``, whose ``%B`` follows the
process's locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from contracts.reviews import EvidenceKind
from contracts.schedule import ReviewMode

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

EVIDENCE_KINDS: dict[EvidenceKind, str] = {
    EvidenceKind.LESSON_VISIT: "lesson visits",
    EvidenceKind.LEARNING_WALK: "learning walks",
    EvidenceKind.PUPIL_VOICE: "pupil voice",
    EvidenceKind.STAFF_VOICE: "staff voice",
    EvidenceKind.SUPPORT_STAFF_VOICE: "support staff voice",
    EvidenceKind.PARENT_VOICE: "parent voice",
    EvidenceKind.WORK_SCRUTINY: "work scrutiny",
    EvidenceKind.DATA_ANALYSIS: "data analysis",
    EvidenceKind.DOCUMENT_REVIEW: "document review",
    EvidenceKind.ENVIRONMENT: "the learning environment",
}

MODES: dict[ReviewMode, str] = {
    ReviewMode.IN_PERSON: "in person",
    ReviewMode.VIRTUAL: "virtual",
    ReviewMode.BLENDED: "blended (in person and virtual)",
}


def british_date(day: date) -> str:
    """``date(2026, 12, 7)`` -> ``7 December 2026``."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def british_dates(days: Sequence[date]) -> str:
    """Review days, the month and year said once where they agree: ``10 and 11 March 2027``,
    ``31 March and 1 April 2027``."""
    ordered = sorted(days)
    if not ordered:
        return ""
    if len(ordered) == 1:
        return british_date(ordered[0])
    first, last = ordered[0], ordered[-1]
    if (first.year, first.month) == (last.year, last.month):
        head = [str(d.day) for d in ordered[:-1]]
    elif first.year == last.year:
        head = [f"{d.day} {_MONTHS[d.month - 1]}" for d in ordered[:-1]]
    else:
        head = [british_date(d) for d in ordered[:-1]]
    return join_and([*head, british_date(last)])


def academic_year(code: str) -> str:
    """``2026-27`` -> ``2026 to 2027`` (the style of GOV.UK)."""
    start, _, end = code.partition("-")
    if not (start.isdigit() and end.isdigit() and len(start) == 4):
        return code
    return f"{start} to {start[:2]}{end}" if len(end) == 2 else f"{start} to {end}"


def count(number: int, singular: str, plural: str | None = None) -> str:
    """``count(1, "item")`` -> ``1 item``; ``count(2, "kind")`` -> ``2 kinds``."""
    word = singular if number == 1 else (plural or f"{singular}s")
    return f"{number} {word}"


def join_and(words: Sequence[str]) -> str:
    """``["a", "b", "c"]`` -> ``a, b and c`` (no serial comma)."""
    items = [w for w in words if w]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
