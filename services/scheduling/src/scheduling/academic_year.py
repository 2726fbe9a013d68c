"""Academic years, written like ``2026-27``: 1 September to 31 August."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

_ACADEMIC_YEAR = re.compile(r"(\d{4})-(\d{2})")


def check_academic_year(value: str) -> str:
    match = _ACADEMIC_YEAR.fullmatch(value)
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError("an academic year is written like 2026-27")
    if not 1900 <= int(match.group(1)) <= 2199:
        raise ValueError("an academic year between 1900-01 and 2199-00")
    return value


def bounds(academic_year: str) -> tuple[date, date]:
    """The first and last day of the academic year: 1 September to 31 August."""
    first = int(check_academic_year(academic_year)[:4])
    return date(first, 9, 1), date(first + 1, 8, 31)


def containing(day: date) -> str:
    """The academic year a day belongs to."""
    first = day.year if day.month >= 9 else day.year - 1
    return f"{first}-{(first + 1) % 100:02d}"


AcademicYear = Annotated[
    str,
    StringConstraints(min_length=7, max_length=7),
    AfterValidator(check_academic_year),
    Field(examples=["2026-27"], description="Academic year, September to August"),
]
