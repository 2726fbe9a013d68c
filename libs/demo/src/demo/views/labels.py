"""How the views name things: days, half-terms, people, stages and milestones."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from demo.views.lifecycle import MILESTONE_LABELS

UK = ZoneInfo("Europe/London")


def day(iso: str) -> str:
    """``2026-10-05`` -> ``Mon 5 Oct``."""
    d = date.fromisoformat(iso)
    return f"{d:%a} {d.day} {d:%b}"


def days(isos: list[str]) -> str:
    """One day, or the first and last of two: ``Fri 2-5 Oct``, ``Fri 30 Oct-Mon 2 Nov``."""
    if len(isos) == 1:
        return day(isos[0])
    first, last = date.fromisoformat(isos[0]), date.fromisoformat(isos[-1])
    if first.month == last.month:
        return f"{first:%a} {first.day}-{last.day} {first:%b}"
    return f"{day(isos[0])}-{day(isos[-1])}"


def uk_time(iso: str) -> tuple[str, str]:
    """A UTC timestamp as the day and time in the UK (meetings are set in UK time)."""
    local = datetime.fromisoformat(iso).astimezone(UK)
    return day(local.date().isoformat()), f"{local:%H:%M}"


def half_term(code: str) -> str:
    """``autumn2`` -> ``Autumn 2``."""
    return f"{code[:-1].capitalize()} {code[-1]}" if code[-1:].isdigit() else code


def half_term_of(iso: str, terms: list[dict[str, Any]]) -> str:
    for term in terms:
        if term["starts_on"] <= iso <= term["ends_on"]:
            return half_term(term["half_term"])
    return "holiday"


def short_name(name: str | None) -> str:
    """``Ursula Bennett`` -> ``U. Bennett``."""
    if not name:
        return "?"
    first, _, rest = name.partition(" ")
    return f"{first[0]}. {rest}" if rest else name


def stage(state: str) -> str:
    return state.replace("_", " ")


def milestones(names: list[str], dates: dict[str, str] | None = None) -> str:
    """The overdue milestones, in order, with their due dates when given."""
    out = []
    for name in names:
        label = MILESTONE_LABELS.get(name, name)
        out.append(f"{label} ({day(dates[name])})" if dates and name in dates else label)
    return ", ".join(out)
