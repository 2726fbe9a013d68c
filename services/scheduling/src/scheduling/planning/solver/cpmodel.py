"""The CP-SAT model of one or more cycles (see ``cpsat`` for how it is solved).

Per school: one *slot* (a week inside one half-term whose candidate days leave room for every
milestone) and its team from the school's eligible shortlist (leads, reviewers, ICs
pre-filtered by own school, conflicts, rotation, distance and partnership rules). Per-person
limits per week and per term are optional intervals (start = the school's ISO week or term
index, presence = "person on this team") under a no-overlap or cumulative, so the model has
O(schools x slots + schools x shortlist) booleans. The fixed reviews (``Problem.fixed``) enter
as constants: fixed intervals, counts taken off each limit, pairs, places given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.planning.solver.candidates import (
    Prepared,
    Slot,
    Week,
    available,
    review_days,
    soft_conflicts_used,
    travel_cost,
    week_of,
)
from scheduling.planning.solver.problem_types import travel_km
from scheduling.planning.solver.quality import spread_targets

# A repair's cost of changing a review, far above any soft term so that only what must change
# changes: its week (slot), its day(s) in the week, each person leaving the team or the IC, the
# lead handing over. Replacing one person on the same day is the cheapest repair; moving the
# day costs more than one replacement, less than two.
CHANGE_WEEK = 1000
CHANGE_DAY = 600
CHANGE_PERSON = 400
CHANGE_LEAD = 100


@dataclass
class Model:
    m: cp_model.CpModel
    y: dict[int, dict[Slot, cp_model.IntVar]]
    lead: dict[tuple[int, str], cp_model.IntVar]
    rev: dict[tuple[int, str], cp_model.IntVar]
    ic: dict[tuple[int, str], cp_model.IntVar]
    x: dict[tuple[int, str], cp_model.IntVar]
    groups: dict[str, cp_model.IntVar] = field(default_factory=dict)


def _guard(mm: Model, name: str, with_groups: bool) -> list[cp_model.IntVar]:
    if not with_groups:
        return []
    lit = mm.groups.get(name)
    if lit is None:
        lit = mm.m.new_bool_var(f"g:{name}")
        mm.groups[name] = lit
    return [lit]


def _change_costs(pre: Prepared, mm: Model) -> list[cp_model.LinearExprT]:
    """Each change from ``Problem.previous`` (repairs only)."""
    out: list[cp_model.LinearExprT] = []
    for urn, prev in pre.problem.previous.items():
        sc = pre.schools.get(urn)
        if sc is None:
            continue
        slot = next((k for k, days in sc.slots.items() if prev.dates[0] in days), None)
        y: cp_model.IntVar | None = mm.y[urn].get(slot) if slot is not None else None
        out.append(CHANGE_WEEK * (1 - y) if y is not None else CHANGE_WEEK)
        # the same day(s): in that week, with nobody on the team who cannot do them
        same_days = review_days(sc.days, prev.dates[0], sc.school.days) == prev.dates
        if y is None or not same_days:
            out.append(CHANGE_DAY)
            continue
        keep = mm.m.new_bool_var(f"keep{urn}")
        mm.m.add_implication(keep, y)
        for (u, pid), on_team in mm.x.items():
            if u == urn and not available(pre.people[pid], prev.dates):
                mm.m.add(keep + on_team <= 1)
        out.append(CHANGE_DAY * (1 - keep))
        for pid in prev.team:
            x = mm.x.get((urn, pid))
            out.append(CHANGE_PERSON * (1 - x) if x is not None else CHANGE_PERSON)
        lead = mm.lead.get((urn, prev.lead))
        out.append(CHANGE_LEAD * (1 - lead) if lead is not None else CHANGE_LEAD)
        ic = mm.ic.get((urn, prev.ic))
        out.append(CHANGE_PERSON * (1 - ic) if ic is not None else CHANGE_PERSON)
    return out


def build(
    pre: Prepared, with_groups: bool = False, fixed_given: dict[int, int] | None = None
) -> Model:
    """The model; ``fixed_given``: team places each school's staff already hold in reviews
    outside ``pre`` (a neighbourhood), counted in the balance term."""
    problem = pre.problem
    load = pre.load
    m = cp_model.CpModel()
    mm = Model(m, {}, {}, {}, {}, {})
    people = pre.people
    nweeks = max(1, len(pre.week_index))
    person_week: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    person_term: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
    person_all: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    person_ic: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    waived = soft_conflicts_used(problem)
    obj: list[cp_model.LinearExprT] = []
    given: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    by_urn = {s.urn: s for s in problem.schools}
    partnership_week: dict[tuple[str, Week], list[cp_model.IntVar]] = defaultdict(list)
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
        week = m.new_int_var(0, nweeks - 1, f"w{urn}")
        m.add(week == sum(pre.week(k) * v for k, v in ys.items()))
        term = m.new_int_var(0, max(0, len(pre.term_order) - 1), f"t{urn}")
        m.add(term == sum(pre.term_order[pre.half_term_term[k[0]]] * v for k, v in ys.items()))
        for slot, v in ys.items():
            partnership_week[(s.partnership_id, week_of(slot))].append(v)
            partnership_ht[(s.partnership_id, slot[0])].append(v)
            if s.preferred_half_terms and slot[0] not in s.preferred_half_terms:
                obj.append(w.preferred_half_term * v)
        for pid in sc.leads:
            mm.lead[(urn, pid)] = m.new_bool_var(f"l{urn}_{pid}")
        for pid in sc.reviewers:
            mm.rev[(urn, pid)] = m.new_bool_var(f"r{urn}_{pid}")
        # soft training rules: a place held without the training costs
        for pid in sc.leads:
            if pol.lead_training == "soft" and people[pid].trained_lead_on is None:
                obj.append(w.untrained * mm.lead[(urn, pid)])
        for pid in sc.reviewers:
            if pol.reviewer_training == "soft" and not people[pid].reviewer_trained:
                obj.append(w.untrained * mm.rev[(urn, pid)])
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
            km = travel_km(p, s, by_urn) if s.mode != "virtual" else None
            if km is not None:
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
            if pol.ic_training == "soft" and not people[pid].trained_ic:
                obj.append(w.untrained * v)
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

    # per person: one review a week (or the policy's), per term, per year; IC per year; the
    # fixed reviews take their share first (a forced excess elsewhere leaves no room, it is
    # not made worse)
    for pid, p in people.items():
        pol = problem.policy_for(p.partnership_id)
        if person_week[pid]:
            g = _guard(mm, f"person_week:{pid}", with_groups)
            cap = pol.max_reviews_per_person_per_week
            weeks = person_week[pid] + [
                m.new_fixed_size_interval_var(pre.week_index[wk], 1, "")
                for wk in sorted(load.weeks.get(pid, ()))
                if wk in pre.week_index
            ]
            if cap == 1:
                m.add_no_overlap(weeks).only_enforce_if(g)
            else:
                m.add_cumulative(weeks, [1] * len(weeks), cap)
            term_cap = pol.max_reviews_per_term
            terms = list(person_term[pid])
            demands = [1] * len(terms)
            for term_name, index in pre.term_order.items():
                taken = min(term_cap, load.terms.get((pid, term_name), 0))
                if taken:
                    terms.append(m.new_fixed_size_interval_var(index, 1, ""))
                    demands.append(taken)
            m.add_cumulative(terms, demands, term_cap).only_enforce_if(
                _guard(mm, f"person_term:{pid}", with_groups)
            )
            room = max(0, pol.max_reviews_per_year - load.year.get(pid, 0))
            m.add(sum(person_all[pid]) <= room).only_enforce_if(
                _guard(mm, f"person_year:{pid}", with_groups)
            )
        if person_ic[pid]:
            room = max(0, pol.max_ic_per_year - load.ic_year.get(pid, 0))
            m.add(sum(person_ic[pid]) <= room).only_enforce_if(
                _guard(mm, f"ic_year:{pid}", with_groups)
            )
    # weekly capacity per partnership
    for (part, wk), vs in partnership_week.items():
        cap = problem.policy_for(part).max_reviews_per_week
        room = max(0, cap - load.weekly.get((part, wk), 0))
        if len(vs) > room:
            m.add(sum(vs) <= room).only_enforce_if(_guard(mm, f"weekly:{part}", with_groups))
    # reciprocity: A's staff reviewing B and B's staff reviewing A in one cycle
    done: set[tuple[int, int]] = set()
    for a, b in list(home_to):
        if a not in by_urn or b not in by_urn:
            continue
        pa = problem.policy_for(by_urn[a].partnership_id)
        pb = problem.policy_for(by_urn[b].partnership_id)
        if pa.reciprocal_pairs_allowed and pb.reciprocal_pairs_allowed:
            continue
        guard = _guard(mm, f"reciprocity:{by_urn[a].partnership_id}", with_groups)
        if (b, a) in load.pairs:  # a fixed review already has B's staff at A
            for v in home_to[(a, b)]:
                m.add(v == 0).only_enforce_if(guard)
            continue
        if (b, a) not in home_to or (b, a) in done:
            continue
        done.add((a, b))
        gab, gba = m.new_bool_var(""), m.new_bool_var("")
        for v in home_to[(a, b)]:
            m.add_implication(v, gab)
        for v in home_to[(b, a)]:
            m.add_implication(v, gba)
        m.add(gab + gba <= 1).only_enforce_if(guard)
    # soft: places given close to places received
    for s in problem.schools:
        pol = problem.policy_for(s.partnership_id)
        if not pol.weights.balance:
            continue
        recv = 1 + pol.reviewers_per_team
        base = (fixed_given or {}).get(s.urn, 0) + load.given.get(s.urn, 0)
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
    obj.extend(_change_costs(pre, mm))
    m.minimize(sum(obj))
    return mm
