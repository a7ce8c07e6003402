"""What a container call hands back, and the key a dependency is found by."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Any, TypeVar, get_args, get_origin, overload

from fastapi import params

from .._engine import describe
from .._typing import Generated

__all__ = ["ResolvedDependencies", "dependency_key"]

T = TypeVar("T")


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

    def __init__(self, direct: dict[Any, Any], every: dict[Any, Any]) -> None:
        self._direct = direct
        self._all = every

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

        ``transitive=True`` also finds sub-dependencies of what was asked for.
        """
        key = dependency_key(dependency)
        table = self._all if transitive else self._direct
        try:
            return table[key]
        except KeyError:
            where = "in the tree" if transitive else "directly (try transitive=True)"
            raise KeyError(f"{describe(key)} was not resolved {where}") from None

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
        key = dependency_key(dependency)
        return (self._all if transitive else self._direct).get(key)

    def all_instances(self) -> Mapping[Any, Any]:
        """Every instance of the tree, sub-dependencies first (read-only)."""
        return MappingProxyType(self._all)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._direct.values())

    def __len__(self) -> int:
        return len(self._direct)

    def __repr__(self) -> str:
        names = ", ".join(describe(k) for k in self._direct)
        return f"<ResolvedDependencies [{names}]>"
