"""The brokering round as a min-cost flow (OR-Tools' SimpleMinCostFlow): every need (a school and
one of its areas for development) gets at most one helper, every helper at most its capacity of
pairings, as many needs as possible are met and, among those assignments, the total cost is the
least. A greedy pass (each need in turn takes its best free helper) can strand a need whose only
helper an earlier need took when it had another choice; the flow cannot.

Network: source -> need (1) -> helper (1, the pairing's cost) -> sink (capacity); and need ->
sink directly at a cost above any pairing's (left unmet), so a feasible flow always exists and
meeting one more need always beats any saving in cost.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from ortools.graph.python import min_cost_flow  # type: ignore[import-untyped]

NeedT = TypeVar("NeedT", bound=Hashable)
HelperT = TypeVar("HelperT", bound=Hashable)


@dataclass(frozen=True)
class Option(Generic[NeedT, HelperT]):
    need: NeedT
    helper: HelperT
    cost: int  # >= 0


@dataclass(frozen=True)
class Assignment(Generic[NeedT, HelperT]):
    pairs: dict[NeedT, HelperT]
    unmet: list[NeedT]
    cost: int


def assign(
    needs: Sequence[NeedT],
    capacities: Mapping[HelperT, int],
    options: Sequence[Option[NeedT, HelperT]],
) -> Assignment[NeedT, HelperT]:
    if not needs:
        return Assignment({}, [], 0)
    helpers = sorted({o.helper for o in options}, key=repr)
    unmet_cost = max((o.cost for o in options), default=0) * len(needs) + 1
    need_node = {need: 2 + i for i, need in enumerate(needs)}
    helper_node = {h: 2 + len(needs) + i for i, h in enumerate(helpers)}
    source, sink = 0, 1
    flow = min_cost_flow.SimpleMinCostFlow()
    for node in need_node.values():
        flow.add_arc_with_capacity_and_unit_cost(source, node, 1, 0)
        flow.add_arc_with_capacity_and_unit_cost(node, sink, 1, unmet_cost)
    pairing_arcs = {}
    for option in options:
        if option.need not in need_node or capacities.get(option.helper, 0) <= 0:
            continue
        arc = flow.add_arc_with_capacity_and_unit_cost(
            need_node[option.need], helper_node[option.helper], 1, option.cost
        )
        pairing_arcs[arc] = option
    for helper, node in helper_node.items():
        flow.add_arc_with_capacity_and_unit_cost(node, sink, max(0, capacities.get(helper, 0)), 0)
    flow.set_node_supply(source, len(needs))
    flow.set_node_supply(sink, -len(needs))
    status = flow.solve()
    if status != flow.OPTIMAL:  # cannot happen: the direct arcs make it feasible
        raise RuntimeError(f"min cost flow failed: {status}")
    pairs = {o.need: o.helper for arc, o in pairing_arcs.items() if flow.flow(arc) > 0}
    unmet = [need for need in needs if need not in pairs]
    cost = sum(o.cost for arc, o in pairing_arcs.items() if flow.flow(arc) > 0)
    return Assignment(pairs, unmet, cost)
