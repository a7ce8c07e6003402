"""One FastAPI-like operation: resolve, call the target, run teardown.

Mirrors FastAPI's request handling: a request-scope and a function-scope exit
stack; the target's exception is thrown into ``yield`` dependencies;
function-scoped dependencies close right after the target returns;
background tasks run next; request-scoped dependencies close last.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi._compat import Undefined
from fastapi.exceptions import FastAPIError, RequestValidationError

from ._engine._compat import TEARDOWN_BEFORE_BACKGROUND
from ._engine._threads import run_in_thread
from ._engine.plan import Plan, describe
from ._engine.run import Resolution, solve
from ._errors import MissingParameterError
from ._lifespan import lifespan_state
from ._scope import ScopeSpec

_NOT_SET: Any = object()


def validation_error(errors: list[Any], body: Any) -> RequestValidationError:
    """FastAPI's exact ``RequestValidationError``, as FastAPI builds it.

    This is what ``yield`` dependencies see thrown in and what a host
    framework's error handlers receive; :func:`caller_error` is what the
    library's own callers get.
    """
    return RequestValidationError(errors, body=None if body is Undefined else body)


def caller_error(
    function: str, error: RequestValidationError
) -> RequestValidationError:
    """``error`` for our own callers: :class:`MissingParameterError` (a subclass
    naming ``function``) when every error is a missing parameter."""
    errors = list(error.errors())
    if errors and all(e.get("type") == "missing" for e in errors):
        missing = MissingParameterError(errors, function=function, body=error.body)
        return missing.with_traceback(error.__traceback__)
    return error


def swallowed_error() -> FastAPIError:
    return FastAPIError(
        "No result: the target raised and a dependency with yield swallowed the "
        "exception (a bare except, or except Exception without raise). Re-raise "
        "it in the dependency. (FastAPI raises this same error as 'Response not "
        "awaited'.)"
    )


@asynccontextmanager
async def open_operation(
    plan: Plan,
    *,
    app: Any,
    spec: ScopeSpec | None,
    cache: dict[Any, Any] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Resolve ``plan`` and yield its values inside FastAPI's stacks.

    The block is the operation: its exception is thrown into ``yield``
    dependencies; function-scoped ones close when it ends, then background
    tasks run, then request-scoped ones close.
    """
    invalid: RequestValidationError | None = None
    try:
        async with AsyncExitStack() as request_stack:
            async with AsyncExitStack() as function_stack:
                res = Resolution(
                    plan,
                    spec=spec,
                    app=app,
                    state=lifespan_state(app),
                    cache={} if cache is None else cache,
                    request_stack=request_stack,
                    function_stack=function_stack,
                )
                await solve(res)
                if res.errors:
                    invalid = validation_error(res.errors, res.body)
                    if not TEARDOWN_BEFORE_BACKGROUND:
                        raise invalid
                else:
                    yield res.values
            if res.background_tasks is not None and not TEARDOWN_BEFORE_BACKGROUND:
                await res.background_tasks()
    except RequestValidationError as e:
        if e is invalid:  # the dependencies saw FastAPI's exact error
            raise caller_error(describe(plan.target), e) from None
        raise
    # FastAPI < 0.120 closed the dependencies first (they saw no exception),
    # then raised the validation error or ran the background tasks.
    if invalid is not None:
        raise caller_error(describe(plan.target), invalid)
    if res.background_tasks is not None and TEARDOWN_BEFORE_BACKGROUND:
        await res.background_tasks()


async def run_operation(
    plan: Plan,
    call_target: Callable[[dict[str, Any]], Awaitable[Any]],
    *,
    app: Any,
    spec: ScopeSpec | None,
    cache: dict[Any, Any] | None = None,
) -> Any:
    """Resolve ``plan`` and await ``call_target(values)`` inside FastAPI's stacks."""
    result: Any = _NOT_SET
    async with open_operation(plan, app=app, spec=spec, cache=cache) as values:
        result = await call_target(values)
    if result is _NOT_SET:
        raise swallowed_error()
    return result


async def call_target(
    func: Callable[..., Any],
    is_async: bool,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    values: dict[str, Any],
) -> Any:
    """Call ``func`` with the caller's arguments plus the resolved values.

    The one place a target is called from the event loop: awaited when it
    is async, in a worker thread when it is sync (FastAPI's rule).
    """
    if is_async:
        return await func(*args, **kwargs, **values)
    return await run_in_thread(lambda: func(*args, **kwargs, **values))


def target_caller(
    func: Callable[..., Any],
    is_async: bool,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Callable[[dict[str, Any]], Awaitable[Any]]:
    """:func:`call_target` waiting for the resolved values."""
    return functools.partial(call_target, func, is_async, args, kwargs)
