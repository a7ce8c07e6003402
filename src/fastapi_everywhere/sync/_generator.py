"""The generator wrapper: ``iter_with_fastapi_depends`` and the helpers that
drive its steps (in the caller's context, and an async generator's in the
call's task on the loop thread)."""

from __future__ import annotations

import contextvars
import functools
import inspect
import threading
import weakref
from collections.abc import Callable, Generator, Mapping
from typing import Any, TypeVar

from fastapi import FastAPI

from .._bridge import loop as _loop
from .._bridge.drive import SyncDriver
from .._engine import describe
from .._injected import accepts_scope
from .._typing import generator_wrapper_factory
from ._call import CallSetup

__all__ = ["iter_with_fastapi_depends"]

R = TypeVar("R")
Y = TypeVar("Y")


@generator_wrapper_factory
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
    setup = CallSetup(
        func, "iter_with_fastapi_depends", scope=scope, app=app, timeout=timeout
    )

    def iterate(
        args: tuple[Any, ...], kwargs: dict[str, Any], dynamic: Any
    ) -> Generator[Any, Any, Any]:
        driver = setup.driver(args, kwargs, dynamic)
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

    wrapper.__signature__ = setup.target.public_signature  # type: ignore[attr-defined]
    return accepts_scope(wrapper)


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
