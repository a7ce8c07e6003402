"""Drive the engine's :class:`Resolution` from the calling thread.

The sync twin of ``_engine.solve.solve`` and ``_lifecycle.run_operation``,
with the same steps (the engine's) and a different choice of *where* they run:

* ``res.advance(True)`` runs sync dependencies and sync generator
  dependencies inline, on the calling thread (thread-sensitive, like asgiref:
  Django's per-thread DB connection is the one the view uses), and stops
  before a step that must await;
* those steps (``res.async_step()``, ``res.read_body()``) run on the loop
  thread, in the one :class:`OwnerTask` of the resolution, which also exits
  the async ``yield`` dependencies at the end. Consecutive async steps go in
  one round trip; a resolution with no async step never touches the loop.

Teardown keeps FastAPI's order across both worlds: each scope has one
:class:`Exits` stack in which sync exits (run on the thread that closes it)
and *segments* of async exits (closed in the owner task) are interleaved in
entry order.
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager, AsyncExitStack, ExitStack
from functools import partial
from typing import Any, Protocol

from fastapi.background import BackgroundTasks
from fastapi.exceptions import RequestValidationError
from starlette.responses import Response

from .._engine._compat import TEARDOWN_BEFORE_BACKGROUND
from .._engine.plan import Node, Plan, describe
from .._engine.run import DONE, NEED_ASYNC, Resolution
from .._lifecycle import (
    caller_error,
    end_operation,
    exit_with,
    swallowed_error,
    validation_error,
)
from .._lifespan import lifespan_state
from .._scope import ScopeSpec
from .._source import RequestSource
from .owner import HasOwnerTask, OwnerTask


def _has_exits(stack: AsyncExitStack) -> bool:
    callbacks = getattr(stack, "_exit_callbacks", None)
    return callbacks is None or bool(callbacks)


class _HasOwner(Protocol):
    @property
    def owner(self) -> OwnerTask: ...


class Exits:
    """A teardown stack in entry order, across the calling thread and the loop.

    Sync exits run on the thread that closes the stack; each run of async
    exits is an ``AsyncExitStack`` segment closed in the owner task (one round
    trip per segment). Closing the segment marked ``last`` ends the task.
    """

    __slots__ = ("driver", "segments", "stack", "top")

    def __init__(self, driver: _HasOwner) -> None:
        self.driver = driver  # its owner task is made on first async need
        self.stack = ExitStack()
        #: The segment on top of the stack, if the top entry is async.
        self.top: AsyncExitStack | None = None
        #: Every async segment pushed, in order.
        self.segments: list[AsyncExitStack] = []

    def closes_on_loop(self) -> bool:
        """Whether closing runs anything in the owner task (an async exit)."""
        return any(_has_exits(segment) for segment in self.segments)

    def close(self, exc: BaseException | None) -> BaseException | None:
        """Exit everything with ``exc`` thrown in; the error left (``exit_with``)."""
        return exit_with(self.stack.__exit__, exc)

    def push_sync(self, cm: AbstractContextManager[Any]) -> None:
        self.stack.push(cm)
        self.top = None

    def segment(self) -> AsyncExitStack:
        """The async segment on top, pushed now if the top is a sync exit."""
        top = self.top
        if top is None:
            top = AsyncExitStack()
            self.push_segment(top)
        return top

    def push_segment(self, segment: AsyncExitStack, *, last: bool = False) -> None:
        owner = self.driver.owner

        def exit_segment(exc_type: Any, exc: Any, tb: Any) -> bool:
            if not _has_exits(segment):
                if last:
                    owner.finish()
                return False
            if owner.broken is not None:
                warnings.warn(
                    f"{owner.name}: async teardown skipped, {owner.broken}",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return False
            return bool(
                owner.call(partial(segment.__aexit__, exc_type, exc, tb), last=last)
            )

        self.stack.push(exit_segment)
        self.top = segment
        self.segments.append(segment)


class SyncDriver(HasOwnerTask):
    """Runs one :class:`Resolution` from the calling thread.

    Used as a context manager it is one FastAPI operation (the shape of
    ``run_operation``): ``__enter__`` resolves and returns the values,
    ``__exit__`` throws the block's exception into ``yield`` dependencies,
    closes function scope, runs background tasks, closes request scope.

    ``then``, if set, is awaited with the values right after the resolution
    when it ends on the loop (an async target: no extra round trip).
    """

    __slots__ = (
        "_function_exits",
        "_owner",
        "_request_exits",
        "base_pushed",
        "name",
        "res",
        "then",
        "then_result",
        "timeout",
    )

    #: Raise :class:`MissingParameterError` to the caller when parameters are
    #: missing (a host request raises FastAPI's exact error to its handlers).
    caller_errors = True

    def __init__(
        self,
        plan: Plan,
        name: str,
        timeout: float | None,
        *,
        spec: ScopeSpec | None,
        app: Any,
        state: Any,
        cache: dict[Any, Any],
        request_stack: AsyncExitStack,
        source: RequestSource | None = None,
        background_tasks: BackgroundTasks | None = None,
        response: Response | None = None,
    ) -> None:
        """Drive a new :class:`Resolution` of ``plan``; the driver routes its exits."""
        self.res = Resolution(
            plan,
            spec=spec,
            app=app,
            state=state,
            cache=cache,
            request_stack=request_stack,
            function_stack=AsyncExitStack(),
            source=source,
            background_tasks=background_tasks,
            response=response,
            isolate_context=False,  # contextvars set by deps reach the target
            stack_for=self._stack_for,
            push_sync_exit=self._push_sync_exit,
        )
        self.name = name
        self.timeout = timeout
        self._owner: OwnerTask | None = None
        self._request_exits: Exits | None = None
        self._function_exits: Exits | None = None
        self.base_pushed = False
        self.then: Callable[[dict[str, Any]], Awaitable[Any]] | None = None
        self.then_result: Any = NOT_RUN

    def _exits(self, node: Node) -> Exits:
        if node.function_scope:
            exits = self._function_exits
            if exits is None:
                exits = self._function_exits = Exits(self)
        else:
            exits = self._request_exits
            if exits is None:
                exits = self._request_exits = Exits(self)
        return exits

    def _stack_for(self, node: Node) -> AsyncExitStack:  # on the loop thread
        return self._exits(node).segment()

    def _push_sync_exit(self, node: Node, cm: AbstractContextManager[Any]) -> None:
        self._exits(node).push_sync(cm)

    def on_loop(self, fn: Callable[[], Awaitable[Any]]) -> Any:
        """Run ``await fn()`` in the owner task (one round trip)."""
        if not self.base_pushed:
            # The request stack of the resolution (FastAPI's cleanup cancel
            # scope, form files) is the bottom segment: closed last, in the
            # owner task, and closing it ends the task.
            self.base_pushed = True
            exits = self._request_exits
            if exits is None:
                exits = self._request_exits = Exits(self)
            exits.push_segment(self.res.request_stack, last=True)
        return self.owner.call(fn)

    def solve(self) -> None:
        """Resolve every dependency; the values are in ``res.values``."""
        res = self.res
        if res.plan.body_field is not None:
            if res.source is not None:
                res.source.prefetch_body()  # blocking host I/O: on this thread
            self.on_loop(self._read_body_and_steps)
        while res.advance(True) != DONE:
            self.on_loop(self._steps)

    async def _read_body_and_steps(self) -> None:
        await self.res.read_body()
        await self._steps()

    async def _steps(self) -> None:
        res = self.res
        status = res.advance(False)
        while status == NEED_ASYNC:
            await res.async_step()
            status = res.advance(False)
        if status == DONE and self.then is not None and not res.errors:
            self.then_result = await self.then(res.values)

    def run_background(self) -> None:
        """Run background tasks: sync ones on this thread, async ones on the loop."""
        tasks: BackgroundTasks | None = self.res.background_tasks
        if tasks is None:
            return
        for task in tasks.tasks:
            if task.is_async:
                self.on_loop(partial(task.func, *task.args, **task.kwargs))
            else:
                task.func(*task.args, **task.kwargs)

    # -- one operation -----------------------------------------------------

    def __enter__(self) -> dict[str, Any]:
        res = self.res
        closed = False
        invalid: RequestValidationError | None = None
        try:
            self.solve()
            if res.errors:
                # FastAPI's exact error, for the dependencies and host handlers.
                invalid = validation_error(res.errors, res.body)
                if TEARDOWN_BEFORE_BACKGROUND:
                    # FastAPI < 0.120 closed the dependencies first (they saw
                    # no exception) and ran no background task.
                    res.background_tasks = None
                    closed = True
                    self.__exit__(None, None, None)
                raise invalid
        except BaseException as e:
            if not closed and self.__exit__(type(e), e, e.__traceback__):
                raise swallowed_error() from e
            if e is invalid and self.caller_errors:
                raise caller_error(describe(res.plan.target), invalid) from None  # pyright: ignore[reportArgumentType]
            raise
        return res.values

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        """End the operation in FastAPI's order (``end_operation``)."""
        function, request = self._function_exits, self._request_exits
        res = self.res
        tasks = res.background_tasks
        try:
            left = end_operation(
                exc,
                function=None if function is None else function.close,
                background=None if tasks is None else self.run_background,
                request=None if request is None else request.close,
            )
        finally:
            # Nothing runs after this: break the driver's reference cycles
            # (the resolution's routing, the exits' driver) so that reference
            # counting frees the call, not the cyclic collector.
            res.stack_for = res.push_sync_exit = None
            self._function_exits = self._request_exits = None
        if self._owner is not None:
            self._owner.finish()  # tasks that ran after the last exit used it
        if left is None:
            return exc is not None  # a yield dependency swallowed it
        if left is exc:
            return False
        raise left


#: ``then_result`` before ``then`` ran (None is a result).
NOT_RUN: Any = object()


def new_driver(
    plan: Plan,
    *,
    app: Any,
    spec: ScopeSpec | None,
    name: str,
    timeout: float | None,
) -> SyncDriver:
    """A driver for one one-shot resolution (one FastAPI request's worth)."""
    return SyncDriver(
        plan,
        name,
        timeout,
        spec=spec,
        app=app,
        state=lifespan_state(app),
        cache={},
        request_stack=AsyncExitStack(),
    )
