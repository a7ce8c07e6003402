"""The decorator vocabulary (``fastapi-depends-anywhere``) of the async API."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from . import _config
from ._engine import describe, plan_for_function
from ._engine._threads import run_in_thread
from ._engine.plan import Plan
from ._errors import LoopThreadError
from ._injected import accepts_scope
from ._lifecycle import open_operation, run_operation, target_caller
from ._lifespan import run_lifespan
from ._scope import ScopeSpec
from ._target import Target, call_context, call_spec
from ._typing import (
    async_generator_wrapper_factory,
    async_wrapper_factory,
    sync_wrapper_factory,
)


@async_wrapper_factory
def with_fastapi_depends(
    func: Callable[..., Any] | None = None,
    *,
    scope: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
    app: FastAPI | None = None,
) -> Any:
    """Resolve the FastAPI dependencies of ``func`` at each call.

    Works on sync and async functions and returns an async function. The
    caller's own arguments pass through; parameters FastAPI would inject
    (``Depends``, ``Security``, ``Header``/``Query``/..., ``Request``,
    ``BackgroundTasks``...) are resolved like one FastAPI request: a fresh
    per-call cache, ``yield`` teardown after the call, background tasks run
    before request-scoped teardown. ``scope`` is a static ASGI scope merged
    into the request; a call-time ``_scope=`` (e.g. a FastAPI
    ``request.scope``) is merged over it. ``context`` is handed to the
    configured ``context_factory`` around each call.
    """
    if func is None:
        return lambda f: with_fastapi_depends(f, scope=scope, context=context, app=app)
    target = Target(func, "with_fastapi_depends")

    @functools.wraps(func)
    async def wrapper(
        *args: Any, _scope: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        use_app = _config.app_for(app)
        plan = target.plan_for(use_app, args, kwargs)
        caller = target_caller(func, target.is_async, args, kwargs)
        spec = call_spec(scope, _scope)
        if context is None:  # no context factory to enter
            return await run_operation(plan, caller, app=use_app, spec=spec)
        with call_context(context):
            return await run_operation(plan, caller, app=use_app, spec=spec)

    wrapper.__signature__ = target.public_signature  # type: ignore[attr-defined]
    return accepts_scope(wrapper)


@async_generator_wrapper_factory
def aiter_with_fastapi_depends(
    func: Callable[..., Any] | None = None, *, app: FastAPI | None = None
) -> Any:
    """Resolve the dependencies of an async generator function at each call.

    The dependencies stay open while the caller iterates; ``yield`` teardown
    runs when iteration ends, fails, or the generator is closed (``aclose``,
    ``break`` + garbage collection).
    """
    if func is None:
        return lambda f: aiter_with_fastapi_depends(f, app=app)
    if not inspect.isasyncgenfunction(func):
        raise TypeError(
            f"aiter_with_fastapi_depends: {describe(func)} is not an async "
            "generator function (async def ... yield); use with_fastapi_depends"
        )
    target = Target(func, "aiter_with_fastapi_depends")

    @functools.wraps(func)
    async def wrapper(
        *args: Any, _scope: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> AsyncIterator[Any]:
        use_app = _config.app_for(app)
        plan = target.plan_for(use_app, args, kwargs)
        async with _owned(plan, use_app, call_spec(None, _scope)) as values:
            agen = func(*args, **kwargs, **values)
            # What ``yield from`` does for generators: sent values and
            # thrown exceptions go to the wrapped generator.
            try:
                item = await agen.__anext__()
                while True:
                    try:
                        sent = yield item
                    except GeneratorExit:
                        # The consumer stopped early (aclose(), garbage
                        # collection): close the generator; the dependencies
                        # then exit cleanly, as after a response.
                        await agen.aclose()
                        return
                    except BaseException as e:
                        item = await agen.athrow(e)
                    else:
                        item = await agen.asend(sent)
            except StopAsyncIteration:
                return

    wrapper.__signature__ = target.public_signature  # type: ignore[attr-defined]
    return accepts_scope(wrapper)


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()  # no "exception was never retrieved" log


def _only_generator_exit(exc: BaseException) -> bool:
    inner = getattr(exc, "exceptions", None)  # an exception group
    if inner is None:
        return isinstance(exc, GeneratorExit)
    return all(_only_generator_exit(e) for e in inner)


@asynccontextmanager
async def _owned(
    plan: Plan, app: Any, spec: ScopeSpec | None
) -> AsyncIterator[dict[str, Any]]:
    """:func:`open_operation` in a task of its own, for dependencies held across awaits.

    An abandoned async generator is closed by the event loop in a new task;
    the dependencies (an anyio cancel scope, a task group) must still be torn
    down in the task that set them up. Context variables the dependencies set
    are copied back to the caller, and the caller's exception is thrown into
    them, as if they had run in the caller's task.
    """
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[tuple[dict[str, Any], contextvars.Context]]
    ready = loop.create_future()
    ready.add_done_callback(_retrieve)
    done: asyncio.Future[BaseException | None] = loop.create_future()

    async def own() -> None:
        try:
            async with open_operation(plan, app=app, spec=spec) as values:
                ready.set_result((values, contextvars.copy_context()))
                exc = await done
                if exc is not None:
                    raise exc
        except BaseException as e:
            if not ready.done():
                if isinstance(e, Exception):
                    ready.set_exception(e)
                else:
                    ready.cancel()
            raise

    task = loop.create_task(own())
    task.add_done_callback(_retrieve)
    try:
        values, context = await asyncio.shield(ready)
    except BaseException:
        if not done.done():
            done.set_result(None)
        raise
    for var, value in context.items():
        var.set(value)
    try:
        yield values
    except BaseException as e:
        if not done.done():
            # A fresh GeneratorExit: the caller's must not cross an await.
            done.set_result(GeneratorExit() if isinstance(e, GeneratorExit) else e)
        await asyncio.wait([task])
        raised = _outcome(task)
        if raised is None:
            return  # a dependency suppressed it
        # aclose(): a task group in a dependency wraps the GeneratorExit.
        if (
            raised is e
            or (isinstance(e, GeneratorExit) and _only_generator_exit(raised))
            or (isinstance(e, asyncio.CancelledError) and task.cancelled())
        ):
            raise
        raise raised from e
    else:
        if not done.done():
            done.set_result(None)
        await asyncio.wait([task])
        raised = _outcome(task)
        if raised is not None:
            raise raised


def _outcome(task: asyncio.Task[Any]) -> BaseException | None:
    if task.cancelled():
        return asyncio.CancelledError()
    return task.exception()


@asynccontextmanager
async def resolve_fastapi_depends(
    func: Callable[..., Any],
    scope: Mapping[str, Any] | None = None,
    dependency_overrides_provider: Any = None,
) -> AsyncIterator[dict[str, Any]]:
    """Resolve ``func``'s dependencies and yield them as keyword arguments.

    Teardown runs when the block exits (the block's exception is thrown into
    ``yield`` dependencies). ``dependency_overrides_provider`` is any object
    with ``dependency_overrides`` (usually the FastAPI app); by default the
    configured app.
    """
    provider = dependency_overrides_provider
    app = provider if isinstance(provider, FastAPI) else _config.configured_app()
    if provider is None:
        provider = app
    plan = plan_for_function(func, overrides=_config.overrides_of(provider))
    async with open_operation(plan, app=app, spec=call_spec(scope, None)) as values:
        yield values


@async_wrapper_factory
def with_fastapi_lifecycle(
    func: Callable[..., Any] | None = None, *, app: FastAPI | None = None
) -> Any:
    """Run ``func`` inside the FastAPI app's lifespan (start-up before, shutdown after)."""
    if func is None:
        return lambda f: with_fastapi_lifecycle(f, app=app)
    is_async = inspect.iscoroutinefunction(func)
    name = f"with_fastapi_lifecycle({describe(func)})"

    @functools.wraps(func)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        use_app = _config.require_app(app)
        async with run_lifespan(use_app, owner=name):
            if is_async:
                return await func(*args, **kwargs)
            return await run_in_thread(functools.partial(func, *args, **kwargs))

    return wrapper


@sync_wrapper_factory
def runnify_with_fastapi_depends(
    func: Callable[..., Any] | None = None, *, app: FastAPI | None = None
) -> Any:
    """Lifespan + dependencies + run: a plain sync callable for ``func``.

    For scripts and CLI entry points: ``main = runnify_with_fastapi_depends(main)``
    then ``main()`` — no ``asyncio.run`` needed. Must not be called from a
    running event loop in the same thread (``await`` the async API there).
    """
    if func is None:
        return lambda f: runnify_with_fastapi_depends(f, app=app)
    inner: Callable[..., Any] = with_fastapi_depends(func, app=app)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise LoopThreadError(
                f"runnify_with_fastapi_depends: {describe(func)} was called from a "
                "running event loop; await with_fastapi_depends(...) instead, or "
                "use fastapi_everywhere.sync from another thread"
            )
        use_app = _config.app_for(app)

        async def main() -> Any:
            if use_app is None:
                return await inner(*args, **kwargs)
            owner = f"runnify_with_fastapi_depends({describe(func)})"
            async with run_lifespan(use_app, owner=owner):
                return await inner(*args, **kwargs)

        return asyncio.run(main())

    wrapper.__signature__ = inspect.signature(inner)  # type: ignore[attr-defined]
    return accepts_scope(wrapper)
