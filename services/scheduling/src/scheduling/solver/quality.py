"""The soft objective, scored the same way for every solver (CP-SAT, greedy): a QualityReport."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from scheduling.solver.candidates import Prepared, soft_conflicts_used, travel_cost
from scheduling.solver.model import Assignment, QualityReport, SoftBreak, distance_km

TERMS = (
    "expertise",
    "balance",
    "preferred_half_term",
    "spread",
    "pairing",
    "travel",
    "soft_conflict",
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


def evaluate(pre: Prepared, assignments: tuple[Assignment, ...]) -> QualityReport:
    problem = pre.problem
    cal = problem.calendar
    by_urn = {s.urn: s for s in problem.schools}
    waived = soft_conflicts_used(problem)
    terms = dict.fromkeys(TERMS, 0)
    broken: list[SoftBreak] = []
    given: Counter[int] = Counter()
    load: Counter[tuple[str, str]] = Counter()
    for a in assignments:
        s = by_urn[a.urn]
        w = problem.policy_for(s.partnership_id).weights
        team = [pre.people[i] for i in a.team]
        for f in sorted(s.focus):
            if not any(f in p.expertise for p in team):
                terms["expertise"] += w.expertise
                broken.append(SoftBreak("expertise", a.urn, None, f"no one on the team has {f}"))
        for p in team:
            if p.home_urn is not None:
                given[p.home_urn] += 1
        ht = cal.half_term_of(a.dates[0])
        code = ht.code if ht else "?"
        load[(s.partnership_id, code)] += 1
        if s.preferred_half_terms and code not in s.preferred_half_terms:
            terms["preferred_half_term"] += w.preferred_half_term
            broken.append(
                SoftBreak("preferred_half_term", a.urn, None, f"reviewed in {code}, not preferred")
            )
        revs = [pre.people[i] for i in a.reviewers]
        if any(not p.experienced for p in revs) and not any(p.experienced for p in revs):
            terms["pairing"] += w.pairing
            broken.append(
                SoftBreak("pairing", a.urn, None, "new reviewer without an experienced reviewer")
            )
        if a.mode != "virtual":
            for p in team:
                home = by_urn.get(p.home_urn) if p.home_urn is not None else None
                if home is not None:
                    km = distance_km(home.easting, home.northing, s.easting, s.northing)
                    terms["travel"] += travel_cost(km, w.travel_per_10km)
        for pid in (*a.team, a.ic):
            if (pid, a.urn) in waived:
                terms["soft_conflict"] += w.soft_conflict
                broken.append(SoftBreak("soft_conflict", a.urn, pid, "waived soft conflict used"))
    for s in problem.schools:
        pol = problem.policy_for(s.partnership_id)
        dev = abs(given[s.urn] - (1 + pol.reviewers_per_team))
        if dev:
            terms["balance"] += pol.weights.balance * dev
            broken.append(
                SoftBreak(
                    "balance",
                    s.urn,
                    None,
                    f"gives {given[s.urn]} team places, receives {1 + pol.reviewers_per_team}",
                )
            )
    for pid, (target, _codes) in spread_targets(pre).items():
        wt = problem.policy_for(pid).weights.spread
        for (lp, code), n in sorted(load.items()):
            if lp == pid and n > target:
                terms["spread"] += wt * (n - target)
                broken.append(
                    SoftBreak(
                        "spread", None, None, f"{pid}: {n} reviews in {code} (even: {target})"
                    )
                )
    return QualityReport(terms, tuple(broken))
