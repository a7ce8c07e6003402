"""How a dependency is called: the ``is_*_callable`` helpers.

The rules of FastAPI 0.143 (the newest we follow), whatever FastAPI is
installed: ``functools.partial`` and ``functools.wraps`` layers are looked
through, then the object's ``__call__``, but never a class's ``__call__`` (a
class is called to build an instance, not through its instances' method).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["is_async_gen_callable", "is_coroutine_callable", "is_gen_callable"]


def _without_partial(call: Any) -> Any:
    while isinstance(call, functools.partial):
        call = call.func
    return call


def _views(call: Any) -> tuple[Any, Any]:
    """``call`` without partials, and without partials and ``__wrapped__``."""
    bare = _without_partial(call)
    try:
        return bare, inspect.unwrap(bare)
    except ValueError:  # a __wrapped__ cycle
        return bare, bare


def _matches(call: Any, test: Callable[[Any], bool]) -> bool:
    bare, unwrapped = _views(call)
    if test(bare) or test(unwrapped):
        return True
    if inspect.isclass(unwrapped):
        return False
    for obj in (bare, unwrapped):
        method = getattr(obj, "__call__", None)  # noqa: B004 - the attribute itself
        if method is None:
            return False
        if any(test(view) for view in _views(method)):
            return True
    return False


def _is_coroutine_function(obj: Any) -> bool:
    return inspect.isroutine(obj) and inspect.iscoroutinefunction(obj)


def is_coroutine_callable(call: Callable[..., Any]) -> bool:
    """Whether calling ``call`` returns a coroutine (FastAPI awaits it).

    .. versionadded:: 0.2
    """
    return _matches(call, _is_coroutine_function)


def is_gen_callable(call: Callable[..., Any]) -> bool:
    """Whether calling ``call`` returns a generator (a sync ``yield`` dependency).

    .. versionadded:: 0.2
    """
    return _matches(call, inspect.isgeneratorfunction)


def is_async_gen_callable(call: Callable[..., Any]) -> bool:
    """Whether calling ``call`` returns an async generator.

    .. versionadded:: 0.2
    """
    return _matches(call, inspect.isasyncgenfunction)
