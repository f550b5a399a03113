"""Carry-over: an unfinished blueprint re-proposed into the next cycle.

In the seeds a carry is what a team writes by hand: the blueprint is deferred
in its cycle, and a copy of it is proposed in the next one (see
:func:`store.seed_edit.carry_blueprint`).  Until a read of the seeds brings
that back, the board shows it the same way (:func:`deferred_and_proposed`).

Where the seeds cannot be written, a carry is an event in the marks store,
and the board shows the plan with every such carry in force applied: the
blueprint leaves its cycle, turns up in the next one as ``proposed`` with its
history (plus the day it moved), and counts how many cycles it has slipped.
"""

from __future__ import annotations

import dataclasses

from store.marks import Carry
from store.model import Blueprint, HistoryEntry, State
from store.plan import Plan

# A blueprint in these states is finished with: there is nothing to carry.
FINISHED = frozenset({State.IMPLEMENTED, State.ABANDONED})


def cycles_in_order(plan: Plan) -> list[str]:
    """Cycle ids from the oldest to the newest."""
    return [c.id for c in reversed(plan.cycles_newest_first())]


def next_cycle(plan: Plan, cycle: str) -> str | None:
    order = cycles_in_order(plan)
    at = order.index(cycle) if cycle in order else -1
    return order[at + 1] if 0 <= at < len(order) - 1 else None


def moved(blueprint: Blueprint, carry: Carry) -> Blueprint:
    history = (*blueprint.history, HistoryEntry(carry.at.date(), State.PROPOSED))
    return dataclasses.replace(
        blueprint, cycle=carry.to, state=State.PROPOSED, history=history, slipped=blueprint.slipped + 1
    )


def deferred(blueprint: Blueprint, carry: Carry) -> Blueprint:
    history = (*blueprint.history, HistoryEntry(carry.at.date(), State.DEFERRED, carry.by))
    return dataclasses.replace(blueprint, state=State.DEFERRED, history=history)


def carried_over(plan: Plan, carries: tuple[Carry, ...]) -> Plan:
    """``plan`` with ``carries`` (oldest first) applied; ``plan`` is not changed.

    A carry whose blueprint is gone from the seeds, whose cycle is unknown or
    whose new key is taken (the seeds re-proposed it themselves) does nothing.
    """
    blueprints = dict(plan.blueprints)
    origins = dict(plan.origins)
    for carry in carries:
        blueprint = blueprints.get(carry.key)
        if blueprint is None or carry.to not in plan.cycles:
            continue
        new = moved(blueprint, carry)
        if new.key in blueprints:
            continue
        if carry.where:  # written into the seeds, not read back yet: shown as the seeds will say it
            blueprints[carry.key] = deferred(blueprint, carry)
            new = dataclasses.replace(new, history=(HistoryEntry(carry.at.date(), State.PROPOSED, carry.by),))
        else:
            del blueprints[carry.key]
        blueprints[new.key] = new
        origin = origins.get(f"blueprint:{carry.key}")
        if origin is not None:  # the seed that defines it is still where it came from
            origins[f"blueprint:{new.key}"] = origin
    return dataclasses.replace(plan, blueprints=blueprints, origins=origins)


def why_not(plan: Plan, blueprint: Blueprint, state: State) -> str | None:
    """Why ``blueprint`` (now in ``state``) cannot be carried over, or None when it can."""
    if state in FINISHED:
        return f"{blueprint.key} is {state.value}: only an unfinished blueprint is carried over"
    target = next_cycle(plan, blueprint.cycle)
    if target is None:
        return f"there is no cycle after {blueprint.cycle} in the plan to carry {blueprint.key} into"
    key = f"{target}/{blueprint.project}/{blueprint.id}"
    if key in plan.blueprints:
        return f"{key} is already in the plan"
    return None
