"""What a step did: per kind of thing, how many were created, updated or found as they should
be; and a line to print for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, outcome: Outcome, n: int = 1) -> None:
        setattr(self, outcome.value, getattr(self, outcome.value) + n)

    def describe(self) -> str:
        if self.total == 0:
            return "none"
        parts = [f"{self.created:,} created"] if self.created else []
        if self.updated:
            parts.append(f"{self.updated:,} updated")
        if self.unchanged:
            parts.append(f"{self.unchanged:,} already there")
        return ", ".join(parts)


@dataclass
class StepReport:
    name: str
    tallies: dict[str, Tally] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, kind: str, outcome: Outcome, n: int = 1) -> None:
        self.tallies.setdefault(kind, Tally()).add(outcome, n)

    def note(self, text: str) -> None:
        self.notes.append(text)

    @property
    def changed(self) -> int:
        return sum(t.changed for t in self.tallies.values())

    def lines(self) -> list[str]:
        out = [f"    {kind}: {tally.describe()}" for kind, tally in self.tallies.items()]
        out += [f"    {note}" for note in self.notes]
        return out


def total(reports: list[StepReport]) -> Tally:
    summed = Tally()
    for report in reports:
        for tally in report.tallies.values():
            summed.created += tally.created
            summed.updated += tally.updated
            summed.unchanged += tally.unchanged
    return summed
