"""Refuse a cyclic dependency graph before FastAPI recurses into it.

FastAPI's ``get_dependant`` parses a tree depth first and never looks back:
``a -> b -> a`` ends in a ``RecursionError`` (at route definition in a
FastAPI app; at the first call here). We walk the same edges first, from
the signatures, and name the cycle instead.

Two graphs are walked: the declared one (what ``get_dependant`` parses) and
the one a plan compiles, where an override or a ``RegistrableDependency``
binding replaces a dependency (its own declared tree is parsed again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Annotated, Any, get_args, get_origin

from fastapi import params
from fastapi.dependencies.utils import get_typed_signature

from .._errors import CyclicDependencyError
from .._registrable import implementation_of

__all__ = ["check_acyclic", "declared_dependencies"]


def _depends_of(annotation: Any, default: Any) -> Any:
    """The callable a parameter depends on, or None."""
    found = default if isinstance(default, params.Depends) else None
    if get_origin(annotation) is Annotated:
        args = get_args(annotation)
        for extra in args[1:]:
            if isinstance(extra, params.Depends):
                found = extra  # FastAPI uses the last one
        annotation = args[0]
    if found is None:
        return None
    return found.dependency if found.dependency is not None else annotation


def declared_dependencies(call: Any) -> list[Any]:
    """The callables ``call``'s parameters depend on, as FastAPI reads them."""
    try:
        signature = get_typed_signature(call)
    except Exception:  # get_dependant reports an unreadable signature itself
        return []
    found = []
    for param in signature.parameters.values():
        dep = _depends_of(param.annotation, param.default)
        if dep is not None and callable(dep):
            found.append(dep)
    return found


def _name(call: Any) -> str:
    return str(getattr(call, "__qualname__", None) or type(call).__qualname__)


def _walk(
    start: Any,
    edges: Callable[[Any], Iterable[Any]],
    done: set[int],
    on_node: Callable[[Any], None] | None = None,
) -> None:
    """Depth-first from ``start``; raise on a back edge, naming the cycle."""
    path: list[Any] = []
    on_path: dict[int, int] = {}
    # An explicit stack: a deep (acyclic) tree must not hit the recursion limit.
    stack: list[tuple[Any, Iterator[Any] | None]] = [(start, None)]
    while stack:
        call, pending = stack[-1]
        if pending is None:
            if id(call) in done:
                stack.pop()
                continue
            if id(call) in on_path:
                loop = [*path[on_path[id(call)] :], call]
                raise CyclicDependencyError(
                    "dependency cycle: "
                    + " -> ".join(_name(c) for c in loop)
                    + "; break it (a dependency cannot depend on itself, "
                    "directly or through others)",
                    cycle=loop,
                )
            if on_node is not None:
                on_node(call)
            on_path[id(call)] = len(path)
            path.append(call)
            pending = iter(list(edges(call)))
            stack[-1] = (call, pending)
        child = next(pending, _END)
        if child is _END:
            stack.pop()
            path.pop()
            del on_path[id(call)]
            done.add(id(call))
        else:
            stack.append((child, None))


_END = object()


def check_acyclic(roots: Iterable[Any], overrides: Mapping[Any, Any] | None) -> None:
    """Raise :class:`CyclicDependencyError` if a tree from ``roots`` is cyclic.

    ``roots`` are the callables (or ``Depends`` targets) a plan starts from;
    ``overrides`` are the plan's dependency overrides.
    """
    keep: list[Any] = []  # ids stay unique while the walk runs

    def used(dep: Any) -> Any:
        if overrides:
            replaced = overrides.get(dep, dep)
            if replaced is not dep:
                return replaced
        bound = implementation_of(dep) or dep
        return overrides.get(bound, bound) if overrides else bound

    def raw_edges(call: Any) -> list[Any]:
        deps = declared_dependencies(call)
        keep.extend(deps)
        return deps

    def compiled_edges(call: Any) -> list[Any]:
        deps = [used(d) for d in declared_dependencies(call)]
        keep.extend(deps)
        return deps

    raw_done: set[int] = set()

    def parse(call: Any) -> None:
        # get_dependant parses every node the plan compiles, declared tree and all.
        _walk(call, raw_edges, raw_done)

    compiled_done: set[int] = set()
    for root in roots:
        _walk(root, compiled_edges, compiled_done, on_node=parse)
