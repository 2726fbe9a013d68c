"""The soft objective, scored the same way for every solver (CP-SAT, greedy): a QualityReport,
with each term's score in total and per partnership. The fixed reviews (``Problem.fixed``)
count only where the new reviews change them: the team places their schools give."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from scheduling.planning.solver.candidates import Prepared, soft_conflicts_used, travel_cost
from scheduling.planning.solver.problem_types import (
    Assignment,
    Policy,
    QualityReport,
    SoftBreak,
    travel_km,
)

TERMS = (
    "expertise",
    "balance",
    "preferred_half_term",
    "spread",
    "pairing",
    "travel",
    "soft_conflict",
    "training",
    "shadow_places",
)


def spread_targets(pre: Prepared) -> dict[str, tuple[int, frozenset[str]]]:
    """Per partnership: the even share of reviews per half-term, and its usable half-terms."""
    codes: dict[str, set[str]] = defaultdict(set)
    n: Counter[str] = Counter()
    for sc in pre.schools.values():
        pid = sc.school.partnership_id
        n[pid] += 1
        codes[pid].update(slot[0] for slot in sc.slots)
    return {pid: (math.ceil(n[pid] / max(1, len(codes[pid]))), frozenset(codes[pid])) for pid in n}


def _untrained(pre: Prepared, a: Assignment, pol: Policy) -> list[tuple[str, str]]:
    """The places held without the training a "soft" rule of ``pol`` asks for."""
    out = []
    lead = pre.people[a.lead]
    if pol.lead_training == "soft" and lead.trained_lead_on is None:
        out.append((a.lead, "lead-reviewer"))
    for pid in a.reviewers:
        if pol.reviewer_training == "soft" and not pre.people[pid].reviewer_trained:
            out.append((pid, "reviewer"))
    if pol.ic_training == "soft" and not pre.people[a.ic].trained_ic:
        out.append((a.ic, "Improvement Champion"))
    return out


def evaluate(pre: Prepared, assignments: tuple[Assignment, ...]) -> QualityReport:
    problem = pre.problem
    cal = problem.calendar
    by_urn = {s.urn: s for s in problem.schools}
    waived = soft_conflicts_used(problem)
    by_part: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TERMS, 0))
    broken: list[SoftBreak] = []
    given: Counter[int] = Counter(pre.load.given)
    load: Counter[tuple[str, str]] = Counter()

    def add(part: str, term: str, score: int, why: SoftBreak | None = None) -> None:
        by_part[part][term] += score
        if why is not None:
            broken.append(why)

    for a in assignments:
        s = by_urn[a.urn]
        part = s.partnership_id
        w = problem.policy_for(part).weights
        team = [pre.people[i] for i in a.team]
        for f in sorted(s.focus):
            if not any(f in p.expertise for p in team):
                why = SoftBreak("expertise", a.urn, None, f"no one on the team has {f}", part)
                add(part, "expertise", w.expertise, why)
        for p in team:
            if p.home_urn is not None:
                given[p.home_urn] += 1
        ht = cal.half_term_of(a.dates[0], a.urn)
        code = ht.code if ht else "?"
        load[(part, code)] += 1
        if s.preferred_half_terms and code not in s.preferred_half_terms:
            detail = f"reviewed in {code}, not preferred"
            add(
                part,
                "preferred_half_term",
                w.preferred_half_term,
                SoftBreak("preferred_half_term", a.urn, None, detail, part),
            )
        revs = [pre.people[i] for i in a.reviewers]
        if any(not p.experienced for p in revs) and not any(p.experienced for p in revs):
            detail = "new reviewer without an experienced reviewer"
            add(part, "pairing", w.pairing, SoftBreak("pairing", a.urn, None, detail, part))
        if a.mode != "virtual":
            for p in team:
                km = travel_km(p, s, by_urn)
                if km is not None:
                    add(part, "travel", travel_cost(km, w.travel_per_10km))
        pol = problem.policy_for(part)
        for pid, untrained in _untrained(pre, a, pol):
            why = SoftBreak("training", a.urn, pid, f"no valid {untrained} training", part)
            add(part, "training", w.untrained, why)
        empty = max(0, pol.shadows_per_review - len(a.shadows))
        empty += int(pol.assistant_ic and a.assistant_ic is None)
        if empty:
            detail = f"{len(a.shadows)} of {pol.shadows_per_review} shadow places filled" + (
                ", no assistant IC" if pol.assistant_ic and a.assistant_ic is None else ""
            )
            why = SoftBreak("shadow_places", a.urn, None, detail, part)
            add(part, "shadow_places", w.shadow_place * empty, why)
        for pid in (*a.team, a.ic):
            if (pid, a.urn) in waived:
                why = SoftBreak("soft_conflict", a.urn, pid, "waived soft conflict used", part)
                add(part, "soft_conflict", w.soft_conflict, why)
    for s in problem.schools:
        pol = problem.policy_for(s.partnership_id)
        dev = abs(given[s.urn] - (1 + pol.reviewers_per_team))
        if dev:
            detail = f"gives {given[s.urn]} team places, receives {1 + pol.reviewers_per_team}"
            why = SoftBreak("balance", s.urn, None, detail, s.partnership_id)
            add(s.partnership_id, "balance", pol.weights.balance * dev, why)
    for pid, (target, _codes) in spread_targets(pre).items():
        wt = problem.policy_for(pid).weights.spread
        for (lp, code), n in sorted(load.items()):
            if lp == pid and n > target:
                detail = f"{pid}: {n} reviews in {code} (even: {target})"
                why = SoftBreak("spread", None, None, detail, pid)
                add(pid, "spread", wt * (n - target), why)
    terms = {t: sum(scores[t] for scores in by_part.values()) for t in TERMS}
    return QualityReport(terms, tuple(broken), {p: dict(v) for p, v in sorted(by_part.items())})
