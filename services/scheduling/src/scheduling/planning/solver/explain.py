"""Explanations a Partnership Lead can act on when no schedule exists.

``precheck`` runs before solving (per school, then per partnership); ``describe_core`` names the
rule groups CP-SAT found jointly infeasible (assumption literals, see ``cpsat._core``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from scheduling.planning.solver.candidates import Prepared
from scheduling.planning.solver.problem_types import Explanation


def _reasons(pre: Prepared, urn: int, ids: list[str]) -> str:
    """Why each of ``ids`` cannot serve, grouped and naming the people: "2 hard conflict of
    interest: Jo Smith, Sam Lee; 1 own school: Ali Khan"."""
    sc = pre.schools[urn]
    who: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        who[sc.excluded.get(i, "outside the shortlist")].append(pre.people[i].label)
    c = Counter({why: len(names) for why, names in who.items()})
    return "; ".join(f"{n} {why}: {_names(who[why])}" for why, n in c.most_common())


def _names(labels: list[str], shown: int = 5) -> str:
    more = len(labels) - shown
    return ", ".join(labels[:shown]) + (f" and {more} more" if more > 0 else "")


def _blocked(pre: Prepared, urn: int, ids: list[str]) -> tuple[str, ...]:
    """The people of ``ids`` who are excluded from the school (not merely outside the
    shortlist of other partnerships' people)."""
    excluded = pre.schools[urn].excluded
    return tuple(i for i in ids if i in excluded)


def _pool(pre: Prepared, urn: int, attr: str) -> list[str]:
    """The people who hold the role and could be considered at all (same partnership unless
    the policy allows others)."""
    s = pre.schools[urn].school
    cross = pre.problem.policy_for(s.partnership_id).cross_partnership
    out = []
    for p in pre.people.values():
        if not getattr(p, attr):
            continue
        if cross or p.partnership_id == s.partnership_id:
            out.append(p.id)
    return sorted(out)


def _no_date(pre: Prepared, urn: int) -> str:
    sc = pre.schools[urn]
    s = sc.school
    cal = pre.problem.calendar
    why: Counter[str] = Counter()
    prefer = s.preferred_half_terms
    for ht in cal.terms_for(s.urn):
        if prefer and ht.code not in prefer:
            continue
        d = ht.start
        while d <= ht.end:
            r = cal.closed_reason(d, s.urn, s.phase)
            if r not in (None, "weekend"):
                why[str(r)] += 1
            d += timedelta(days=1)
    where = "in the preferred half-terms " if prefer else ""
    closed = ", ".join(f"{n} days {r}" for r, n in why.most_common()) or "no closed days"
    m = pre.problem.policy_for(s.partnership_id).milestones
    return (
        f"no review date for URN {urn} {where}({closed}); {len(sc.days)} school days remain but "
        f"none leaves room for the milestones (self-review {-m.self_review_due} school days "
        f"before, workshop {m.workshop_from}-{m.workshop_to} after, then the "
        f"{m.progress_review_days}-day review)"
    )


def precheck(pre: Prepared) -> list[Explanation]:
    problem = pre.problem
    out: list[Explanation] = []
    for urn, sc in pre.schools.items():
        s = sc.school
        pol = problem.policy_for(s.partnership_id)
        pid = s.partnership_id
        if s.mode not in pol.allowed_modes:
            allowed = ", ".join(sorted(pol.allowed_modes))
            out.append(
                Explanation(
                    "mode",
                    f"URN {urn} asks for a {s.mode} review; the policy allows only {allowed}",
                    urn,
                    partnership_id=pid,
                )
            )
        if not sc.slots:
            out.append(Explanation("dates", _no_date(pre, urn), urn, partnership_id=pid))
        if not sc.leads:
            pool = _pool(pre, urn, "trained_lead")
            msg = f"no eligible lead reviewer for URN {urn}: " + (
                f"the {len(pool)} trained leads are not eligible ({_reasons(pre, urn, pool)})"
                if pool
                else "the partnership has no trained lead reviewer"
            )
            person = pool[0] if len(pool) == 1 else None
            out.append(Explanation("lead", msg, urn, person, pid, _blocked(pre, urn, pool)))
        need = pol.reviewers_per_team
        if len(sc.reviewers) < need + (0 if sc.leads else 1) or len(sc.reviewers) < need:
            pool = _pool(pre, urn, "can_review")
            out.append(
                Explanation(
                    "team_size",
                    f"URN {urn} needs a lead and {need} reviewers but only "
                    f"{len(sc.reviewers)} of {len(pool)} reviewers are eligible "
                    f"({_reasons(pre, urn, [p for p in pool if p not in sc.reviewers])})",
                    urn,
                    partnership_id=pid,
                    person_ids=_blocked(pre, urn, pool),
                )
            )
        if not sc.ics:
            pool = _pool(pre, urn, "can_champion")
            msg = f"no eligible Improvement Champion for URN {urn}: " + (
                f"the {len(pool)} ICs are not eligible ({_reasons(pre, urn, pool)})"
                if pool
                else "no IC is appointed"
            )
            blocked = _blocked(pre, urn, pool)
            person = pool[0] if len(pool) == 1 else None
            out.append(Explanation("ic", msg, urn, person, pid, blocked))
    if out:
        return out
    # per partnership: capacity of its leads, reviewers and weeks
    schools_of: dict[str, list[int]] = defaultdict(list)
    for urn, sc in pre.schools.items():
        schools_of[sc.school.partnership_id].append(urn)
    for pid, urns in sorted(schools_of.items()):
        pol = problem.policy_for(pid)
        leads = sorted({p for u in urns for p in pre.schools[u].leads})
        cap = sum(
            problem.policy_for(pre.people[p].partnership_id).max_reviews_per_year for p in leads
        )
        if cap < len(urns):
            out.append(
                Explanation(
                    "lead_capacity",
                    f"partnership {pid} needs {len(urns)} lead slots but its {len(leads)} eligible "
                    f"trained leads can give at most {cap} "
                    f"({pol.max_reviews_per_year} per year each)",
                    partnership_id=pid,
                )
            )
        revs = sorted({p for u in urns for p in pre.schools[u].reviewers})
        rcap = sum(
            problem.policy_for(pre.people[p].partnership_id).max_reviews_per_year for p in revs
        )
        places = len(urns) * (1 + pol.reviewers_per_team)
        if rcap < places:
            out.append(
                Explanation(
                    "reviewer_capacity",
                    f"partnership {pid} needs {places} team places but its {len(revs)} eligible "
                    f"reviewers can give at most {rcap} ({pol.max_reviews_per_year} per year each)",
                    partnership_id=pid,
                )
            )
        weeks = {slot for u in urns for slot in pre.schools[u].slots}
        if len(weeks) * pol.max_reviews_per_week < len(urns):
            out.append(
                Explanation(
                    "weekly_capacity",
                    f"partnership {pid} has {len(urns)} reviews but only {len(weeks)} usable weeks "
                    f"at {pol.max_reviews_per_week} per week",
                    partnership_id=pid,
                )
            )
    return out


_RULES = {
    "person_week": "at most {week} review(s) a week for {who}",
    "person_term": "at most {term} reviews a term for {who}",
    "person_year": "at most {year} reviews a year for {who}",
    "ic_year": "at most {ic} workshops a year for Improvement Champion {who}",
    "weekly": "at most {cap} reviews a week in partnership {who}",
    "reciprocity": "no reciprocal pairs in partnership {who}",
}


def describe_core(pre: Prepared, core: list[str]) -> list[Explanation]:
    if not core:
        return [structural(pre)]
    out: list[Explanation] = []
    parts = []
    for name in core:
        kind, _, who = name.partition(":")
        person = pre.people.get(who)
        pol = pre.problem.policy_for(person.partnership_id if person else who)
        text = _RULES.get(kind, kind + " {who}").format(
            week=pol.max_reviews_per_person_per_week,
            term=pol.max_reviews_per_term,
            year=pol.max_reviews_per_year,
            ic=pol.max_ic_per_year,
            cap=pol.max_reviews_per_week,
            who=who,
        )
        if person is not None:
            text = text.replace(who, person.label)
        parts.append(text)
        out.append(
            Explanation(
                kind,
                f"these rules cannot all hold: {text}",
                person_id=who if person else None,
                partnership_id=None if person else who,
                person_ids=(who,) if person else (),
            )
        )
    people = tuple(e.person_id for e in out if e.person_id is not None)
    summary = Explanation(
        "core", "no schedule meets all of: " + "; ".join(parts) + ".", person_ids=people
    )
    return [summary, *out]


def structural(pre: Prepared) -> Explanation:
    return Explanation(
        "structure",
        "no schedule: the eligible teams, Improvement Champions and dates cannot be combined "
        f"for the {len(pre.schools)} schools (every school needs one date, a trained lead, "
        "its reviewers and an IC from another school); allow more reviewers per person or "
        "reviewers from other partnerships",
    )
