"""``provides``: mark a factory function (or a class) as an implementation.

``auto_bindings`` binds an interface to the classes that name it as a direct
base; a function has no bases, so ``@provides`` marks it, and its return
annotation names the interface. The mark also ranks candidates when several
implement one interface: marked beats unmarked, ``primary=True`` beats all.
It changes nothing else about the callable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, overload

__all__ = ["PROVIDES_ATTR", "Provides", "provides", "provides_mark"]

T = TypeVar("T")

#: The attribute ``@provides`` sets (copied onto a ``singleton`` wrapper).
PROVIDES_ATTR = "__fe_provides__"


class Provides(NamedTuple):
    """What ``@provides`` recorded on a callable."""

    primary: bool


def provides_mark(call: Any) -> Provides | None:
    """The ``@provides`` mark of ``call`` itself (not inherited), or None."""
    try:
        mark = vars(call).get(PROVIDES_ATTR)
    except TypeError:  # no __dict__
        return None
    return mark if isinstance(mark, Provides) else None


@overload
def provides(fn: Callable[..., T], /) -> Callable[..., T]: ...
@overload
def provides(
    *, primary: bool = ...
) -> Callable[[Callable[..., T]], Callable[..., T]]: ...


def provides(
    fn: Callable[..., T] | None = None, /, *, primary: bool = False
) -> Callable[..., T] | Callable[[Callable[..., T]], Callable[..., T]]:
    """Mark ``fn`` as an implementation for ``auto_bindings``; return it unchanged.

    Bare (``@provides``) or with ``primary=True`` to win over every other
    candidate for the same interface. On a function, the return annotation
    names the interface: the interface, an implementation of it, or the item
    type of an ``Iterator``/``AsyncIterator``/``Generator`` (a ``yield``
    factory). Combines with ``singleton`` in either order.

    .. versionadded:: 0.2
    """
    if not isinstance(primary, bool):
        raise TypeError(f"provides: primary must be a bool, got {primary!r}")

    def mark(target: Callable[..., T]) -> Callable[..., T]:
        if not callable(target):
            raise TypeError(f"provides: expected a function or a class, got {target!r}")
        setattr(target, PROVIDES_ATTR, Provides(primary))
        return target

    return mark if fn is None else mark(fn)
