"""``auto_bindings``: bind every interface of some packages to its implementation.

Two phases: find and choose (nothing is registered while any interface
cannot be wired, so a failed call leaves no half-wired state), then
register. Modules are imported only when their source may hold an interface
or a candidate (``sources.py``), in two passes: the interfaces first, then
the modules whose classes name one of them as a base, or that use
``@provides``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from .._bindings import Binding, caller_package, package_of
from .._errors import AutoBindingError
from .candidates import (
    Candidate,
    choose,
    interfaces_of,
    is_interface,
    name_of,
    sort_key,
)
from .sources import Analysis, ModuleSource, analyses, module_sources

__all__ = ["ConflictSolver", "auto_bindings"]

#: ``conflict_solver(interface, contenders)`` -> the chosen one, or None.
ConflictSolver = Callable[
    [type[Any], list[Callable[..., Any]]], Callable[..., Any] | None
]

_OWNER = "auto_bindings"


def _under(name: str, roots: set[str]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def _roots(entries: Sequence[str | ModuleType], anchor: str | None) -> list[ModuleType]:
    found: dict[str, ModuleType] = {}
    for entry in entries:
        module = package_of(entry, _OWNER, anchor, modules_too=True)
        found.setdefault(module.__name__, module)
    return list(found.values())


def _modules(
    roots: list[ModuleType],
    *,
    recursive: bool,
    use_ast: bool,
    cache_file: Path | None,
    interface_roots: set[str],
    impl_roots: set[str],
) -> list[ModuleType]:
    """The roots and the modules under them that may hold something to bind."""
    sources: dict[str, ModuleSource] = {}
    for root in roots:
        if not hasattr(root, "__path__"):
            continue  # a plain module: itself only
        for source in module_sources(
            list(root.__path__), root.__name__ + ".", recursive
        ):
            sources.setdefault(source.name, source)
    if not use_ast:
        return [*roots, *(importlib.import_module(n) for n in sources)]
    found: dict[str, Analysis | None] = analyses(
        list(sources.values()), cache_file, tuple(r.__name__ for r in roots)
    )
    imported: dict[str, ModuleType] = {}
    for name, analysis in found.items():
        if not _under(name, interface_roots):
            continue
        if analysis is None or analysis.declares_interface or analysis.unresolved:
            imported[name] = importlib.import_module(name)
    interface_names = {
        obj.__name__
        for module in (*roots, *imported.values())
        for obj in vars(module).values()
        if is_interface(obj) and obj.__module__ == module.__name__
    }
    for name, analysis in found.items():
        if name in imported or not _under(name, impl_roots):
            continue
        if (
            analysis is None
            or analysis.unresolved
            or analysis.has_provider
            or analysis.base_names & interface_names
        ):
            imported[name] = importlib.import_module(name)
    return [*roots, *imported.values()]


def auto_bindings(
    *packages: str | ModuleType,
    interfaces: Sequence[str | ModuleType] = (),
    implementations: Sequence[str | ModuleType] = (),
    recursive: bool = True,
    conflict_solver: ConflictSolver | None = None,
    ast: bool = True,
    cache_file: str | os.PathLike[str] | None = None,
) -> list[Binding]:
    """Bind each interface found in the packages to the implementation found there.

    ``packages`` hold both roles; ``interfaces`` / ``implementations`` are
    scanned for one role only (names starting with ``.`` are relative to
    the caller's package). ``recursive``: nested subpackages too.
    ``conflict_solver(interface, contenders)`` settles a tie the ranking
    leaves (see the module ``candidates``). ``ast=False`` imports every
    module instead of reading sources first; ``cache_file`` keeps that
    reading between runs. An interface already bound is kept and reported
    with ``already_bound=True``. :class:`AutoBindingError` lists every
    problem, and nothing is registered then. Returns the bindings, sorted by
    interface.

    .. versionadded:: 0.2
    """
    if not (packages or interfaces or implementations):
        raise TypeError(f"{_OWNER}: name at least one package")
    if conflict_solver is not None and not callable(conflict_solver):
        raise TypeError(
            f"{_OWNER}: conflict_solver must be callable, got {conflict_solver!r}"
        )
    anchor = caller_package(1)
    interface_roots = _roots([*packages, *interfaces], anchor)
    impl_roots = _roots([*packages, *implementations], anchor)
    interface_names = {m.__name__ for m in interface_roots}
    impl_names = {m.__name__ for m in impl_roots}
    modules = _modules(
        _roots([*packages, *interfaces, *implementations], anchor),
        recursive=recursive,
        use_ast=ast,
        cache_file=Path(cache_file) if cache_file else None,
        interface_roots=interface_names,
        impl_roots=impl_names,
    )

    found: dict[type, list[Candidate]] = {}
    members: list[Any] = []
    for module in modules:
        for obj in vars(module).values():
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # imported from elsewhere: seen where it is defined
            if is_interface(obj) and _under(module.__name__, interface_names):
                found.setdefault(obj, [])
            elif _under(module.__name__, impl_names):
                members.append(obj)

    problems: list[str] = []
    bound_as: dict[Any, Candidate] = {}
    seen: set[int] = set()
    for member in members:
        if id(member) in seen:
            continue
        seen.add(id(member))
        matched, names, problem = interfaces_of(member)
        if problem is not None:
            problems.append(f"@provides {problem} ({name_of(member)})")
            continue
        if matched is None:
            continue
        bound_as[matched] = member
        for interface in names:
            if interface in found and matched not in found[interface]:
                found[interface].append(matched)

    results: list[Binding] = []
    planned: list[Binding] = []
    for interface in sorted(found, key=sort_key):
        own = interface.__dict__.get("__fe_impl__")
        if own is not None:
            results.append(Binding(interface, own, True))
            continue
        if not found[interface]:
            problems.append(f"{name_of(interface)} has no matching implementation")
            continue
        choice = choose(interface, found[interface], bound_as, conflict_solver)
        if choice.primaries:
            problems.append(
                f"{name_of(interface)} has several @provides(primary=True): "
                + ", ".join(name_of(c) for c in choice.primaries)
            )
        elif choice.winner is None:
            problems.append(
                f"{name_of(interface)} has several matching implementations: "
                + ", ".join(name_of(c) for c in choice.tie)
                + " (mark one @provides(primary=True) or pass a conflict_solver)"
            )
        else:
            planned.append(
                Binding(interface, bound_as.get(choice.winner, choice.winner), False)
            )
    if problems:
        raise AutoBindingError(problems)
    for binding in planned:
        binding.interface.register(binding.implementation)
    return sorted(results + planned, key=lambda b: sort_key(b.interface))
