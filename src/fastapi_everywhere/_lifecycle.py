"""One FastAPI-like operation: resolve, call the target, end it in FastAPI's order.

Mirrors FastAPI's request handling: a request-scope and a function-scope exit
stack; the target's exception is thrown into ``yield`` dependencies;
function-scoped dependencies close right after the target returns;
background tasks run next; request-scoped dependencies close last.

:data:`END_ORDER` is that order for the installed FastAPI, in one place;
:func:`end_operation` (sync callers: the sync API, WSGI hosts) and
:func:`aend_operation` (the async API) follow it.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any

from fastapi._compat import Undefined
from fastapi.exceptions import FastAPIError, RequestValidationError

from ._engine._compat import TEARDOWN_BEFORE_BACKGROUND
from ._engine._threads import run_in_thread
from ._engine.plan import Plan, describe
from ._engine.run import Resolution
from ._engine.solve import solve
from ._errors import MissingParameterError, ParameterValidationError
from ._lifespan import lifespan_state
from ._scope import ScopeSpec

_NOT_SET: Any = object()

#: The phases that end an operation.
FUNCTION, BACKGROUND, REQUEST = (
    "function-scoped exits",
    "background tasks",
    "request-scoped exits",
)
#: FastAPI's order of them: from 0.120 background tasks run between the
#: function- and request-scoped exits; before, after every exit.
END_ORDER: tuple[str, ...] = (
    (FUNCTION, REQUEST, BACKGROUND)
    if TEARDOWN_BEFORE_BACKGROUND
    else (FUNCTION, BACKGROUND, REQUEST)
)

_AFTER_FUNCTION = END_ORDER[1:]
assert END_ORDER[0] is FUNCTION

#: An exit: called with the error so far, returns the error left after it.
Exit = Callable[[BaseException | None], BaseException | None]
AsyncExit = Callable[[BaseException | None], Awaitable[BaseException | None]]


def end_operation(
    exc: BaseException | None,
    *,
    function: Exit | None = None,
    background: Callable[[], Any] | None = None,
    request: Exit | None = None,
) -> BaseException | None:
    """End an operation in :data:`END_ORDER`; return the error left, if any.

    ``exc`` (the target's error) is thrown into the exits; background tasks
    run only if no error is left when their turn comes; an error a phase
    raises goes on to the next one. None back with an ``exc`` given: a
    ``yield`` dependency swallowed it.
    """
    if function is not None:  # FUNCTION is first in every order
        exc = function(exc)
    for phase in _AFTER_FUNCTION:
        if phase is REQUEST:
            if request is not None:
                exc = request(exc)
        elif exc is None and background is not None:
            try:
                background()
            except BaseException as e:  # thrown into what is left, then raised
                exc = e
    return exc


async def aend_operation(
    exc: BaseException | None,
    *,
    function: AsyncExit | None = None,
    background: Callable[[], Awaitable[Any]] | None = None,
    request: AsyncExit | None = None,
) -> BaseException | None:
    """:func:`end_operation` for async exits and tasks."""
    if function is not None:
        exc = await function(exc)
    for phase in _AFTER_FUNCTION:
        if phase is REQUEST:
            if request is not None:
                exc = await request(exc)
        elif exc is None and background is not None:
            try:
                await background()
            except BaseException as e:  # thrown into what is left, then raised
                exc = e
    return exc


def exit_with(
    exit_: Callable[[Any, Any, Any], bool | None], exc: BaseException | None
) -> BaseException | None:
    """Run an ``__exit__``-like ``exit_`` with ``exc``; the error that is left."""
    try:
        if exc is None:
            exit_(None, None, None)
            return None
        if exit_(type(exc), exc, exc.__traceback__):
            return None  # a dependency swallowed it: as FastAPI, carry on
        return exc
    except BaseException as e:  # teardown raised (exc re-raised or a new one)
        return e


async def aexit_with(
    stack: AsyncExitStack, exc: BaseException | None
) -> BaseException | None:
    """:func:`exit_with` for an ``AsyncExitStack``."""
    try:
        if exc is None:
            await stack.__aexit__(None, None, None)
            return None
        if await stack.__aexit__(type(exc), exc, exc.__traceback__):
            return None
        return exc
    except BaseException as e:
        return e


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
    """``error`` for our own callers, naming ``function``: a
    :class:`MissingParameterError` when every error is a missing parameter,
    else a :class:`ParameterValidationError` (both subclass ``error``'s type)."""
    errors = list(error.errors())
    if errors and all(e.get("type") == "missing" for e in errors):
        missing = MissingParameterError(errors, function=function, body=error.body)
        return missing.with_traceback(error.__traceback__)
    # Still a RequestValidationError, and fastapi-standalone-di's name for it.
    invalid = ParameterValidationError(errors, function=function, body=error.body)
    return invalid.with_traceback(error.__traceback__)


def swallowed_error() -> FastAPIError:
    return FastAPIError(
        "No result: the target raised and a dependency with yield swallowed the "
        "exception (a bare except, or except Exception without raise). Re-raise "
        "it in the dependency. (FastAPI raises this same error as 'Response not "
        "awaited'.)"
    )


def open_operation(
    plan: Plan,
    *,
    app: Any,
    spec: ScopeSpec | None,
    cache: dict[Any, Any] | None = None,
) -> Operation:
    """Resolve ``plan`` and give its values inside FastAPI's stacks.

    ``async with open_operation(...) as values``: the block is the
    operation: its exception is thrown into ``yield`` dependencies;
    function-scoped ones close when it ends, then background tasks run,
    then request-scoped ones close.
    """
    return Operation(plan, app=app, spec=spec, cache=cache)


class Operation:
    """One operation as an async context manager (:func:`open_operation`)."""

    __slots__ = ("function_stack", "invalid", "res")

    def __init__(
        self, plan: Plan, *, app: Any, spec: ScopeSpec | None, cache: Any
    ) -> None:
        # A function scope only for a plan with function-scoped exits: no
        # other step ever pushes onto it.
        function = self.function_stack = (
            AsyncExitStack() if plan.function_exits else None
        )
        self.res = Resolution(
            plan,
            spec=spec,
            app=app,
            state=lifespan_state(app),
            cache={} if cache is None else cache,
            request_stack=AsyncExitStack(),
            function_stack=function,
        )
        self.invalid: RequestValidationError | None = None

    async def __aenter__(self) -> dict[str, Any]:
        res = self.res
        try:
            await solve(res)
        except BaseException as e:
            if await self._end(e):
                swallowed = True  # a yield dependency swallowed it
            else:
                raise
        else:
            if not res.errors:
                return res.values
            invalid = self.invalid = validation_error(res.errors, res.body)
            if TEARDOWN_BEFORE_BACKGROUND:
                # FastAPI < 0.120 closed the dependencies first (they saw no
                # exception), then raised the validation error; no task ran.
                res.background_tasks = None
                swallowed = await self._end(None)
            else:
                try:
                    raise invalid  # FastAPI's exact error, thrown into the deps
                except RequestValidationError:
                    pass
                swallowed = await self._end(invalid)
        assert swallowed
        raise swallowed_error()

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        return await self._end(exc)

    async def _end(self, exc: BaseException | None) -> bool:
        """End in FastAPI's order; True: ``exc`` was swallowed (raise the rest)."""
        res = self.res
        function = self.function_stack
        if (
            exc is None
            and function is None
            and res.background_tasks is None
            and self.invalid is None
        ):
            # The usual end: only the request's exits, nothing to throw in.
            await res.request_stack.__aexit__(None, None, None)
            return False
        left = await aend_operation(
            exc,
            function=(
                functools.partial(aexit_with, function)
                if function is not None and _has_exits(function)
                else None
            ),
            background=res.background_tasks,
            request=functools.partial(aexit_with, res.request_stack),
        )
        invalid = self.invalid
        if invalid is not None and (left is invalid or exc is None):
            raise caller_error(describe(res.plan.target), invalid) from None
        if left is exc:
            return False
        if left is None:
            return True
        raise left


def _has_exits(stack: AsyncExitStack) -> bool:
    """Whether exiting ``stack`` runs anything (an empty one returns the error)."""
    callbacks = getattr(stack, "_exit_callbacks", None)
    return callbacks is None or bool(callbacks)


async def run_operation(
    plan: Plan,
    call_target: Callable[[dict[str, Any]], Awaitable[Any]],
    *,
    app: Any,
    spec: ScopeSpec | None,
    cache: dict[Any, Any] | None = None,
) -> Any:
    """Resolve ``plan`` and await ``call_target(values)`` inside FastAPI's stacks."""
    operation = Operation(plan, app=app, spec=spec, cache=cache)
    values = await operation.__aenter__()
    try:
        result = await call_target(values)
    except BaseException as e:
        if not await operation.__aexit__(type(e), e, e.__traceback__):
            raise
        result = _NOT_SET
    else:
        await operation.__aexit__(None, None, None)
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
