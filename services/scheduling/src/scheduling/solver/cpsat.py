"""CP-SAT model for one cycle or every cycle of an LA at once.

Decomposition (no variable per school x person x day):

1. CP-SAT chooses, per school, one *slot* (a week inside one half-term, only slots with a
   candidate day whose every milestone is a school day) and its team from the school's eligible
   shortlist (leads, reviewers, ICs pre-filtered by own school, conflicts, rotation, distance and
   partnership rules). Per-person capacity per week and per term are optional intervals
   (start = the school's slot or term index, presence = "person on this team") under a
   cumulative, so the model has O(schools x slots + schools x shortlist) booleans.
2. A cheap second step picks the exact day(s) in each slot where the whole team is available and
   free, then the earliest workshop and 90-day review the IC can do. If a team has no common day
   (or the IC no free workshop day), that combination is cut from the model and it is re-solved.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from scheduling.solver import explain, greedy
from scheduling.solver.candidates import (
    Prepared,
    Slot,
    available,
    first_milestones,
    prepare,
    review_days,
    soft_conflicts_used,
    travel_cost,
)
from scheduling.solver.model import (
    Assignment,
    Explanation,
    Problem,
    Schedule,
    SolveResult,
)
from scheduling.solver.quality import evaluate, spread_targets


@dataclass
class SolverOptions:
    time_limit_s: float = 10.0
    seed: int = 0
    num_workers: int = 2
    shortlist: int = 12  # nearest eligible people from other partnerships per school
    max_cuts_rounds: int = 6
    progress: Callable[[float], None] | None = None  # percent 0..100
    should_stop: Callable[[], bool] | None = None  # True: stop the search (cancellation)
    log: bool = False
    greedy_hint: bool = True  # start from the careful-person schedule when it exists
    min_sub_time_s: float = 0.3  # the least a partnership's subproblem gets, while time lasts
    decompose_above: int = 60  # schools: above this, several partnerships go one at a time


@dataclass
class _Model:
    m: cp_model.CpModel
    y: dict[int, dict[Slot, cp_model.IntVar]]
    lead: dict[tuple[int, str], cp_model.IntVar]
    rev: dict[tuple[int, str], cp_model.IntVar]
    ic: dict[tuple[int, str], cp_model.IntVar]
    x: dict[tuple[int, str], cp_model.IntVar]
    groups: dict[str, cp_model.IntVar] = field(default_factory=dict)


def _guard(mm: _Model, name: str, with_groups: bool) -> list[cp_model.IntVar]:
    if not with_groups:
        return []
    lit = mm.groups.get(name)
    if lit is None:
        lit = mm.m.new_bool_var(f"g:{name}")
        mm.groups[name] = lit
    return [lit]


def build(
    pre: Prepared, with_groups: bool = False, fixed_given: dict[int, int] | None = None
) -> _Model:
    """The model; ``fixed_given``: team places each school's staff already hold in reviews
    outside ``pre`` (a neighbourhood), counted in the balance term."""
    problem = pre.problem
    m = cp_model.CpModel()
    mm = _Model(m, {}, {}, {}, {}, {})
    people = pre.people
    nslots = max(1, len(pre.slot_order))
    person_week: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    person_term: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    person_all: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    person_ic: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    waived = soft_conflicts_used(problem)
    obj: list[cp_model.LinearExprT] = []
    given: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_urn = {s.urn: s for s in problem.schools}
    partnership_slot: dict[tuple[str, Slot], list[cp_model.IntVar]] = defaultdict(list)
    partnership_ht: dict[tuple[str, str], list[cp_model.IntVar]] = defaultdict(list)
    home_to: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)

    for urn, sc in pre.schools.items():
        s = sc.school
        pol = problem.policy_for(s.partnership_id)
        w = pol.weights
        ys = {slot: m.new_bool_var(f"y{urn}_{slot}") for slot in sc.slots}
        mm.y[urn] = ys
        union = {
            k: {x for d in v for x in (review_days(sc.days, d, s.days) or ())}
            for k, v in sc.slots.items()
        }
        m.add_exactly_one(ys.values())
        week = m.new_int_var(0, nslots - 1, f"w{urn}")
        m.add(week == sum(pre.slot_order[k] * v for k, v in ys.items()))
        term = m.new_int_var(0, max(0, len(pre.term_order) - 1), f"t{urn}")
        m.add(term == sum(pre.term_order[pre.half_term_term[k[0]]] * v for k, v in ys.items()))
        for slot, v in ys.items():
            partnership_slot[(s.partnership_id, slot)].append(v)
            partnership_ht[(s.partnership_id, slot[0])].append(v)
            if s.preferred_half_terms and slot[0] not in s.preferred_half_terms:
                obj.append(w.preferred_half_term * v)
        for pid in sc.leads:
            mm.lead[(urn, pid)] = m.new_bool_var(f"l{urn}_{pid}")
        for pid in sc.reviewers:
            mm.rev[(urn, pid)] = m.new_bool_var(f"r{urn}_{pid}")
        m.add(sum(mm.lead[(urn, p)] for p in sc.leads) == 1)
        m.add(sum(mm.rev[(urn, p)] for p in sc.reviewers) == pol.reviewers_per_team)
        team_ids = sorted(set(sc.leads) | set(sc.reviewers))
        for pid in team_ids:
            lv, rv = mm.lead.get((urn, pid)), mm.rev.get((urn, pid))
            if lv is not None and rv is not None:
                xv = m.new_bool_var(f"x{urn}_{pid}")
                m.add(xv == lv + rv)
            else:
                one = lv if lv is not None else rv
                assert one is not None
                xv = one
            mm.x[(urn, pid)] = xv
            p = people[pid]
            person_all[pid].append(xv)
            person_week[pid].append(m.new_optional_fixed_size_interval_var(week, 1, xv, ""))
            person_term[pid].append(m.new_optional_fixed_size_interval_var(term, 1, xv, ""))
            if p.home_urn is not None:
                given[p.home_urn].append(xv)
                home_to[(p.home_urn, urn)].append(xv)
            # availability: not in a slot where every candidate day is unavailable to them
            for slot, starts in sc.slots.items():
                if p.unavailable.isdisjoint(union[slot]):
                    continue
                if not any(
                    (rd := review_days(sc.days, d, s.days)) is not None and available(p, rd)
                    for d in starts
                ):
                    m.add_bool_or([xv.Not(), ys[slot].Not()])
            if s.mode != "virtual" and p.home_urn in by_urn:
                home = by_urn[p.home_urn]
                km = math.hypot(home.easting - s.easting, home.northing - s.northing) / 1000.0
                c = travel_cost(km, w.travel_per_10km)
                if c:
                    obj.append(c * xv)
            if (pid, urn) in waived:
                obj.append(w.soft_conflict * xv)
        for pid in sc.ics:
            v = m.new_bool_var(f"i{urn}_{pid}")
            mm.ic[(urn, pid)] = v
            person_ic[pid].append(v)
            if (urn, pid) in mm.x:
                m.add(v + mm.x[(urn, pid)] <= 1)
            if (pid, urn) in waived:
                obj.append(w.soft_conflict * v)
        m.add(sum(mm.ic[(urn, p)] for p in sc.ics) == 1)
        # expertise coverage of the focus
        for f in sorted(s.focus):
            holders = [mm.x[(urn, p)] for p in team_ids if f in people[p].expertise]
            if not holders:
                obj.append(w.expertise)
                continue
            cov = m.new_bool_var("")
            m.add(cov <= sum(holders))
            obj.append(w.expertise * (1 - cov))
        # a new reviewer beside an experienced reviewer
        new = [mm.rev[(urn, p)] for p in sc.reviewers if not people[p].experienced]
        if new and w.pairing:
            exp = [mm.rev[(urn, p)] for p in sc.reviewers if people[p].experienced]
            bad = m.new_bool_var("")
            for v in new:
                m.add(bad >= v - sum(exp))
            obj.append(w.pairing * bad)

    # per person: one review a week (or the policy's), per term, per year; IC per year
    for pid, p in people.items():
        pol = problem.policy_for(p.partnership_id)
        if person_week[pid]:
            g = _guard(mm, f"person_week:{pid}", with_groups)
            cap = pol.max_reviews_per_person_per_week
            if cap == 1:
                m.add_no_overlap(person_week[pid]).only_enforce_if(g)
            else:
                m.add_cumulative(person_week[pid], [1] * len(person_week[pid]), cap)
            m.add_cumulative(
                person_term[pid], [1] * len(person_term[pid]), pol.max_reviews_per_term
            ).only_enforce_if(_guard(mm, f"person_term:{pid}", with_groups))
            m.add(sum(person_all[pid]) <= pol.max_reviews_per_year).only_enforce_if(
                _guard(mm, f"person_year:{pid}", with_groups)
            )
        if person_ic[pid]:
            m.add(sum(person_ic[pid]) <= pol.max_ic_per_year).only_enforce_if(
                _guard(mm, f"ic_year:{pid}", with_groups)
            )
    # weekly capacity per partnership
    for (part, _slot), vs in partnership_slot.items():
        cap = problem.policy_for(part).max_reviews_per_week
        if len(vs) > cap:
            m.add(sum(vs) <= cap).only_enforce_if(_guard(mm, f"weekly:{part}", with_groups))
    # reciprocity: A's staff reviewing B and B's staff reviewing A in one cycle
    done: set[tuple[int, int]] = set()
    for a, b in list(home_to):
        if (b, a) not in home_to or (b, a) in done or a not in by_urn or b not in by_urn:
            continue
        done.add((a, b))
        pa = problem.policy_for(by_urn[a].partnership_id)
        pb = problem.policy_for(by_urn[b].partnership_id)
        if pa.reciprocal_pairs_allowed and pb.reciprocal_pairs_allowed:
            continue
        gab, gba = m.new_bool_var(""), m.new_bool_var("")
        for v in home_to[(a, b)]:
            m.add_implication(v, gab)
        for v in home_to[(b, a)]:
            m.add_implication(v, gba)
        guard = _guard(mm, f"reciprocity:{by_urn[a].partnership_id}", with_groups)
        m.add(gab + gba <= 1).only_enforce_if(guard)
    # soft: places given close to places received
    for s in problem.schools:
        pol = problem.policy_for(s.partnership_id)
        if not pol.weights.balance:
            continue
        recv = 1 + pol.reviewers_per_team
        base = (fixed_given or {}).get(s.urn, 0)
        vs = given.get(s.urn, [])
        if not vs:
            obj.append(pol.weights.balance * abs(recv - base))
            continue
        dev = m.new_int_var(0, max(recv, len(vs) + base), "")
        m.add(dev >= sum(vs) + base - recv)
        m.add(dev >= recv - base - sum(vs))
        obj.append(pol.weights.balance * dev)
    # soft: spread over the half-terms
    for part, (target, codes) in spread_targets(pre).items():
        wt = problem.policy_for(part).weights.spread
        for code in sorted(codes):
            vs = partnership_ht.get((part, code), [])
            if len(vs) > target and wt:
                ex = m.new_int_var(0, len(vs), "")
                m.add(ex >= sum(vs) - target)
                obj.append(wt * ex)
    m.minimize(sum(obj))
    return mm


class _Watch:
    """Reports progress and stops the search when asked (cancellation), from a small thread."""

    def __init__(self, solver: cp_model.CpSolver, opts: SolverOptions, deadline: float) -> None:
        self.solver, self.opts, self.deadline = solver, opts, deadline
        self.start = time.monotonic()
        self.stopped = False
        self._done = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _Watch:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._t.join()

    def _run(self) -> None:
        while not self._done.wait(0.05):
            if self.opts.should_stop is not None and self.opts.should_stop():
                self.stopped = True
                self.solver.stop_search()
                return
            if self.opts.progress is not None:
                span = max(1e-6, self.deadline - self.start)
                self.opts.progress(min(99.0, 100.0 * (time.monotonic() - self.start) / span))


def _cancelled(opts: SolverOptions) -> bool:
    return opts.should_stop is not None and opts.should_stop()


def solve(problem: Problem, options: SolverOptions | None = None) -> SolveResult:
    """Solve every cycle in ``problem`` at once; explanations instead of a bare infeasible."""
    opts = options or SolverOptions()
    t0 = time.monotonic()
    deadline = t0 + opts.time_limit_s
    pre = prepare(problem, opts.shortlist)
    pre_issues = explain.precheck(pre)
    if pre_issues:
        return SolveResult("infeasible", None, tuple(pre_issues), wall_time_s=time.monotonic() - t0)
    if _decompose(pre, opts):
        return _solve_by_partnership(pre, opts, t0, deadline)
    mm = build(pre)
    hint: dict[cp_model.IntVar, int] = {}
    fallback: Schedule | None = None
    if opts.greedy_hint:
        start = greedy.complete(pre)
        hint = _hint_from(pre, mm, start)
        if len(start) == len(pre.schools):
            fallback = Schedule(start, evaluate(pre, start))
    cuts = 0
    stats: dict[str, float] = {}
    for _round in range(opts.max_cuts_rounds + 1):
        for v, val in hint.items():
            mm.m.add_hint(v, val)
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.max_time_in_seconds = max(0.1, deadline - time.monotonic())
        prm.num_workers = opts.num_workers
        prm.random_seed = opts.seed
        prm.log_search_progress = opts.log
        with _Watch(solver, opts, deadline) as watch:
            status = solver.solve(mm.m)
        stats = {
            "booleans": float(solver.num_booleans),
            "conflicts": float(solver.num_conflicts),
            "cuts": float(cuts),
            "solve_wall_s": solver.wall_time,
        }
        if watch.stopped or _cancelled(opts):
            return SolveResult("cancelled", None, wall_time_s=time.monotonic() - t0, stats=stats)
        if status == cp_model.INFEASIBLE:
            core = _core(pre, opts, deadline)
            return SolveResult(
                "infeasible", None, tuple(core), wall_time_s=time.monotonic() - t0, stats=stats
            )
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if fallback is not None:
                return _fallback(fallback, solver, stats, t0, opts)
            return SolveResult(
                "unknown",
                None,
                (Explanation("time_limit", "no schedule found within the time limit"),),
                wall_time_s=time.monotonic() - t0,
                stats=stats,
            )
        assignments, failures = _days(pre, mm, solver)
        if not failures:
            quality = evaluate(pre, assignments)
            if fallback is not None and fallback.quality.objective < quality.objective:
                return _fallback(fallback, solver, stats, t0, opts)
            optimal = status == cp_model.OPTIMAL and cuts == 0
            if opts.progress is not None:
                opts.progress(100.0)
            return SolveResult(
                "optimal" if optimal else "feasible",
                Schedule(assignments, quality),
                objective=round(solver.objective_value),
                best_bound=solver.best_objective_bound,
                wall_time_s=time.monotonic() - t0,
                stats=stats,
            )
        for lits in failures:
            mm.m.add_bool_or([v.Not() for v in lits])
            cuts += 1
        mm.m.clear_hints()  # type: ignore[no-untyped-call]
        hint = {v: solver.value(v) for v in mm.x.values()}
        if fallback is not None and time.monotonic() >= deadline - 0.1:
            return _fallback(fallback, solver, stats, t0, opts)
    if fallback is not None:
        return _fallback(fallback, solver, stats, t0, opts)
    return SolveResult(
        "unknown",
        None,
        (Explanation("days", "teams kept having no common free day; try a longer time limit"),),
        wall_time_s=time.monotonic() - t0,
        stats=stats,
    )


def _decompose(pre: Prepared, opts: SolverOptions) -> bool:
    """Large multi-partnership problems are solved one partnership at a time (see below)."""
    parts = {sc.school.partnership_id for sc in pre.schools.values()}
    problem = pre.problem
    recip = (
        all(problem.policy_for(p).reciprocal_pairs_allowed for p in parts)
        and problem.policy.reciprocal_pairs_allowed
    )
    return opts.greedy_hint and recip and len(parts) > 1 and len(pre.schools) > opts.decompose_above


def _engagements(assignments: dict[int, Assignment], pre: Prepared) -> dict[str, set[str]]:
    """Person id -> the partnerships whose reviews they are engaged in (team or IC)."""
    out: dict[str, set[str]] = defaultdict(set)
    for a in assignments.values():
        part = pre.schools[a.urn].school.partnership_id
        for pid in (*a.team, a.ic):
            out[pid].add(part)
    return out


def _solve_by_partnership(
    pre: Prepared, opts: SolverOptions, t0: float, deadline: float
) -> SolveResult:
    """Large neighbourhood search, one partnership at a time, from a complete greedy schedule.

    The careful person's pass (squeaky-wheel reordered until every school is placed) gives a
    complete schedule. Then, worst partnership first, its reviews are re-solved by CP-SAT in a
    small model whose candidates are only the people with no engagement outside it (so every
    capacity, day and IC rule involving anyone else is unchanged), hinted with the current
    reviews; a sub-solution replaces them only when it scores better. Stops at the deadline;
    the schedule is always complete and satisfies every hard rule the whole model has.
    """
    start = greedy.complete(pre)
    current = {a.urn: a for a in start}
    by_part: dict[str, list[int]] = defaultdict(list)
    for urn, sc in pre.schools.items():
        by_part[sc.school.partnership_id].append(urn)
    quality = evaluate(pre, start)
    best = quality.objective
    worst: dict[str, int] = defaultdict(int)
    for b in quality.broken:
        if b.urn is not None and b.urn in pre.schools:
            worst[pre.schools[b.urn].school.partnership_id] += 1
    missing = set(pre.schools) - set(current)
    unplaced = {pre.schools[u].school.partnership_id for u in missing}
    # partnerships with a school the greedy start could not place first, then the worst
    order = sorted(by_part, key=lambda p: (p not in unplaced, -worst[p], p))
    gap = 0.0
    improved = solved = optimal = passes = 0
    dirty = set(order)  # partnerships whose neighbourhood may still improve
    tries: Counter[str] = Counter()
    while dirty and time.monotonic() < deadline - 0.35:
        passes += 1
        todo = [p for p in order if p in dirty]
        dirty = set()
        gap, optimal = 0.0, 0
        for i, part in enumerate(todo):
            if _cancelled(opts):
                return SolveResult("cancelled", None, wall_time_s=time.monotonic() - t0)
            left = deadline - time.monotonic() - 0.3
            if left <= 0.05:
                break
            engaged = _engagements(current, pre)
            group = {part}
            tries[part] += 1
            if part in unplaced and tries[part] % 2 == 0:
                # every other try, widen: the partnerships its candidates are busy in
                for u in by_part[part]:
                    sc = pre.schools[u]
                    for pid in (*sc.leads, *sc.reviewers, *sc.ics):
                        group |= engaged.get(pid, set())
            urns = [u for g in sorted(group) for u in by_part[g]]
            free = {pid for pid in pre.people if engaged.get(pid, {part}) <= group}
            sub = _neighbourhood(pre, urns, free)
            mine = tuple(current[u] for u in urns if u in current)
            outside = Counter(
                h
                for a in current.values()
                if a.urn not in sub.schools
                for pid in a.team
                if (h := pre.people[pid].home_urn) is not None
            )
            budget = min(left, max(opts.min_sub_time_s, left / (len(todo) - i)))
            mm, solver, status = _sub_solve(sub, mine, opts, budget, dict(outside))
            if opts.progress is not None:
                opts.progress(min(99.0, 100.0 * (i + 1) / len(todo)))
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                continue
            solved += 1
            gap += solver.objective_value - solver.best_objective_bound
            optimal += status == cp_model.OPTIMAL
            assignments, failures = _days(sub, mm, solver)
            if failures:
                continue
            trial = {**current, **{a.urn: a for a in assignments}}
            score = evaluate(pre, tuple(trial.values())).objective
            if score < best or part in unplaced:  # placing every school comes first
                current, best = trial, score
                unplaced.discard(part)
                improved += 1
                # the people it freed or took may let every other partnership do better
                dirty = set(order) - {part}
        dirty |= unplaced
    missing = set(pre.schools) - set(current)
    if missing:
        return _unplaced(pre, current, missing, opts, t0, deadline)
    final = tuple(sorted(current.values(), key=lambda a: (a.dates[0], a.urn)))
    quality = evaluate(pre, final)
    if opts.progress is not None:
        opts.progress(100.0)
    return SolveResult(
        "feasible",
        Schedule(final, quality),
        objective=quality.objective,
        best_bound=None,
        wall_time_s=time.monotonic() - t0,
        stats={
            "partnerships": float(len(order)),
            "passes": float(passes),
            "subproblems_solved": float(solved),
            "subproblems_improved": float(improved),
            "subproblems_optimal": float(optimal),
            "neighbourhood_gap": gap,
            "start_objective": float(evaluate(pre, start).objective),
        },
    )


def _unplaced(
    pre: Prepared,
    current: dict[int, Assignment],
    missing: set[int],
    opts: SolverOptions,
    t0: float,
    deadline: float,
) -> SolveResult:
    """Some school stayed unplaced: prove it with the whole model (presolve off, at least a
    second), naming the schools and their shortlists, or say the time ran out."""
    names = sorted(missing)[:10]
    _mm, _solver, status = _sub_solve(
        pre, tuple(current.values()), opts, max(1.0, deadline - time.monotonic())
    )
    if status == cp_model.INFEASIBLE:
        why = [
            Explanation(
                "capacity",
                f"no schedule places URN {u}: its {len(pre.schools[u].leads)} eligible trained "
                f"leads and {len(pre.schools[u].ics)} ICs are needed elsewhere within their "
                "per-week, per-term and per-year limits",
                u,
                partnership_id=pre.schools[u].school.partnership_id,
            )
            for u in names
        ]
        return SolveResult(
            "infeasible",
            None,
            (*why, explain.structural(pre)),
            wall_time_s=time.monotonic() - t0,
        )
    return SolveResult(
        "unknown",
        None,
        tuple(
            Explanation(
                "time_limit",
                f"URN {u} could not be placed within the time limit",
                u,
                partnership_id=pre.schools[u].school.partnership_id,
            )
            for u in names
        ),
        wall_time_s=time.monotonic() - t0,
    )


def _neighbourhood(pre: Prepared, urns: list[int], free: set[str] | None) -> Prepared:
    """The schools ``urns`` with only the ``free`` people (all candidates if None)."""
    sub_schools = {}
    for urn in urns:
        sc = pre.schools[urn]
        if free is None:
            sub_schools[urn] = sc
            continue
        sub_schools[urn] = dataclasses.replace(
            sc,
            leads=[p for p in sc.leads if p in free],
            reviewers=[p for p in sc.reviewers if p in free],
            ics=[p for p in sc.ics if p in free],
        )
    return dataclasses.replace(pre, schools=sub_schools)


def _sub_solve(
    sub: Prepared,
    hint: tuple[Assignment, ...],
    opts: SolverOptions,
    budget: float,
    fixed_given: dict[int, int] | None = None,
) -> tuple[_Model, cp_model.CpSolver, cp_model.CpSolverStatus]:
    mm = build(sub, fixed_given=fixed_given)
    for v, val in _hint_from(sub, mm, hint).items():
        mm.m.add_hint(v, val)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.05, budget)
    prm.cp_model_presolve = False  # small models: presolve costs more than it saves
    prm.num_workers = opts.num_workers
    prm.random_seed = opts.seed
    return mm, solver, solver.solve(mm.m)


def lower_bound(problem: Problem, options: SolverOptions | None = None) -> tuple[float, bool]:
    """A valid lower bound on the objective of any complete schedule, and whether it is exact
    per partnership (every relaxed subproblem solved to optimality).

    Relaxation: each partnership alone with every eligible candidate (people shared with other
    partnerships are free for each of them), the home-school balance term (the only term that
    couples partnerships) dropped, day-level clashes ignored. The sum of the CP-SAT bounds of
    these models bounds the whole problem from below.
    """
    opts = options or SolverOptions()
    no_balance = {
        part: dataclasses.replace(pol, weights=dataclasses.replace(pol.weights, balance=0))
        for part, pol in problem.policies.items()
    }
    default = problem.policy
    relaxed = dataclasses.replace(
        problem,
        policy=dataclasses.replace(
            default, weights=dataclasses.replace(default.weights, balance=0)
        ),
        policies=no_balance,
    )
    pre = prepare(relaxed, opts.shortlist)
    by_part: dict[str, list[int]] = defaultdict(list)
    for urn, sc in pre.schools.items():
        by_part[sc.school.partnership_id].append(urn)
    total, exact = 0.0, True
    for part in sorted(by_part):
        _mm, solver, status = _sub_solve(
            _neighbourhood(pre, by_part[part], None), (), opts, opts.time_limit_s / len(by_part)
        )
        if status == cp_model.INFEASIBLE:
            return math.inf, True
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            exact = False
            continue  # bound 0: every term is a penalty
        total += max(0.0, solver.best_objective_bound)
        exact = exact and status == cp_model.OPTIMAL
    return total, exact


def _fallback(
    schedule: Schedule,
    solver: cp_model.CpSolver,
    stats: dict[str, float],
    t0: float,
    opts: SolverOptions,
) -> SolveResult:
    """The complete hint schedule, when the search found nothing better in time."""
    if opts.progress is not None:
        opts.progress(100.0)
    bound = solver.best_objective_bound
    return SolveResult(
        "feasible",
        schedule,
        objective=schedule.quality.objective,
        best_bound=bound if math.isfinite(bound) else None,
        wall_time_s=time.monotonic() - t0,
        stats={**stats, "fallback": 1.0},
    )


def _hint_from(
    pre: Prepared, mm: _Model, assignments: tuple[Assignment, ...]
) -> dict[cp_model.IntVar, int]:
    hint: dict[cp_model.IntVar, int] = {}
    for a in assignments:
        sc = pre.schools[a.urn]
        slot = next(k for k, v in sc.slots.items() if a.dates[0] in v)
        for k, v in mm.y[a.urn].items():
            hint[v] = int(k == slot)
        for p in sc.leads:
            hint[mm.lead[(a.urn, p)]] = int(p == a.lead)
        for p in sc.reviewers:
            hint[mm.rev[(a.urn, p)]] = int(p in a.reviewers)
        for p in sc.ics:
            hint[mm.ic[(a.urn, p)]] = int(p == a.ic)
    return hint


def _days(
    pre: Prepared, mm: _Model, solver: cp_model.CpSolver
) -> tuple[tuple[Assignment, ...], list[list[cp_model.IntVar]]]:
    """Step 2: exact days for each review, then the IC's workshop and 90-day review."""
    problem = pre.problem
    busy: dict[str, set[date]] = defaultdict(set)
    load: dict[tuple[str, date], int] = defaultdict(int)
    chosen: list[tuple[int, Slot, str, list[str], str, tuple[date, ...]]] = []
    failures: list[list[cp_model.IntVar]] = []
    picks = []
    for urn, sc in pre.schools.items():
        slot = next(k for k, v in mm.y[urn].items() if solver.boolean_value(v))
        lead = next(p for p in sc.leads if solver.boolean_value(mm.lead[(urn, p)]))
        revs = [p for p in sc.reviewers if solver.boolean_value(mm.rev[(urn, p)])]
        ic = next(p for p in sc.ics if solver.boolean_value(mm.ic[(urn, p)]))
        picks.append((pre.slot_order[slot], urn, slot, lead, revs, ic))
    picks.sort()
    for _, urn, slot, lead, revs, ic in picks:
        sc = pre.schools[urn]
        s = sc.school
        team = [lead, *revs]
        best: tuple[date, ...] | None = None
        best_load = 0
        for d in sc.slots[slot]:
            rd = review_days(sc.days, d, s.days)
            if rd is None:
                continue
            ok = all(available(pre.people[p], rd) and not (busy[p] & set(rd)) for p in team)
            if ok:
                lo = sum(load[(s.partnership_id, x)] for x in rd)
                if best is None or lo < best_load:
                    best, best_load = rd, lo
        if best is None:
            failures.append([mm.y[urn][slot], *(mm.x[(urn, p)] for p in team)])
            continue
        for p in team:
            busy[p].update(best)
        for x in best:
            load[(s.partnership_id, x)] += 1
        chosen.append((urn, slot, lead, revs, ic, best))
    out: list[Assignment] = []
    for urn, slot, lead, revs, ic, rd in chosen:
        sc = pre.schools[urn]
        pol = problem.policy_for(sc.school.partnership_id)
        ms = first_milestones(sc.days, rd[0], rd[-1], pol.milestones, pre.people[ic], busy[ic])
        if ms is None:
            failures.append([mm.y[urn][slot], mm.ic[(urn, ic)]])
            continue
        busy[ic].update((ms.workshop, ms.progress_review))
        out.append(Assignment(urn, rd, sc.school.mode, lead, tuple(revs), ic, ms))
    out.sort(key=lambda a: (a.dates[0], a.urn))
    return tuple(out), failures


def _core(pre: Prepared, opts: SolverOptions, deadline: float) -> list[Explanation]:
    """Name the rule groups that together make the model infeasible (assumption literals)."""
    mm = build(pre, with_groups=True)
    names = sorted(mm.groups)
    mm.m.add_assumptions([mm.groups[n] for n in names])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, deadline - time.monotonic())
    solver.parameters.num_workers = 1  # the core is reported by the single-thread search
    solver.parameters.random_seed = opts.seed
    status = solver.solve(mm.m)
    if status != cp_model.INFEASIBLE:
        return [explain.structural(pre)]
    idx = set(solver.sufficient_assumptions_for_infeasibility())
    core = [n for n in names if mm.groups[n].index in idx]
    return explain.describe_core(pre, core)
