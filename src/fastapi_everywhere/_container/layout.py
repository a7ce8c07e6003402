"""Where each dependency of a plan lives in one container, worked out once.

A container's :class:`~.scopes.ScopeRules` give every dependency of a tree
its level; a :class:`Layout` keeps that answer per plan (the checks that
refuse the tree, the cached dependencies, the key each instance is shown
under), so that a call only looks it up.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from .._engine import describe
from .._engine.plan import AGEN, Node, Plan
from .._errors import ScopeError
from .._registrable import implementation_of
from .scopes import DependencyScope, ScopeRules

__all__ = ["Layout", "layout_of"]

#: Layouts kept per container (each keeps its plan alive); the oldest go first.
_MAX_LAYOUTS = 512


class Layout:
    """One plan at one container's levels.

    ``nodes`` are the dependencies a level caches (every node but the
    root); ``in_container`` tells, per node, whether it lives on the
    CONTAINER level (else the open scope's); ``shown`` pairs each node with
    the key its instance is shown under (an interface by what it resolved
    to); ``keys`` are the cache keys the plan reads; ``has_agen`` tells
    whether an async ``yield`` dependency (which must be entered and
    exited in one task) is in the tree.
    """

    __slots__ = (
        "captive",
        "has_agen",
        "in_container",
        "keys",
        "nodes",
        "shown",
        "unscoped",
    )

    def __init__(self, plan: Plan, rules: ScopeRules) -> None:
        nodes = [n for n, closing in plan.steps if closing and n is not plan.root]
        self.nodes = tuple(nodes)
        self.in_container: dict[Node, bool] = {
            n: rules.scope_of(n) is DependencyScope.CONTAINER for n in nodes
        }
        self.keys: tuple[Hashable, ...] = tuple(dict.fromkeys(n.key for n in nodes))
        self.shown: tuple[tuple[Node, Any], ...] = tuple(
            (n, n.call if implementation_of(n.origin) is not None else n.origin)
            for n in nodes
        )
        self.has_agen = any(n.kind == AGEN for n in nodes)
        #: Why the tree cannot be resolved outside a scope (a SCOPED node).
        self.unscoped: str | None = next(
            (
                f"FastAPIContainer: {describe(n.origin)} is a SCOPED dependency; "
                "resolve it inside `async with container.scope()`"
                for n in nodes
                if not self.in_container[n]
            ),
            None,
        )
        #: Why the tree cannot be resolved at all (a captive dependency).
        self.captive: str | None = None
        try:
            rules.check(plan.root, nodes, in_scope=True)
        except ScopeError as e:
            self.captive = str(e)

    def check(self, in_scope: bool) -> None:
        """Refuse the tree before anything runs, as ``ScopeRules.check`` does."""
        if self.unscoped is not None and not in_scope:
            raise ScopeError(self.unscoped)
        if self.captive is not None:
            raise ScopeError(self.captive)


def layout_of(layouts: dict[Plan, Layout], plan: Plan, rules: ScopeRules) -> Layout:
    """``plan``'s layout under ``rules``, from ``layouts`` or made and kept there."""
    found = layouts.get(plan)
    if found is None:
        if len(layouts) >= _MAX_LAYOUTS:
            layouts.pop(next(iter(layouts)), None)
        found = layouts[plan] = Layout(plan, rules)
    return found
