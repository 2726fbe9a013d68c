"""What a solved or changed schedule says back: its quality per cycle, the hard rules a
change breaks (the independent checker's word), and explanations as JSON documents."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

from scheduling.planning.kernel.context import Context
from scheduling.planning.solver import checker
from scheduling.planning.solver import problem_types as sm
from scheduling.planning.solver.candidates import prepare
from scheduling.planning.solver.quality import TERMS, evaluate

Key = tuple[str, int | None, str | None, str]


def quality_document(report: sm.QualityReport, partnership_key: str) -> dict[str, Any]:
    terms = dict(report.by_partnership.get(partnership_key, dict.fromkeys(TERMS, 0)))
    broken = [
        {"rule": b.rule, "urn": b.urn, "person_id": b.person_id, "detail": b.detail}
        for b in report.broken
        if b.partnership_id == partnership_key
    ]
    return {"objective": sum(terms.values()), "terms": terms, "broken": broken}


def schedule_quality(
    problem: sm.Problem, assignments: tuple[sm.Assignment, ...]
) -> sm.QualityReport:
    """The quality of a whole schedule (nothing fixed): every review scored."""
    whole = dataclasses.replace(problem, fixed=(), previous={})
    return evaluate(prepare(whole), assignments)


def _key(v: checker.Violation) -> Key:
    return v.rule, v.urn, v.person_id, v.detail


def violations(
    problem: sm.Problem, assignments: tuple[sm.Assignment, ...]
) -> list[checker.Violation]:
    return checker.check(problem, sm.Schedule(assignments, sm.QualityReport({}, ())))


def added_violations(
    problem: sm.Problem,
    before: tuple[sm.Assignment, ...],
    after: tuple[sm.Assignment, ...],
    *,
    schools_before: set[int] | None = None,
) -> list[checker.Violation]:
    """The violations ``after`` has that ``before`` had not (a change is judged by what it
    breaks, not by what was already broken elsewhere). ``schools_before``: the schools the
    ``before`` schedule covers, when fewer than the problem's."""
    base = problem
    if schools_before is not None:
        base = dataclasses.replace(
            problem, schools=tuple(s for s in problem.schools if s.urn in schools_before)
        )
    known = {_key(v) for v in violations(base, before)}
    return [v for v in violations(problem, after) if _key(v) not in known]


def violation_document(v: checker.Violation, names: dict[str, str]) -> dict[str, Any]:
    who = names.get(v.person_id or "", v.person_id)
    return {
        "rule": v.rule,
        "urn": v.urn,
        "person_id": v.person_id,
        "message": f"{v.rule}: {v.detail}" + (f" ({who})" if who else ""),
    }


def explanation_document(e: sm.Explanation, ctx: Context) -> dict[str, Any]:
    cycles = ctx.by_partnership()
    info = cycles.get(e.partnership_id or "")
    return {
        "rule": e.rule,
        "message": e.message,
        "urn": e.urn,
        "person_id": _uuid(e.person_id),
        "partnership_id": _uuid(e.partnership_id),
        "cycle_id": str(info.cycle.id) if info is not None else None,
        "person_ids": [p for p in e.person_ids if _uuid(p) is not None],
    }


def _uuid(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def names_of(ctx: Context) -> dict[str, str]:
    return {str(pid): p.name for pid, p in ctx.people.items()}
