"""The oracle of the disclosure property test: from a generated county alone, what each caller
may see, which schools every figure it is shown is about, and the three properties over a
caller's answers: (a) no shown aggregate about 1..k-1 unnamed schools, (b) no hidden figure
recoverable from a shown total and its shown parts (where the data makes them add up), (c) no
two nested shown figures differing by 1..k-1 schools."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from common.auth import Principal
from tests.knowledge import county as gen

NAMED, AGGREGATED = "named", "aggregated"
SAFE_ZERO = 0


@dataclass(frozen=True)
class Caller:
    name: str
    principal: Principal
    own: frozenset[int] = frozenset()
    leads: frozenset[int] = frozenset()  # partnership indexes
    trusts: frozenset[str] = frozenset()
    las: frozenset[str] = frozenset()
    national: bool = False


def callers(county: gen.County) -> list[Caller]:
    callers = [
        Caller(
            f"lead {i}",
            Principal("t", frozenset({"knowledge:read"}), partnerships=(str(p.id),)),
            leads=frozenset({i}),
        )
        for i, p in enumerate(county.partnerships)
    ]
    for la in gen.LAS:
        callers.append(
            Caller(
                f"council {la}",
                Principal("t", frozenset({"knowledge:read"}), la=(la,)),
                las=frozenset({la}),
            )
        )
    for trust in gen.TRUSTS:
        callers.append(
            Caller(
                f"trust {trust}",
                Principal("t", frozenset({"knowledge:read"}), trusts=(trust,)),
                trusts=frozenset({trust}),
            )
        )
    callers.append(
        Caller(
            "admin", Principal("t", frozenset({"knowledge:read", "knowledge:admin"})), national=True
        )
    )
    first = county.partnerships[0]
    callers.append(
        Caller(
            "council leading a partnership",
            Principal(
                "t", frozenset({"knowledge:read"}), la=(first.la,), partnerships=(str(first.id),)
            ),
            leads=frozenset({0}),
            las=frozenset({first.la}),
        )
    )
    for school in county.schools[:5]:
        callers.append(
            Caller(
                f"school {school.urn}",
                Principal("t", frozenset({"knowledge:read"}), schools=(str(school.urn),)),
                own=frozenset({school.urn}),
            )
        )
    return callers  # fmt: skip


@dataclass
class Expected:
    """What the generated data says a caller may see."""

    named_partnerships: set[int]
    aggregated_partnerships: set[int]
    named_reviews: set[uuid.UUID]

    def view(self, county: gen.County, caller: Caller, scope: tuple[str, str]) -> str | None:
        kind, scope_id = scope
        if kind == "school":
            urn = int(scope_id)
            if urn in caller.own:
                return NAMED
            members = gen.members(county)
            in_named = any(urn in members[i] for i in self.named_partnerships) or any(
                r.urn == urn and r.partnership in self.named_partnerships for r in county.reviews
            )
            return NAMED if in_named else None
        if kind == "partnership":
            index = next(i for i, p in enumerate(county.partnerships) if str(p.id) == scope_id)
            if index in self.named_partnerships:
                return NAMED
            return AGGREGATED if index in self.aggregated_partnerships else None
        if kind == "trust":
            known = any(s.trust == scope_id for s in county.schools)
            return AGGREGATED if scope_id in caller.trusts and known else None
        if kind == "la":
            return AGGREGATED if scope_id in caller.las else None
        return AGGREGATED if caller.national else None

    def reviews_for(
        self,
        county: gen.County,
        caller: Caller,
        scope: tuple[str, str],
        year: str,
        cell: gen.CellKey,
    ) -> list[gen.GeneratedReview]:
        found = gen.reviews_of(county, scope, year, cell)
        if scope[0] == "school" and int(scope[1]) not in caller.own:
            found = [r for r in found if r.partnership in self.named_partnerships]
        return found

    def unnamed(self, reviews: list[gen.GeneratedReview]) -> set[int]:
        return {r.urn for r in reviews if r.review_id not in self.named_reviews}


def expected_for(county: gen.County, caller: Caller) -> Expected:
    members = gen.members(county)
    related = set(caller.leads) | {i for i, m in members.items() if m & caller.own}
    named = {i for i in related if county.floor(i).partnership == "named"}
    aggregated = {i for i in related if county.floor(i).partnership == "aggregated"}
    for i, p in enumerate(county.partnerships):
        if p.la in caller.las and county.floor(i).la != "none" and i not in named:
            aggregated.add(i)
    named_reviews = {
        r.review_id for r in county.reviews if r.urn in caller.own or r.partnership in named
    }
    return Expected(named, aggregated, named_reviews)


@dataclass(frozen=True)
class Shown:
    scope: tuple[str, str]
    year: str
    family: str
    key: str
    kind: str
    value: int | None  # None: suppressed
    view: str
    reason: str | None = None  # why suppressed, as the answer says


def safe(count: int, threshold: int) -> bool:
    return count == SAFE_ZERO or count >= threshold


def within(outer: Shown, inner: Shown) -> bool:
    """Is ``inner``'s (key, kind) the same as or inside ``outer``'s, in one family?"""
    if outer.family != inner.family:
        return False
    if (outer.key, outer.kind) == ("*", "*"):
        return True
    if not (inner.key == outer.key or inner.key.startswith(outer.key + ".")):
        return False
    return outer.kind == inner.kind or (outer.kind == "*" and outer.family.startswith("outcome"))


def check_caller(
    county: gen.County, caller: Caller, shown: list[Shown], expected: Expected
) -> None:
    def reviews(cell: Shown) -> list[gen.GeneratedReview]:
        return expected.reviews_for(
            county, caller, cell.scope, cell.year, (cell.family, cell.key, cell.kind)
        )

    aggregate = [c for c in shown if c.view == AGGREGATED]
    for cell in shown:
        truth = reviews(cell)
        if cell.value is not None:
            assert cell.value == len({r.urn for r in truth}), (caller.name, cell)
        elif cell.view == NAMED:
            raise AssertionError(f"{caller.name}: a named figure was suppressed: {cell}")
    for cell in aggregate:  # (a), and the reason given for each hidden figure
        k = gen.threshold(county, cell.scope, cell.year)
        about = expected.unnamed(reviews(cell))
        if cell.value is not None:
            assert safe(len(about), k), (caller.name, "(a)", cell, len(about), k)
        else:
            primary = "complementary" if safe(len(about), k) else "fewer_than_threshold"
            assert cell.reason == primary, (caller.name, "reason", cell, len(about), k)
    by_year: dict[tuple[str, str], list[Shown]] = {}
    for cell in shown:
        if cell.value is not None:
            by_year.setdefault((cell.year, cell.family), []).append(cell)
    for cells in by_year.values():  # (c)
        sets = {c: {r.review_id for r in reviews(c)} for c in cells}
        for outer in cells:
            if outer.view != AGGREGATED:
                continue
            for inner in cells:
                if inner is outer or not within(outer, inner) or not sets[inner] <= sets[outer]:
                    continue
                apart = [r for r in reviews(outer) if r.review_id not in sets[inner]]
                k = gen.span_threshold(county, apart)
                difference = expected.unnamed(reviews(outer)) - expected.unnamed(reviews(inner))
                assert safe(len(difference), k), (
                    caller.name,
                    "(c)",
                    outer,
                    inner,
                    len(difference),
                    k,
                )
    check_totals(county, caller, shown, expected, reviews)


def groups(
    county: gen.County, shown: list[Shown], expected: Expected
) -> list[tuple[Shown, list[Shown]]]:
    """Shown aggregate totals and their parts: a theme's sub-themes, an action kind's (or a
    theme's) ratings, and an LA's partnerships (as the council is shown them)."""
    index = {(c.scope, c.year, c.family, c.key, c.kind): c for c in shown}
    groups = []
    for total in shown:
        if total.view != AGGREGATED:
            continue
        same = [
            c
            for c in shown
            if (c.scope, c.year, c.family) == (total.scope, total.year, total.family)
        ]
        children = [
            c
            for c in same
            if c.kind == total.kind and "." in c.key and c.key.rsplit(".", 1)[0] == total.key
        ]
        ratings = [
            c
            for c in same
            if total.kind == "*" and total.key != "*" and c.key == total.key and c.kind != "*"
        ]
        for parts in (children, ratings):
            if parts:
                groups.append((total, parts))
        if total.scope[0] == "la":
            scopes = [
                ("partnership", str(p.id))
                for i, p in enumerate(county.partnerships)
                if p.la == total.scope[1] and i in expected.aggregated_partnerships
            ]
            keys = [(s, total.year, total.family, total.key, total.kind) for s in scopes]
            parts = [index[k] for k in keys if k in index]
            if parts:
                groups.append((total, parts))
    return groups  # fmt: skip


def check_totals(
    county: gen.County, caller: Caller, shown: list[Shown], expected: Expected, reviews: Any
) -> None:
    """(b): subtract the shown parts from a shown total, where the data makes the parts add up
    to it; what is left must not pin down a hidden part, nor be about 1..k-1 schools."""
    for total, parts in groups(county, shown, expected):
        sets = [{r.urn for r in reviews(p)} for p in parts]
        whole = {r.urn for r in reviews(total)}
        if set().union(*sets) != whole or sum(len(s) for s in sets) != len(whole):
            continue  # the parts do not add up to the total: subtracting gives bounds only
        hidden = [p for p in parts if p.value is None]
        if total.value is None:
            assert hidden or not whole, (caller.name, "(b) a hidden total is its parts' sum", total)
            continue
        if not hidden:
            continue
        left = total.value - sum(p.value for p in parts if p.value is not None)
        assert len(hidden) >= 2, (caller.name, "(b) total minus the others", total, hidden)
        assert left > len(hidden), (caller.name, "(b) every hidden part must be 1", total, hidden)
        about = set().union(*(expected.unnamed(reviews(p)) for p in hidden))
        k = gen.span_threshold(county, [r for p in hidden for r in reviews(p)])
        assert safe(len(about), k), (caller.name, "(b) the hidden parts", total, len(about), k)
