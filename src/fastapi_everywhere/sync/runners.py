"""The decorator vocabulary of the sync API: plain sync callables.

Each one is the sync twin of the same name in ``fastapi_everywhere``: the
same resolution (the engine's), with sync dependencies run on the calling
thread and async ones on the loop thread (see ``_drive``).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
import weakref
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ParamSpec, Protocol, TypeVar, overload

from fastapi import FastAPI

from .. import _config
from .._bridge import loop as _loop
from .._bridge.drive import NOT_RUN, SyncDriver, new_driver
from .._bridge.lifespan import LoopLifespan
from .._bridge.owner import OwnerTask
from .._engine import describe, plan_for_function
from .._lifecycle import swallowed_error, target_caller
from .._target import Target, call_context, call_spec

__all__ = [
    "iter_with_fastapi_depends",
    "resolve_fastapi_depends",
    "runnify_with_fastapi_depends",
    "with_fastapi_depends",
    "with_fastapi_lifecycle",
]

P = ParamSpec("P")
R = TypeVar("R")
Y = TypeVar("Y")


class _SyncDecorator(Protocol):
    @overload
    def __call__(self, func: Callable[..., Awaitable[R]], /) -> Callable[..., R]: ...
    @overload
    def __call__(self, func: Callable[..., R], /) -> Callable[..., R]: ...


class _GeneratorDecorator(Protocol):
    def __call__(
        self, func: Callable[..., Iterator[Y]] | Callable[..., Any], /
    ) -> Callable[..., Generator[Y, Any, Any]]: ...


# -- with_fastapi_depends ------------------------------------------------------


@overload
def with_fastapi_depends(
    func: Callable[P, Awaitable[R]],
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[..., R]: ...
@overload
def with_fastapi_depends(
    func: Callable[P, R],
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[..., R]: ...
@overload
def with_fastapi_depends(
    func: None = None,
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> _SyncDecorator: ...


def with_fastapi_depends(
    func: Callable[..., Any] | None = None,
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Any:
    """Resolve ``func``'s FastAPI dependencies at each call; a plain sync callable.

    Sync or async ``func``. Each call is one FastAPI request's worth: a fresh
    cache, ``yield`` teardown after the call (the call's exception is thrown
    into them), background tasks before request-scoped teardown. Sync
    dependencies (and a sync ``func``) run on the calling thread; async ones
    (and an async ``func``) on the shared loop thread, all of one call in one
    task. ``scope``/``_scope=`` and ``context`` work as in the async API.
    ``timeout`` bounds each wait on the loop thread
    (:class:`~fastapi_everywhere.sync.LoopTimeoutError`).
    """
    if func is None:
        return functools.partial(
            with_fastapi_depends, scope=scope, context=context, app=app, timeout=timeout
        )
    target = Target(func, "with_fastapi_depends")
    name = f"sync.with_fastapi_depends({target.name})"
    is_async = target.is_async

    def call(args: tuple[Any, ...], kwargs: dict[str, Any], dynamic: Any) -> Any:
        _loop.check_not_loop_thread(name)
        use_app = _config.app_for(app)
        plan = target.plan_for(use_app, args, kwargs)
        driver = new_driver(
            plan,
            app=use_app,
            spec=call_spec(scope, dynamic),
            name=name,
            timeout=timeout,
        )
        if is_async:
            driver.then = target_caller(func, True, args, kwargs)
        with call_context(context), driver as values:
            if not is_async:
                return func(*args, **kwargs, **values)
            result = driver.then_result
            if result is NOT_RUN:
                result = driver.on_loop(
                    functools.partial(func, *args, **kwargs, **values)
                )
            return result
        raise swallowed_error()  # a yield dependency swallowed the exception

    @functools.wraps(func)
    def wrapper(
        *args: Any, _scope: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        # A context of its own, like one request: what dependencies set is
        # seen by the target, not by the caller afterwards.
        return contextvars.copy_context().run(call, args, kwargs, _scope)

    wrapper.__signature__ = target.public_signature  # type: ignore[attr-defined]
    return wrapper


# -- iter_with_fastapi_depends -------------------------------------------------


@overload
def iter_with_fastapi_depends(
    func: Callable[P, Iterator[Y]],
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[..., Generator[Y, Any, Any]]: ...
@overload
def iter_with_fastapi_depends(
    func: Callable[P, Any],
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[..., Generator[Any, Any, Any]]: ...
@overload
def iter_with_fastapi_depends(
    func: None = None,
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> _GeneratorDecorator: ...


def iter_with_fastapi_depends(
    func: Callable[..., Any] | None = None,
    /,
    *,
    scope: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Any:
    """Resolve the dependencies of a (sync or async) generator function.

    Returns a generator function producing plain generators. Dependencies are
    resolved at the first ``next()`` and stay open while the caller iterates;
    teardown runs when iteration ends or fails, or when the generator is
    closed early (``close()``, ``break`` + garbage collection). Exceptions
    thrown in (``gen.throw``) reach the generator and then its ``yield``
    dependencies. An async generator runs in the one loop task of the call.
    """
    if func is None:
        return functools.partial(
            iter_with_fastapi_depends, scope=scope, app=app, timeout=timeout
        )
    is_async = inspect.isasyncgenfunction(func)
    if not (is_async or inspect.isgeneratorfunction(func)):
        raise TypeError(
            f"iter_with_fastapi_depends: {describe(func)} is not a generator "
            "function (def/async def ... yield); use with_fastapi_depends"
        )
    target = Target(func, "iter_with_fastapi_depends")
    name = f"sync.iter_with_fastapi_depends({target.name})"

    def iterate(
        args: tuple[Any, ...], kwargs: dict[str, Any], dynamic: Any
    ) -> Generator[Any, Any, Any]:
        _loop.check_not_loop_thread(name)
        use_app = _config.app_for(app)
        plan = target.plan_for(use_app, args, kwargs)
        driver = new_driver(
            plan,
            app=use_app,
            spec=call_spec(scope, dynamic),
            name=name,
            timeout=timeout,
        )
        with driver as values:
            try:
                if is_async:
                    return (
                        yield from _drive_async_gen(
                            driver, func(*args, **kwargs, **values)
                        )
                    )
                return (yield from func(*args, **kwargs, **values))
            except GeneratorExit:
                # The consumer stopped early (close(), garbage collection, a
                # client gone from a streamed response): the generator is
                # closed; the dependencies exit cleanly, as after a response.
                return None

    @functools.wraps(func)
    def wrapper(
        *args: Any, _scope: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Generator[Any, Any, Any]:
        context = contextvars.copy_context()
        inner = iterate(args, kwargs, _scope)
        # Still suspended at interpreter exit: closed then (teardown in the
        # task that set up), not by the loop's shutdown in another task.
        unregister = _loop.on_shutdown(_closer(weakref.ref(inner), context))
        try:
            return (yield from _in_context(context, inner))
        finally:
            unregister()

    wrapper.__signature__ = target.public_signature  # type: ignore[attr-defined]
    return wrapper


def _closer(
    ref: weakref.ref[Generator[Any, Any, Any]], context: contextvars.Context
) -> Callable[[], None]:
    def close() -> None:
        gen = ref()
        if gen is not None:
            context.run(gen.close)

    return close


def _in_context(
    context: contextvars.Context, gen: Generator[Y, Any, R]
) -> Generator[Y, Any, R]:
    """``yield from gen``, running each step of ``gen`` in ``context``."""
    run = context.run
    try:
        value = run(next, gen)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    while True:
        try:
            sent = yield value
        except GeneratorExit:
            if _loop.in_loop_thread():
                # Collected on the loop thread, which teardown must wait on:
                # close it from a thread of its own.
                threading.Thread(
                    target=run, args=(gen.close,), name="fastapi-everywhere-close"
                ).start()
            else:
                run(gen.close)
            raise
        except BaseException as e:
            try:
                value = run(gen.throw, e)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
        else:
            try:
                value = run(gen.send, sent)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]


def _drive_async_gen(driver: SyncDriver, agen: Any) -> Generator[Any, Any, None]:
    """Iterate an async generator, each step in the owner task of ``driver``."""
    step = functools.partial(agen.asend, None)
    while True:
        try:
            value = driver.on_loop(step)
        except StopAsyncIteration:
            return
        try:
            sent = yield value
        except GeneratorExit:
            driver.on_loop(agen.aclose)
            raise
        except BaseException as e:
            step = functools.partial(agen.athrow, e)
        else:
            step = functools.partial(agen.asend, sent)


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


@overload
def runnify_with_fastapi_depends(
    func: Callable[P, Awaitable[R]],
    /,
    *,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[..., R]: ...
@overload
def runnify_with_fastapi_depends(
    func: Callable[P, R],
    /,
    *,
    app: FastAPI | None = None,
    timeout: float | None = None,
) -> Callable[..., R]: ...
@overload
def runnify_with_fastapi_depends(
    func: None = None, /, *, app: FastAPI | None = None, timeout: float | None = None
) -> _SyncDecorator: ...


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
    inner: Callable[..., Any] = with_fastapi_depends(func, app=app, timeout=timeout)
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
    return wrapper
