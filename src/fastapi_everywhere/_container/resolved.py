"""What a container call hands back, and the key a dependency is found by."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Any, TypeVar, get_args, get_origin, overload

from fastapi import params

from .._engine import describe
from .._registrable import implementation_of
from .._typing import Generated

__all__ = ["ResolvedDependencies", "dependency_key"]

T = TypeVar("T")
_MISSING: Any = object()


def dependency_key(dependency: Any) -> Any:
    """The callable a dependency designator stands for."""
    if isinstance(dependency, params.Depends):
        return dependency.dependency
    if get_origin(dependency) is Annotated:
        args = get_args(dependency)
        for meta in reversed(args[1:]):
            if isinstance(meta, params.Depends):
                return meta.dependency if meta.dependency is not None else args[0]
    return dependency


class ResolvedDependencies:
    """The instances one :meth:`FastAPIContainer.resolve` call produced."""

    __slots__ = ("_all", "_direct")

    def __init__(
        self, direct: dict[Any, Any], every: dict[Any, Any] | None = None
    ) -> None:
        self._direct = direct
        self._all = direct if every is None else every

    def _find(self, dependency: Any, transitive: bool) -> Any:
        key = dependency_key(dependency)
        if not transitive:
            return self._direct.get(key, _MISSING)
        found = self._all.get(key, _MISSING)
        if found is _MISSING:  # the tree is keyed by what an interface resolved to
            found = self._all.get(implementation_of(key), _MISSING)
        return found

    @overload
    def get(
        self, dependency: Callable[..., Generated[T]], transitive: bool = False
    ) -> T: ...
    @overload
    def get(self, dependency: Callable[..., T], transitive: bool = False) -> T: ...
    @overload
    def get(self, dependency: Any, transitive: bool = False) -> Any: ...

    def get(self, dependency: Any, transitive: bool = False) -> Any:
        """The instance of ``dependency``; ``KeyError`` if it was not resolved.

        ``transitive=True`` also finds sub-dependencies of what was asked for
        (an interface, or the implementation it resolved to).
        """
        found = self._find(dependency, transitive)
        if found is _MISSING:
            key = describe(dependency_key(dependency))
            if transitive:
                raise KeyError(f"{key} was not resolved in the tree")
            raise KeyError(
                f"{key} was not resolved directly. Pass transitive=True to reach "
                "a sub-dependency"
            )
        return found

    @overload
    def optional(
        self, dependency: Callable[..., Generated[T]], transitive: bool = False
    ) -> T | None: ...
    @overload
    def optional(
        self, dependency: Callable[..., T], transitive: bool = False
    ) -> T | None: ...
    @overload
    def optional(self, dependency: Any, transitive: bool = False) -> Any: ...

    def optional(self, dependency: Any, transitive: bool = False) -> Any:
        """Like :meth:`get`, but None when ``dependency`` was not resolved."""
        found = self._find(dependency, transitive)
        return None if found is _MISSING else found

    def all_instances(self) -> Mapping[Any, Any]:
        """Every instance of the tree, sub-dependencies first (read-only).

        Keyed by dependency as declared; an interface by the implementation
        it resolved to.
        """
        return MappingProxyType(self._all)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._direct.values())

    def __len__(self) -> int:
        return len(self._direct)

    def __repr__(self) -> str:
        names = ", ".join(describe(k) for k in self._direct)
        return f"<ResolvedDependencies [{names}]>"
