"""How long each dependency of a container lives: :class:`DependencyScope`
and the rules that assign one to every dependency of a tree."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from .._engine import describe
from .._engine.plan import Node
from .._errors import ScopeError
from .resolved import dependency_key

__all__ = ["DefaultScope", "DependencyScope", "ScopeMap", "ScopeRules"]


class DependencyScope(enum.Enum):
    """How long a dependency resolved through a container lives."""

    #: One instance per container, torn down by ``aclose()``.
    CONTAINER = "container"
    #: One instance per open ``container.scope()``, torn down when it closes.
    SCOPED = "scoped"


ScopeMap = Mapping[Any, DependencyScope]
DefaultScope = DependencyScope | Mapping[str | None, DependencyScope]


class ScopeRules:
    """The :class:`DependencyScope` of every dependency of one container.

    Built from the container's ``scopes`` and ``default_scope`` arguments
    (checked here, naming ``owner``): a dependency named in ``scopes`` gets
    that scope, any other the default for its ``Depends(scope=...)`` literal.
    """

    __slots__ = ("_by_literal", "_fallback", "_named")

    def __init__(
        self, scopes: ScopeMap | None, default_scope: DefaultScope, owner: str
    ) -> None:
        self._named: dict[Any, DependencyScope] = {
            dependency_key(k): v for k, v in (scopes or {}).items()
        }
        for dep, value in self._named.items():
            if not isinstance(value, DependencyScope):
                raise TypeError(
                    f"{owner}: scopes[{describe(dep)}] must be a DependencyScope, "
                    f"got {value!r}"
                )
        if isinstance(default_scope, DependencyScope):
            self._by_literal: dict[str | None, DependencyScope] = {}
            self._fallback = default_scope
        elif isinstance(default_scope, Mapping):
            self._by_literal = dict(default_scope)
            self._fallback = DependencyScope.CONTAINER
            for literal in self._by_literal:
                if literal not in ("request", "function", None):
                    raise TypeError(
                        f"{owner}: default_scope keys are FastAPI's Depends(scope=) "
                        f"literals 'request', 'function' or None, got {literal!r}"
                    )
        else:
            raise TypeError(
                f"{owner}: default_scope must be a DependencyScope or a mapping, "
                f"got {default_scope!r}"
            )

    def scope_of(self, node: Node) -> DependencyScope:
        """The scope ``node``'s instance lives in."""
        found = self._named.get(node.origin)
        if found is not None:
            return found
        return self._by_literal.get(node.declared_scope, self._fallback)

    def check(self, root: Node, cached: list[Node], in_scope: bool) -> None:
        """Refuse a tree these rules cannot resolve, before anything runs.

        ``cached`` are the dependencies of the tree under ``root`` that a
        level caches; ``in_scope`` tells whether a ``scope()`` block is open.
        """
        for node in cached:
            if self.scope_of(node) is DependencyScope.SCOPED and not in_scope:
                raise ScopeError(
                    f"FastAPIContainer: {describe(node.origin)} is a SCOPED "
                    "dependency; resolve it inside `async with container.scope()`"
                )
        self._check_captures(root)

    def _check_captures(self, node: Node) -> None:
        for child in node.children:
            if self.scope_of(child) is DependencyScope.CONTAINER and self._has_scoped(
                child
            ):
                raise ScopeError(
                    f"FastAPIContainer: {describe(child.origin)} lives for the whole "
                    "container but depends on a SCOPED dependency (a captive "
                    "dependency); make it SCOPED too"
                )
            self._check_captures(child)

    def _has_scoped(self, node: Node) -> bool:
        return any(
            self.scope_of(c) is DependencyScope.SCOPED or self._has_scoped(c)
            for c in node.children
        )
