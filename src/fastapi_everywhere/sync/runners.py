"""The decorator vocabulary of the sync API: plain sync callables.

Each one is the sync twin of the same name in ``fastapi_everywhere``: the
same resolution (the engine's), with sync dependencies run on the calling
thread and async ones on the loop thread (see ``_bridge.drive``). This
module holds ``resolve_fastapi_depends``, ``with_fastapi_lifecycle`` and
``runnify_with_fastapi_depends``; the decorator (``_decorator``) and the
generator wrapper (``_generator``) are re-exported here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ParamSpec, Protocol, TypeVar, overload

from fastapi import FastAPI

from .. import _config
from .._bridge import loop as _loop
from .._bridge.drive import new_driver
from .._bridge.lifespan import LoopLifespan
from .._bridge.owner import OwnerTask
from .._engine import describe, plan_for_function
from .._injected import accepts_scope
from .._lifecycle import swallowed_error
from .._target import call_spec
from .._typing import sync_wrapper_factory
from ._decorator import with_fastapi_depends
from ._generator import iter_with_fastapi_depends

__all__ = [
    "iter_with_fastapi_depends",
    "resolve_fastapi_depends",
    "runnify_with_fastapi_depends",
    "with_fastapi_depends",
    "with_fastapi_lifecycle",
]

P = ParamSpec("P")
R = TypeVar("R")


# -- resolve_fastapi_depends ---------------------------------------------------


@contextmanager
def resolve_fastapi_depends(
    func: Callable[..., Any],
    scope: Mapping[str, Any] | None = None,
    dependency_overrides_provider: Any = None,
    *,
    timeout: float | None = None,
) -> Iterator[dict[str, Any]]:
    """Resolve ``func``'s dependencies; yield them as keyword arguments.

    A sync context manager: teardown runs when the block exits (its
    exception is thrown into ``yield`` dependencies).
    ``dependency_overrides_provider`` is any object with
    ``dependency_overrides`` (usually the FastAPI app); by default the
    configured app.
    """
    provider = dependency_overrides_provider
    app = provider if isinstance(provider, FastAPI) else _config.configured_app()
    if provider is None:
        provider = app
    name = f"sync.resolve_fastapi_depends({describe(func)})"
    _loop.check_not_loop_thread(name)
    plan = plan_for_function(func, overrides=_config.overrides_of(provider))
    driver = new_driver(
        plan, app=app, spec=call_spec(scope, None), name=name, timeout=timeout
    )
    with driver as values:
        yield values


# -- with_fastapi_lifecycle / runnify_with_fastapi_depends ----------------------


class _Decorator(Protocol):
    @overload
    def __call__(self, func: Callable[P, Awaitable[R]], /) -> Callable[P, R]: ...
    @overload
    def __call__(self, func: Callable[P, R], /) -> Callable[P, R]: ...


@overload
def with_fastapi_lifecycle(
    func: Callable[P, Awaitable[R]],
    /,
    *,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[P, R]: ...
@overload
def with_fastapi_lifecycle(
    func: Callable[P, R],
    /,
    *,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[P, R]: ...
@overload
def with_fastapi_lifecycle(
    func: None = None, /, *, app: FastAPI | None = None, timeout: float | None = None
) -> _Decorator: ...


def with_fastapi_lifecycle(
    func: Callable[..., Any] | None = None,
    /,
    *,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Any:
    """Run ``func`` inside the FastAPI app's lifespan; a plain sync callable.

    Start-up before, shutdown after (also when ``func`` raises, and at
    interpreter exit if the process ends during the call), both in one task on
    the loop thread. A sync ``func`` runs on the calling thread, an async one
    on the loop thread.
    """
    if func is None:
        return functools.partial(with_fastapi_lifecycle, app=app, timeout=timeout)
    name = f"sync.with_fastapi_lifecycle({describe(func)})"
    is_async = inspect.iscoroutinefunction(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _loop.check_not_loop_thread(name)
        use_app = _config.require_app(app)
        with LoopLifespan(use_app, name, timeout) as _:
            if not is_async:
                return func(*args, **kwargs)
            return OwnerTask(name, timeout).call(
                functools.partial(func, *args, **kwargs), last=True
            )
        raise swallowed_error()  # pragma: no cover - the lifespan swallowed it

    return wrapper


@sync_wrapper_factory
def runnify_with_fastapi_depends(
    func: Callable[..., Any] | None = None,
    /,
    *,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Any:
    """Lifespan + dependencies + run: a plain sync callable for ``func``.

    For scripts and CLI entry points: ``main = runnify_with_fastapi_depends(main)``
    then ``main()``. The app's lifespan (the given or configured app; none if
    there is neither) runs around the call. Unlike the async module's, it
    uses the shared loop thread, so it also works from a thread that runs an
    event loop of its own (blocking it for the call).
    """
    if func is None:
        return functools.partial(runnify_with_fastapi_depends, app=app, timeout=timeout)
    inner = with_fastapi_depends(func, app=app, timeout=timeout)
    name = f"sync.runnify_with_fastapi_depends({describe(func)})"

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _loop.check_not_loop_thread(name)
        use_app = _config.app_for(app)
        if use_app is None:
            return inner(*args, **kwargs)
        with LoopLifespan(use_app, name, timeout):
            return inner(*args, **kwargs)
        raise swallowed_error()  # pragma: no cover - the lifespan swallowed it

    wrapper.__signature__ = inspect.signature(inner)  # type: ignore[attr-defined]
    return accepts_scope(wrapper)
