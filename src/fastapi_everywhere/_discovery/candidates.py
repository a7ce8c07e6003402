"""Which implementations match an interface, and which one wins.

An interface is a class with ``RegistrableDependency`` as a direct base. A
candidate is a concrete class naming the interface as a direct base (or a
``singleton`` of one: the wrapper is bound, the class matched), or a
``@provides`` function whose return annotation names the interface. When
several match: one ``primary`` wins; else marked (``@provides``) beats
unmarked; a tie left after that goes to the ``conflict_solver``.
"""

from __future__ import annotations

import inspect
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from typing import Any, get_args, get_origin

from .._errors import AutoBindingError
from .._provides import provides_mark
from .._registrable import RegistrableDependency
from .._singleton import singleton_factory

__all__ = [
    "Candidate",
    "Choice",
    "choose",
    "interfaces_of",
    "is_interface",
    "name_of",
    "sort_key",
]

#: A candidate: an implementation class or a ``@provides`` function.
Candidate = Callable[..., Any]

_YIELDING = {
    Iterator,
    Iterable,
    Generator,
    AsyncIterator,
    AsyncIterable,
    AsyncGenerator,
}


def is_interface(obj: Any) -> bool:
    """A class with ``RegistrableDependency`` as a direct base."""
    return isinstance(obj, type) and RegistrableDependency in obj.__bases__


def sort_key(obj: Any) -> tuple[str, str]:
    """Where ``obj`` is defined: candidates and results are sorted by it."""
    return (getattr(obj, "__module__", ""), getattr(obj, "__qualname__", repr(obj)))


def name_of(obj: Any) -> str:
    module, qualname = sort_key(obj)
    return f"{module}.{qualname}"


def _returned_class(factory: Any) -> Any:
    """The class a factory's return annotation names (a ``yield`` one's item)."""
    annotation = getattr(factory, "__annotations__", {}).get("return")
    if isinstance(annotation, str):
        try:  # only the return annotation: evaluating the rest may build Depends
            annotation = eval(annotation, getattr(factory, "__globals__", {}))
        except Exception:
            return None
    if get_origin(annotation) in _YIELDING and get_args(annotation):
        annotation = get_args(annotation)[0]
    if annotation is Any:  # a class since Python 3.11, but names nothing
        return None
    return annotation if isinstance(annotation, type) else None


def interfaces_of(member: Any) -> tuple[Any, list[type], str | None]:
    """(the class matched, the interfaces it names, a problem) for one member.

    The class is None when ``member`` is no candidate at all; the problem is
    set for a ``@provides`` function without an interface return type.
    """
    underlying = singleton_factory(member) or member
    if isinstance(underlying, type):
        if is_interface(underlying) or inspect.isabstract(underlying):
            return None, [], None
        return underlying, [b for b in underlying.__bases__ if is_interface(b)], None
    if provides_mark(member) is None and provides_mark(underlying) is None:
        return None, [], None
    returned = _returned_class(underlying)
    if returned is None:
        return (
            member,
            [],
            ("has no resolvable return type; annotate the interface it builds"),
        )
    if not issubclass(returned, RegistrableDependency):
        return (
            member,
            [],
            (
                f"returns {name_of(returned)}, which is not a RegistrableDependency "
                "interface nor an implementation of one"
            ),
        )
    found = [returned] if is_interface(returned) else []
    found += [b for b in returned.__bases__ if is_interface(b)]
    return member, found, None


def _marked(candidate: Candidate, bound: Candidate) -> Any:
    return (
        provides_mark(bound)
        or provides_mark(candidate)
        or (
            None if isinstance(candidate, type) else True  # a factory is always marked
        )
    )


class Choice:
    """The outcome for one interface: ``winner``, or the tie, or two primaries."""

    __slots__ = ("primaries", "tie", "winner")

    def __init__(self) -> None:
        self.winner: Candidate | None = None
        self.tie: list[Candidate] = []
        self.primaries: list[Candidate] = []


def choose(
    interface: type,
    candidates: list[Candidate],
    bound_as: dict[Any, Candidate],
    solver: Callable[[type, list[Candidate]], Candidate | None] | None,
) -> Choice:
    """Rank ``candidates`` of ``interface`` (sorted); ``bound_as`` maps each to
    what gets registered (a singleton's wrapper)."""
    choice = Choice()
    ranked = sorted(candidates, key=sort_key)

    def mark(c: Candidate) -> Any:
        return _marked(c, bound_as.get(c, c))

    primaries = [c for c in ranked if getattr(mark(c), "primary", False)]
    if len(primaries) > 1:
        choice.primaries = primaries
        return choice
    contenders = primaries or [c for c in ranked if mark(c)] or ranked
    if len(contenders) == 1:
        choice.winner = contenders[0]
        return choice
    if solver is not None:
        picked = solver(interface, list(contenders))
        if picked is not None and picked not in contenders:
            raise AutoBindingError(
                [
                    f"conflict_solver returned {picked!r} for {name_of(interface)}, "
                    "which is not among the candidates: "
                    + ", ".join(name_of(c) for c in contenders)
                ]
            )
        choice.winner = picked
    if choice.winner is None:
        choice.tie = contenders
    return choice
