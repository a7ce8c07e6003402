"""Opt-in inline sync dependencies: ``loop_safe``.

FastAPI runs every plain sync dependency in its threadpool, because it cannot
know whether the body blocks; on these machines that hop costs far more than
a settings getter or a class that only stores its arguments. ``loop_safe``
lets the author vouch for one callable: the async API then calls it inline,
on the event loop. A deliberate departure from FastAPI's rule, and off by
default. (The sync API runs sync dependencies on the calling thread anyway.)

The marker is the ``__fastapi_loop_safe__`` attribute, the one
fastapi-standalone-di and fastapi-cache-di read, so an object marked by any
of them is recognised by all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["LOOP_SAFE_ATTR", "is_loop_safe", "loop_safe"]

#: The attribute that marks a callable loop-safe (shared with other libraries).
LOOP_SAFE_ATTR = "__fastapi_loop_safe__"

T = TypeVar("T")


def loop_safe(obj: T) -> T:
    """Mark a sync function or class as safe to call on the event loop; return it.

    The object itself is returned, so ``Depends(obj)``, ``register`` and
    ``dependency_overrides[obj]`` keep working. It must never block: no I/O,
    no lock, no heavy computation. Mark it before its first resolution
    (compiled plans keep what they saw). Not inherited: a subclass must be
    marked on its own.

    .. versionadded:: 0.2
    """
    if not callable(obj):
        raise TypeError(
            f"fastapi_everywhere.loop_safe: obj must be a sync function or a "
            f"class, got {obj!r}"
        )
    setattr(obj, LOOP_SAFE_ATTR, True)
    return obj


def is_loop_safe(call: Callable[..., Any]) -> bool:
    """Whether ``call`` itself (through ``functools.partial``) carries the marker.

    Read from the object's own namespace, never inherited.

    .. versionadded:: 0.2
    """
    while isinstance(call, functools.partial):
        call = call.func
    try:
        namespace = vars(call)  # a class's is a mappingproxy
    except TypeError:  # no __dict__ (a builtin, a slotted callable)
        return False
    return namespace.get(LOOP_SAFE_ATTR) is True
